from django.views.generic import TemplateView

from tenancy.views_base import OrganizationViewMixin


class IntegrationsHomeView(OrganizationViewMixin, TemplateView):
    template_name = "integrations/home.html"
