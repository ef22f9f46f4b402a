"""Strategy pages: home, the guided editor (analysis → goals → platforms → positioning → pillars →
review), the one-page strategy an owner reads and approves, trends and the experiment log.

Plain forms with server-side validation (works without JavaScript); htmx only narrows the KPI
list to the chosen objective. Views stay thin: forms check shape, services enforce rules.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View
from django.views.generic import TemplateView

from analytics.kpi_values import GoalProgress, goals_progress, organization_today
from analytics.kpis import kpis_for_objective
from smm_platform.errors import DomainError, NotFound, PermissionDenied
from smm_platform.forms import apply_domain_error
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import forms, selectors, services
from .models import (
    AudienceSegment,
    Competitor,
    ContentPillar,
    Experiment,
    Goal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
)

STEPS = [
    ("analysis", gettext_lazy("Analysis")),
    ("goals", gettext_lazy("Goals")),
    ("platforms", gettext_lazy("Platforms")),
    ("positioning", gettext_lazy("Positioning")),
    ("pillars", gettext_lazy("Content pillars")),
    ("review", gettext_lazy("Review & submit")),
]
STEP_KEYS = [key for key, _label in STEPS]
# Analysis rows the editor can edit in place; the key is the `form=<kind>` of their form.
ANALYSIS_ROWS = {"segment": AudienceSegment, "competitor": Competitor, "audit": PresenceAudit}


def _run(form, call):
    """Calls a service; shows its DomainError on the form. Permission and not-found errors propagate."""
    try:
        return call()
    except (PermissionDenied, NotFound):
        raise
    except DomainError as exc:
        apply_domain_error(form, exc)
        return None


def _flash_error(request, exc: DomainError) -> None:
    messages.error(request, str(exc.message))


def _strategy_or_404(organization, pk: int) -> Strategy:
    try:
        return selectors.strategy_get(organization=organization, strategy_id=pk)
    except NotFound as exc:
        raise Http404 from exc


def _goal_rows(organization, strategy: Strategy):
    """Goal cards: progress for a strategy in force (approved/archived); targets only for drafts."""
    goals = list(strategy.goals.all())
    for goal in goals:
        goal.strategy = strategy  # already loaded: no query per goal
    if strategy.status in (Strategy.Status.APPROVED, Strategy.Status.ARCHIVED):
        return goals_progress(organization=organization, goals=goals)
    return [GoalProgress(goal=goal, progress=None) for goal in goals]


class StrategyHomeView(OrganizationViewMixin, TemplateView):
    template_name = "strategy/home.html"

    def get_context_data(self, **kwargs):
        org = self.organization
        strategy = selectors.strategy_current_or_latest(organization=org)
        strategies = list(selectors.strategy_list(organization=org))
        context = super().get_context_data(**kwargs)
        context.update(
            strategy=strategy,
            strategies=strategies,
            goal_rows=_goal_rows(org, strategy) if strategy else [],
            checks=selectors.strategy_checks_for(strategy) if strategy else None,
            running_experiments=list(selectors.experiment_list(organization=org, status=Experiment.Status.RUNNING)),
            today=organization_today(org),
            can_write=self.access.can(Perm.WRITE),
        )
        return context


class StrategyCreateView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE
    template_name = "strategy/create.html"

    def get(self, request, *args, **kwargs):
        return render(request, self.template_name, {"form": forms.StrategyCreateForm(), **self._ctx()})

    def post(self, request, *args, **kwargs):
        form = forms.StrategyCreateForm(request.POST)
        if form.is_valid():
            strategy = _run(form, lambda: services.strategy_create(access=self.access, **form.cleaned_data))
            if strategy is not None:
                messages.success(request, _("Draft created. Start with the analysis."))
                return redirect("strategy:edit", org_slug=self.organization.slug, pk=strategy.pk, step="analysis")
        return render(request, self.template_name, {"form": form, **self._ctx()})

    def _ctx(self):
        return {"organization": self.organization, "access": self.access}


class StrategyDetailView(OrganizationViewMixin, TemplateView):
    """The one-page strategy: what the owner reads, prints and approves."""

    template_name = "strategy/detail.html"

    def get_context_data(self, **kwargs):
        org = self.organization
        strategy = _strategy_or_404(org, self.kwargs["pk"])
        context = super().get_context_data(**kwargs)
        context.update(
            strategy=strategy,
            checks=selectors.strategy_checks_for(strategy),
            goal_rows=_goal_rows(org, strategy),
            next_draft=selectors.strategy_next_draft(strategy=strategy)
            if strategy.status == Strategy.Status.APPROVED
            else None,
            profile=selectors.business_profile_get(organization=org),
            segments=list(selectors.audience_segment_list(organization=org)),
            can_write=self.access.can(Perm.WRITE),
            can_approve=self.access.can(Perm.APPROVE),
            can_return=services.can_return_to_draft(self.access),
            can_archive=services.can_archive(self.access),
            return_form=forms.ReturnForm(),
            today=organization_today(org),
        )
        return context


class StrategyActionView(OrganizationViewMixin, View):
    """POST-only workflow buttons: submit, approve, return, new version, archive, delete."""

    def post(self, request, org_slug, pk, action):
        org = self.organization
        handlers = {
            "submit": lambda: services.strategy_submit(access=self.access, strategy=pk),
            "approve": lambda: services.strategy_approve(access=self.access, strategy=pk),
            "return": lambda: services.strategy_return_to_draft(
                access=self.access, strategy=pk, comment=request.POST.get("comment", "")
            ),
            "new-version": lambda: services.strategy_new_version(access=self.access, strategy=pk),
            "archive": lambda: services.strategy_archive(access=self.access, strategy=pk),
            "delete": lambda: services.strategy_delete(access=self.access, strategy=pk),
        }
        if action not in handlers:
            raise Http404
        try:
            result = handlers[action]()
        except NotFound as exc:
            raise Http404 from exc
        except PermissionDenied:
            raise
        except DomainError as exc:
            _flash_error(request, exc)
            if exc.fields and action in ("submit", "approve"):
                messages.error(request, _("Fix the items listed under “Before approval”."))
            return redirect("strategy:detail", org_slug=org.slug, pk=pk)
        notes = {
            "submit": _("Submitted for the owner's review."),
            "approve": _("Strategy approved. Content and ads can now be launched within its period."),
            "return": _("Returned to draft."),
            "new-version": _("A new draft version was created from the approved strategy. Edit it here."),
            "archive": _("Strategy archived."),
            "delete": _("Draft deleted."),
        }
        messages.success(request, notes[action])
        if action == "delete":
            return redirect("strategy:home", org_slug=org.slug)
        if action == "new-version":
            return redirect("strategy:edit", org_slug=org.slug, pk=result.pk, step="goals")
        return redirect("strategy:detail", org_slug=org.slug, pk=result.pk)


class StrategyCopyView(OrganizationViewMixin, View):
    """A draft for the next period, copied from this strategy."""

    required_permission = Perm.WRITE
    template_name = "strategy/copy.html"

    def get(self, request, org_slug, pk):
        source = _strategy_or_404(self.organization, pk)
        initial = {"title": source.title}
        if source.period_end < dt.date.max:  # a period saved before dates were range-checked may end there
            initial["period_start"] = source.period_end + dt.timedelta(days=1)
        return render(request, self.template_name, self._ctx(source, forms.CopyForm(initial=initial)))

    def post(self, request, org_slug, pk):
        source = _strategy_or_404(self.organization, pk)
        form = forms.CopyForm(request.POST)
        if form.is_valid():
            draft = _run(
                form,
                lambda: services.strategy_copy_for_period(access=self.access, strategy=source, **form.cleaned_data),
            )
            if draft is not None:
                messages.success(request, _("Draft for the next period created."))
                return redirect("strategy:edit", org_slug=org_slug, pk=draft.pk, step="goals")
        return render(request, self.template_name, self._ctx(source, form))

    def _ctx(self, source, form):
        return {"organization": self.organization, "access": self.access, "source": source, "form": form}


# --- the editor ------------------------------------------------------------------------------------


class StrategyEditorView(OrganizationViewMixin, View):
    """One step of the guided editor. Each step shows its forms; POST carries `form=<kind>`."""

    template_name = "strategy/editor.html"
    required_permission = Perm.WRITE  # read-only roles read the one-page view instead

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("step") not in STEP_KEYS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    # GET ------------------------------------------------------------------------------------------
    def get(self, request, org_slug, pk, step):
        strategy = _strategy_or_404(self.organization, pk)
        if not strategy.is_editable:
            return self._not_editable(strategy)
        return self.render_step(strategy, step)

    def _not_editable(self, strategy):
        if strategy.status == Strategy.Status.IN_REVIEW:
            messages.info(self.request, _("The strategy is in review. Return it to draft to change it."))
        else:
            messages.info(self.request, _("This strategy is no longer a draft. Create a new version to edit it."))
        return redirect("strategy:detail", org_slug=self.organization.slug, pk=strategy.pk)

    def render_step(self, strategy, step, bound: dict | None = None, status: int = 200):
        org = self.organization
        edit_id = self._edit_id()
        context = {
            "organization": org,
            "access": self.access,
            "strategy": strategy,
            "step": step,
            "steps": STEPS,
            "step_index": STEP_KEYS.index(step),
            "next_step": STEP_KEYS[STEP_KEYS.index(step) + 1] if step != "review" else None,
            "prev_step": STEP_KEYS[STEP_KEYS.index(step) - 1] if step != "analysis" else None,
            "checks": selectors.strategy_checks_for(strategy),
            "edit_id": edit_id,
        }
        bound = bound or {}
        if step == "analysis":
            profile = selectors.business_profile_get(organization=org)
            # Three lists share the page, so `?edit=<id>` needs the kind too: `?form=segment&edit=<id>`.
            edit_kind = self._edit_kind() if edit_id is not None else None

            def instance(kind):
                return self._analysis_row(kind, edit_id) if kind == edit_kind else None

            context.update(
                edit_kind=edit_kind,
                profile_form=bound.get("profile") or forms.BusinessProfileForm(instance=profile, prefix="profile"),
                segment_form=bound.get("segment")
                or forms.AudienceSegmentForm(instance=instance("segment"), prefix="segment"),
                competitor_form=bound.get("competitor")
                or forms.CompetitorForm(instance=instance("competitor"), prefix="competitor"),
                audit_form=bound.get("audit") or forms.PresenceAuditForm(instance=instance("audit"), prefix="audit"),
                segments=list(selectors.audience_segment_list(organization=org)),
                competitors=list(selectors.competitor_list(organization=org)),
                audits=list(selectors.presence_audit_list(organization=org)),
            )
        elif step == "goals":
            instance = self._child(Goal, strategy, edit_id)
            context["form"] = bound.get("goal") or forms.GoalForm(
                instance=instance, kpi_options_url=self._kpi_url(), initial={"deadline": strategy.period_end}
            )
        elif step == "platforms":
            instance = self._child(PlatformChoice, strategy, edit_id)
            context["form"] = bound.get("platform") or forms.PlatformChoiceForm(instance=instance)
        elif step == "positioning":
            context["form"] = bound.get("positioning") or forms.PositioningForm(
                instance=strategy,
                organization=org,
                initial={"competitors": [c.pk for c in strategy.competitors.all()]},
            )
            context["has_competitors"] = Competitor.objects.filter(organization=org).exists()
        elif step == "pillars":
            instance = self._child(ContentPillar, strategy, edit_id)
            context["form"] = bound.get("pillar") or forms.ContentPillarForm(instance=instance, strategy=strategy)
        elif step == "review":
            context["goal_rows"] = _goal_rows(org, strategy)
            context["profile"] = selectors.business_profile_get(organization=org)
        return render(self.request, self.template_name, context, status=status)

    def _edit_id(self) -> int | None:
        """The row id in `edit`; None when it is not a number (the plain step). `str.isdigit` is not
        enough: it accepts "²", which `int()` refuses."""
        raw = self.request.GET.get("edit") or self.request.POST.get("edit")
        return int(raw) if raw and raw.isascii() and raw.isdigit() else None

    def _edit_kind(self) -> str | None:
        kind = self.request.GET.get("form") or self.request.POST.get("form")
        return kind if kind in ANALYSIS_ROWS else None

    def _analysis_row(self, kind: str, edit_id: int | None):
        """The analysis row being edited. Analysis is shared by all strategy versions, so the row is looked
        up within the organization only (not the strategy); another organization's id is a 404, as in `_child`."""
        if edit_id is None:
            return None
        obj = ANALYSIS_ROWS[kind].objects.filter(organization=self.organization, pk=edit_id).first()
        if obj is None:
            raise Http404
        return obj

    def _child(self, model, strategy, edit_id):
        if edit_id is None:
            return None
        obj = model.objects.filter(organization=self.organization, strategy=strategy, pk=edit_id).first()
        if obj is None:
            raise Http404
        return obj

    def _kpi_url(self):
        return reverse("strategy:kpi_options", kwargs={"org_slug": self.organization.slug})

    # POST -----------------------------------------------------------------------------------------
    def post(self, request, org_slug, pk, step):
        self.access.require(Perm.WRITE)
        strategy = _strategy_or_404(self.organization, pk)
        if not strategy.is_editable:
            return self._not_editable(strategy)
        kind = request.POST.get("form", "")
        handler = getattr(self, f"save_{kind}", None)
        if handler is None:
            raise Http404
        form = handler(strategy)
        if form is not None:  # invalid: show the step again with errors
            strategy = _strategy_or_404(self.organization, pk)
            return self.render_step(strategy, step, bound={kind: form}, status=400)
        if request.POST.get("continue") and step != "review":
            step = STEP_KEYS[STEP_KEYS.index(step) + 1]
        return redirect("strategy:edit", org_slug=org_slug, pk=pk, step=step)

    def _save(self, form, call, message):
        """Returns None on success (and flashes `message`), else the form with errors."""
        if form.is_valid() and _run(form, lambda: call(form)) is not None:
            messages.success(self.request, message)
            return None
        return form

    def save_profile(self, strategy):
        profile = selectors.business_profile_get(organization=self.organization)
        form = forms.BusinessProfileForm(self.request.POST, instance=profile, prefix="profile")
        return self._save(
            form,
            lambda f: services.business_profile_save(access=self.access, **f.cleaned_data),
            _("Business profile saved."),
        )

    def save_segment(self, strategy):
        instance = self._analysis_row("segment", self._edit_id())
        form = forms.AudienceSegmentForm(self.request.POST, instance=instance, prefix="segment")
        if instance is None:
            return self._save(
                form,
                lambda f: services.audience_segment_create(access=self.access, **f.cleaned_data),
                _("Audience segment added."),
            )
        return self._save(
            form,
            lambda f: services.audience_segment_update(access=self.access, segment=instance.pk, **f.cleaned_data),
            _("Audience segment saved."),
        )

    def save_competitor(self, strategy):
        instance = self._analysis_row("competitor", self._edit_id())
        form = forms.CompetitorForm(self.request.POST, instance=instance, prefix="competitor")
        if instance is None:
            return self._save(
                form,
                lambda f: services.competitor_create(access=self.access, **f.service_data()),
                _("Competitor added."),
            )
        return self._save(
            form,
            lambda f: services.competitor_update(access=self.access, competitor=instance.pk, **f.service_data()),
            _("Competitor saved."),
        )

    def save_audit(self, strategy):
        instance = self._analysis_row("audit", self._edit_id())
        form = forms.PresenceAuditForm(self.request.POST, instance=instance, prefix="audit")
        if instance is None:
            return self._save(
                form,
                lambda f: services.presence_audit_create(access=self.access, **f.cleaned_data),
                _("Presence audit added."),
            )
        return self._save(
            form,
            lambda f: services.presence_audit_update(access=self.access, audit=instance.pk, **f.cleaned_data),
            _("Presence audit saved."),
        )

    def save_goal(self, strategy):
        instance = self._child(Goal, strategy, self._edit_id())
        form = forms.GoalForm(self.request.POST, instance=instance, kpi_options_url=self._kpi_url())
        if instance is None:
            call = lambda f: services.goal_create(access=self.access, strategy=strategy, **f.cleaned_data)  # noqa: E731
        else:
            call = lambda f: services.goal_update(access=self.access, goal=instance.pk, **f.cleaned_data)  # noqa: E731
        return self._save(form, call, _("Goal saved."))

    def save_platform(self, strategy):
        instance = self._child(PlatformChoice, strategy, self._edit_id())
        form = forms.PlatformChoiceForm(self.request.POST, instance=instance)
        if instance is None:
            call = lambda f: services.platform_choice_create(  # noqa: E731
                access=self.access, strategy=strategy, **f.cleaned_data
            )
        else:
            call = lambda f: services.platform_choice_update(  # noqa: E731
                access=self.access, choice=instance.pk, **f.cleaned_data
            )
        return self._save(form, call, _("Platform saved."))

    def save_positioning(self, strategy):
        form = forms.PositioningForm(self.request.POST, instance=strategy, organization=self.organization)

        def call(f):
            data = dict(f.cleaned_data)
            competitors = [c.pk for c in data.pop("competitors")]
            return services.strategy_update(access=self.access, strategy=strategy.pk, competitors=competitors, **data)

        return self._save(form, call, _("Positioning saved."))

    def save_pillar(self, strategy):
        instance = self._child(ContentPillar, strategy, self._edit_id())
        form = forms.ContentPillarForm(self.request.POST, instance=instance, strategy=strategy)

        def call(f):
            data = dict(f.cleaned_data)
            goals = [g.pk for g in data.pop("goals")]
            if instance is None:
                return services.content_pillar_create(access=self.access, strategy=strategy, goals=goals, **data)
            return services.content_pillar_update(access=self.access, pillar=instance.pk, goals=goals, **data)

        return self._save(form, call, _("Content pillar saved."))


