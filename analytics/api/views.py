from dataclasses import asdict

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from ads.services import ad_campaign_get
from analytics.kpi_engine import available, kpi_rows
from analytics.kpi_sources import Dimension
from analytics.models import AccountMetricDaily, PostMetricDaily
from analytics.selectors import MetricFactFilters, account_metric_fact_list, post_metric_fact_list
from core.kpis import CATALOG, kpis_for_objective
from smm_platform.api.pagination import DayIdCursorPagination
from tenancy.api.base import OrganizationViewSet

from .serializers import (
    AccountMetricFactSerializer,
    KpiCatalogQuerySerializer,
    KpiCatalogSerializer,
    KpiQuerySerializer,
    KpiReportSerializer,
    MetricFactQuerySerializer,
    PostMetricFactQuerySerializer,
    PostMetricFactSerializer,
)


class KpiViewSet(OrganizationViewSet):
    """KPI values computed from the organization's facts and CRM records (docs/kpis.md)."""

    pagination_class = None
    list_returns_object = True  # one report (the catalog action answers a list)
    conditional_get = True  # KPI reads answer an ETag; If-None-Match → 304
    filter_backends: list = []  # the query parameters are the report's own
    # No rows are listed; the schema generator asks for a model (the path's organization parameter).
    queryset = AccountMetricDaily.objects.none()

    @extend_schema(
        parameters=[KpiQuerySerializer],
        responses=KpiReportSerializer,
        description=(
            "Catalog KPIs over [start, end] (days of the organization's time zone), optionally for one "
            "platform, as one total row (`group_by` omitted) or one row per group. Ratios come from summed "
            "numerators and denominators; a null value means no data. A KPI whose source cannot be split "
            "by the chosen dimension is null in every group."
        ),
    )
    def list(self, request, *args, **kwargs):
        params = KpiQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        query = params.validated_data
        rows = kpi_rows(
            organization=self.organization,
            kpis=query["kpis"],
            start=query["start"],
            end=query["end"],
            platform=query["platform"],
            group_by=query["group_by"],
            campaign=self._campaign(query["campaign"]),
        )
        report = {
            "start": query["start"],
            "end": query["end"],
            "currency": self.organization.currency,
            "rows": [{"group": row.group, "values": {k: asdict(v) for k, v in row.values.items()}} for row in rows],
        }
        return Response(KpiReportSerializer(report).data)

    def _campaign(self, campaign_id: int | None) -> int | None:
        """The campaign filter: another organization's (or no) campaign is a 404."""
        if campaign_id is not None:
            ad_campaign_get(organization=self.organization, campaign_id=campaign_id)
        return campaign_id

    @extend_schema(parameters=[KpiCatalogQuerySerializer], responses=KpiCatalogSerializer(many=True))
    @action(detail=False, methods=["get"])
    def catalog(self, request, *args, **kwargs):
        """Every KPI the report computes (the list goals, dashboards and reports use): key, name, unit,
        which direction is better, formula, the objectives it measures and the dimensions it splits by."""
        params = KpiCatalogQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        objective = params.validated_data.get("objective")
        kpis = kpis_for_objective(objective) if objective else CATALOG
        data = [
            {
                "key": kpi.key,
                "name": str(kpi.name),
                "unit": kpi.unit.value,
                "direction": kpi.direction.value,
                "formula": str(kpi.formula),
                "objectives": [o.value for o in kpi.objectives],
                "aggregation": kpi.aggregation.value,
                "dimensions": [d.value for d in Dimension if available(kpi.key, d)],
            }
            for kpi in kpis
        ]
        return Response(KpiCatalogSerializer(data, many=True).data)


class _MetricFactViewSet(mixins.ListModelMixin, OrganizationViewSet):
    pagination_class = DayIdCursorPagination  # large and growing: keyset pages, no COUNT(*)
    filter_backends: list = []  # the query parameters are validated by `query_serializer_class`

    def filters(self) -> MetricFactFilters:
        q = self.query
        return MetricFactFilters(
            start=q.get("start"),
            end=q.get("end"),
            account_id=q.get("account"),
            platform=q.get("platform", ""),
            post_id=q.get("post"),
        )


@extend_schema_view(
    list=extend_schema(
        summary="Daily post metric snapshots",
        description=(
            "Every platform post's lifetime totals as observed each day (platforms revise them for about "
            "48 hours), in ascending (day, id) order, cursor-paginated. Filters: `start`/`end` (days, "
            "included), `account`, `platform`, `post`. A null figure was not reported by the platform."
        ),
    )
)
class PostMetricFactViewSet(_MetricFactViewSet):
    queryset = PostMetricDaily.objects.all()
    serializer_class = PostMetricFactSerializer
    query_serializer_class = PostMetricFactQuerySerializer

    def safely_get_queryset(self, queryset):
        return post_metric_fact_list(organization=self.organization, filters=self.filters())


@extend_schema_view(
    list=extend_schema(
        summary="Daily account metrics",
        description=(
            "Every social account's figures of each day (followers at the end of the day, reach, views, "
            "interactions...), in ascending (day, id) order, cursor-paginated. Filters: `start`/`end` (days, "
            "included), `account`, `platform`. A null figure was not reported by the platform."
        ),
    )
)
class AccountMetricFactViewSet(_MetricFactViewSet):
    queryset = AccountMetricDaily.objects.all()
    serializer_class = AccountMetricFactSerializer
    query_serializer_class = MetricFactQuerySerializer

    def safely_get_queryset(self, queryset):
        return account_metric_fact_list(organization=self.organization, filters=self.filters())
