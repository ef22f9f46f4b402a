"""Inbox endpoints under /api/v1/orgs/<org_slug>/inbox/."""

from drf_spectacular.utils import extend_schema
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.api.base import OrganizationViewSet

from .. import services
from ..models import InboxItem
from .serializers import InboxToneSerializer, ToneCorrectionSerializer


class InboxToneViewSet(OrganizationViewSet):
    """A person corrects an item's tone: it is kept (the classifier never relabels it) and becomes
    training data for the organization."""

    queryset = InboxItem.objects.all()
    serializer_class = InboxToneSerializer

    @extend_schema(request=ToneCorrectionSerializer, responses=InboxToneSerializer)
    @action(detail=True, methods=["post"])
    def tone(self, request, *args, **kwargs):
        item = self.get_object()
        body = ToneCorrectionSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        item = services.tone_correct(access=self.access, item=item, sentiment=body.validated_data["sentiment"])
        return Response(InboxToneSerializer(item, context=self.get_serializer_context()).data)
