from drf_spectacular.utils import extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from abtests import selectors, services
from abtests.models import ABTest
from abtests.planning import plan_sample
from tenancy.api.base import OrganizationModelViewSet

from . import serializers as s


class ABTestViewSet(OrganizationModelViewSet):
    """A/B tests: plan (the sample is computed and fixed up front), start, enter or refresh counts,
    conclude. A winner is named only at the planned sample; ``evaluation`` explains the numbers."""

    queryset = ABTest.objects.all()
    serializer_class = s.ABTestSerializer
    filterset_fields = ["status", "metric", "verdict", "decision"]
    ordering = ["-created_at", "-id"]

    def safely_get_queryset(self, queryset):
        return selectors.abtest_with_variants(organization=self.organization)

    def _respond(self, test: ABTest, code: int = status.HTTP_200_OK) -> Response:
        fresh = selectors.abtest_with_variants(organization=self.organization).get(pk=test.pk)
        return Response(self.get_serializer(fresh).data, status=code)

    def create(self, request, *args, **kwargs):
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        variants = [dict(v) for v in data.pop("variants")]
        test = services.abtest_create(access=self.access, variants=variants, **data)
        return self._respond(test, status.HTTP_201_CREATED)

    def update(self, request, *args, **kwargs):
        partial = kwargs.pop("partial", False)
        test = self.get_object()
        serializer = self.get_serializer(test, data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        data.pop("variants", None)
        test = services.abtest_update(access=self.access, test=test, **data)
        return self._respond(test)

    def perform_destroy(self, instance):
        services.abtest_delete(access=self.access, test=instance)

    @extend_schema(request=None, responses=s.ABTestSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, *args, **kwargs):
        return self._respond(services.abtest_start(access=self.access, test=self.get_object()))

    @extend_schema(request=None, responses=s.ABTestSerializer)
    @action(detail=True, methods=["post"])
    def refresh(self, request, *args, **kwargs):
        return self._respond(services.abtest_refresh(access=self.access, test=self.get_object()))

    @extend_schema(request=s.CountsSerializer, responses=s.ABTestSerializer)
    @action(detail=True, methods=["post"])
    def counts(self, request, *args, **kwargs):
        test = self.get_object()
        body = s.CountsSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        counts = {}
        for item in body.validated_data["counts"]:
            item = dict(item)
            counts[item.pop("variant")] = item
        return self._respond(services.abtest_counts_set(access=self.access, test=test, counts=counts))

    @extend_schema(request=s.ConcludeSerializer, responses=s.ABTestSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, *args, **kwargs):
        test = self.get_object()
        body = s.ConcludeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        return self._respond(services.abtest_conclude(access=self.access, test=test, **body.validated_data))

    @extend_schema(request=s.CalculatorSerializer, responses=s.CalculatorResultSerializer)
    @action(detail=False, methods=["post"])
    def calculate(self, request, *args, **kwargs):
        """The planner's calculator: units (or leads for CPL) per variant and days at the traffic."""
        body = s.CalculatorSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        data = body.validated_data
        baseline, traffic = data.get("baseline_percent"), data.get("daily_traffic")
        campaign = data.get("control_campaign")
        if campaign is not None and (baseline is None or traffic is None):
            current = selectors.current_traffic(
                organization=self.organization,
                campaign_id=campaign.pk,
                metric=data["metric"],
                end=self.organization.today(),
            )
            baseline = baseline if baseline is not None else current.baseline_percent
            traffic = traffic if traffic is not None else current.daily_traffic
        plan = plan_sample(
            metric=data["metric"],
            mde_percent=data["mde_percent"],
            alpha=data["alpha"],
            power=data["power"],
            baseline_percent=baseline,
            daily_traffic=traffic,
            variants=data["variants"],
        )
        result = {
            "required_per_variant": plan.required_per_variant,
            "total": plan.total,
            "days": plan.days,
            "baseline_percent": baseline,
            "daily_traffic": traffic,
        }
        return Response(s.CalculatorResultSerializer(result).data)
