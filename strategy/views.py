from django.views.generic import TemplateView

from tenancy.views_base import OrganizationViewMixin


class StrategyHomeView(OrganizationViewMixin, TemplateView):
    template_name = "strategy/home.html"
