"""The guided strategy editor: analysis → goals → platforms → positioning → pillars → review.

`StrategyEditorView` (URL `strategy:edit`) hands each request to the view of its step, chosen by the
`step` URL kwarg. Every step is a small class on `EditorStepView`: the shared context and the POST
flow live in the base; a step adds its forms (`step_context`) and its save handlers (`savers`, keyed
by the `form=<kind>` the page posts). `StrategyChildDeleteView` removes a row shown in the editor.
"""

from collections.abc import Callable

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views import View

from core.errors import DomainError, NotFound, PermissionDenied
from tenancy.models import TenantModel
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import forms, selectors, services
from ..models import (
    AudienceSegment,
    Competitor,
    ContentPillar,
    Goal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
)
from ._common import _flash_error, _goal_rows, _run, _strategy_or_404

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
ANALYSIS_ROWS: dict[str, type[AudienceSegment | Competitor | PresenceAudit]] = {
    "segment": AudienceSegment,
    "competitor": Competitor,
    "audit": PresenceAudit,
}


class EditorStepView(OrganizationViewMixin, View):
    """One step of the guided editor. The step shows its forms; POST carries `form=<kind>`."""

    template_name = "strategy/editor.html"
    required_permission = Perm.WRITE  # read-only roles read the one-page view instead
    step: str
    savers: dict = {}  # form kind → save handler; each returns None on success, else the bound form

    def step_context(self, strategy, bound: dict) -> dict:
        return {}

    # GET ------------------------------------------------------------------------------------------
    def get(self, request, org_slug, pk, step):
        strategy = _strategy_or_404(self.organization, pk)
        if not strategy.is_editable:
            return self._not_editable(strategy)
        return self.render_step(strategy)

    def _not_editable(self, strategy):
        if strategy.status == Strategy.Status.IN_REVIEW:
            messages.info(self.request, _("The strategy is in review. Return it to draft to change it."))
        else:
            messages.info(self.request, _("This strategy is no longer a draft. Create a new version to edit it."))
        return redirect("strategy:detail", org_slug=self.organization.slug, pk=strategy.pk)

    def render_step(self, strategy, bound: dict | None = None, status: int = 200):
        step = self.step
        index = STEP_KEYS.index(step)
        context = {
            "organization": self.organization,
            "access": self.access,
            "strategy": strategy,
            "step": step,
            "steps": STEPS,
            "step_index": index,
            "next_step": STEP_KEYS[index + 1] if step != "review" else None,
            "prev_step": STEP_KEYS[index - 1] if step != "analysis" else None,
            "checks": selectors.strategy_checks_for(strategy),
            "edit_id": self._edit_id(),
        }
        context.update(self.step_context(strategy, bound or {}))
        return render(self.request, self.template_name, context, status=status)

    def _edit_id(self) -> int | None:
        """The row id in `edit`; None when it is not a number (the plain step). `str.isdigit` is not
        enough: it accepts "²", which `int()` refuses."""
        raw = self.request.GET.get("edit") or self.request.POST.get("edit")
        return int(raw) if raw and raw.isascii() and raw.isdigit() else None

    def _child(self, model, strategy, edit_id):
        if edit_id is None:
            return None
        obj = selectors.strategy_row_find(
            organization=self.organization, strategy=strategy, model=model, row_id=edit_id
        )
        if obj is None:
            raise Http404
        return obj

    # POST -----------------------------------------------------------------------------------------
    def post(self, request, org_slug, pk, step):
        self.access.require(Perm.WRITE)
        strategy = _strategy_or_404(self.organization, pk)
        if not strategy.is_editable:
            return self._not_editable(strategy)
        kind = request.POST.get("form", "")
        handler = self.savers.get(kind)
        if handler is None:
            raise Http404
        form = handler(self, strategy)
        if form is not None:  # invalid: show the step again with errors
            strategy = _strategy_or_404(self.organization, pk)
            return self.render_step(strategy, bound={kind: form}, status=400)
        if request.POST.get("continue") and step != "review":
            step = STEP_KEYS[STEP_KEYS.index(step) + 1]
        return redirect("strategy:edit", org_slug=org_slug, pk=pk, step=step)

    def _save(self, form, call, message):
        """Returns None on success (and flashes `message`), else the form with errors."""
        if form.is_valid() and _run(form, lambda: call(form)) is not None:
            messages.success(self.request, message)
            return None
        return form


