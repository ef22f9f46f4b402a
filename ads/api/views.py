from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from ads import services
from ads.models import AdCampaign, AdStatDaily
from tenancy.api.base import OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet

from .serializers import AdCampaignSerializer, AdStatDailySerializer, BudgetSerializer

# Ids from query strings are range-checked: an out-of-range number is a 400, not a DB error.
BIGINT_MAX = 2**63 - 1


class AdCampaignFilter(OrganizationFilterSet):
    account = filters.NumberFilter(field_name="account_id", min_value=1, max_value=BIGINT_MAX)

    class Meta:
        model = AdCampaign
        fields = ["account", "status"]


class AdCampaignViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Ad campaigns synced from ad accounts. ``launch`` is refused without an approved strategy."""

    queryset = AdCampaign.objects.select_related("account")
    serializer_class = AdCampaignSerializer
    filterset_class = AdCampaignFilter
    ordering_fields = ["name", "status", "updated_at"]
    ordering = ["name", "id"]

    @extend_schema(request=None, responses=AdCampaignSerializer)
    @action(detail=True, methods=["post"])
    def launch(self, request, *args, **kwargs):
        campaign = services.ad_campaign_launch(access=self.access, campaign_id=self.get_object().pk)
        return Response(AdCampaignSerializer(campaign).data)

    @extend_schema(request=None, responses=AdCampaignSerializer)
    @action(detail=True, methods=["post"])
    def pause(self, request, *args, **kwargs):
        campaign = services.ad_campaign_pause(access=self.access, campaign_id=self.get_object().pk)
        return Response(AdCampaignSerializer(campaign).data)

    @extend_schema(request=BudgetSerializer, responses=AdCampaignSerializer)
    @action(detail=True, methods=["post"])
    def budget(self, request, *args, **kwargs):
        campaign = self.get_object()
        body = BudgetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        campaign = services.ad_campaign_budget_set(
            access=self.access, campaign_id=campaign.pk, daily_budget=body.validated_data["daily_budget"]
        )
        return Response(AdCampaignSerializer(campaign).data)


class AdStatFilter(OrganizationFilterSet):
    campaign = filters.NumberFilter(field_name="campaign_id", min_value=1, max_value=BIGINT_MAX)
    account = filters.NumberFilter(field_name="account_id", min_value=1, max_value=BIGINT_MAX)
    since = filters.DateFilter(field_name="day", lookup_expr="gte")
    until = filters.DateFilter(field_name="day", lookup_expr="lte")

    class Meta:
        model = AdStatDaily
        fields = ["campaign", "account", "since", "until"]


class AdStatDailyViewSet(mixins.ListModelMixin, OrganizationViewSet):
    queryset = AdStatDaily.objects.all()
    serializer_class = AdStatDailySerializer
    filterset_class = AdStatFilter
    ordering = ["-day", "campaign_id"]
