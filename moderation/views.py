from django.views.generic import TemplateView

from tenancy.views_base import OrganizationViewMixin


class ModerationHomeView(OrganizationViewMixin, TemplateView):
    template_name = "moderation/home.html"
