"""Waiting for the customer: set by a person (one item or many, page and API), cleared by the
customer's next message in the thread that the sync brings in."""

import datetime as dt

import pytest
from django.utils import timezone

from analytics.rollup_hooks import is_refresh
from core.errors import Conflict, DomainError
from integrations.connectors.base import RemoteComment
from integrations.connectors.demo import DemoConnector
from integrations.steps import SyncWindow
from moderation import services, sla, tone, workflow
from moderation.models import ActionKind, InboxAction, InboxItem, InboxStatus, ToneSource
from tenancy.roles import Role
from tests.conftest import access_of
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory

pytestmark = pytest.mark.django_db


class ScriptedComments(DemoConnector):
    """The demo connector listing exactly the comments a test gives it."""

    def __init__(self, comments, **kwargs):
        super().__init__(**kwargs)
        self.comments = comments

    def fetch_comments(self, since):
        return list(self.comments)


def comment(external_id, created_at, *, parent="", from_account=False, text="Номер заказа 1234"):
    return RemoteComment(
        external_id=external_id,
        post_external_id="p1",
        parent_external_id=parent or None,
        author_name="Ольга",
        author_external_id="u1",
        text=text,
        created_at=created_at,
        is_from_account=from_account,
    )


def sync(account, comments):
    window = SyncWindow.trailing(days=1, posts_days=2)
    services.comments_sync(account=account, connector=ScriptedComments(comments), window=window)


def test_wait_sets_the_status_logs_it_and_stops_the_service_level_clock(owner_access, org):
    old = timezone.now() - dt.timedelta(hours=5)
    item = InboxItemFactory(organization=org, created_at=old)
    assert sla.waiting_too_long(InboxItem.objects.for_organization(org), org).filter(pk=item.pk).exists()
    row = workflow.item_wait(access=owner_access, item=item)
    assert (row.status, row.waiting_since is not None) == (InboxStatus.WAITING, True)
    assert InboxAction.objects.for_organization(org).filter(item=item, kind=ActionKind.WAIT).count() == 1
    assert not sla.waiting_too_long(InboxItem.objects.for_organization(org), org).filter(pk=item.pk).exists()
    since = row.waiting_since
    assert workflow.item_wait(access=owner_access, item=item).waiting_since == since  # idempotent
    assert InboxAction.objects.for_organization(org).filter(item=item, kind=ActionKind.WAIT).count() == 1


def test_wait_refuses_resolved_items_and_the_accounts_own_messages(owner_access, org, client_user):
    resolved = InboxItemFactory(organization=org, status=InboxStatus.RESOLVED)
    with pytest.raises(Conflict):
        workflow.item_wait(access=owner_access, item=resolved)
    ours = InboxItemFactory(organization=org, is_from_account=True)
    with pytest.raises(DomainError):
        workflow.item_wait(access=owner_access, item=ours)
    with pytest.raises(DomainError):  # a client reads only
        workflow.item_wait(access=access_of(org, client_user, Role.CLIENT), item=InboxItemFactory(organization=org))


def test_the_customers_next_message_in_the_thread_returns_the_item(owner_access, org, marketer):
    account = SocialAccountFactory(organization=org, platform="demo")
    t0 = timezone.now() - dt.timedelta(hours=3)
    sync(account, [comment("c1", t0), comment("c2", t0, text="Где заказ?")])
    asked, other = (
        InboxItem.objects.for_organization(org).get(external_id="c1"),
        InboxItem.objects.get(external_id="c2"),
    )
    workflow.item_assign(access=owner_access, item=asked, assignee=marketer.pk)
    workflow.item_wait(access=owner_access, item=asked)
    workflow.item_wait(access=owner_access, item=other)

    # A re-sync of the old messages and our own answer change nothing.
    later = timezone.now() + dt.timedelta(minutes=1)
    sync(account, [comment("c1", t0), comment("ours", later, parent="c1", from_account=True)])
    assert InboxItem.objects.get(pk=asked.pk).status == InboxStatus.WAITING

    # The customer answers under c1: c1 is back with its assignee; c2 still waits.
    sync(account, [comment("c3", later, parent="c1", text="Заказ 1234")])
    asked.refresh_from_db()
    other.refresh_from_db()
    assert (asked.status, asked.waiting_since) == (InboxStatus.ASSIGNED, None)
    assert other.status == InboxStatus.WAITING

    # A reply next to a waiting reply (same parent) also counts; unassigned goes back to "new".
    sync(account, [comment("r1", t0, parent="c2")])
    waiting_reply = InboxItem.objects.get(external_id="r1")
    workflow.item_wait(access=owner_access, item=waiting_reply)
    sync(account, [comment("r2", later + dt.timedelta(minutes=1), parent="c2")])
    waiting_reply.refresh_from_db()
    other.refresh_from_db()
    assert waiting_reply.status == InboxStatus.NEW
    assert other.status == InboxStatus.NEW


