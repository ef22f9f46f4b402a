from django.db import connection, transaction
from django.urls import Resolver404, resolve

from . import rls


class RowLevelSecurityMiddleware:
    """Runs each request in one transaction scoped for row-level security (PostgreSQL only).

    - a route with `org_slug` (pages, htmx partials, API): that organization's rows only (an
      unknown slug scopes to nothing, so the view's own lookup answers 404);
    - `/admin/` for active staff: unscoped (the admin crosses organizations on purpose);
    - any other request of a signed-in user: no organization, only the user's own memberships
      (home redirect, organization switcher, /api/v1/me/). Code that crosses organizations there
      (sign-up, invitation by token, OAuth state, API token by prefix) opens its own named context.

    The scope is one `SET LOCAL`-style statement (the slug is resolved in the same statement).
    Writes keep autocommit-like semantics: an exception turned into an error page does not roll
    back what the view wrote before it (as before this middleware; services are atomic).
    Must come after AuthenticationMiddleware. Streaming responses are consumed after this
    transaction ends and would see no tenant rows: produce them inside an explicit context.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not rls.is_enabled():
            return self.get_response(request)
        user = getattr(request, "user", None)
        user_id = user.pk if user is not None and user.is_authenticated else None
        match = self._resolve(request)
        org_slug = match.kwargs.get("org_slug") if match else None
        staff_admin = bool(match and "admin" in match.namespaces and user_id and user.is_active and user.is_staff)
        if not org_slug and user_id is None:
            return self.get_response(request)  # anonymous, no organization: nothing tenant-scoped to read
        sql, params = rls.request_scope_sql(organization_slug=org_slug, bypass=staff_admin, user_id=user_id)
        # savepoint=False: the request is the unit; nested only under a test's transaction.
        with transaction.atomic(savepoint=False):
            with connection.cursor() as cursor:
                cursor.execute(sql, params)
            return self.get_response(request)

    @staticmethod
    def _resolve(request):
        try:
            return resolve(request.path_info, urlconf=getattr(request, "urlconf", None))
        except Resolver404:
            return None
