from django.utils.translation import gettext as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import mixins
from rest_framework.decorators import action
from rest_framework.exceptions import NotFound
from rest_framework.response import Response

from tenancy.api.base import OrganizationModelViewSet, OrganizationViewSet
from tenancy.roles import Perm

from .. import replies, reputation, saved_replies, services, sla, workflow
from ..models import BrandKeyword, InboxItem, InboxReply, ReplyServiceLevel, SavedReply
from ..selectors import InboxFilters, inbox_item_list
from . import serializers as s


class InboxItemViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """The inbox: what the audience wrote, newest first. Filters: `kind`, `status`, `platform`,
    `tone` (the item's sentiment), `assignee` (a user id or `none`), `tag`, `overdue=1` (waiting
    longer than the first-response target). Actions change the team's workflow state only; a
    customer's comment is never deleted."""

    queryset = InboxItem.objects.all()
    serializer_class = s.InboxItemSerializer
    query_serializer_class = s.InboxQuerySerializer
    cursor_pagination = True

    def safely_get_queryset(self, queryset):
        if self.action != "list":
            return queryset.select_related("account").prefetch_related("notes", "replies")
        q = self.query
        filters = InboxFilters(
            kind=q.get("kind", ""),
            status=q.get("status", ""),
            platform=q.get("platform", ""),
            tone=q.get("tone", ""),
            assignee=q.get("assignee", ""),
            tag=q.get("tag", ""),
            overdue=q.get("overdue", False),
        )
        return inbox_item_list(organization=self.organization, filters=filters)

    def get_serializer_class(self):
        return s.InboxItemDetailSerializer if self.action == "retrieve" else s.InboxItemSerializer

    def _item(self, item):
        return Response(s.InboxItemSerializer(item, context=self.get_serializer_context()).data)

    def _body(self, serializer_class):
        self.get_object()  # a foreign item is 404 before its body is judged
        body = serializer_class(data=self.request.data)
        body.is_valid(raise_exception=True)
        return body.validated_data

    @extend_schema(request=s.AssignSerializer, responses=s.InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def assign(self, request, *args, **kwargs):
        data = self._body(s.AssignSerializer)
        return self._item(workflow.item_assign(access=self.access, item=self.get_object(), assignee=data["assignee"]))

    @extend_schema(request=s.TagSerializer, responses=s.InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def tag(self, request, *args, **kwargs):
        data = self._body(s.TagSerializer)
        item = workflow.item_tag(access=self.access, item=self.get_object(), tags=data["tags"], add=data["add"])
        return self._item(item)

    @extend_schema(request=s.ReasonSerializer, responses=s.InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def escalate(self, request, *args, **kwargs):
        data = self._body(s.ReasonSerializer)
        return self._item(workflow.item_escalate(access=self.access, item=self.get_object(), reason=data["reason"]))

    @extend_schema(request=s.ReasonSerializer, responses=s.InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def hide(self, request, *args, **kwargs):
        data = self._body(s.ReasonSerializer)
        return self._item(workflow.item_hide(access=self.access, item=self.get_object(), reason=data["reason"]))

    @extend_schema(request=s.ResolveSerializer, responses=s.InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def resolve(self, request, *args, **kwargs):
        data = self._body(s.ResolveSerializer)
        item = workflow.item_resolve(access=self.access, item=self.get_object(), resolution=data["resolution"])
        return self._item(item)

    @extend_schema(request=None, responses=s.InboxItemSerializer)
    @action(detail=True, methods=["post"])
    def wait(self, request, *args, **kwargs):
        """Waiting for the customer; their next message in the thread returns the item to the queue."""
        return self._item(workflow.item_wait(access=self.access, item=self.get_object()))

    @extend_schema(request=s.BulkSerializer, responses=s.BulkResultSerializer)
    @action(detail=False, methods=["post"])
    def bulk(self, request, *args, **kwargs):
        """One action (`assign`, `tag`, `resolve`, `wait`) on many items; ids of other
        organizations (or missing) are skipped; `wait` skips resolved items."""
        body = s.BulkSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        data = body.validated_data
        n = workflow.items_bulk(
            access=self.access,
            ids=data["ids"],
            action=data["action"],
            assignee=data.get("assignee"),
            tag=data.get("tag") or "",
        )
        return Response({"updated": n})

    @extend_schema(request=None, responses={201: s.TestimonialSerializer})
    @action(detail=True, methods=["post"])
    def testimonial(self, request, *args, **kwargs):
        post = workflow.item_mark_testimonial(access=self.access, item=self.get_object())
        return Response({"post": post.pk}, status=201)

    @extend_schema(request=s.ReplyCreateSerializer, responses={202: s.InboxReplySerializer})
    @action(detail=True, methods=["post"])
    def reply(self, request, *args, **kwargs):
        data = self._body(s.ReplyCreateSerializer)
        reply = replies.reply_create(
            access=self.access, item=self.get_object(), text=data["text"], idempotency_key=data["idempotency_key"]
        )
        return Response(s.InboxReplySerializer(reply, context=self.get_serializer_context()).data, status=202)

    @extend_schema(request=s.NoteCreateSerializer, responses={201: s.InboxNoteSerializer})
    @action(detail=True, methods=["post"])
    def notes(self, request, *args, **kwargs):
        data = self._body(s.NoteCreateSerializer)
        note = workflow.note_add(access=self.access, item=self.get_object(), text=data["text"])
        return Response(s.InboxNoteSerializer(note, context=self.get_serializer_context()).data, status=201)


class InboxReplyViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Replies written in the product: status, the platform's id, and why a failed one failed."""

    queryset = InboxReply.objects.all()
    serializer_class = s.InboxReplySerializer
    filterset_fields = ["status", "item"]
    ordering = ["-created_at", "-id"]

    @extend_schema(request=None, responses=s.InboxReplySerializer)
    @action(detail=True, methods=["post"])
    def retry(self, request, *args, **kwargs):
        reply = replies.reply_retry(access=self.access, reply=self.get_object())
        return Response(s.InboxReplySerializer(reply, context=self.get_serializer_context()).data)


class SavedReplyViewSet(OrganizationModelViewSet):
    """Saved replies; `{author}` and `{brand}` are filled in when used. `?q=` searches."""

    queryset = SavedReply.objects.all()
    serializer_class = s.SavedReplySerializer
    ordering = ["title", "id"]

    @extend_schema(parameters=[OpenApiParameter("q", str, description="Text to search in titles and texts.")])
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    def safely_get_queryset(self, queryset):
        q = self.request.query_params.get("q", "").strip()
        return queryset.filter(title__icontains=q) | queryset.filter(text__icontains=q) if q else queryset

    def perform_create(self, serializer):
        serializer.instance = saved_replies.saved_reply_create(access=self.access, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = saved_replies.saved_reply_update(
            access=self.access, saved=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        saved_replies.saved_reply_delete(access=self.access, saved=instance)


class ReplyServiceLevelViewSet(OrganizationViewSet):
    """The first-response target and business hours (one per organization; owners and admins edit)."""

    queryset = ReplyServiceLevel.objects.all()
    serializer_class = s.ReplyServiceLevelSerializer
    action_permissions = {"update": Perm.MANAGE_ORGANIZATION, "partial_update": Perm.MANAGE_ORGANIZATION}

    def get_singleton(self, queryset):
        level = queryset.first()
        if level is None:
            raise NotFound(_("No service level yet."))
        return level

    def retrieve(self, request, *args, **kwargs):
        return Response(self.get_serializer(sla.level_get(self.organization)).data)

    def _save(self, request, *, partial: bool):
        serializer = self.get_serializer(sla.level_get(self.organization), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        level = sla.level_update(access=self.access, **serializer.validated_data)
        return Response(self.get_serializer(level).data)

    def update(self, request, *args, **kwargs):
        return self._save(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._save(request, partial=True)


class InboxToneViewSet(OrganizationViewSet):
    """A person corrects an item's tone: it is kept (the classifier never relabels it) and becomes
    training data for the organization."""

    queryset = InboxItem.objects.all()
    serializer_class = s.InboxToneSerializer

    @extend_schema(request=s.ToneCorrectionSerializer, responses=s.InboxToneSerializer)
    @action(detail=True, methods=["post"])
    def tone(self, request, *args, **kwargs):
        item = self.get_object()
        body = s.ToneCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.tone_correct(access=self.access, item=item, sentiment=body.validated_data["sentiment"])
        return Response(s.InboxToneSerializer(item, context=self.get_serializer_context()).data)


class BrandKeywordViewSet(OrganizationModelViewSet):
    """Brand keywords the scheduled mention search looks for (with exclusions); owners and admins
    change them."""

    queryset = BrandKeyword.objects.all()
    serializer_class = s.BrandKeywordSerializer
    ordering = ["phrase", "id"]
    action_permissions = {
        "create": Perm.MANAGE_ORGANIZATION,
        "update": Perm.MANAGE_ORGANIZATION,
        "partial_update": Perm.MANAGE_ORGANIZATION,
        "destroy": Perm.MANAGE_ORGANIZATION,
    }

    def perform_create(self, serializer):
        serializer.instance = reputation.keyword_create(access=self.access, **serializer.validated_data)

    def perform_update(self, serializer):
        serializer.instance = reputation.keyword_update(
            access=self.access, keyword=serializer.instance, **serializer.validated_data
        )

    def perform_destroy(self, instance):
        reputation.keyword_delete(access=self.access, keyword=instance)
