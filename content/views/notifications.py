"""The member's notifications (a failed publication tells its author why, and what to do), and the
failed publication's own actions: retry now or reschedule. Writes go through content.services."""

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views import View
from django.views.generic import ListView

from core.errors import DomainError, NotFound, PermissionDenied
from tenancy.roles import Perm
from tenancy.views_base import OrganizationViewMixin

from .. import services
from ..forms import ScheduleForm
from ..models import Notification, Publication
from ..selectors import access_publication, notification_list, unread_notification_count

# Where a publication action came from and goes back to: a fixed choice, never a URL from the form.
RETURN_TO = ("notifications", "post")


def _back(request: HttpRequest, org_slug: str, publication: Publication) -> HttpResponse:
    if request.POST.get("return_to") == "notifications":
        return redirect("content:notifications", org_slug=org_slug)
    return redirect("content:post_edit", org_slug=org_slug, pk=publication.post_id)


class NotificationListView(OrganizationViewMixin, ListView):
    template_name = "content/notifications.html"
    paginate_by = 20
    model = Notification

    def safely_get_queryset(self, queryset):
        return notification_list(organization=self.organization, user=self.request.user)

    def get_context_data(self, **kwargs: Any) -> dict[str, Any]:
        context = super().get_context_data(**kwargs)
        unread = unread_notification_count(organization=self.organization, user=self.request.user)
        return context | {"unread": unread, "can_write": self.access.can(Perm.WRITE)}


class NotificationUnreadView(OrganizationViewMixin, View):
    """The navigation's unread count (a fragment htmx loads after each page)."""

    def get(self, request: HttpRequest, org_slug: str) -> HttpResponse:
        unread = unread_notification_count(organization=self.organization, user=request.user)
        return render(request, "content/_unread_count.html", {"unread": unread})


class NotificationReadView(OrganizationViewMixin, View):
    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        services.notification_mark_read(access=self.access, notification=pk)
        return redirect("content:notifications", org_slug=org_slug)


class NotificationReadAllView(OrganizationViewMixin, View):
    def post(self, request: HttpRequest, org_slug: str) -> HttpResponse:
        count = services.notifications_mark_all_read(access=self.access)
        if count:
            messages.success(request, _("All notifications are marked read."))
        return redirect("content:notifications", org_slug=org_slug)


class PublicationRetryView(OrganizationViewMixin, View):
    """A failed publication again, now (the launch gate is asked again)."""

    required_permission = Perm.WRITE

    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        publication = access_publication(self.access, pk)  # 404 first: the id must be ours
        try:
            services.publication_retry(access=self.access, publication=publication)
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            messages.error(request, str(exc.message))
        else:
            messages.success(request, _("The publication will be retried within a minute."))
        return _back(request, org_slug, publication)


class PublicationRescheduleView(OrganizationViewMixin, View):
    """A failed or scheduled publication at another time."""

    required_permission = Perm.WRITE

    def post(self, request: HttpRequest, org_slug: str, pk: int) -> HttpResponse:
        publication = access_publication(self.access, pk)
        form = ScheduleForm(request.POST)
        try:
            if not form.is_valid():
                raise DomainError(_("Choose the new date and time."))
            services.publication_reschedule(
                access=self.access, publication=publication, scheduled_at=form.cleaned_data["scheduled_at"]
            )
        except (NotFound, PermissionDenied):
            raise
        except DomainError as exc:
            details = "; ".join(m for msgs in exc.fields.values() for m in msgs)
            messages.error(request, f"{exc.message} {details}".strip())
        else:
            messages.success(request, _("The publication is rescheduled."))
        return _back(request, org_slug, publication)
