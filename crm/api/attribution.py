"""GET /api/v1/orgs/<org_slug>/attribution/: leads, sales, revenue, spend, CPL and ROMI per post,
campaign, platform or goal (crm.selectors.attribution_report, docs/attribution.md)."""

from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import serializers
from rest_framework.response import Response

from core.dates import is_in_range, range_message
from tenancy.api.base import OrganizationViewSet

from .. import selectors
from ..models import Lead

MAX_DAYS = 731  # two years: longer windows are reports, not an API read


class BoundedDateField(serializers.DateField):
    def to_internal_value(self, value):
        date = super().to_internal_value(value)
        if not is_in_range(date):
            raise serializers.ValidationError(range_message())
        return date


class AttributionQuerySerializer(serializers.Serializer):
    start = BoundedDateField(help_text=_("First day, in the organization's time zone (YYYY-MM-DD)."))
    end = BoundedDateField(help_text=_("Last day, included (YYYY-MM-DD)."))
    by = serializers.ChoiceField(
        selectors.BY_CHOICES, default="campaign", help_text=_("What the rows are: post, campaign, platform or goal.")
    )

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": [_("The end must not be before the start.")]})
        if (attrs["end"] - attrs["start"]).days >= MAX_DAYS:
            raise serializers.ValidationError({"end": [_("At most %(n)d days.") % {"n": MAX_DAYS}]})
        return attrs


class AttributionRowSerializer(serializers.Serializer):
    key = serializers.CharField(help_text=_('The post, campaign or goal id, the platform, or "unattributed".'))
    label = serializers.CharField()  # type: ignore[assignment]  # the row's name, not Field.label
    unattributed = serializers.BooleanField()
    leads = serializers.IntegerField()
    sales = serializers.IntegerField(help_text=_("Sales in the period, refunds excluded."))
    revenue = serializers.DecimalField(max_digits=None, decimal_places=2)
    spend = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    cpl = serializers.DecimalField(max_digits=None, decimal_places=2, allow_null=True)
    romi = serializers.DecimalField(
        max_digits=None, decimal_places=2, allow_null=True, help_text=_("Return on marketing investment, %.")
    )


class AttributionReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    by = serializers.CharField()
    currency = serializers.CharField()
    gross_margin_percent = serializers.DecimalField(max_digits=5, decimal_places=2, allow_null=True)
    rows = AttributionRowSerializer(many=True)


class AttributionViewSet(OrganizationViewSet):
    """Leads, sales (refunds excluded), revenue, ad spend, CPL and ROMI per post, campaign, platform
    or goal over the organization's calendar days [start, end], and a last row of what is not
    attributed. Money is a string in the organization's currency; a value that cannot be computed
    (no spend, no gross margin, no leads) is null."""

    queryset = Lead.objects.all()
    serializer_class = AttributionReportSerializer
    filter_backends: list = []
    pagination_class = None
    list_returns_object = True  # one report, not a collection (the schema says so)

    @extend_schema(parameters=[AttributionQuerySerializer], responses=AttributionReportSerializer)
    def list(self, request, *args, **kwargs):
        params = AttributionQuerySerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        report = selectors.attribution_report(organization=self.organization, **params.validated_data)
        return Response(AttributionReportSerializer(report).data)
