"""Strategy API under /api/v1/orgs/<org_slug>/. Reads are scoped by the base class; every write
goes through a service with `access=self.access`."""

from collections.abc import Callable
from dataclasses import asdict

from django.db.models import Count, Model, OuterRef, Prefetch, Subquery
from django.db.models.functions import Coalesce
from django.utils.translation import gettext as _
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from analytics.kpi_values import goal_progress, goals_progress
from core.errors import NotFound
from tenancy.api.base import OrganizationModelViewSet, OrganizationViewSet
from tenancy.roles import Perm

from .. import services
from ..models import (
    AudienceSegment,
    BusinessProfile,
    Competitor,
    CompetitorSnapshot,
    ContentPillar,
    Experiment,
    Goal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    TrendNote,
)
from ..selectors import strategy_checks_for
from . import serializers as s


class ServiceWritesMixin:
    """Routes ModelViewSet writes to services: `create_service(access=, **data)`,
    `update_service(access=, <obj_kwarg>=obj, **data)`, `delete_service(access=, <obj_kwarg>=obj)`."""

    obj_kwarg = "obj"
    create_service: Callable[..., Model]
    update_service: Callable[..., Model]
    delete_service: Callable[..., None]

    def service_data(self, serializer) -> dict:
        return dict(serializer.validated_data)

    def perform_create(self, serializer):
        serializer.instance = type(self).create_service(access=self.access, **self.service_data(serializer))

    def perform_update(self, serializer):
        serializer.instance = type(self).update_service(
            access=self.access, **{self.obj_kwarg: serializer.instance}, **self.service_data(serializer)
        )

    def perform_destroy(self, instance):
        type(self).delete_service(access=self.access, **{self.obj_kwarg: instance})