class StrategyChildDeleteView(OrganizationViewMixin, View):
    """POST: removes one row shown in the editor (analysis rows, goals, platforms, pillars)."""

    required_permission = Perm.WRITE
    KINDS = {
        "segment": (AudienceSegment, "segment", services.audience_segment_delete, "analysis"),
        "competitor": (Competitor, "competitor", services.competitor_delete, "analysis"),
        "audit": (PresenceAudit, "audit", services.presence_audit_delete, "analysis"),
        "goal": (Goal, "goal", services.goal_delete, "goals"),
        "platform": (PlatformChoice, "choice", services.platform_choice_delete, "platforms"),
        "pillar": (ContentPillar, "pillar", services.content_pillar_delete, "pillars"),
    }

    def post(self, request, org_slug, pk, kind, obj_id):
        if kind not in self.KINDS:
            raise Http404
        _model, kwarg, service, step = self.KINDS[kind]
        _strategy_or_404(self.organization, pk)
        try:
            service(access=self.access, **{kwarg: obj_id})
        except NotFound as exc:
            raise Http404 from exc
        except PermissionDenied:
            raise
        except DomainError as exc:
            _flash_error(request, exc)
        else:
            messages.success(request, _("Removed."))
        return redirect("strategy:edit", org_slug=org_slug, pk=pk, step=step)


