from django.views.generic import TemplateView

from tenancy.views_base import OrganizationViewMixin


class DashboardView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/dashboard.html"


class AnalyticsHomeView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/home.html"


class ReportsView(OrganizationViewMixin, TemplateView):
    template_name = "analytics/reports.html"
