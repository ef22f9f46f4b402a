"""Reports under /api/v1/orgs/<org_slug>/: list, one report (its snapshot), generate for a period,
and the report settings."""

from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status
from rest_framework.response import Response

from tenancy.api.base import OrganizationViewSet
from tenancy.roles import Perm

from .. import services, tasks
from ..models import Report, ReportSettings
from ..selectors import report_settings_get
from . import serializers as s


class ReportViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, OrganizationViewSet):
    """The organization's reports, the newest first. A report's figures are frozen when it is made."""

    queryset = Report.objects.all()
    filter_backends: list = []

    def safely_get_queryset(self, queryset):
        queryset = queryset.select_related("organization").order_by("-period_end", "-id")
        return queryset.defer("pdf") if self.action == "retrieve" else queryset.defer("pdf", "snapshot")

    def get_serializer_class(self):
        return s.ReportDetailSerializer if self.action == "retrieve" else s.ReportSerializer

    @extend_schema(
        request=s.ReportPeriodSerializer,
        responses={201: s.ReportDetailSerializer, 200: s.ReportDetailSerializer},
        description=(
            "Make the report for [start, end] now (201) or return the one already made for that period (200: a "
            "report is never recomputed). The PDF is printed in the background: `pdf_status` is `pending` until then."
        ),
    )
    def create(self, request, *args, **kwargs):
        period = s.ReportPeriodSerializer(data=request.data)
        period.is_valid(raise_exception=True)
        report, created = services.report_generate(organization=self.organization, **period.validated_data)
        if created:
            tasks.make_pdf.delay(self.organization.pk, report.pk)
            report.refresh_from_db(fields=["pdf_status", "pdf_error"])
        body = s.ReportDetailSerializer(report, context=self.get_serializer_context()).data
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReportSettingsViewSet(OrganizationViewSet):
    """How often reports are made, who receives them and the agreed KPIs (one per organization).
    Reading needs `read`; changing them is for owners and admins."""

    queryset = ReportSettings.objects.all()
    serializer_class = s.ReportSettingsSerializer
    action_permissions = {"update": Perm.MANAGE_ORGANIZATION, "partial_update": Perm.MANAGE_ORGANIZATION}

    def get_singleton(self, queryset):
        return report_settings_get(organization=self.organization)

    def retrieve(self, request, *args, **kwargs):
        saved = self.get_object()
        body = self.get_serializer(saved).data
        if not saved.kpis:
            body["kpis"] = services.agreed_kpis(organization=self.organization, on=self.organization.today())
        return Response(body)

    def _save(self, request, *, partial: bool):
        serializer = self.get_serializer(self.get_object(), data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        saved = services.report_settings_update(access=self.access, **serializer.validated_data)
        return Response(self.get_serializer(saved).data)

    def update(self, request, *args, **kwargs):
        return self._save(request, partial=False)

    def partial_update(self, request, *args, **kwargs):
        return self._save(request, partial=True)