class KpiOptionsView(OrganizationViewMixin, View):
    """htmx partial: <option>s of the KPIs that fit the chosen objective."""

    def get(self, request, org_slug):
        objective = request.GET.get("objective") or request.GET.get("goal-objective") or ""
        kpis = kpis_for_objective(objective) if objective else []
        options = format_html_join("", '<option value="{}">{}</option>', ((k.key, k.name) for k in kpis))
        return HttpResponse('<option value="">---------</option>' + options)


# --- trends and experiments -------------------------------------------------------------------------


class TrendListView(OrganizationViewMixin, View):
    template_name = "strategy/trends.html"

    def get(self, request, org_slug):
        return self.render_page(forms.TrendNoteForm(initial={"noted_on": organization_today(self.organization)}))

    def post(self, request, org_slug):
        self.access.require(Perm.WRITE)
        form = forms.TrendNoteForm(request.POST)
        if form.is_valid() and _run(form, lambda: services.trend_note_create(access=self.access, **form.cleaned_data)):
            messages.success(request, _("Trend noted."))
            return redirect("strategy:trends", org_slug=org_slug)
        return self.render_page(form)

    def render_page(self, form):
        notes = list(selectors.trend_note_list(organization=self.organization).prefetch_related("experiments"))
        return render(
            self.request,
            self.template_name,
            {"organization": self.organization, "access": self.access, "notes": notes, "form": form},
        )


