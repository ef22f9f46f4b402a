"""Accounts/sync API and pages: tenancy, permissions, query counts, no secrets in responses."""

import pytest
from django.urls import reverse

from integrations.models import AccountStatus, SyncRun, SyncStatus
from tenancy.models import AuditLog
from tenancy.roles import Role
from tests.integrations.factories import OAuthStateFactory, SocialAccountFactory, SyncRunFactory

pytestmark = pytest.mark.django_db

SECRET = "vk1.a.SUPER-SECRET-TOKEN-123"


def accounts_url(org, suffix=""):
    return f"/api/v1/orgs/{org.slug}/integrations/accounts/{suffix}"


def make_accounts(org, n=3):
    accounts = [
        SocialAccountFactory(organization=org, platform="vk", credentials={"access_token": f"{SECRET}-{i}"})
        for i in range(n)
    ]
    for account in accounts:
        for kind in ("posts", "comments"):
            SyncRunFactory(account=account, kind=kind, status=SyncStatus.SUCCESS)
    return accounts


def test_list_accounts_without_credentials_and_with_constant_queries(owner_client, org, django_assert_max_num_queries):
    make_accounts(org, 2)
    with django_assert_max_num_queries(8):
        small = owner_client.get(accounts_url(org))
    make_accounts(org, 6)
    with django_assert_max_num_queries(8):
        response = owner_client.get(accounts_url(org))
    assert small.status_code == response.status_code == 200
    body = response.json()
    assert body["count"] == 8
    assert "credentials" not in response.content.decode()
    assert SECRET not in response.content.decode()
    assert set(body["results"][0]) == {
        "id",
        "platform",
        "external_id",
        "display_name",
        "username",
        "url",
        "status",
        "status_text",
        "last_error",
        "followers",
        "last_synced_at",
        "next_sync_at",
        "created_at",
    }


def test_status_text_in_plain_words(owner_client, org):
    account = SocialAccountFactory(organization=org, platform="vk", status=AccountStatus.NEEDS_REAUTH)
    body = owner_client.get(accounts_url(org, f"{account.pk}/")).json()
    assert body["status_text"] == "VK access expired — reconnect the account."


def test_other_org_account_is_404_and_untouched(owner_client, org, other_org):
    foreign = SocialAccountFactory(organization=other_org, platform="vk")
    assert owner_client.get(accounts_url(org, f"{foreign.pk}/")).status_code == 404
    assert owner_client.post(accounts_url(org, f"{foreign.pk}/sync/")).status_code == 404
    assert owner_client.delete(accounts_url(org, f"{foreign.pk}/")).status_code == 404
    assert owner_client.get(accounts_url(other_org)).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == AccountStatus.ACTIVE
    assert foreign.has_credentials


def test_sync_runs_are_scoped_and_the_account_filter_does_not_leak(owner_client, org, other_org):
    mine = make_accounts(org, 1)[0]
    foreign = make_accounts(other_org, 1)[0]
    url = f"/api/v1/orgs/{org.slug}/integrations/sync-runs/"
    assert owner_client.get(url).json()["count"] == 2
    assert owner_client.get(url, {"account": mine.pk}).json()["count"] == 2
    assert owner_client.get(url, {"account": foreign.pk}).json()["count"] == 0
    assert owner_client.get(url, {"account": 999999}).json()["count"] == 0
    foreign_run = SyncRun.objects.filter(account=foreign).first()
    assert owner_client.get(f"{url}{foreign_run.pk}/").status_code == 404


def test_sync_runs_list_query_count(owner_client, org, django_assert_max_num_queries):
    make_accounts(org, 5)
    with django_assert_max_num_queries(8):
        assert owner_client.get(f"/api/v1/orgs/{org.slug}/integrations/sync-runs/").status_code == 200


def test_sync_now_api_queues_a_full_sync(owner_client, org, monkeypatch, django_capture_on_commit_callbacks):
    account = SocialAccountFactory(organization=org)
    queued = []
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda *a, **k: queued.append((a, k)))
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(accounts_url(org, f"{account.pk}/sync/"))
    assert response.status_code == 202
    assert queued == [((account.pk,), {"plan": "full"})]


def test_sync_now_refused_for_expired_access(owner_client, org):
    account = SocialAccountFactory(organization=org, status=AccountStatus.NEEDS_REAUTH)
    response = owner_client.post(accounts_url(org, f"{account.pk}/sync/"))
    assert response.status_code == 400
    assert response.json()["error"]["message"] == "Access to this account has expired. Reconnect it first."


def test_analyst_can_read_but_not_sync_or_disconnect(org, make_member):
    from rest_framework.test import APIClient

    account = SocialAccountFactory(organization=org)
    client = APIClient()
    client.force_authenticate(make_member(org, Role.ANALYST).user)
    assert client.get(accounts_url(org)).status_code == 200
    assert client.post(accounts_url(org, f"{account.pk}/sync/")).status_code == 403
    assert client.delete(accounts_url(org, f"{account.pk}/")).status_code == 403
    account.refresh_from_db()
    assert account.status == AccountStatus.ACTIVE


def test_disconnect_erases_credentials_and_audits(owner_client, org):
    account = SocialAccountFactory(organization=org, credentials={"access_token": SECRET})
    assert owner_client.delete(accounts_url(org, f"{account.pk}/")).status_code == 204
    account.refresh_from_db()
    assert (account.status, account.credentials_ciphertext) == (AccountStatus.DISABLED, "")
    entry = AuditLog.objects.get(action="integrations.account_disconnected")
    assert SECRET not in str(entry.changes)


