from django.views.generic import TemplateView

from tenancy.views_base import OrganizationViewMixin


class AdsHomeView(OrganizationViewMixin, TemplateView):
    template_name = "ads/home.html"
