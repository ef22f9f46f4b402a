import re

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from tenancy import services
from tenancy.models import ApiToken, AuditLog, Invitation, Membership
from tenancy.roles import Role

from ..conftest import access_of
from .factories import MembershipFactory, OrganizationFactory

pytestmark = pytest.mark.django_db
User = get_user_model()

ORG_PAGES = [
    "",
    "strategy/",
    "content/",
    "analytics/",
    "moderation/",
    "ads/",
    "reports/",
    "reports/settings/",
    "integrations/",
    "settings/",
    "settings/members/",
    "settings/tokens/",
    "settings/audit-log/",
]


@pytest.mark.parametrize("path", ORG_PAGES)
def test_every_org_page_renders_for_owner(owner_web, org, path):
    response = owner_web.get(f"/o/{org.slug}/{path}")
    assert response.status_code == 200
    assert b'<main id="main"' in response.content


@pytest.mark.parametrize("path", ORG_PAGES)
def test_every_org_page_is_404_for_non_members(owner_web, other_org, path):
    assert owner_web.get(f"/o/{other_org.slug}/{path}").status_code == 404


def test_anonymous_is_sent_to_login(client, org):
    response = client.get(f"/o/{org.slug}/")
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_home_redirects_to_last_organization(owner_web, org, owner, make_member):
    second = OrganizationFactory(name="Второй", slug="second")
    MembershipFactory(organization=second, user=owner, role=Role.ADMIN)
    owner_web.get(f"/o/{second.slug}/")
    assert owner_web.get("/")["Location"] == f"/o/{second.slug}/"


def test_org_switcher_lists_only_my_organizations(owner_web, org, other_org):
    html = owner_web.get(f"/o/{org.slug}/").content.decode()
    switcher = re.search(r'<select id="org-switch".*?</select>', html, re.S).group(0)
    assert 'value="zerno"' in switcher
    assert "other" not in switcher


