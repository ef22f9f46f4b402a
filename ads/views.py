from django.contrib import messages
from django.shortcuts import redirect
from django.utils.translation import gettext_lazy as _
from django.views import View
from django.views.generic import ListView

from core.errors import DomainError, NotFound, PermissionDenied
from core.kpis import kpi_window
from core.types import StrOrPromise
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from . import services
from .models import AdCampaign
from .selectors import campaign_performance_list, campaign_ratios_attach


class AdsHomeView(OrganizationViewMixin, ListView):
    """Campaigns with spend, CPC, CPL and ROI over the trailing KPI window, launch and pause."""

    template_name = "ads/home.html"
    paginate_by = 50
    model = AdCampaign

    def safely_get_queryset(self, queryset):
        self.end = self.organization.today()
        self.start = kpi_window(self.end)[0]
        # Tracked links (links app) by their reverse relation: shown and edited under each campaign.
        return campaign_performance_list(
            organization=self.organization, start=self.start, end=self.end
        ).prefetch_related("tracked_links")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        campaign_ratios_attach(context["object_list"])
        return context | {"start": self.start, "end": self.end, "can_write": self.access.can(Perm.WRITE)}


class _CampaignActionView(OrganizationViewMixin, View):
    required_permission = Perm.WRITE
    success_message: StrOrPromise = ""

    def act(self, pk: int):
        raise NotImplementedError

    def post(self, request, org_slug, pk):
        try:
            campaign = self.act(pk)
        except (NotFound, PermissionDenied):
            raise  # a foreign or missing object is a 404, a refused permission a 403
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, self.success_message % {"name": campaign.name})
        return redirect("ads:home", org_slug=org_slug)


class CampaignLaunchView(_CampaignActionView):
    success_message = _("Campaign «%(name)s» launched.")

    def act(self, pk):
        return services.ad_campaign_launch(access=self.access, campaign_id=pk)


class CampaignPauseView(_CampaignActionView):
    success_message = _("Campaign «%(name)s» paused.")

    def act(self, pk):
        return services.ad_campaign_pause(access=self.access, campaign_id=pk)
