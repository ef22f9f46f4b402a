from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from adrules.figures import campaign_scorecards, target_warnings
from ads import csv_import, services
from ads.models import AdBudget, AdCampaign, AdStatDaily, CampaignPlan
from ads.selectors import organization_pacing
from core.dates import EARLIEST_DATE, LATEST_DATE
from tenancy.api.base import OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet

from .serializers import (
    AdBudgetSerializer,
    AdCampaignSerializer,
    AdStatDailySerializer,
    BudgetSerializer,
    CampaignFiguresSerializer,
    CampaignPlanSerializer,
    PacingSerializer,
    PeriodSerializer,
    StatsImportResultSerializer,
    StatsImportSerializer,
)

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

    @extend_schema(request=CampaignPlanSerializer, responses=CampaignPlanSerializer)
    @action(detail=True, methods=["post"])
    def plan(self, request, *args, **kwargs):
        """The campaign's strategy goal, target CPL / ROMI and monthly budget (omitted fields are kept)."""
        campaign = self.get_object()
        body = CampaignPlanSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        plan = services.campaign_plan_set(access=self.access, campaign_id=campaign.pk, data=body.validated_data)
        return Response(
            CampaignPlanSerializer(
                {
                    "goal": plan.goal_id,
                    "target_cpl": plan.target_cpl,
                    "target_romi": plan.target_romi,
                    "monthly_budget": plan.monthly_budget,
                }
            ).data
        )

    @extend_schema(parameters=[PeriodSerializer], responses=CampaignFiguresSerializer)
    @action(detail=True, methods=["get"])
    def figures(self, request, *args, **kwargs):
        """Spend, delivery and CRM figures for [start, end] (the KPI engine's, by campaign)."""
        campaign = self.get_object()
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        start, end = period.validated_data["start"], period.validated_data["end"]
        card = campaign_scorecards(organization=self.organization, start=start, end=end, campaign_ids=[campaign.pk])[
            campaign.pk
        ]
        plan = CampaignPlan.objects.for_organization(self.organization).filter(campaign=campaign).first()
        currency = self.organization.currency
        return Response(
            CampaignFiguresSerializer(
                {
                    "campaign": campaign.pk,
                    "start": start,
                    "end": end,
                    "currency": currency,
                    "figures": {key: {"value": v.value, "unit": v.unit} for key, v in card.ordered()},
                    "warnings": target_warnings(card, plan, currency),
                }
            ).data
        )


class AdBudgetViewSet(OrganizationViewSet):
    """The organization's monthly ad budget and this month's pacing."""

    queryset = AdBudget.objects.all()
    serializer_class = AdBudgetSerializer  # the body of create, also what OPTIONS describes

    @extend_schema(request=AdBudgetSerializer, responses=AdBudgetSerializer)
    def create(self, request, *args, **kwargs):
        body = AdBudgetSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        if not EARLIEST_DATE <= body.validated_data["month"] <= LATEST_DATE:
            raise ValidationError({"month": ["Choose a date between 2000-01-01 and 2099-12-31."]})
        budget = services.ad_budget_set(access=self.access, **body.validated_data)
        return Response(AdBudgetSerializer({"month": budget.month, "amount": budget.amount}).data, status=201)

    @extend_schema(responses=PacingSerializer)
    @action(detail=False, methods=["get"])
    def pacing(self, request, *args, **kwargs):
        pacing = organization_pacing(organization=self.organization, today=self.organization.today())
        return Response(PacingSerializer(pacing).data)


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


class AdStatImportViewSet(OrganizationViewSet):
    """CSV import of campaign statistics for platforms without a connector: ``dry_run`` returns
    each row's errors and writes nothing; otherwise all rows are written or none (400 with the
    errors per line)."""

    queryset = AdStatDaily.objects.all()
    serializer_class = StatsImportSerializer  # the body of create, also what OPTIONS describes

    @extend_schema(request=StatsImportSerializer, responses=StatsImportResultSerializer)
    def create(self, request, *args, **kwargs):
        body = StatsImportSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        if data["dry_run"]:
            result = csv_import.preview(access=self.access, account_id=data["account"], text=data["csv"])
            return Response(
                StatsImportResultSerializer(
                    {
                        "ok": result.ok,
                        "imported": 0,
                        "new_campaigns": result.new_campaigns,
                        "rows": [{"line": r.line, "messages": r.errors} for r in result.rows],
                    }
                ).data
            )
        count = csv_import.import_rows(access=self.access, account_id=data["account"], text=data["csv"])
        return Response(
            StatsImportResultSerializer({"ok": True, "imported": count, "new_campaigns": [], "rows": []}).data,
            status=201,
        )
