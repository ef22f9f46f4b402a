"""Error pages: 403/404 inside the app shell with a way back, 500 without the database, and the API
error format for every error under /api/ (unknown paths, oversized bodies, 500s), DEBUG on or off."""

import json

import pytest
from django.test import Client, RequestFactory

from smm_platform import error_views
from strategy.models import Strategy
from tenancy.roles import Role

pytestmark = pytest.mark.django_db

DEBUG = pytest.mark.parametrize("debug", [True, False], ids=["debug", "production"])


@pytest.fixture
def web():
    return Client(raise_request_exception=False)


def _error(response) -> dict:
    assert response["Content-Type"] == "application/json"
    return json.loads(response.content)


# --- pages ---------------------------------------------------------------------------------------


@DEBUG
def test_403_page_is_inside_the_shell_with_role_and_way_back(web, settings, org, make_member, debug):
    settings.DEBUG = debug
    web.force_login(make_member(org, Role.MARKETER).user)
    response = web.get(f"/o/{org.slug}/settings/tokens/")
    assert response.status_code == 403
    html = response.content.decode()
    assert 'class="mainnav"' in html
    assert "Access denied" in html
    assert f"Your role in {org.name}: Marketer." in html
    assert f'href="/o/{org.slug}/"' in html
    assert "403 Forbidden" not in html


def test_403_page_follows_the_interface_language(web, org, make_member):
    web.force_login(make_member(org, Role.ANALYST).user)
    response = web.get(f"/o/{org.slug}/settings/audit-log/", HTTP_ACCEPT_LANGUAGE="ru")
    assert response.status_code == 403
    html = response.content.decode()
    assert '<html lang="ru">' in html
    assert ">Стратегия</a>" in html