def test_bulk_wait_page_and_api(owner_web, owner_client, org, other_org):
    a, b = InboxItemFactory(organization=org), InboxItemFactory(organization=org)
    done = InboxItemFactory(organization=org, status=InboxStatus.RESOLVED)
    foreign = InboxItemFactory(organization=other_org)
    owner_web.post(f"/o/{org.slug}/moderation/bulk/", {"items": [a.pk, done.pk, foreign.pk], "action": "wait"})
    assert InboxItem.objects.get(pk=a.pk).status == InboxStatus.WAITING
    assert InboxItem.objects.get(pk=done.pk).status == InboxStatus.RESOLVED
    assert InboxItem.objects.get(pk=foreign.pk).status == InboxStatus.NEW

    url = f"/api/v1/orgs/{org.slug}/inbox/items/"
    r = owner_client.post(f"{url}bulk/", {"ids": [b.pk, done.pk, foreign.pk], "action": "wait"}, format="json")
    assert r.json() == {"updated": 1}
    assert InboxItem.objects.get(pk=b.pk).status == InboxStatus.WAITING
    assert owner_client.post(f"{url}bulk/", {"ids": [b.pk], "action": "delete"}, format="json").status_code == 400
    assert owner_client.post(f"{url}bulk/", {"ids": [b.pk], "action": "tag"}, format="json").status_code == 400
    bad_tag = owner_client.post(f"{url}bulk/", {"ids": [b.pk], "action": "tag", "tag": "nope"}, format="json")
    assert bad_tag.status_code == 400
    assert owner_client.post(f"{url}bulk/", {"ids": [], "action": "wait"}, format="json").status_code == 400

    c = InboxItemFactory(organization=org)
    r = owner_client.post(f"{url}{c.pk}/wait/", format="json")
    assert (r.status_code, r.json()["status"]) == (200, "waiting")
    assert owner_client.post(f"{url}{foreign.pk}/wait/", format="json").status_code == 404
    assert owner_client.post(f"{url}{done.pk}/wait/", format="json").status_code == 409


def test_wait_button_on_the_item_page(owner_web, org, other_org):
    item = InboxItemFactory(organization=org)
    page = owner_web.get(f"/o/{org.slug}/moderation/items/{item.pk}/").content.decode()
    assert 'id="wait-form"' in page
    owner_web.post(f"/o/{org.slug}/moderation/items/{item.pk}/wait/")
    assert InboxItem.objects.get(pk=item.pk).status == InboxStatus.WAITING
    assert 'id="wait-form"' not in owner_web.get(f"/o/{org.slug}/moderation/items/{item.pk}/").content.decode()
    foreign = InboxItemFactory(organization=other_org)
    assert owner_web.post(f"/o/{org.slug}/moderation/items/{foreign.pk}/wait/").status_code == 404


def test_comments_get_their_tone_right_after_the_sync(org, django_capture_on_commit_callbacks):
    account = SocialAccountFactory(organization=org, platform="demo")
    tone.use_backend(tone.LexiconBackend())
    try:
        with django_capture_on_commit_callbacks(execute=True) as callbacks:
            sync(account, [comment("c1", timezone.now(), text="Спасибо, очень вкусно!")])
    finally:
        tone.use_backend(None)
    assert len([c for c in callbacks if not is_refresh(c)]) == 1
    row = InboxItem.objects.for_organization(org).get(external_id="c1")
    assert (row.sentiment, row.tone_source, row.tone_model_version) == ("positive", ToneSource.MODEL, "lexicon-1")
