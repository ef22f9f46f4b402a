"""Row-level security under real use: requests, API tokens, sign-up, tasks, the admin and OAuth all
work as the app role and see only their organization's rows (see test_rls.py for the fences)."""

import datetime as dt
import re

import pytest
from django.http import HttpResponse
from django.urls import include, path
from django.utils import timezone

from integrations.models import OAuthState, SocialAccount, SyncRun
from integrations.services import demo_account_connect
from strategy.models import Experiment
from tenancy import rls
from tenancy.models import ApiToken, Invitation, Membership
from tenancy.roles import Role
from tenancy.services import api_token_create, invitation_create

from ..strategy.factories import ExperimentFactory
from .factories import InvitationFactory, MembershipFactory, UserFactory
from .rls_support import as_app

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- requests (f)


def _leaky_view(request, org_slug):
    # Deliberately forgets the organization filter: only row-level security keeps B's rows out.
    return HttpResponse("|".join(sorted(Experiment.objects.values_list("title", flat=True))))


urlpatterns = [
    path("o/<slug:org_slug>/leaky/", _leaky_view),
    path("", include("smm_platform.urls")),
]


@pytest.fixture
def leaky_urls(settings):
    settings.ROOT_URLCONF = __name__


def test_request_sees_only_its_organization_even_if_the_view_forgets_the_filter(
    app_role, leaky_urls, client, org, other_org, owner
):
    ExperimentFactory(organization=org, title="ours")
    ExperimentFactory(organization=other_org, title="theirs")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get("/o/zerno/leaky/").content == b"ours|theirs"  # as the superuser: the leak is real
    with as_app():
        assert client.get("/o/zerno/leaky/").content == b"ours"
        assert client.get("/o/other/leaky/").content == b"theirs"  # the route's org, not the user's
        assert client.get("/o/nobody/leaky/").content == b""


def test_member_pages_and_api_work_under_the_app_role(app_role, client, org, other_org, owner, make_member):
    make_member(org, Role.ANALYST, username="colleague@zerno.test")
    make_member(other_org, Role.OWNER, username="stranger@other.test")
    MembershipFactory(organization=other_org, user=owner, role=Role.CLIENT)  # the owner is also in B
    ExperimentFactory(organization=org, title="Рилсы в будни")
    ExperimentFactory(organization=other_org, title="Чужой эксперимент")
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    with as_app():
        members = client.get("/o/zerno/settings/members/")
        assert members.status_code == 200
        assert "colleague@zerno.test" in members.text
        assert "stranger@other.test" not in members.text
        experiments = client.get("/o/zerno/strategy/experiments/")
        assert experiments.status_code == 200
        assert "Рилсы в будни" in experiments.text
        assert "Чужой эксперимент" not in experiments.text
        api = client.get("/api/v1/orgs/zerno/experiments/", HTTP_ACCEPT="application/json")
        assert api.status_code == 200
        assert [e["title"] for e in api.json()["results"]] == ["Рилсы в будни"]
        me = client.get("/api/v1/me/", HTTP_ACCEPT="application/json").json()
        assert sorted(o["slug"] for o in me["organizations"]) == ["other", "zerno"]
        assert client.get("/").url == "/o/zerno/"  # the home redirect reads the user's memberships
        assert client.get("/o/elsewhere/settings/members/").status_code == 404


def test_api_token_finds_its_organization_under_the_app_role(app_role, client, org, other_org, owner_access):
    secret = api_token_create(access=owner_access, name="CRM", scopes=["read"]).secret
    ExperimentFactory(organization=org, title="ours")
    ExperimentFactory(organization=other_org, title="theirs")
    headers = {"HTTP_AUTHORIZATION": f"Bearer {secret}", "HTTP_ACCEPT": "application/json"}
    with as_app(keep=True):
        ours = client.get("/api/v1/orgs/zerno/experiments/", **headers)
        assert ours.status_code == 200
        assert [e["title"] for e in ours.json()["results"]] == ["ours"]
        assert client.get("/api/v1/orgs/other/experiments/", **headers).status_code == 404
        assert client.get("/api/v1/orgs/zerno/experiments/", HTTP_AUTHORIZATION="Bearer smm_x_y").status_code == 401
    assert ApiToken.objects.get().last_used_at is not None


