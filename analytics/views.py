from django.views.generic import TemplateView

from tenancy.views_base import OrganizationViewMixin

from .dashboard import dashboard_context


class DashboardView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/dashboard.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | dashboard_context(organization=self.organization)


class AnalyticsHomeView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/home.html"


class ReportsView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/reports.html"
