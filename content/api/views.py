from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.api.base import OrganizationModelViewSet, OrganizationViewSet

from .. import services
from ..models import Post, Publication
from .serializers import (
    PostScheduleSerializer,
    PostSerializer,
    PublicationRescheduleSerializer,
    PublicationSerializer,
)


class PostViewSet(OrganizationModelViewSet):
    """Posts. Scheduling requires an approved strategy covering the date, and the post must serve
    one of its goals through one of its pillars (HTTP 400 `launch_blocked` otherwise)."""

    queryset = Post.objects.all()
    serializer_class = PostSerializer
    filterset_fields = ["status", "platform", "goal", "pillar"]
    ordering = ["-created_at", "-id"]

    def perform_create(self, serializer):
        serializer.instance = services.post_create(access=self.access, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = services.post_update(
            access=self.access, post=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        services.post_delete(access=self.access, post=instance)

    @extend_schema(request=PostScheduleSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def schedule(self, request, *args, **kwargs):
        post = self.get_object()
        body = PostScheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        post = services.post_schedule(
            access=self.access,
            post=post,
            scheduled_at=body.validated_data["scheduled_at"],
            accounts=body.validated_data.get("accounts"),
        )
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def unschedule(self, request, *args, **kwargs):
        post = services.post_unschedule(access=self.access, post=self.get_object())
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)


class PublicationViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """One post on one account: status, every attempt with the platform's answer, and for a failed
    one the reason in plain words. Failed ones can be retried or rescheduled."""

    queryset = Publication.objects.select_related("account").prefetch_related("attempts_made")
    serializer_class = PublicationSerializer
    filterset_fields = ["status", "post", "account"]
    ordering = ["scheduled_at", "id"]

    @extend_schema(request=None, responses=PublicationSerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        publication = services.publication_retry(access=self.access, publication=self.get_object())
        return Response(PublicationSerializer(publication, context=self.get_serializer_context()).data)

    @extend_schema(request=PublicationRescheduleSerializer, responses=PublicationSerializer)
    @action(detail=True, methods=["post"])
    def reschedule(self, request, *args, **kwargs):
        publication = self.get_object()
        body = PublicationRescheduleSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        publication = services.publication_reschedule(
            access=self.access, publication=publication, scheduled_at=body.validated_data["scheduled_at"]
        )
        return Response(PublicationSerializer(publication, context=self.get_serializer_context()).data)