def test_404_for_a_missing_object_keeps_the_navigation(web, settings, org, owner):
    settings.DEBUG = False
    web.force_login(owner)
    response = web.get(f"/o/{org.slug}/strategy/987654/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="mainnav"' in html
    assert "Page not found" in html
    assert f'href="/o/{org.slug}/"' in html


def test_404_for_an_unknown_page_of_own_organization_keeps_the_navigation(web, settings, org, owner):
    settings.DEBUG = False
    web.force_login(owner)
    response = web.get(f"/o/{org.slug}/no-such-page/")
    assert response.status_code == 404
    assert 'class="mainnav"' in response.content.decode()


def test_404_for_a_foreign_organization_is_a_plain_shell(web, settings, org, other_org, owner):
    settings.DEBUG = False
    web.force_login(owner)
    response = web.get(f"/o/{other_org.slug}/")
    assert response.status_code == 404
    html = response.content.decode()
    assert 'class="mainnav"' not in html
    assert other_org.name not in html
    assert "Page not found" in html
    assert 'href="/"' in html


def test_404_for_an_anonymous_visitor(web, settings):
    settings.DEBUG = False
    response = web.get("/no-such-page/")
    assert response.status_code == 404
    assert "Page not found" in response.content.decode()


def test_500_page_needs_no_database(django_assert_num_queries):
    request = RequestFactory().get("/o/zerno/")
    with django_assert_num_queries(0):
        response = error_views.server_error(request)
    assert response.status_code == 500
    assert "Something went wrong on our side" in response.content.decode()


def test_500_page_for_a_failing_view(web, settings, org, owner, monkeypatch):
    settings.DEBUG = False
    web.force_login(owner)

    def boom(**kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("analytics.views.dashboard_context", boom)
    response = web.get(f"/o/{org.slug}/")
    assert response.status_code == 500
    html = response.content.decode()
    assert "Something went wrong on our side" in html
    assert "boom" not in html


# --- API ---------------------------------------------------------------------------------------


@DEBUG
@pytest.mark.parametrize("path", ["/api/v1/no-such/", "/api/nope", "/api/v1/orgs/zerno/no-such-collection/"])
def test_unknown_api_paths_answer_404_in_the_api_format(web, settings, org, owner, debug, path):
    settings.DEBUG = debug
    web.force_login(owner)
    response = web.get(path)
    assert response.status_code == 404
    assert _error(response) == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


@DEBUG
def test_oversized_api_body_answers_413_in_the_api_format(web, settings, org, owner, debug):
    settings.DEBUG = debug
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    web.force_login(owner)
    body = '{"title": "' + "x" * 5000 + '"}'
    response = web.post(f"/api/v1/orgs/{org.slug}/strategies/", body, content_type="application/json")
    assert response.status_code == 413
    assert _error(response) == {
        "error": {"code": "payload_too_large", "message": "The request body is too large.", "fields": {}}
    }
    assert not Strategy.objects.exists()


@DEBUG
def test_oversized_body_read_by_a_view_answers_in_the_api_format(settings, debug):
    """A body over the limit that only the view notices (no Content-Length check up front)."""
    from django.core.exceptions import RequestDataTooBig

    from smm_platform.middleware import ApiErrorMiddleware

    settings.DEBUG = debug
    middleware = ApiErrorMiddleware(lambda request: None)
    request = RequestFactory().post("/api/v1/me/")
    response = middleware.process_exception(request, RequestDataTooBig())
    assert response.status_code == 413
    assert _error(response)["error"]["code"] == "payload_too_large"
    assert middleware.process_exception(RequestFactory().post("/o/x/"), RequestDataTooBig()) is None


def test_oversized_page_body_is_not_turned_into_json(web, settings, org, owner):
    settings.DEBUG = False
    settings.DATA_UPLOAD_MAX_MEMORY_SIZE = 1000
    web.force_login(owner)
    response = web.post(f"/o/{org.slug}/strategy/new/", {"title": "x" * 5000})
    assert response.status_code == 400
    assert not response["Content-Type"].startswith("application/json")


@DEBUG
def test_api_500_answers_in_the_api_format(web, settings, owner, monkeypatch, debug):
    settings.DEBUG = debug
    web.force_login(owner)

    def boom(self, request):
        raise RuntimeError("secret detail")

    monkeypatch.setattr("tenancy.views.MeApiView.get", boom)
    response = web.get("/api/v1/me/")
    assert response.status_code == 500
    assert _error(response) == {"error": {"code": "server_error", "message": "A server error occurred.", "fields": {}}}


@pytest.mark.parametrize(
    ("handler", "status", "code"),
    [
        (error_views.permission_denied, 403, "permission_denied"),
        (error_views.page_not_found, 404, "not_found"),
        (error_views.bad_request, 400, "bad_request"),
    ],
)
def test_error_handlers_answer_api_paths_in_the_api_format(handler, status, code):
    response = handler(RequestFactory().get("/api/v1/orgs/x/posts/"), Exception())
    assert response.status_code == status
    assert _error(response)["error"]["code"] == code


def test_api_errors_rendered_by_drf_pass_untouched(web, org, other_org, owner):
    web.force_login(owner)
    response = web.get(f"/api/v1/orgs/{other_org.slug}/strategies/")
    assert response.status_code == 404
    assert _error(response) == {"error": {"code": "not_found", "message": "Not found.", "fields": {}}}


def test_handlers_are_installed():
    from smm_platform import urls

    assert (urls.handler403, urls.handler404, urls.handler500) == (
        "smm_platform.error_views.permission_denied",
        "smm_platform.error_views.page_not_found",
        "smm_platform.error_views.server_error",
    )


def test_other_error_statuses_keep_their_status_in_the_api_format():
    response = error_views.api_error(410)
    assert response.status_code == 410
    assert _error(response) == {"error": {"code": "error", "message": "Gone", "fields": {}}}
    assert _error(error_views.api_error(503))["error"]["code"] == "server_error"


@pytest.mark.django_db
def test_a_nul_character_in_a_query_parameter_is_a_400_not_a_database_error(client):
    api = client.get("/api/v1/orgs/nowhere/inbox/saved-replies/", {"q": "a\x00b"})
    assert api.status_code == 400
    assert api.json()["error"]["code"] == "invalid"
