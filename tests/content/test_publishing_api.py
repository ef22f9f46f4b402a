"""The publishing API: publications with their attempts, schedule to chosen accounts, retry,
reschedule; another organization's ids answer 404."""

import datetime as dt

import pytest
from django.utils import timezone

from content import publishing
from content.models import Post, Publication
from integrations.connectors.base import PermissionDenied
from integrations.models import Platform
from tests.integrations.factories import SocialAccountFactory

from .publishing_support import FakePlatform, due_post, strategy_this_year

pytestmark = pytest.mark.django_db


def base(org):
    return f"/api/v1/orgs/{org.slug}"


def test_schedule_to_chosen_accounts_then_list_publications(owner_client, org, vk_account):
    _strategy, goal, pillar = strategy_this_year(org)
    created = owner_client.post(
        f"{base(org)}/posts/",
        {
            "title": "Пост",
            "text": "Текст",
            "platform": "vk",
            "objective": "engagement",
            "goal": goal.pk,
            "pillar": pillar.pk,
        },
        format="json",
    )
    assert created.status_code == 201, created.json()
    when = (timezone.now() + dt.timedelta(days=1)).isoformat()
    response = owner_client.post(
        f"{base(org)}/posts/{created.json()['id']}/schedule/",
        {"scheduled_at": when, "accounts": [vk_account.pk]},
        format="json",
    )
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == Post.Status.SCHEDULED
    listed = owner_client.get(f"{base(org)}/publications/").json()
    [row] = listed["results"] if isinstance(listed, dict) else listed
    assert (row["account"], row["platform"], row["status"], row["attempts_made"]) == (
        vk_account.pk,
        "vk",
        "scheduled",
        [],
    )


def test_schedule_without_a_connected_account_is_400(owner_client, org, vk_account):
    _strategy, goal, pillar = strategy_this_year(org)
    post = owner_client.post(
        f"{base(org)}/posts/",
        {
            "title": "Пост",
            "text": "Т",
            "platform": "facebook",
            "objective": "engagement",
            "goal": goal.pk,
            "pillar": pillar.pk,
        },
        format="json",
    ).json()
    response = owner_client.post(
        f"{base(org)}/posts/{post['id']}/schedule/",
        {"scheduled_at": (timezone.now() + dt.timedelta(days=1)).isoformat()},
        format="json",
    )
    assert response.status_code == 400
    assert "accounts" in response.json()["error"]["fields"]


def test_a_failed_publication_shows_its_reason_and_can_be_retried(owner_client, org, vk_account):
    post = due_post(org)
    [(pk, token)] = publishing.claim_due()
    publishing.publish_one(
        pk, token, connector_factory=FakePlatform(outcomes=[PermissionDenied("vk", 15, "x")]).factory()
    )
    row = owner_client.get(f"{base(org)}/publications/{pk}/").json()
    assert row["status"] == "failed"
    assert row["error_kind"] == "permanent"
    assert row["error_message"]
    assert [a["result"] for a in row["attempts_made"]] == ["permanent"]
    assert owner_client.get(f"{base(org)}/publications/?status=failed").json()
    retried = owner_client.post(f"{base(org)}/publications/{pk}/retry/")
    assert retried.status_code == 200
    assert retried.json()["status"] == "scheduled"
    assert owner_client.post(f"{base(org)}/publications/{pk}/retry/").status_code == 409
    when = (timezone.now() + dt.timedelta(days=2)).isoformat()
    moved = owner_client.post(f"{base(org)}/publications/{pk}/reschedule/", {"scheduled_at": when}, format="json")
    assert moved.status_code == 200
    assert Publication.objects.get(pk=pk).post_id == post.pk


def test_another_organizations_publication_is_404(owner_client, org, other_org, vk_account):
    theirs = SocialAccountFactory(organization=other_org, platform=Platform.VK)
    post = due_post(other_org, accounts=[theirs])
    pk = post.publications.get().pk
    for method, path in [
        ("get", f"{base(org)}/publications/{pk}/"),
        ("post", f"{base(org)}/publications/{pk}/retry/"),
        ("post", f"{base(org)}/publications/{pk}/reschedule/"),
        ("post", f"{base(other_org)}/publications/{pk}/retry/"),
    ]:
        assert getattr(owner_client, method)(path, {}, format="json").status_code == 404
    listed = owner_client.get(f"{base(org)}/publications/").json()
    assert (listed["results"] if isinstance(listed, dict) else listed) == []