def test_login_is_throttled_after_repeated_failures(client, owner, settings):
    settings.AXES_FAILURE_LIMIT = 3
    for _ in range(3):
        client.post(reverse("login"), {"username": owner.username, "password": "wrong"})
    response = client.post(reverse("login"), {"username": owner.username, "password": "pass-Word-123"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_password_reset_sends_email(client, owner, mailoutbox):
    response = client.post(reverse("password_reset"), {"email": owner.email})
    assert response.status_code == 302
    assert len(mailoutbox) == 1
    assert "/accounts/reset/" in mailoutbox[0].body


def test_invitation_flow_end_to_end(owner_web, client, org, owner, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        owner_web.post(f"/o/{org.slug}/settings/invitations/", {"email": "guest@example.com", "role": "client"})
    url = re.search(r"https?://\S+", mailoutbox[0].body).group(0)
    path = url.split("://", 1)[1].split("/", 1)[1]
    guest = User.objects.create_user(username="guest@example.com", email="guest@example.com", password="x")
    owner_web.logout()
    client.force_login(guest, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(f"/{path}").status_code == 200
    response = client.post(f"/{path}")
    assert response["Location"] == f"/o/{org.slug}/"
    assert Membership.objects.get(organization=org, user=guest).role == Role.CLIENT
    assert Invitation.objects.get(organization=org).status == Invitation.Status.ACCEPTED
    # A used invitation cannot be replayed.
    client.post(f"/{path}")
    assert Membership.objects.filter(user=guest).count() == 1


def test_expired_invitation_is_refused(org, owner):
    created = services.invitation_create(access=access_of(org, owner, Role.OWNER), email="a@b.example", role="marketer")
    Invitation.objects.filter(pk=created.invitation.pk).update(expires_at="2000-01-01T00:00:00Z")
    user = User.objects.create_user(username="a@b.example", email="a@b.example", password="x")
    with pytest.raises(services.DomainError):
        services.invitation_accept(token=created.token, user=user)
    assert not Membership.objects.filter(user=user).exists()


def test_client_cannot_change_anything_in_html(client, org, make_member):
    member = make_member(org, Role.CLIENT)
    target = make_member(org, Role.MARKETER)
    client.force_login(member.user, backend="django.contrib.auth.backends.ModelBackend")
    base = f"/o/{org.slug}/settings/"
    attempts = [
        client.post(base, {"name": "x", "timezone": "UTC", "currency": "USD", "language": "en"}),
        client.post(f"{base}members/{target.pk}/role/", {"role": "admin"}),
        client.post(f"{base}members/{target.pk}/remove/"),
        client.post(f"{base}invitations/", {"email": "a@b.example", "role": "admin"}),
        client.post(f"{base}tokens/", {"name": "t", "scopes": ["read"]}),
    ]
    assert [r.status_code for r in attempts] == [403] * 5
    org.refresh_from_db()
    assert org.name == "Зерно"
    assert Membership.objects.get(pk=target.pk).role == Role.MARKETER
    assert not Invitation.objects.exists()
    assert not ApiToken.objects.exists()


def test_token_page_shows_the_secret_once(owner_web, org):
    response = owner_web.post(f"/o/{org.slug}/settings/tokens/", {"name": "CRM", "scopes": ["read", "write"]})
    assert response.status_code == 302
    first = owner_web.get(f"/o/{org.slug}/settings/tokens/").content.decode()
    secret = re.search(r'data-testid="token-secret">([^<]+)<', first).group(1)
    assert secret.startswith("smm_")
    second = owner_web.get(f"/o/{org.slug}/settings/tokens/").content.decode()
    assert secret not in second
    assert "CRM" in second


def test_token_form_errors_are_shown(owner_web, org):
    response = owner_web.post(f"/o/{org.slug}/settings/tokens/", {"name": "", "scopes": []})
    assert response.status_code == 200
    assert set(response.context["form"].errors) == {"name", "scopes"}


def test_settings_save_is_audited(owner_web, org):
    response = owner_web.post(
        f"/o/{org.slug}/settings/",
        {"name": "Зерно Казань", "timezone": "Europe/Moscow", "currency": "RUB", "language": "ru"},
    )
    assert response.status_code == 302
    org.refresh_from_db()
    assert org.name == "Зерно Казань"
    entry = AuditLog.objects.get(organization=org, action="organization.update")
    assert entry.changes == {"name": ["Зерно", "Зерно Казань"]}


def test_members_page_query_count_is_constant(owner_web, org, make_member, django_assert_max_num_queries):
    for _ in range(20):
        make_member(org, Role.ANALYST)
    with django_assert_max_num_queries(12):
        response = owner_web.get(f"/o/{org.slug}/settings/members/")
    assert response.status_code == 200
    assert len(response.context["object_list"]) == 21


def test_audit_log_page_is_scoped(owner_web, org, other_org, owner, django_assert_max_num_queries):
    services.audit_log_record(organization=other_org, actor=owner, action="secret.action", object_type="x")
    services.audit_log_record(organization=org, actor=owner, action="visible.action", object_type="x")
    with django_assert_max_num_queries(10):
        html = owner_web.get(f"/o/{org.slug}/settings/audit-log/").content.decode()
    assert "visible.action" in html
    assert "secret.action" not in html


def test_healthz(client):
    assert client.get("/healthz").json() == {"status": "ok"}


def test_api_schema_and_docs_render(client):
    schema = client.get("/api/schema/", HTTP_ACCEPT="application/vnd.oai.openapi+json")
    assert schema.status_code == 200
    assert schema.json()["openapi"].startswith("3.")
    docs = client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"swagger-ui" in docs.content
    assert b"cdn.jsdelivr" not in docs.content


def test_times_are_shown_in_the_organization_timezone(owner_web, org, owner):
    from datetime import UTC, datetime

    org.timezone = "Asia/Vladivostok"  # UTC+10, no DST
    org.save(update_fields=["timezone"])
    entry = services.audit_log_record(organization=org, actor=owner, action="tz.check", object_type="x")
    AuditLog.objects.filter(pk=entry.pk).update(created_at=datetime(2026, 1, 1, 0, 0, tzinfo=UTC))
    html = owner_web.get(f"/o/{org.slug}/settings/audit-log/", HTTP_ACCEPT_LANGUAGE="ru").content.decode()
    assert "01.01.2026 10:00" in html
