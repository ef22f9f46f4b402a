from django.views.generic import TemplateView

from tenancy.views_base import OrganizationViewMixin


class ContentHomeView(OrganizationViewMixin, TemplateView):
    template_name = "content/home.html"
