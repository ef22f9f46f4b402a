from django.http import FileResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.response import Response

from tenancy.api.base import OrganizationViewSet
from tenancy.roles import Perm

from .. import exports, services
from ..models import OrganizationExport
from .serializers import OrganizationExportSerializer


class OrganizationExportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """Exports of all the organization's data (owners and admins). A new export is built in the
    background; its ZIP can be downloaded until `expires_at`."""

    queryset = OrganizationExport.objects.select_related("requested_by")
    serializer_class = OrganizationExportSerializer
    filterset_fields = ["status"]
    ordering = ["-created_at", "-id"]
    action_permissions = {
        "list": Perm.MANAGE_ORGANIZATION,
        "retrieve": Perm.MANAGE_ORGANIZATION,
        "create": Perm.MANAGE_ORGANIZATION,
        "download": Perm.MANAGE_ORGANIZATION,
    }

    @extend_schema(request=None, responses={202: OrganizationExportSerializer})
    def create(self, request, *args, **kwargs):
        export = services.export_request(access=self.access)
        return Response(self.get_serializer(export).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        responses={
            (200, "application/zip"): OpenApiResponse(OpenApiTypes.BINARY, description="The ZIP file."),
            410: OpenApiResponse(description="The export expired."),
        }
    )
    @action(detail=True, methods=["get"])
    def download(self, request, *args, **kwargs):
        export, file = services.export_open_for_download(access=self.access, export_id=self.get_object().pk)
        return FileResponse(file, as_attachment=True, filename=exports.download_filename(export))
