from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from integrations import services
from integrations.models import SocialAccount, SyncRun
from tenancy.api.base import OrganizationViewSet
from tenancy.api.filters import OrganizationFilterSet

from .serializers import SocialAccountSerializer, SyncRunSerializer, TelegramConnectSerializer

# Ids from query strings are range-checked: an out-of-range number is a 400, not a DB error.
BIGINT_MAX = 2**63 - 1


class SocialAccountViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Connected accounts. DELETE disconnects (credentials are erased, synced data kept)."""

    queryset = SocialAccount.objects.all()
    serializer_class = SocialAccountSerializer
    filterset_fields = ["platform", "status"]
    ordering_fields = ["platform", "display_name", "last_synced_at"]
    ordering = ["platform", "display_name", "id"]

    def destroy(self, request, *args, **kwargs):
        services.social_account_disconnect(access=self.access, account_id=self.get_object().pk)
        return Response(status=status.HTTP_204_NO_CONTENT)

    @extend_schema(request=None, responses={202: SocialAccountSerializer})
    @action(detail=True, methods=["post"])
    def sync(self, request, *args, **kwargs):
        """ "Sync now": a full sync is queued (a sync already running for the account is not doubled:
        this one waits behind it). With the task queue down: 503 ``service_unavailable``, and the
        request is kept (the account syncs when the queue is back)."""
        account = services.social_account_sync_request(access=self.access, account_id=self.get_object().pk)
        return Response(SocialAccountSerializer(account).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=TelegramConnectSerializer, responses={201: SocialAccountSerializer})
    @action(detail=False, methods=["post"], url_path="connect-telegram")
    def connect_telegram(self, request, *args, **kwargs):
        body = TelegramConnectSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        account = services.telegram_account_connect(access=self.access, **body.validated_data)
        return Response(SocialAccountSerializer(account).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={201: SocialAccountSerializer})
    @action(detail=False, methods=["post"], url_path="connect-demo")
    def connect_demo(self, request, *args, **kwargs):
        account = services.demo_account_connect(access=self.access)
        return Response(SocialAccountSerializer(account).data, status=status.HTTP_201_CREATED)


class SyncRunFilter(OrganizationFilterSet):
    # A plain number, not a model choice: validating the id against all accounts would tell
    # a caller whether another organization's account id exists.
    account = filters.NumberFilter(field_name="account_id", min_value=1, max_value=BIGINT_MAX)

    class Meta:
        model = SyncRun
        fields = ["account", "kind", "status"]


class SyncRunViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    queryset = SyncRun.objects.all()
    serializer_class = SyncRunSerializer
    filterset_class = SyncRunFilter
    ordering = ["-started_at", "-id"]
