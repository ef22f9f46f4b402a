"""An organization scheduled for deletion is read-only until the deletion is cancelled or done.

Chosen over hiding it: members keep reading (and exporting) their data during the grace period, and
the owner sees the pending deletion where it can be cancelled. Only unsafe methods are checked, so
pages and API reads cost no extra query. A refusal is given only to a member of the organization
(session or API token of it); anyone else gets the view's own 404, so a pending deletion never
reveals that another organization exists.
"""

from django.contrib import messages
from django.http import Http404, JsonResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _

from tenancy.access import Access, access_for_token, access_for_user
from tenancy.roles import Perm
from tenancy.services import api_token_authenticate

from .models import DeletionStatus, OrganizationDeletion

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "TRACE"})
# What stays possible while the organization waits for deletion: cancel it, and take the data out.
ALLOWED_VIEWS = frozenset({"portability:deletion_cancel", "portability:export_create", "organization-export-list"})


class ReadOnlyDuringDeletionMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        slug = view_kwargs.get("org_slug")
        if slug is None or request.method in SAFE_METHODS:
            return None
        match = getattr(request, "resolver_match", None)
        if match is not None and match.view_name in ALLOWED_VIEWS:
            return None
        live = OrganizationDeletion.objects.filter(
            organization__slug=slug, status__in=[DeletionStatus.SCHEDULED, DeletionStatus.PURGING]
        )
        access = _member_access(request, slug) if live.exists() else None
        if access is None:
            return None
        message = _("This organization is scheduled for deletion and is read-only. Cancel the deletion to edit it.")
        if hasattr(view_func, "cls"):  # DRF view: the API error format
            return JsonResponse({"error": {"code": "read_only", "message": message, "fields": {}}}, status=409)
        messages.error(request, message)
        if access.can(Perm.MANAGE_ORGANIZATION):
            return redirect("portability:data", org_slug=slug)
        back = request.headers.get("Referer", "")
        if back and url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
            return redirect(back)
        return redirect("dashboard", org_slug=slug)


def _member_access(request, slug: str) -> Access | None:
    """The caller's access to the organization if they are a member (session or API token)."""
    try:
        if request.user.is_authenticated:
            return access_for_user(user=request.user, organization_slug=slug)
        header = request.headers.get("Authorization", "").split()
        if len(header) == 2 and header[0].lower() == "bearer":
            token = api_token_authenticate(header[1])
            if token is not None:
                return access_for_token(token=token, organization_slug=slug)
    except Http404:
        return None
    return None
