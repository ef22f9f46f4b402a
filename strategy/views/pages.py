"""Strategy pages: home, the one-page strategy an owner reads and approves, its workflow buttons,
copying for another period, trends, the experiment log and the KPI options partial. The guided
editor is in `editor.py`.

Plain forms with server-side validation (works without JavaScript); htmx only narrows the KPI
list to the chosen objective. Views stay thin: forms check shape, services enforce rules.
"""

import datetime as dt

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.html import format_html_join
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.errors import DomainError, NotFound, PermissionDenied
from core.kpis import kpis_for_objective
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import forms, selectors, services
from ..models import Experiment, Strategy
from ._common import _flash_error, _goal_rows, _run, _strategy_or_404


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
            today=org.today(),
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
            today=org.today(),
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
        return self.render_page(forms.TrendNoteForm(initial={"noted_on": self.organization.today()}))

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
        exp = selectors.experiment_find(organization=self.organization, experiment_id=pk)
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
