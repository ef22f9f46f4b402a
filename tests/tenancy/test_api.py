import hashlib
from datetime import timedelta

import pytest
from django.utils import timezone
from rest_framework.test import APIClient

from tenancy.models import ApiToken, AuditLog, Membership
from tenancy.roles import Role

from ..conftest import access_of

pytestmark = pytest.mark.django_db


def bearer(secret: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return client


def test_member_reads_own_organization(owner_client, org):
    response = owner_client.get(f"/api/v1/orgs/{org.slug}/")
    assert response.status_code == 200
    assert response.json()["name"] == "Зерно"


def test_member_of_a_gets_404_for_b(owner_client, other_org, make_member):
    make_member(other_org, Role.OWNER)
    for path in ["", "members/", "invitations/", "tokens/", "audit-log/"]:
        response = owner_client.get(f"/api/v1/orgs/{other_org.slug}/{path}")
        assert response.status_code == 404, path
        assert response.json()["error"]["code"] == "not_found"


def test_member_of_a_cannot_touch_b_member_by_id_through_a_url(owner_client, org, other_org, make_member):
    foreign = make_member(other_org, Role.MARKETER)
    response = owner_client.patch(f"/api/v1/orgs/{org.slug}/members/{foreign.pk}/", {"role": "client"})
    assert response.status_code == 404
    assert Membership.objects.get(pk=foreign.pk).role == Role.MARKETER


def test_token_of_a_cannot_read_b(org, other_org, owner_access, make_token):
    created = make_token(owner_access)
    assert bearer(created.secret).get(f"/api/v1/orgs/{other_org.slug}/").status_code == 404
    assert bearer(created.secret).get(f"/api/v1/orgs/{org.slug}/").status_code == 200


def test_read_token_cannot_write(org, owner_access, make_token):
    created = make_token(owner_access, scopes=["read"])
    client = bearer(created.secret)
    assert client.get(f"/api/v1/orgs/{org.slug}/members/").status_code == 200
    response = client.patch(f"/api/v1/orgs/{org.slug}/", {"name": "Hacked"})
    assert response.status_code == 403
    org.refresh_from_db()
    assert org.name == "Зерно"


def test_write_token_cannot_manage_tokens(org, owner_access, make_token):
    created = make_token(owner_access, scopes=["write"])
    response = bearer(created.secret).post(f"/api/v1/orgs/{org.slug}/tokens/", {"name": "x", "scopes": ["write"]})
    assert response.status_code == 403
    assert ApiToken.objects.filter(organization=org).count() == 1


def test_expired_and_revoked_tokens_are_refused(org, owner_access, make_token):
    expired = make_token(owner_access, name="old")
    ApiToken.objects.filter(pk=expired.token.pk).update(expires_at=timezone.now() - timedelta(minutes=1))
    revoked = make_token(owner_access, name="gone")
    ApiToken.objects.filter(pk=revoked.token.pk).update(revoked_at=timezone.now())
    for secret in (expired.secret, revoked.secret, "smm_deadbeef_wrong", "garbage"):
        response = bearer(secret).get(f"/api/v1/orgs/{org.slug}/")
        assert response.status_code == 401, secret
        assert response.json()["error"]["code"] == "authentication_failed"


def test_token_secret_is_not_stored_in_clear(org, owner_access, make_token):
    created = make_token(owner_access)
    token = ApiToken.objects.get(pk=created.token.pk)
    stored = {str(v) for v in ApiToken.objects.filter(pk=token.pk).values().first().values()}
    assert created.secret not in stored
    assert token.token_hash == hashlib.sha256(created.secret.encode()).hexdigest()
    assert token.prefix in created.secret


def test_create_token_shows_secret_once_and_audits(owner_client, org):
    response = owner_client.post(f"/api/v1/orgs/{org.slug}/tokens/", {"name": "amoCRM", "scopes": ["write"]})
    assert response.status_code == 201
    secret = response.json()["token"]
    assert secret.startswith("smm_")
    listed = owner_client.get(f"/api/v1/orgs/{org.slug}/tokens/").json()["results"]
    assert listed[0]["name"] == "amoCRM"
    assert "token" not in listed[0]
    assert secret not in str(listed)
    assert AuditLog.objects.filter(organization=org, action="api_token.create").count() == 1
    assert bearer(secret).get(f"/api/v1/orgs/{org.slug}/").status_code == 200


def test_revoke_token(owner_client, org, owner_access, make_token):
    created = make_token(owner_access)
    assert owner_client.delete(f"/api/v1/orgs/{org.slug}/tokens/{created.token.pk}/").status_code == 204
    assert bearer(created.secret).get(f"/api/v1/orgs/{org.slug}/").status_code == 401


def test_token_validation_errors_have_field_messages(owner_client, org):
    response = owner_client.post(f"/api/v1/orgs/{org.slug}/tokens/", {"name": "", "scopes": ["admin"]})
    assert response.status_code == 400
    fields = response.json()["error"]["fields"]
    assert set(fields) == {"name", "scopes"}
    past = (timezone.now() - timedelta(days=1)).isoformat()
    response = owner_client.post(
        f"/api/v1/orgs/{org.slug}/tokens/", {"name": "x", "scopes": ["read"], "expires_at": past}
    )
    assert response.status_code == 400
    assert "expires_at" in response.json()["error"]["fields"]


@pytest.mark.parametrize("role", [Role.CLIENT, Role.ANALYST])
def test_read_only_roles_cannot_change_anything(org, make_member, role):
    member = make_member(org, role)
    target = make_member(org, Role.MARKETER)
    client = APIClient()
    client.force_authenticate(member.user)
    base = f"/api/v1/orgs/{org.slug}/"
    assert client.get(base).status_code == 200
    attempts = [
        client.patch(base, {"name": "x"}),
        client.patch(f"{base}members/{target.pk}/", {"role": "admin"}),
        client.delete(f"{base}members/{target.pk}/"),
        client.post(f"{base}invitations/", {"email": "a@b.c", "role": "admin"}),
        client.post(f"{base}tokens/", {"name": "t", "scopes": ["read"]}),
    ]
    assert [r.status_code for r in attempts] == [403] * 5
    org.refresh_from_db()
    assert org.name == "Зерно"
    assert Membership.objects.get(pk=target.pk).role == Role.MARKETER
    assert not ApiToken.objects.filter(organization=org).exists()
    assert not AuditLog.objects.filter(organization=org).exists()


def test_admin_cannot_grant_owner_and_last_owner_stays(org, owner, make_member):
    admin = make_member(org, Role.ADMIN)
    client = APIClient()
    client.force_authenticate(admin.user)
    response = client.patch(f"/api/v1/orgs/{org.slug}/members/{admin.pk}/", {"role": "owner"})
    assert response.status_code == 400
    assert "role" in response.json()["error"]["fields"]
    own = Membership.objects.get(organization=org, user=owner)
    owner_api = APIClient()
    owner_api.force_authenticate(owner)
    response = owner_api.patch(f"/api/v1/orgs/{org.slug}/members/{own.pk}/", {"role": "marketer"})
    assert response.status_code == 400
    assert Membership.objects.get(pk=own.pk).role == Role.OWNER


def test_invitation_create_and_audit(owner_client, org, mailoutbox, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(
            f"/api/v1/orgs/{org.slug}/invitations/", {"email": "New@Example.com", "role": "analyst"}
        )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["email"] == "new@example.com"
    assert body["accept_url"].startswith("http")
    assert len(mailoutbox) == 1
    assert body["accept_url"] in mailoutbox[0].body
    assert AuditLog.objects.filter(organization=org, action="invitation.create").count() == 1


def test_unauthenticated_is_401(api_client, org):
    assert api_client.get(f"/api/v1/orgs/{org.slug}/").status_code in (401, 403)


def test_list_query_count_is_constant(owner_client, org, make_member, django_assert_max_num_queries):
    for _ in range(15):
        make_member(org, Role.MARKETER)
    with django_assert_max_num_queries(6):
        response = owner_client.get(f"/api/v1/orgs/{org.slug}/members/")
    assert response.json()["count"] == 16


def test_me_lists_memberships(owner_client, org):
    body = owner_client.get("/api/v1/me/").json()
    assert body["organizations"] == [{"slug": "zerno", "name": "Зерно", "role": "owner"}]


def test_access_helper_matches_matrix(org, owner):
    assert access_of(org, owner, Role.CLIENT).can("write") is False
