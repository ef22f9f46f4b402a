"""The KPI report's query and answer (`GET kpis/`), the catalog (`GET kpis/catalog/`) and the raw daily
metric facts (`GET metrics/posts/`, `GET metrics/accounts/`)."""

import re

from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from analytics.ingest import ACCOUNT_METRIC_FIELDS, POST_METRIC_FIELDS
from analytics.kpi_engine import periods
from analytics.kpi_sources import CALENDAR, Dimension
from analytics.models import AccountMetricDaily, PostMetricDaily
from core.dates import is_in_range, range_message
from core.kpis import CATALOG, OBJECTIVE_CHOICES, Aggregation, Direction, Unit, kpi_get
from core.vocabulary import Platform

# A day-by-day report over years is not a report: keep one answer a bounded size (a century of
# months fits).
MAX_CALENDAR_GROUPS = 1200


class KpiKeysField(serializers.CharField):
    @property
    def schema_pattern(self) -> str:
        """Comma-separated catalog keys (white space and empty items allowed), at least one: stated
        for the schema as `validate_kpis` reads them."""
        key = "(?:" + "|".join(sorted((re.escape(kpi.key) for kpi in CATALOG), key=len, reverse=True)) + ")"
        return rf"^(?:\s*,)*\s*{key}\s*(?:,\s*(?:{key}\s*)?)*$"


class KpiQuerySerializer(serializers.Serializer):
    kpis = KpiKeysField(help_text="Comma-separated catalog keys, e.g. `reach,er,leads,cpl`.")
    start = serializers.DateField(help_text="First day (organization's calendar), YYYY-MM-DD.")
    end = serializers.DateField(help_text="Last day, included, YYYY-MM-DD.")
    platform = serializers.ChoiceField(choices=Platform.choices, required=False, allow_blank=True, default="")
    group_by = serializers.ChoiceField(
        choices=[d.value for d in Dimension], required=False, default=Dimension.TOTAL.value
    )
    campaign = serializers.IntegerField(
        required=False,
        allow_null=True,
        default=None,
        min_value=1,
        max_value=2**63 - 1,
        help_text="One ad campaign's id: only sources that split by campaign answer, for that campaign.",
    )

    def validate_kpis(self, value: str) -> list[str]:
        keys = [key.strip() for key in value.split(",") if key.strip()]
        if not keys:
            raise serializers.ValidationError(_("Name at least one KPI."))
        unknown = [key for key in keys if kpi_get(key) is None]
        if unknown:
            raise serializers.ValidationError(
                _("Unknown KPI: %(unknown)s. Known: %(known)s.")
                % {"unknown": ", ".join(unknown), "known": ", ".join(kpi.key for kpi in CATALOG)}
            )
        return list(dict.fromkeys(keys))

    def _in_range(self, value):
        if not is_in_range(value):
            raise serializers.ValidationError(range_message())
        return value

    validate_start = _in_range
    validate_end = _in_range

    def validate(self, attrs):
        if attrs["end"] < attrs["start"]:
            raise serializers.ValidationError({"end": _("The end is before the start.")})
        dimension = Dimension(attrs["group_by"])
        if dimension in CALENDAR and len(periods(attrs["start"], attrs["end"], dimension)) > MAX_CALENDAR_GROUPS:
            raise serializers.ValidationError(
                {
                    "group_by": _("Too many groups: at most %(max)d periods; shorten the period.")
                    % {"max": MAX_CALENDAR_GROUPS}
                }
            )
        return attrs


class KpiValueSerializer(serializers.Serializer):
    value = serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True)
    unit = serializers.ChoiceField(choices=[u.value for u in Unit])
    numerator = serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True)
    denominator = serializers.DecimalField(max_digits=None, decimal_places=None, allow_null=True)


