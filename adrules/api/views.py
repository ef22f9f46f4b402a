from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from adrules import services
from adrules.models import OptimizationRule, RuleAction, RuleEvaluation
from adrules.tasks import execute_action
from tenancy.api.base import OrganizationModelViewSet, OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet

from .serializers import ActionSerializer, DecisionSerializer, EvaluationSerializer, RuleSerializer

BIGINT_MAX = 2**63 - 1


class RuleViewSet(OrganizationModelViewSet):
    """Optimization rules. ``preview`` is a dry run on current data (nothing is written or sent)."""

    queryset = OptimizationRule.objects.all()
    serializer_class = RuleSerializer
    ordering = ["name", "id"]

    def _data(self, serializer):
        data = dict(serializer.validated_data)
        if "campaign" in data:
            data["campaign"] = data["campaign"].pk if data["campaign"] else None
        return data

    def perform_create(self, serializer):
        serializer.instance = services.rule_create(access=self.access, data=self._data(serializer))

    def perform_update(self, serializer):
        serializer.instance = services.rule_update(
            access=self.access, rule_id=serializer.instance.pk, data=self._data(serializer)
        )

    def perform_destroy(self, instance):
        services.rule_delete(access=self.access, rule_id=instance.pk)

    @extend_schema(request=None, responses=DecisionSerializer(many=True))
    @action(detail=True, methods=["post"])
    def preview(self, request, *args, **kwargs):
        rule = self.get_object()
        decisions = services.rule_preview(organization=self.organization, rule=rule)
        return Response(DecisionSerializer(decisions, many=True).data)


class NoBodySerializer(serializers.Serializer):
    """No field: the templates endpoint takes no body."""


class RuleTemplatesViewSet(OrganizationViewSet):
    """Adds the shipped "stop bad / scale good" rules, disabled; a template already added is kept.
    Takes no body (its own endpoint, so no rule field can be sent here)."""

    queryset = OptimizationRule.objects.all()
    serializer_class = NoBodySerializer  # OPTIONS describes an empty body

    @extend_schema(request=None, responses=RuleSerializer(many=True))
    def create(self, request, *args, **kwargs):
        created = services.rule_templates_install(access=self.access)
        return Response(RuleSerializer(created, many=True).data, status=status.HTTP_201_CREATED)


class EvaluationFilter(OrganizationFilterSet):
    rule = filters.NumberFilter(field_name="rule_id", min_value=1, max_value=BIGINT_MAX)
    campaign = filters.NumberFilter(field_name="campaign_id", min_value=1, max_value=BIGINT_MAX)

    class Meta:
        model = RuleEvaluation
        fields = ["rule", "campaign", "fired"]


class EvaluationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """The log: every evaluation with the figures it read."""

    queryset = RuleEvaluation.objects.all()
    serializer_class = EvaluationSerializer
    filterset_class = EvaluationFilter
    ordering = ["-evaluated_at", "-id"]


class ActionFilter(OrganizationFilterSet):
    rule = filters.NumberFilter(field_name="rule_id", min_value=1, max_value=BIGINT_MAX)

    class Meta:
        model = RuleAction
        fields = ["rule", "status"]


class ActionViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Actions fired rules proposed; ``approve`` sends a pending one to the platform once."""

    queryset = RuleAction.objects.all()
    serializer_class = ActionSerializer
    filterset_class = ActionFilter
    ordering = ["-created_at", "-id"]

    @extend_schema(request=None, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        item = services.action_decide(access=self.access, action_id=self.get_object().pk, approve=True)
        execute_action.delay(self.organization.pk, item.pk)
        item.refresh_from_db()
        return Response(ActionSerializer(item).data)

    @extend_schema(request=None, responses=ActionSerializer)
    @action(detail=True, methods=["post"])
    def reject(self, request, *args, **kwargs):
        item = services.action_decide(access=self.access, action_id=self.get_object().pk, approve=False)
        return Response(ActionSerializer(item).data)
