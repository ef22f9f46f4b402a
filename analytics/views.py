from django.views.generic import RedirectView, TemplateView

from integrations.selectors import analytics_platform_choices
from reports.selectors import report_latest
from tenancy.views_base import OrganizationViewMixin

from .dashboard import dashboard_context, kpi_table
from .kpi_values import kpi_window


class DashboardView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/dashboard.html"

    def get_context_data(self, **kwargs):
        latest = report_latest(organization=self.organization)
        snapshot = latest.snapshot if latest is not None else {}
        return (
            super().get_context_data(**kwargs)
            | dashboard_context(organization=self.organization)
            | {
                # The owner's minute: the last report's findings and what to change, with a link to it.
                "latest_report": latest,
                "latest_findings": snapshot.get("insights", [])[:3],
                "latest_recommendations": snapshot.get("recommendations", [])[:3],
            }
        )


class AnalyticsHomeView(OrganizationViewMixin, TemplateView):
    """Every KPI of the catalog for the trailing window against the window before, per platform."""

    template_name = "analytics/home.html"

    def get_context_data(self, **kwargs):
        choices = analytics_platform_choices(organization=self.organization)
        platform = self.request.GET.get("platform", "")
        platform = platform if platform in {value for value, _label in choices} else ""
        today = self.organization.today()
        start = kpi_window(today)[0]
        rows = kpi_table(organization=self.organization, on=today, platform=platform)
        return super().get_context_data(**kwargs) | {
            "rows": rows,
            "has_data": any(r.current is not None for r in rows),
            "start": start,
            "today": today,
            "platform": platform,
            "platform_choices": choices,
        }


class ReportsRedirectView(OrganizationViewMixin, RedirectView):
    """Reports moved to their own section; old links (members only) keep working."""

    pattern_name = "reports:list"
    permanent = False