def test_sign_up_and_invitation_accept_under_the_app_role(app_role, client, org, owner_access, mailoutbox):
    invitation = invitation_create(access=owner_access, email="new@zerno.test", role=Role.ANALYST)
    with as_app():
        started = client.post("/accounts/signup/", {"email": "new@zerno.test", "organization_name": "Новая кофейня"})
        assert started.status_code == 302, started.content[:500]
        link = re.search(r"http://[^\s]+(/accounts/signup/confirm/[^\s]+/)", mailoutbox[-1].body).group(1)
        signup = client.post(link, {"organization_name": "Новая кофейня", "password": "Long-pass-2026!"})
        assert signup.status_code == 302, signup.content[:500]
        page = client.get(f"/invitations/{invitation.token}/")
        assert page.status_code == 200
        assert "Зерно" in page.text
        accepted = client.post(f"/invitations/{invitation.token}/")
        assert accepted.status_code == 302
        assert accepted.url == "/o/zerno/"
        with rls.unscoped_context("test: check the result"):
            roles = sorted(Membership.objects.filter(user__email="new@zerno.test").values_list("role", flat=True))
    assert roles == [Role.ANALYST, Role.OWNER]


# --------------------------------------------------------------------------- tasks (g)


def test_sync_task_and_fan_outs_work_under_the_app_role(app_role, org, other_org, owner_access):
    from integrations.tasks import fan_out_due_syncs, sync_account
    from tenancy.tasks import expire_invitations

    account = demo_account_connect(organization=org, sync=False)
    other = demo_account_connect(organization=other_org, sync=False)
    SocialAccount.objects.update(next_sync_at=timezone.now() - dt.timedelta(minutes=1))
    InvitationFactory(organization=other_org, email="late@x.test", expires_at=timezone.now() - dt.timedelta(days=1))
    with as_app(keep=True):
        assert fan_out_due_syncs.apply().get() == 2  # both organizations' due accounts (unscoped)
        assert expire_invitations.apply().get() == 1
        result = sync_account.apply(args=[account.pk], kwargs={"plan": "daily"}).get()
        assert result["status"] == "done"
        assert len(result["runs"]) > 0
        assert SyncRun.objects.count() == 0  # the task's scope ended with it: back to no organization
    assert set(SyncRun.objects.values_list("organization_id", flat=True)) == {org.pk}
    assert sorted(SyncRun.objects.values_list("pk", flat=True)) == sorted(result["runs"])
    assert SyncRun.objects.exclude(status="success").count() == 0
    assert not SyncRun.objects.filter(account=other).exists()
    assert Invitation.objects.get().status == Invitation.Status.EXPIRED


def test_admin_crosses_organizations_for_staff_only(app_role, client, org, other_org):
    from tenancy.services import audit_log_record

    audit_log_record(organization=org, action="ours.thing", object_type="x")
    audit_log_record(organization=other_org, action="theirs.thing", object_type="x")
    staff = UserFactory(is_staff=True, is_superuser=True)
    client.force_login(staff, backend="django.contrib.auth.backends.ModelBackend")
    with as_app():
        page = client.get("/admin/tenancy/auditlog/")
        assert page.status_code == 200
        assert "ours.thing" in page.text
        assert "theirs.thing" in page.text
    staff.is_staff = False
    staff.save(update_fields=["is_staff"])
    with as_app():
        assert client.get("/admin/tenancy/auditlog/").status_code == 302  # to the admin login; no bypass


def test_oauth_connect_round_trip_under_the_app_role(app_role, owner_web, org, monkeypatch, httpserver):
    """The callback URL names no organization: the state row (found unscoped) does."""
    from urllib.parse import parse_qs, urlparse

    monkeypatch.setenv("VK_CLIENT_ID", "51234567")
    monkeypatch.setenv("VK_ID_BASE_URL", httpserver.url_for("/").rstrip("/"))
    monkeypatch.setenv("SITE_URL", "https://smm.example.com")
    tokens = {"access_token": "vk2.a.access-0123456789", "refresh_token": "vk2.a.refresh-0123456789"}
    httpserver.expect_oneshot_request("/oauth2/auth", method="POST").respond_with_json(
        tokens | {"token_type": "Bearer", "expires_in": 3600, "user_id": 1234567890, "state": "x", "scope": "wall"}
    )
    with as_app(keep=True):
        start = owner_web.post(
            "/o/zerno/integrations/connect/vk/", {"vk-platform": "vk", "vk-external_id": "218450731"}
        )
        assert start.status_code == 302
        state = parse_qs(urlparse(start["Location"]).query)["state"][0]
        callback = owner_web.get(
            "/integrations/oauth/vk/callback/", {"code": "c", "state": state, "device_id": "d", "type": "code_v2"}
        )
        assert callback.status_code == 302
        assert callback.url == "/o/zerno/integrations/"
    account = SocialAccount.objects.get(platform="vk", external_id="218450731")
    assert account.organization_id == org.pk
    assert account.credentials["access_token"] == tokens["access_token"]
    assert OAuthState.objects.get(state=state).used_at is not None
