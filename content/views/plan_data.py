"""Pages around the calendar: the organization's dates (its own, news hooks, the shipped ones it
hides) and the CSV import of drafts."""

from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import TemplateView

from core.errors import DomainError
from core.forms import apply_domain_error
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import plan_services
from ..holidays import hidden_dates, shipped_dates
from ..plan_forms import CalendarDateForm, PlanImportForm
from ..plan_import import decode, import_drafts
from ..plan_models import CalendarDate


class PlanDatesView(OrganizationViewMixin, TemplateView):
    template_name = "content/plan_dates.html"
    form = None

    def get_context_data(self, **kwargs):
        today = self.organization.today()
        hidden = {d.key for d in hidden_dates(organization=self.organization)}
        return super().get_context_data(**kwargs) | {
            "form": self.form or CalendarDateForm(),
            "own_dates": CalendarDate.objects.for_organization(self.organization).filter(day__gte=today),
            "shipped": [(d, d.key in hidden) for d in shipped_dates() if d.day >= today],
            "can_write": self.access.can(Perm.WRITE),
        }

    def post(self, request, org_slug):
        self.access.require(Perm.WRITE)
        form = CalendarDateForm(request.POST)
        if form.is_valid():
            try:
                plan_services.date_add(access=self.access, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                messages.success(request, _("Date added to the calendar."))
                return redirect("content:plan_dates", org_slug=org_slug)
        self.form = form
        return self.render_to_response(self.get_context_data(), status=400)


class PlanDateRemoveView(OrganizationViewMixin, TemplateView):
    required_permission = Perm.WRITE
    model = CalendarDate
    http_method_names = ["post"]

    def post(self, request, org_slug, pk):
        plan_services.date_remove(access=self.access, date=pk)
        messages.success(request, _("Date removed."))
        return redirect("content:plan_dates", org_slug=org_slug)


class ShippedDateToggleView(OrganizationViewMixin, TemplateView):
    """Hides a shipped holiday or retail date for this organization, or shows it again."""

    required_permission = Perm.WRITE
    http_method_names = ["post"]

    def post(self, request, org_slug):
        try:
            plan_services.shipped_date_hide(
                access=self.access, key=request.POST.get("key", ""), hidden=request.POST.get("hidden") == "1"
            )
        except DomainError as exc:
            messages.error(request, str(exc.message))
        return redirect("content:plan_dates", org_slug=org_slug)


class PlanImportView(OrganizationViewMixin, TemplateView):
    """Upload a CSV of drafts: every row is checked, and nothing is imported while a row has errors."""

    template_name = "content/plan_import.html"
    required_permission = Perm.WRITE

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {"form": kwargs.get("form") or PlanImportForm()}

    def post(self, request, org_slug):
        form = PlanImportForm(request.POST, request.FILES)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form), status=400)
        try:
            text = decode(form.cleaned_data["file"].read())
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.render_to_response(self.get_context_data(form=form), status=400)
        result = import_drafts(access=self.access, text=text)
        if result.ok:
            messages.success(request, _("%(n)d drafts imported into the plan.") % {"n": len(result.created)})
            return redirect("content:calendar", org_slug=org_slug)
        return self.render_to_response(self.get_context_data(form=form, result=result), status=400)
