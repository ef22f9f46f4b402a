from django.conf import settings
from django.contrib import admin
from django.urls import URLPattern, URLResolver, include, path, re_path

from analytics.views import DashboardMonthView, DashboardView
from content.views.calendar import calendar_feed
from crm.views import crm_webhook
from integrations.views import OAuthCallbackView
from links.models import CODE_PATTERN
from links.views import follow as link_follow
from smm_platform.api.docs import SchemaView, api_guide, swagger_view
from tenancy import views as tenancy_views

org_patterns: list[URLPattern | URLResolver] = [
    path("", DashboardView.as_view(), name="dashboard"),
    path("month/", DashboardMonthView.as_view(), name="dashboard_month"),
    path("strategy/", include("strategy.urls")),
    path("content/", include("content.urls")),
    path("analytics/", include("analytics.urls")),
    path("reports/", include("reports.urls")),
    path("moderation/", include("moderation.urls")),
    path("ads/", include("ads.urls")),
    path("abtests/", include("abtests.urls")),
    path("ads/rules/", include("adrules.urls")),
    path("crm/", include("crm.urls")),
    path("links/", include("links.urls")),
    path("integrations/", include("integrations.urls")),
    path("settings/", include("tenancy.urls")),
    path("settings/data/", include("portability.urls")),
    path("settings/webhooks/", include("webhooks.urls")),
]

api_org_patterns = [
    path("", include("tenancy.api.urls")),
    path("", include("strategy.api.urls")),
    path("", include("content.api.urls")),
    path("", include("integrations.api.urls")),
    path("", include("analytics.api.urls")),
    path("", include("reports.api.urls")),
    path("", include("moderation.api.urls")),
    path("", include("ads.api.urls")),
    path("", include("abtests.api.urls")),
    path("", include("adrules.api.urls")),
    path("", include("crm.api.urls")),
    path("", include("links.api.urls")),
    path("", include("portability.api.urls")),
    path("", include("webhooks.api.urls")),
]

urlpatterns = [
    path("", tenancy_views.home, name="home"),
    path("healthz", tenancy_views.healthz, name="healthz"),
    # Tracked short links: public, outside the organization URL space (docs/links.md).
    re_path(rf"^l/(?P<code>{CODE_PATTERN})$", link_follow, name="link_follow"),
    # The plan's iCal feed: the secret in the path is the only credential (calendar apps cannot sign in).
    path("calendar/<str:secret>.ics", calendar_feed, name="calendar_feed"),
    path("accounts/signup/", tenancy_views.SignUpView.as_view(), name="signup"),
    path("accounts/signup/sent/", tenancy_views.sign_up_sent, name="signup_sent"),
    path("accounts/signup/confirm/<str:token>/", tenancy_views.SignUpConfirmView.as_view(), name="signup_confirm"),
    path("accounts/", include("django.contrib.auth.urls")),
    path("invitations/<str:token>/", tenancy_views.InvitationAcceptView.as_view(), name="invitation_accept"),
    path("organizations/new/", tenancy_views.OrganizationCreateView.as_view(), name="organization_create"),
    path("integrations/oauth/<str:provider>/callback/", OAuthCallbackView.as_view(), name="oauth_callback"),
    path("i18n/", include("django.conf.urls.i18n")),
    # CRM webhooks: outside any organization URL, the secret names the organization.
    path("hooks/crm/<str:kind>/<str:secret>/", crm_webhook, name="crm_webhook"),
    path("o/<slug:org_slug>/", include(org_patterns)),
    path("api/v1/me/", tenancy_views.MeApiView.as_view(), name="api-me"),
    path("api/v1/orgs/<slug:org_slug>/", include(api_org_patterns)),
    path("api/schema/", SchemaView.as_view(), name="api-schema"),
    path("api/docs/", swagger_view, name="api-docs"),
    path("api/guide/", api_guide, name="api-guide"),
    path("admin/", admin.site.urls),
]

if settings.DEBUG:
    from django.conf.urls.static import static

    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)

# Error pages (inside the app shell) and API error bodies: smm_platform/error_views.py.
handler400 = "smm_platform.error_views.bad_request"
handler403 = "smm_platform.error_views.permission_denied"
handler404 = "smm_platform.error_views.page_not_found"
handler500 = "smm_platform.error_views.server_error"
