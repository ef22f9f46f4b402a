from drf_spectacular.utils import extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.parsers import MultiPartParser
from rest_framework.response import Response

from tenancy.api.base import OrganizationModelViewSet, OrganizationViewSet
from tenancy.roles import Perm

from .. import review, services
from ..models import Post, Publication
from .serializers import (
    PostCommentSerializer,
    PostEventSerializer,
    PostMediaSerializer,
    PostMediaUploadSerializer,
    PostMoveSerializer,
    PostRequiredCommentSerializer,
    PostScheduleSerializer,
    PostSerializer,
    PublicationRescheduleSerializer,
    PublicationSerializer,
)


class PostViewSet(OrganizationModelViewSet):
    """Posts. Scheduling requires an approved strategy covering the date, and the post must serve
    one of its goals through one of its pillars (HTTP 400 `launch_blocked` otherwise)."""

    queryset = Post.objects.prefetch_related("media", "publications")
    serializer_class = PostSerializer
    filterset_fields = ["status", "platform", "goal", "pillar", "objective"]
    ordering = ["-created_at", "-id"]
    # Reviewers (owner, admin, client) approve and request changes; comments: the service checks
    # `write` or `approve`.
    action_permissions = {"approve": Perm.APPROVE, "request_changes": Perm.APPROVE, "comment": Perm.READ}

    def _post(self, post: Post) -> Response:
        post = self.get_queryset().get(pk=post.pk)
        return Response(PostSerializer(post, context=self.get_serializer_context()).data)

    def _comment(self, serializer_class) -> str:
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data["comment"]

    @extend_schema(request=PostCommentSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def submit(self, request, *args, **kwargs):
        """Draft → in review; refused (400) with the missing goal, pillar, call to action or limits named."""
        post = self.get_object()
        return self._post(
            review.post_submit(access=self.access, post=post, comment=self._comment(PostCommentSerializer))
        )

    @extend_schema(request=PostCommentSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, *args, **kwargs):
        """In review → approved, by an owner, admin or client."""
        post = self.get_object()
        return self._post(
            review.post_approve(access=self.access, post=post, comment=self._comment(PostCommentSerializer))
        )

    @extend_schema(request=PostRequiredCommentSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"], url_path="request-changes")
    def request_changes(self, request, *args, **kwargs):
        """Back to the draft with the reviewer's comment."""
        post = self.get_object()
        comment = self._comment(PostRequiredCommentSerializer)
        return self._post(review.post_request_changes(access=self.access, post=post, comment=comment))

    @extend_schema(request=PostRequiredCommentSerializer, responses={201: PostEventSerializer})
    @action(detail=True, methods=["post"])
    def comment(self, request, *args, **kwargs):
        post = self.get_object()
        event = review.post_comment(access=self.access, post=post, comment=self._comment(PostRequiredCommentSerializer))
        return Response(PostEventSerializer(event, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses=PostEventSerializer(many=True))
    @action(detail=True, methods=["get"])
    def history(self, request, *args, **kwargs):
        post = self.get_object()
        events = post.events.select_related("user")
        return Response(PostEventSerializer(events, many=True, context=self.get_serializer_context()).data)

    @extend_schema(request=None, responses={201: PostSerializer})
    @action(detail=True, methods=["post"])
    def duplicate(self, request, *args, **kwargs):
        copy = review.post_duplicate(access=self.access, post=self.get_object())
        return Response(PostSerializer(copy, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=PostMoveSerializer, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def move(self, request, *args, **kwargs):
        """Another date (a scheduled post's publications move with it) and/or goal and pillar."""
        post = self.get_object()
        body = PostMoveSerializer(data=request.data, context=self.get_serializer_context())
        body.is_valid(raise_exception=True)
        return self._post(review.post_move(access=self.access, post=post, **body.validated_data))

    @extend_schema(request={"multipart/form-data": PostMediaUploadSerializer}, responses={201: PostMediaSerializer})
    @action(detail=True, methods=["post"], parser_classes=[MultiPartParser])
    def media(self, request, *args, **kwargs):
        """Adds a photo or video, checked against each platform's kind, size and count limits."""
        post = self.get_object()
        body = PostMediaUploadSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = review.post_media_add(access=self.access, post=post, file=body.validated_data["file"])
        return Response(PostMediaSerializer(item, context=self.get_serializer_context()).data, status=201)

    @extend_schema(request=None, responses={204: None})
    @action(detail=True, methods=["delete"], url_path=r"media/(?P<media_id>[0-9]+)")
    def media_remove(self, request, media_id=None, *args, **kwargs):
        """Removes a photo or video (and its stored file) while the post is not scheduled; a post
        out of the draft must stay complete (400 with the rule that would break)."""
        post = self.get_object()
        review.post_media_remove(access=self.access, post=post, media=media_id)
        return Response(status=204)

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
        return self._post(post)

    @extend_schema(request=None, responses=PostSerializer)
    @action(detail=True, methods=["post"])
    def unschedule(self, request, *args, **kwargs):
        return self._post(services.post_unschedule(access=self.access, post=self.get_object()))


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