def test_connect_demo_api(owner_client, org, django_capture_on_commit_callbacks, monkeypatch):
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda *a, **k: None)
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_client.post(accounts_url(org, "connect-demo/"))
    assert response.status_code == 201
    assert response.json()["platform"] == "demo"
    assert "demo" not in response.json().get("credentials", "")


# --------------------------------------------------------------------------- pages


def test_integrations_page_lists_accounts_with_constant_queries(owner_web, org, django_assert_max_num_queries):
    make_accounts(org, 2)
    url = reverse("integrations:home", kwargs={"org_slug": org.slug})
    with django_assert_max_num_queries(12):
        owner_web.get(url)
    make_accounts(org, 8)
    with django_assert_max_num_queries(12):
        response = owner_web.get(url)
    assert response.status_code == 200
    html = response.content.decode()
    assert html.count("Sync now") == 10
    assert SECRET not in html


def test_health_page_says_what_failed_in_plain_words(owner_web, org, django_assert_max_num_queries):
    account = SocialAccountFactory(organization=org, platform="vk", display_name="Зерно Вконтакте")
    SyncRunFactory(
        account=account,
        kind="account_metrics",
        status=SyncStatus.FAILED,
        error="VK: access expired — reconnect the account",
    )
    make_accounts(org, 5)
    url = reverse("integrations:health", kwargs={"org_slug": org.slug})
    with django_assert_max_num_queries(12):
        response = owner_web.get(url)
    html = response.content.decode()
    assert "VK: access expired — reconnect the account" in html
    assert "Зерно Вконтакте" in html


def test_pages_of_another_org_are_404(owner_web, other_org):
    for name in ("integrations:home", "integrations:health"):
        assert owner_web.get(reverse(name, kwargs={"org_slug": other_org.slug})).status_code == 404


def test_sync_now_button_of_another_orgs_account_is_404(owner_web, org, other_org, monkeypatch):
    foreign = SocialAccountFactory(organization=other_org)
    called = []
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda *a, **k: called.append(a))
    url = reverse("integrations:sync_now", kwargs={"org_slug": org.slug, "pk": foreign.pk})
    assert owner_web.post(url).status_code == 404
    url = reverse("integrations:disconnect", kwargs={"org_slug": org.slug, "pk": foreign.pk})
    assert owner_web.post(url).status_code == 404
    foreign.refresh_from_db()
    assert foreign.status == AccountStatus.ACTIVE
    assert called == []


def test_sync_now_button(owner_web, org, monkeypatch, django_capture_on_commit_callbacks):
    account = SocialAccountFactory(organization=org)
    called = []
    monkeypatch.setattr("integrations.tasks.sync_account.delay", lambda *a, **k: called.append((a, k)))
    url = reverse("integrations:sync_now", kwargs={"org_slug": org.slug, "pk": account.pk})
    with django_capture_on_commit_callbacks(execute=True):
        response = owner_web.post(url)
    assert response.status_code == 302
    assert called == [((account.pk,), {"plan": "full"})]


def test_client_role_sees_no_connect_forms_and_cannot_post(client, org, make_member):
    user = make_member(org, Role.CLIENT).user
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(reverse("integrations:home", kwargs={"org_slug": org.slug})).content.decode()
    assert "Check and connect" not in html
    assert client.post(reverse("integrations:connect_demo", kwargs={"org_slug": org.slug})).status_code == 403


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("get", "integrations/accounts/"),
        ("post", "integrations/accounts/connect-demo/"),
        ("post", "integrations/accounts/connect-telegram/"),
        ("get", "integrations/sync-runs/"),
        ("get", "ads/campaigns/"),
        ("get", "ads/stats/"),
    ],
)
def test_every_collection_endpoint_of_another_org_is_404_and_creates_nothing(owner_client, other_org, method, path):
    from integrations.models import SocialAccount

    response = getattr(owner_client, method)(f"/api/v1/orgs/{other_org.slug}/{path}", {})
    assert response.status_code == 404
    assert not SocialAccount.objects.filter(organization=other_org).exists()


@pytest.mark.parametrize(
    ("name", "kwargs"),
    [
        ("integrations:connect_demo", {}),
        ("integrations:connect_telegram", {}),
        ("integrations:oauth_start", {"provider": "vk"}),
    ],
)
def test_every_connect_page_of_another_org_is_404(owner_web, other_org, name, kwargs):
    from integrations.models import OAuthState, SocialAccount

    url = reverse(name, kwargs={"org_slug": other_org.slug, **kwargs})
    assert owner_web.post(url, {"vk-platform": "vk", "vk-external_id": "1"}).status_code == 404
    assert not SocialAccount.objects.exists()
    assert not OAuthState.objects.exists()


def test_oauth_callback_with_another_orgs_state_is_404(owner_web, other_org, make_member):
    """The site-wide callback finds the organization from the state, then checks membership."""
    from integrations.models import OAuthState, SocialAccount

    stranger = make_member(other_org).user
    OAuthStateFactory(
        organization=other_org, state="their-state", payload={"provider": "vk", "external_id": "1"}, user=stranger
    )
    callback = reverse("oauth_callback", kwargs={"provider": "vk"})
    assert owner_web.get(callback, {"state": "their-state", "code": "y"}).status_code == 404
    assert not SocialAccount.objects.exists()
    assert OAuthState.objects.get(state="their-state").used_at is None
    unknown = owner_web.get(callback, {"state": "never-issued", "code": "y"})
    assert unknown.status_code == 302
    assert unknown["Location"] == "/"