class ExperimentListView(OrganizationViewMixin, View):
    template_name = "strategy/experiments.html"

    def get(self, request, org_slug):
        return self.render_page(forms.ExperimentForm(organization=self.organization))

    def post(self, request, org_slug):
        self.access.require(Perm.WRITE)
        form = forms.ExperimentForm(request.POST, organization=self.organization)
        if form.is_valid():
            exp = _run(form, lambda: services.experiment_create(access=self.access, **form.cleaned_data))
            if exp is not None:
                messages.success(request, _("Experiment planned."))
                return redirect("strategy:experiment", org_slug=org_slug, pk=exp.pk)
        return self.render_page(form)

    def render_page(self, form):
        experiments = list(selectors.experiment_list(organization=self.organization))
        groups = [(label, [e for e in experiments if e.status == value]) for value, label in Experiment.Status.choices]
        return render(
            self.request,
            self.template_name,
            {"organization": self.organization, "access": self.access, "groups": groups, "form": form},
        )


class ExperimentDetailView(OrganizationViewMixin, View):
    template_name = "strategy/experiment_detail.html"

    def _get(self, pk) -> Experiment:
        exp = selectors.experiment_list(organization=self.organization).filter(pk=pk).first()
        if exp is None:
            raise Http404
        return exp

    def get(self, request, org_slug, pk):
        return self.render_page(self._get(pk), forms.ExperimentConcludeForm())

    def post(self, request, org_slug, pk):
        self.access.require(Perm.WRITE)
        exp = self._get(pk)
        action = request.POST.get("action")
        if action == "start":
            try:
                services.experiment_start(access=self.access, experiment=exp)
                messages.success(request, _("Experiment started. The success metric and threshold are now fixed."))
            except (PermissionDenied, NotFound):
                raise
            except DomainError as exc:
                _flash_error(request, exc)
            return redirect("strategy:experiment", org_slug=org_slug, pk=pk)
        if action == "conclude":
            form = forms.ExperimentConcludeForm(request.POST)
            if form.is_valid() and _run(
                form, lambda: services.experiment_conclude(access=self.access, experiment=exp, **form.cleaned_data)
            ):
                messages.success(request, _("Experiment concluded. It will appear in the next report."))
                return redirect("strategy:experiment", org_slug=org_slug, pk=pk)
            return self.render_page(exp, form)
        raise Http404

    def render_page(self, exp, conclude_form):
        return render(
            self.request,
            self.template_name,
            {
                "organization": self.organization,
                "access": self.access,
                "experiment": exp,
                "conclude_form": conclude_form,
                "can_write": self.access.can(Perm.WRITE),
            },
        )
