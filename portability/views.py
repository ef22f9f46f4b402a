"""Settings → Data: export the organization's data, download it, schedule or cancel its deletion."""

from django.conf import settings
from django.contrib import messages
from django.http import FileResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import TemplateView

from core.errors import DomainError, NotFound, PermissionDenied
from tenancy.roles import Perm, Role
from tenancy.views_base import OrganizationViewMixin

from . import exports, selectors, services
from .exports import ExportExpired


class _DataMixin(OrganizationViewMixin):
    required_permission = Perm.MANAGE_ORGANIZATION

    def done(self):
        return redirect("portability:data", org_slug=self.organization.slug)


class DataView(_DataMixin, TemplateView):
    template_name = "portability/data.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(**kwargs) | {
            "exports": selectors.export_list(organization=self.organization)[:20],
            "deletion": services.pending_deletion(organization=self.organization),
            "is_owner": self.access.role == Role.OWNER,
            "grace_days": settings.ORGANIZATION_DELETION_GRACE_DAYS,
            "ttl_hours": settings.ORGANIZATION_EXPORT_TTL_HOURS,
        }


class ExportCreateView(_DataMixin, View):
    def post(self, request, org_slug):
        try:
            services.export_request(access=self.access)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The export is being prepared. Refresh this page in a minute."))
        return self.done()


class ExportDownloadView(_DataMixin, View):
    def get(self, request, org_slug, pk):
        try:
            export, file = services.export_open_for_download(access=self.access, export_id=pk)
        except ExportExpired as exc:
            context = {"organization": self.organization, "access": self.access, "message": exc.message}
            return TemplateResponse(request, "portability/gone.html", context, status=410)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
            return self.done()
        return FileResponse(file, as_attachment=True, filename=exports.download_filename(export))


class DeletionScheduleView(_DataMixin, View):
    def post(self, request, org_slug):
        try:
            deletion = services.deletion_schedule(access=self.access, confirmation=request.POST.get("confirmation", ""))
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.warning(
                request,
                _("The organization will be deleted on %(date)s. Until then it is read-only and you can cancel.")
                % {"date": deletion.purge_after.strftime("%Y-%m-%d %H:%M %Z")},
            )
        return self.done()


class DeletionCancelView(_DataMixin, View):
    def post(self, request, org_slug):
        try:
            services.deletion_cancel(access=self.access)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The deletion is cancelled."))
        return self.done()
