from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import ValidationError
from rest_framework.response import Response

from adrules.figures import Scorecard, campaign_scorecards, target_warnings, unit_scorecards
from ads import csv_import, services
from ads.models import AdBudget, AdCampaign, AdCreative, AdSet, AdStatDaily, CampaignPlan
from ads.selectors import organization_pacing
from core.dates import EARLIEST_DATE, LATEST_DATE
from tenancy.api.base import OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet, as_id_filter

from .serializers import (
    AdBudgetSerializer,
    AdCampaignSerializer,
    AdCreativeSerializer,
    AdSetSerializer,
    AdStatDailySerializer,
    BudgetSerializer,
    CampaignFiguresSerializer,
    CampaignPlanSerializer,
    PacingSerializer,
    PeriodSerializer,
    StatsImportResultSerializer,
    StatsImportSerializer,
    UnitPeriodFiguresSerializer,
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
        ad_sets = list(AdSet.objects.for_organization(self.organization).filter(campaign=campaign))
        creatives = list(
            AdCreative.objects.for_organization(self.organization).filter(ad_set__campaign=campaign).order_by("pk")
        )
        set_cards = unit_scorecards(
            organization=self.organization,
            start=start,
            end=end,
            campaign_id=campaign.pk,
            level="ad_set",
            unit_ids=[a.pk for a in ad_sets],
        )
        creative_cards = unit_scorecards(
            organization=self.organization,
            start=start,
            end=end,
            campaign_id=campaign.pk,
            level="creative",
            unit_ids=[c.pk for c in creatives],
        )
        return Response(
            CampaignFiguresSerializer(
                {
                    "campaign": campaign.pk,
                    "start": start,
                    "end": end,
                    "currency": currency,
                    "figures": _figures(card),
                    "warnings": target_warnings(card, plan, currency),
                    "ad_sets": [_unit(a, None, set_cards[a.pk]) for a in ad_sets],
                    "creatives": [_unit(c, c.ad_set_id, creative_cards[c.pk]) for c in creatives],
                }
            ).data
        )


def _figures(card: Scorecard) -> dict:
    return {key: {"value": v.value, "unit": v.unit} for key, v in card.ordered()}


def _unit(obj: AdSet | AdCreative, ad_set: int | None, card: Scorecard) -> dict:
    return {"id": obj.pk, "name": obj.name, "ad_set": ad_set, "figures": _figures(card)}


class _UnitFiguresMixin:
    level = ""

    def campaign_id_of(self, obj) -> int:
        raise NotImplementedError

    @extend_schema(parameters=[PeriodSerializer], responses=UnitPeriodFiguresSerializer)
    @action(detail=True, methods=["get"])
    def figures(self, request, *args, **kwargs):
        """Spend, delivery and CRM figures for [start, end] (the KPI engine's, split by this level)."""
        obj = self.get_object()  # type: ignore[attr-defined]
        period = PeriodSerializer(data=request.query_params)
        period.is_valid(raise_exception=True)
        start, end = period.validated_data["start"], period.validated_data["end"]
        organization = self.organization  # type: ignore[attr-defined]
        card = unit_scorecards(
            organization=organization,
            start=start,
            end=end,
            campaign_id=self.campaign_id_of(obj),
            level=self.level,
            unit_ids=[obj.pk],
        )[obj.pk]
        ad_set = obj.ad_set_id if isinstance(obj, AdCreative) else None
        return Response(
            UnitPeriodFiguresSerializer(
                {"start": start, "end": end, "currency": organization.currency, "unit": _unit(obj, ad_set, card)}
            ).data
        )


class AdSetFilter(OrganizationFilterSet):
    campaign = filters.NumberFilter(field_name="campaign_id", min_value=1, max_value=BIGINT_MAX)

    class Meta:
        model = AdSet
        fields = ["campaign", "status"]


class AdSetViewSet(_UnitFiguresMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Ad sets (Meta) / ad groups (VK): the audience as fields plus the platform's raw spec."""

    queryset = AdSet.objects.all()
    serializer_class = AdSetSerializer
    filterset_class = AdSetFilter
    ordering = ["name", "id"]
    level = "ad_set"

    def campaign_id_of(self, obj) -> int:
        return obj.campaign_id


class AdCreativeFilter(OrganizationFilterSet):
    ad_set = filters.NumberFilter(field_name="ad_set_id", min_value=1, max_value=BIGINT_MAX)
    # Across a relation the filter set does not see an id: declared as one (integer, minimum 1).
    campaign = as_id_filter(filters.NumberFilter(field_name="ad_set__campaign_id"))

    class Meta:
        model = AdCreative
        fields = ["ad_set", "campaign", "status"]


class AdCreativeViewSet(_UnitFiguresMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Creatives: text, media, call to action, UTM tags, tracked link and the code a CRM lead brings back."""

    queryset = AdCreative.objects.select_related("ad_set")
    serializer_class = AdCreativeSerializer
    filterset_class = AdCreativeFilter
    ordering = ["name", "id"]
    level = "creative"

    def campaign_id_of(self, obj) -> int:
        return obj.ad_set.campaign_id


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

    @extend_schema(
        request=StatsImportSerializer,
        responses={200: StatsImportResultSerializer, 201: StatsImportResultSerializer},
        description="`dry_run`: 200 with each row's errors, nothing written. Otherwise 201 once every row is written.",
    )
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