@extend_schema_field(
    {
        "oneOf": [{"type": "string"}, {"type": "integer"}],
        "nullable": True,
        "description": (
            "null for the total; the period's first day (YYYY-MM-DD) for day/week/month; the platform "
            "code; the id of the post, campaign, goal or pillar; `unattributed` for rows without one."
        ),
    }
)
class GroupField(serializers.Field):
    def to_representation(self, value):
        return value


class KpiRowSerializer(serializers.Serializer):
    group = GroupField(allow_null=True)
    values = serializers.DictField(child=KpiValueSerializer())


class KpiReportSerializer(serializers.Serializer):
    start = serializers.DateField()
    end = serializers.DateField()
    currency = serializers.CharField(help_text="ISO 4217 code of every money value.")
    rows = KpiRowSerializer(many=True)


class KpiCatalogQuerySerializer(serializers.Serializer):
    objective = serializers.ChoiceField(
        choices=OBJECTIVE_CHOICES,
        required=False,
        allow_blank=True,  # empty is "any", as in every enum filter
        help_text="Only the KPIs that measure this business objective (empty: every KPI).",
    )


class KpiCatalogSerializer(serializers.Serializer):
    key = serializers.CharField()
    name = serializers.CharField()
    unit = serializers.ChoiceField(choices=[u.value for u in Unit])
    direction = serializers.ChoiceField(choices=[d.value for d in Direction])
    formula = serializers.CharField()
    objectives = serializers.ListField(child=serializers.ChoiceField(OBJECTIVE_CHOICES))
    aggregation = serializers.ChoiceField(choices=[a.value for a in Aggregation])
    dimensions = serializers.ListField(child=serializers.CharField(), help_text="The group_by values it can split by.")


MAX_ID = 2**63 - 1  # bigint primary keys


class MetricFactQuerySerializer(serializers.Serializer):
    """Filters of the daily metric facts. A malformed value is a 400 — an empty `start`, `end`,
    `account` or `post` too (the schema's date and integer formats do not admit it; an empty
    `platform` is "any", as in every enum filter); an end before the start is an empty range (no
    rows), and an account or post of another organization matches no row."""

    def __init__(self, *args, **kwargs):
        data = kwargs.get("data")
        if hasattr(data, "dict"):  # a QueryDict: read as JSON would be, so "" is a value, not "absent"
            kwargs["data"] = data.dict()
        super().__init__(*args, **kwargs)

    start = serializers.DateField(required=False, help_text="First day, included, YYYY-MM-DD.")
    end = serializers.DateField(required=False, help_text="Last day, included, YYYY-MM-DD.")
    account = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this social account's rows."
    )
    platform = serializers.ChoiceField(
        choices=Platform.choices, required=False, allow_blank=True, help_text="Only this platform."
    )


class PostMetricFactQuerySerializer(MetricFactQuerySerializer):
    post = serializers.IntegerField(
        required=False, min_value=1, max_value=MAX_ID, help_text="Only this platform post's snapshots."
    )


class PostMetricFactSerializer(serializers.ModelSerializer):
    """A platform post's lifetime totals as observed on `day` (null: not reported by the platform)."""

    platform = serializers.ChoiceField(choices=Platform.choices, source="account.platform", read_only=True)

    class Meta:
        model = PostMetricDaily
        fields = [
            "id",
            "post",
            "account",
            "platform",
            "day",
            *POST_METRIC_FIELDS,  # the value columns the sync writes
            "updated_at",
        ]
        read_only_fields = fields


class AccountMetricFactSerializer(serializers.ModelSerializer):
    """One account's figures of one day; `followers` is the total at the end of the day (null: not
    reported by the platform)."""

    platform = serializers.ChoiceField(choices=Platform.choices, source="account.platform", read_only=True)

    class Meta:
        model = AccountMetricDaily
        fields = [
            "id",
            "account",
            "platform",
            "day",
            *ACCOUNT_METRIC_FIELDS,  # the value columns the sync writes
            "updated_at",
        ]
        read_only_fields = fields