class BusinessProfileViewSet(OrganizationViewSet):
    """The organization's business profile (one per organization)."""

    queryset = BusinessProfile.objects.all()
    serializer_class = s.BusinessProfileSerializer

    def get_singleton(self, queryset):
        profile = queryset.first()
        if profile is None:
            raise NotFound(_("No business profile yet."))
        return profile

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(self.get_object()).data)

    def _save(self, request, *, partial: bool):
        profile = self.get_queryset().first()
        # The first save must be complete (product is required); later PATCHes may be partial.
        serializer = self.get_serializer(profile, data=request.data, partial=partial and profile is not None)
        serializer.is_valid(raise_exception=True)
        profile = services.business_profile_save(access=self.access, **serializer.validated_data)
        return Response(self.get_serializer(profile).data)

    def update(self, request, *args, **kwargs):
        return self._save(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._save(request, partial=True)


class AudienceSegmentViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    queryset = AudienceSegment.objects.all()
    serializer_class = s.AudienceSegmentSerializer
    ordering = ["name", "id"]
    obj_kwarg = "segment"
    create_service = staticmethod(services.audience_segment_create)
    update_service = staticmethod(services.audience_segment_update)
    delete_service = staticmethod(services.audience_segment_delete)


class CompetitorViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    # The newest snapshots of each competitor (one windowed query for the page) and their count.
    queryset = Competitor.objects.prefetch_related(
        Prefetch(
            "snapshots",
            queryset=CompetitorSnapshot.objects.order_by("-date", "-id")[: s.NESTED_SNAPSHOTS],
            to_attr="recent_snapshots",
        )
    ).annotate(
        snapshot_count=Coalesce(
            Subquery(
                CompetitorSnapshot.objects.filter(competitor=OuterRef("pk"))
                .order_by()
                .values("competitor")
                .annotate(n=Count("id"))
                .values("n")
            ),
            0,
        )
    )
    serializer_class = s.CompetitorSerializer
    ordering = ["name", "id"]
    obj_kwarg = "competitor"
    create_service = staticmethod(services.competitor_create)
    update_service = staticmethod(services.competitor_update)
    delete_service = staticmethod(services.competitor_delete)


class CompetitorSnapshotViewSet(
    mixins.ListModelMixin,
    mixins.RetrieveModelMixin,
    mixins.CreateModelMixin,
    mixins.DestroyModelMixin,
    OrganizationViewSet,
):
    """Typed-in follower/engagement snapshots; posting the same competitor/platform/date corrects it."""

    queryset = CompetitorSnapshot.objects.all()
    serializer_class = s.CompetitorSnapshotSerializer
    filterset_fields = ["competitor", "platform"]
    ordering = ["-date", "id"]

    def perform_create(self, serializer):
        serializer.instance = services.competitor_snapshot_record(access=self.access, **serializer.validated_data)

    def perform_destroy(self, instance):
        services.competitor_snapshot_delete(access=self.access, snapshot=instance)


class PresenceAuditViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    queryset = PresenceAudit.objects.all()
    serializer_class = s.PresenceAuditSerializer
    filterset_fields = ["platform"]
    ordering = ["-date", "platform"]
    obj_kwarg = "audit"
    create_service = staticmethod(services.presence_audit_create)
    update_service = staticmethod(services.presence_audit_update)
    delete_service = staticmethod(services.presence_audit_delete)


class StrategyViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    """Strategies. Updating an approved strategy returns its next draft version (a new id);
    the approved text itself never changes."""

    queryset = Strategy.objects.select_related("approved_by").prefetch_related("competitors")
    serializer_class = s.StrategySerializer
    filterset_fields = ["status"]
    ordering = ["-period_start", "-version"]
    obj_kwarg = "strategy"
    create_service = staticmethod(services.strategy_create)
    update_service = staticmethod(services.strategy_update)
    delete_service = staticmethod(services.strategy_delete)
    # Returning to draft is for reviewers (`approve`) and authors (`write`): the service checks either.
    action_permissions = {"approve": Perm.APPROVE, "archive": Perm.APPROVE, "return_to_draft": Perm.READ}

    def get_serializer_class(self):
        if self.action == "retrieve":
            return s.StrategyDetailSerializer
        return super().get_serializer_class()

    def safely_get_queryset(self, queryset):
        if getattr(self, "action", None) == "retrieve":
            queryset = queryset.prefetch_related("goals", "platforms", "pillars__goals")
        return queryset

    def _detail(self, strategy, code=status.HTTP_200_OK):
        strategy = self.get_queryset().get(pk=strategy.pk)
        return Response(s.StrategySerializer(strategy, context=self.get_serializer_context()).data, status=code)

    @extend_schema(request=None, responses=s.StrategySerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        return self._detail(services.strategy_submit(access=self.access, strategy=self.get_object()))

    @extend_schema(request=None, responses=s.StrategySerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """Approval by an owner, admin or client; refused (400) with the gaps named, or 409 on an overlapping period."""
        return self._detail(services.strategy_approve(access=self.access, strategy=self.get_object()))

    @extend_schema(request=s.StrategyReturnSerializer, responses=s.StrategySerializer)
    @action(detail=True, methods=["post"], url_path="return-to-draft")
    def return_to_draft(self, request, *args, **kwargs):
        strategy = self.get_object()  # 404 before validating the body
        body = s.StrategyReturnSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        strategy = services.strategy_return_to_draft(
            access=self.access, strategy=strategy, comment=body.validated_data["comment"]
        )
        return self._detail(strategy)

    @extend_schema(request=None, responses={201: s.StrategySerializer})
    @action(detail=True, methods=["post"], url_path="new-version")
    def new_version(self, request, *args, **kwargs):
        draft = services.strategy_new_version(access=self.access, strategy=self.get_object())
        return self._detail(draft, status.HTTP_201_CREATED)

    @extend_schema(request=s.StrategyCopySerializer, responses={201: s.StrategySerializer})
    @action(detail=True, methods=["post"])
    def copy(self, request, *args, **kwargs):
        """A draft for another period, copied from this strategy."""
        source = self.get_object()
        body = s.StrategyCopySerializer(data=request.data)
        body.is_valid(raise_exception=True)
        draft = services.strategy_copy_for_period(access=self.access, strategy=source, **body.validated_data)
        return self._detail(draft, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses=s.StrategySerializer)
    @action(detail=True, methods=["post"])
    def archive(self, request, *args, **kwargs):
        return self._detail(services.strategy_archive(access=self.access, strategy=self.get_object()))

    @extend_schema(responses=s.StrategyChecksSerializer)
    @action(detail=True, methods=["get"])
    def checks(self, request, *args, **kwargs):
        """What blocks approval (problems) and what merits a second look (warnings)."""
        checks = strategy_checks_for(self.get_object())
        return Response(
            {
                "ok": checks.ok,
                "share_total": checks.share_total,
                "problems": [asdict(i) for i in checks.problems],
                "warnings": [asdict(i) for i in checks.warnings],
            }
        )

    @extend_schema(responses=s.GoalProgressSerializer(many=True))
    @action(detail=True, methods=["get"])
    def progress(self, request, *args, **kwargs):
        """Progress of every goal of the strategy (current value, % of target, status)."""
        strategy = self.get_object()
        goals = Goal.objects.filter(organization=self.organization, strategy=strategy).select_related("strategy")
        rows = goals_progress(organization=self.organization, goals=goals)
        context = self.get_serializer_context()
        return Response([_progress_payload(r.goal, r.progress, context) for r in rows])


def _progress_payload(goal, progress, context) -> dict:
    data = asdict(progress)
    data["status_label"] = progress.status_label
    return {
        "goal": s.GoalSerializer(goal, context=context).data,
        "progress": s.ProgressSerializer(data).data,
    }


class GoalViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    queryset = Goal.objects.select_related("strategy")
    serializer_class = s.GoalSerializer
    filterset_fields = ["strategy", "objective", "kpi"]
    ordering = ["strategy_id", "id"]
    obj_kwarg = "goal"
    create_service = staticmethod(services.goal_create)
    update_service = staticmethod(services.goal_update)
    delete_service = staticmethod(services.goal_delete)

    @extend_schema(responses=s.GoalProgressSerializer)
    @action(detail=True, methods=["get"])
    def progress(self, request, *args, **kwargs):
        goal = self.get_object()
        progress = goal_progress(goal=goal, organization=self.organization)
        return Response(_progress_payload(goal, progress, self.get_serializer_context()))


class PlatformChoiceViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    queryset = PlatformChoice.objects.all()
    serializer_class = s.PlatformChoiceSerializer
    filterset_fields = ["strategy", "role"]
    ordering = ["strategy_id", "role", "platform"]
    obj_kwarg = "choice"
    create_service = staticmethod(services.platform_choice_create)
    update_service = staticmethod(services.platform_choice_update)
    delete_service = staticmethod(services.platform_choice_delete)


class ContentPillarViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    queryset = ContentPillar.objects.prefetch_related("goals")
    serializer_class = s.ContentPillarSerializer
    filterset_fields = ["strategy", "objective", "funnel_stage"]
    ordering = ["strategy_id", "id"]
    obj_kwarg = "pillar"
    create_service = staticmethod(services.content_pillar_create)
    update_service = staticmethod(services.content_pillar_update)
    delete_service = staticmethod(services.content_pillar_delete)

    def perform_update(self, serializer):
        data = self.service_data(serializer)
        data.pop("strategy", None)
        serializer.instance = services.content_pillar_update(access=self.access, pillar=serializer.instance, **data)


class TrendNoteViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    queryset = TrendNote.objects.all()
    serializer_class = s.TrendNoteSerializer
    filterset_fields = ["kind", "platform", "impact"]
    ordering = ["-noted_on", "-id"]
    obj_kwarg = "note"
    create_service = staticmethod(services.trend_note_create)
    update_service = staticmethod(services.trend_note_update)
    delete_service = staticmethod(services.trend_note_delete)


class ExperimentViewSet(ServiceWritesMixin, OrganizationModelViewSet):
    queryset = Experiment.objects.all()
    serializer_class = s.ExperimentSerializer
    filterset_fields = ["status", "kind", "decision"]
    ordering = ["-start_date", "-id"]
    obj_kwarg = "experiment"
    create_service = staticmethod(services.experiment_create)

    def get_serializer_class(self):
        return s.ExperimentCreateSerializer if self.action == "create" else s.ExperimentSerializer

    update_service = staticmethod(services.experiment_update)
    delete_service = staticmethod(services.experiment_delete)

    @extend_schema(request=None, responses=s.ExperimentSerializer)
    @action(detail=True, methods=["post"])
    def start(self, request, *args, **kwargs):
        exp = services.experiment_start(access=self.access, experiment=self.get_object())
        return Response(s.ExperimentSerializer(exp, context=self.get_serializer_context()).data)

    @extend_schema(request=s.ExperimentConcludeSerializer, responses=s.ExperimentSerializer)
    @action(detail=True, methods=["post"])
    def conclude(self, request, *args, **kwargs):
        exp = self.get_object()
        body = s.ExperimentConcludeSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        exp = services.experiment_conclude(access=self.access, experiment=exp, **body.validated_data)
        return Response(s.ExperimentSerializer(exp, context=self.get_serializer_context()).data)