class AnalysisStepView(EditorStepView):
    """Business profile, audience segments, competitors and presence audits (shared by all versions)."""

    step = "analysis"

    def step_context(self, strategy, bound):
        org = self.organization
        edit_id = self._edit_id()
        profile = selectors.business_profile_get(organization=org)
        # Three lists share the page, so `?edit=<id>` needs the kind too: `?form=segment&edit=<id>`.
        edit_kind = self._edit_kind() if edit_id is not None else None

        def instance(kind):
            return self._analysis_row(kind, edit_id) if kind == edit_kind else None

        return {
            "edit_kind": edit_kind,
            "profile_form": bound.get("profile") or forms.BusinessProfileForm(instance=profile, prefix="profile"),
            "segment_form": bound.get("segment")
            or forms.AudienceSegmentForm(instance=instance("segment"), prefix="segment"),
            "competitor_form": bound.get("competitor")
            or forms.CompetitorForm(instance=instance("competitor"), prefix="competitor"),
            "audit_form": bound.get("audit") or forms.PresenceAuditForm(instance=instance("audit"), prefix="audit"),
            "segments": list(selectors.audience_segment_list(organization=org)),
            "competitors": list(selectors.competitor_list(organization=org)),
            "audits": list(selectors.presence_audit_list(organization=org)),
        }

    def _edit_kind(self) -> str | None:
        kind = self.request.GET.get("form") or self.request.POST.get("form")
        return kind if kind in ANALYSIS_ROWS else None

    def _analysis_row(self, kind: str, edit_id: int | None):
        """The analysis row being edited. Analysis is shared by all strategy versions, so the row is looked
        up within the organization only (not the strategy); another organization's id is a 404, as in `_child`."""
        if edit_id is None:
            return None
        obj = selectors.analysis_row_find(organization=self.organization, model=ANALYSIS_ROWS[kind], row_id=edit_id)
        if obj is None:
            raise Http404
        return obj

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

    savers = {"profile": save_profile, "segment": save_segment, "competitor": save_competitor, "audit": save_audit}


class GoalsStepView(EditorStepView):
    step = "goals"

    def step_context(self, strategy, bound):
        instance = self._child(Goal, strategy, self._edit_id())
        return {
            "form": bound.get("goal")
            or forms.GoalForm(
                instance=instance, kpi_options_url=self._kpi_url(), initial={"deadline": strategy.period_end}
            )
        }

    def _kpi_url(self):
        return reverse("strategy:kpi_options", kwargs={"org_slug": self.organization.slug})

    def save_goal(self, strategy):
        instance = self._child(Goal, strategy, self._edit_id())
        form = forms.GoalForm(self.request.POST, instance=instance, kpi_options_url=self._kpi_url())
        if instance is None:
            call = lambda f: services.goal_create(access=self.access, strategy=strategy, **f.cleaned_data)  # noqa: E731
        else:
            call = lambda f: services.goal_update(access=self.access, goal=instance.pk, **f.cleaned_data)  # noqa: E731
        return self._save(form, call, _("Goal saved."))

    savers = {"goal": save_goal}


class PlatformsStepView(EditorStepView):
    step = "platforms"

    def step_context(self, strategy, bound):
        instance = self._child(PlatformChoice, strategy, self._edit_id())
        return {"form": bound.get("platform") or forms.PlatformChoiceForm(instance=instance)}

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

    savers = {"platform": save_platform}


class PositioningStepView(EditorStepView):
    step = "positioning"

    def step_context(self, strategy, bound):
        org = self.organization
        return {
            "form": bound.get("positioning")
            or forms.PositioningForm(
                instance=strategy,
                organization=org,
                initial={"competitors": [c.pk for c in strategy.competitors.all()]},
            ),
            "has_competitors": selectors.competitors_exist(organization=org),
        }

    def save_positioning(self, strategy):
        form = forms.PositioningForm(self.request.POST, instance=strategy, organization=self.organization)

        def call(f):
            data = dict(f.cleaned_data)
            competitors = [c.pk for c in data.pop("competitors")]
            return services.strategy_update(access=self.access, strategy=strategy.pk, competitors=competitors, **data)

        return self._save(form, call, _("Positioning saved."))

    savers = {"positioning": save_positioning}


class PillarsStepView(EditorStepView):
    step = "pillars"

    def step_context(self, strategy, bound):
        instance = self._child(ContentPillar, strategy, self._edit_id())
        return {"form": bound.get("pillar") or forms.ContentPillarForm(instance=instance, strategy=strategy)}

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

    savers = {"pillar": save_pillar}


class ReviewStepView(EditorStepView):
    """Read-only summary before submitting (the submit button posts to `strategy:action`)."""

    step = "review"

    def step_context(self, strategy, bound):
        org = self.organization
        return {"goal_rows": _goal_rows(org, strategy), "profile": selectors.business_profile_get(organization=org)}


STEP_VIEWS = {
    cls.step: cls.as_view()
    for cls in (
        AnalysisStepView,
        GoalsStepView,
        PlatformsStepView,
        PositioningStepView,
        PillarsStepView,
        ReviewStepView,
    )
}


class StrategyEditorView(View):
    """`strategy:edit`: runs the view of the step named in the URL (an unknown step is a 404, checked
    before anything else). The step view resolves the organization and the permissions."""

    def dispatch(self, request, *args, **kwargs):
        if kwargs.get("step") not in STEP_VIEWS:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    # Both methods are declared so the route advertises GET and POST, as every step does.
    def get(self, request, *args, **kwargs):
        return STEP_VIEWS[kwargs["step"]](request, *args, **kwargs)

    post = get


class StrategyChildDeleteView(OrganizationViewMixin, View):
    """POST: removes one row shown in the editor (analysis rows, goals, platforms, pillars)."""

    required_permission = Perm.WRITE
    KINDS: dict[str, tuple[type[TenantModel], str, Callable[..., None], str]] = {
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
