"""Report pages: the list (and the button that makes a report), one report, its downloads, settings."""

from django.contrib import messages
from django.http import HttpResponse
from django.shortcuts import redirect
from django.utils.translation import gettext as _
from django.views.generic import DetailView, FormView, ListView

from core.errors import DomainError
from core.forms import apply_domain_error
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import services, tasks
from .display import report_context
from .exports import kpi_csv, kpi_xlsx
from .forms import ReportPeriodForm, ReportSettingsForm
from .models import PdfStatus, Report
from .periods import last_closed_period
from .selectors import report_settings_get


class ReportListView(OrganizationViewMixin, ListView):
    template_name = "reports/list.html"
    model = Report
    context_object_name = "reports"
    form: ReportPeriodForm | None = None

    def safely_get_queryset(self, queryset):
        return queryset.defer("pdf", "snapshot").order_by("-period_end", "-id")

    def get_context_data(self, **kwargs):
        saved = report_settings_get(organization=self.organization)
        start, end = last_closed_period(frequency=saved.frequency, today=self.organization.today())
        return super().get_context_data(**kwargs) | {
            "settings": saved,
            "form": self.form or ReportPeriodForm(initial={"start": start, "end": end}),
            "can_write": self.access.can(Perm.WRITE),
            "can_manage": self.access.can(Perm.MANAGE_ORGANIZATION),
        }

    def post(self, request, *args, **kwargs):
        self.access.require(Perm.WRITE)
        form = ReportPeriodForm(request.POST)
        if form.is_valid():
            try:
                report, created = services.report_generate(organization=self.organization, **form.cleaned_data)
            except DomainError as exc:
                apply_domain_error(form, exc)
            else:
                if created:
                    tasks.make_pdf.delay(self.organization.pk, report.pk)
                else:
                    messages.info(request, _("A report for this period already exists; it is shown as it was made."))
                return redirect("reports:detail", org_slug=self.organization.slug, pk=report.pk)
        self.form = form
        self.object_list = self.get_queryset()
        return self.render_to_response(self.get_context_data())


class ReportDetailView(OrganizationViewMixin, DetailView):
    template_name = "reports/detail.html"
    model = Report
    context_object_name = "report"

    def safely_get_queryset(self, queryset):
        return queryset.defer("pdf").select_related("organization")

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | report_context(self.object)


def _download(body: bytes | str, *, content_type: str, filename: str) -> HttpResponse:
    response = HttpResponse(body, content_type=content_type)
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


class ReportPdfView(OrganizationViewMixin, DetailView):
    model = Report

    def get(self, request, *args, **kwargs):
        report = self.get_object()
        if report.pdf_status != PdfStatus.READY or not report.pdf:
            return HttpResponse(
                report.pdf_error or _("The PDF is not ready yet."), status=404, content_type="text/plain"
            )
        return _download(
            bytes(report.pdf),
            content_type="application/pdf",
            filename=f"report-{report.period_start}-{report.period_end}.pdf",
        )


class ReportXlsxView(OrganizationViewMixin, DetailView):
    model = Report

    def get(self, request, *args, **kwargs):
        report = self.get_object()
        return _download(
            kpi_xlsx(report),
            content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
            filename=f"report-{report.period_start}-{report.period_end}.xlsx",
        )


class ReportCsvView(OrganizationViewMixin, DetailView):
    model = Report

    def get(self, request, *args, **kwargs):
        report = self.get_object()
        return _download(
            kpi_csv(report),
            content_type="text/csv; charset=utf-8",
            filename=f"report-{report.period_start}-{report.period_end}.csv",
        )


class ReportSettingsView(OrganizationViewMixin, FormView):
    template_name = "reports/settings.html"
    form_class = ReportSettingsForm
    required_permission = Perm.MANAGE_ORGANIZATION

    def get_initial(self):
        saved = report_settings_get(organization=self.organization)
        kpis = list(saved.kpis) or services.agreed_kpis(organization=self.organization, on=self.organization.today())
        return {"frequency": saved.frequency, "recipients": "\n".join(saved.recipients), "kpis": kpis}

    def form_valid(self, form):
        try:
            services.report_settings_update(access=self.access, **form.cleaned_data)
        except DomainError as exc:
            apply_domain_error(form, exc)
            return self.form_invalid(form)
        messages.success(self.request, _("Report settings saved."))
        return redirect("reports:list", org_slug=self.organization.slug)
