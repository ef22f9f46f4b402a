"""Leads and sales under /api/v1/orgs/<org_slug>/: bulk upsert by the CRM's id, lists, one lead."""

from django import forms
from django.db.models import Q
from django.utils.translation import gettext as _
from django_filters import rest_framework as filters
from django_filters.fields import IsoDateTimeField
from drf_spectacular.utils import OpenApiExample, PolymorphicProxySerializer, extend_schema
from rest_framework import mixins
from rest_framework.response import Response

from core.dates import is_in_range, range_message
from core.errors import DomainError
from core.vocabulary import Platform
from tenancy.api.base import OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet

from .. import services
from ..models import Lead, LeadStatus, Sale
from . import serializers as s

ATTRIBUTED = Q(post__isnull=False) | Q(campaign__isnull=False) | Q(goal__isnull=False) | ~Q(attributed_platform="")


def items_of(data) -> tuple[list, str]:
    """A body is one object or `{"items": [...]}`; returns the items and the error path prefix."""
    if not isinstance(data, dict):
        raise DomainError(_('Send one object or {"items": [...]}.'), field="non_field_errors")
    if "items" not in data:
        return [data], ""
    extra = sorted(str(key) for key in data if key != "items")
    if extra:
        raise DomainError(_("Unknown field."), fields={key: [_("Unknown field.")] for key in extra})
    return data["items"], "items"


class _BoundedIsoDateTimeField(IsoDateTimeField):
    def to_python(self, value):
        try:
            value = super().to_python(value)
        except OverflowError as exc:
            raise forms.ValidationError(range_message()) from exc
        if value is not None and not is_in_range(value):
            raise forms.ValidationError(range_message())
        return value


class BoundedIsoDateTimeFilter(filters.IsoDateTimeFilter):
    """An ISO 8601 moment within the product's calendar range (core/dates.py), else 400."""

    field_class = _BoundedIsoDateTimeField


class LeadFilter(OrganizationFilterSet):
    status = filters.ChoiceFilter(choices=LeadStatus.choices)
    platform = filters.ChoiceFilter(choices=Platform.choices)
    created_after = BoundedIsoDateTimeFilter(field_name="created", lookup_expr="gte")
    created_before = BoundedIsoDateTimeFilter(field_name="created", lookup_expr="lt")
    attributed = filters.BooleanFilter(method="filter_attributed", label="attributed")

    class Meta:
        model = Lead
        fields = ["status", "platform", "created_after", "created_before", "attributed"]

    def filter_attributed(self, queryset, name, value):
        return queryset.filter(ATTRIBUTED) if value else queryset.exclude(ATTRIBUTED)


def _write_request(bulk, single):
    return PolymorphicProxySerializer(
        component_name=f"{single.__name__.removesuffix('InSerializer')}Write",
        serializers=[single, bulk],
        resource_type_field_name=None,
    )


class LeadViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, OrganizationViewSet):
    """The CRM's leads. `POST` upserts one lead or up to 1000 (`{"items": [...]}`) by `external_id`,
    all or nothing; a field left out keeps its stored value. `PATCH` changes one lead; status
    changes are kept in its `history`."""

    queryset = Lead.objects.all()
    serializer_class = s.LeadSerializer
    filterset_class = LeadFilter
    cursor_pagination = True
    ordering_fields = ["created", "status_changed_at", "updated_at"]
    ordering = ["-created", "-id"]

    def get_serializer_class(self):
        if self.action in ("retrieve", "partial_update"):
            return s.LeadDetailSerializer
        return super().get_serializer_class()

    def safely_get_queryset(self, queryset):
        if getattr(self, "action", None) in ("retrieve", "partial_update"):
            queryset = queryset.prefetch_related("status_changes")
        return queryset

    @extend_schema(
        request=_write_request(s.LeadBulkSerializer, s.LeadInSerializer),
        responses={200: s.UpsertResultSerializer},  # an upsert: 200 whether rows were created or updated
        examples=[
            OpenApiExample(
                "Two leads from a CRM",
                request_only=True,
                value={
                    "items": [
                        {
                            "external_id": "amo-1042",
                            "created": "2026-03-02T10:15:00+03:00",
                            "utm_source": "vk",
                            "utm_campaign": "march",
                        },
                        {"external_id": "amo-1043", "status": "qualified", "value": "12000.00", "link_code": "Ab3dE7k"},
                    ]
                },
            ),
            OpenApiExample(
                "Upsert result",
                response_only=True,
                value={
                    "created": 1,
                    "updated": 1,
                    "unchanged": 0,
                    "items": [
                        {"external_id": "amo-1042", "id": 501, "result": "created"},
                        {"external_id": "amo-1043", "id": 502, "result": "updated"},
                    ],
                },
            ),
        ],
    )
    def create(self, request, *args, **kwargs):
        items, prefix = items_of(request.data)
        result = services.upsert_leads(organization=self.organization, items=items, error_prefix=prefix)
        return Response(result.as_dict())

    @extend_schema(request=s.LeadFieldsSerializer, responses=s.LeadDetailSerializer)
    def partial_update(self, request, *args, **kwargs):
        lead = services.lead_update(access=self.access, lead=self.get_object(), data=request.data)
        lead = self.get_queryset().get(pk=lead.pk)
        return Response(s.LeadDetailSerializer(lead, context=self.get_serializer_context()).data)


class SaleFilter(OrganizationFilterSet):
    sold_after = BoundedIsoDateTimeFilter(field_name="sold_at", lookup_expr="gte")
    sold_before = BoundedIsoDateTimeFilter(field_name="sold_at", lookup_expr="lt")

    class Meta:
        model = Sale
        fields = ["refunded", "sold_after", "sold_before"]


class SaleViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Sales. `POST` upserts one sale or up to 1000 by `external_id`, all or nothing; a
    `lead_external_id` unknown in this organization refuses that item."""

    queryset = Sale.objects.select_related("lead")
    serializer_class = s.SaleSerializer
    filterset_class = SaleFilter
    ordering_fields = ["sold_at", "amount"]
    ordering = ["-sold_at", "-id"]

    @extend_schema(
        request=_write_request(s.SaleBulkSerializer, s.SaleInSerializer),
        responses={200: s.UpsertResultSerializer},  # an upsert: 200 whether rows were created or updated
        examples=[
            OpenApiExample(
                "A sale of a lead",
                request_only=True,
                value={
                    "external_id": "order-77",
                    "amount": "15000.00",
                    "currency": "RUB",
                    "sold_at": "2026-03-05T18:00:00+03:00",
                    "lead_external_id": "amo-1042",
                },
            )
        ],
    )
    def create(self, request, *args, **kwargs):
        items, prefix = items_of(request.data)
        result = services.upsert_sales(organization=self.organization, items=items, error_prefix=prefix)
        return Response(result.as_dict())
