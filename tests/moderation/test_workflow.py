"""The team's work on items: assignment, tags, escalation, hiding, resolution, testimonials."""

import datetime as dt

import pytest
from django.utils import timezone

from content.models import Notification, Post
from core.errors import Conflict, DomainError, NotFound
from integrations.connectors.demo import DemoConnector
from moderation import saved_replies, workflow
from moderation.models import ActionKind, InboxAction, InboxStatus, ReplyServiceLevel
from tests.integrations.factories import SocialAccountFactory
from tests.moderation.factories import InboxItemFactory
from tests.strategy.factories import StrategyFactory

pytestmark = pytest.mark.django_db


def test_assign_only_to_a_member_and_tag(owner_access, org, other_org, marketer, make_member):
    item = InboxItemFactory(organization=org)
    row = workflow.item_assign(access=owner_access, item=item, assignee=marketer.pk)
    assert (row.assignee_id, row.status) == (marketer.pk, InboxStatus.ASSIGNED)
    stranger = make_member(other_org, "analyst").user
    with pytest.raises(DomainError):
        workflow.item_assign(access=owner_access, item=item, assignee=stranger.pk)
    row = workflow.item_tag(access=owner_access, item=item, tags=["praise", "question"])
    assert row.tags == ["question", "praise"]
    assert workflow.item_tag(access=owner_access, item=item, tags=["order"], add=True).tags == [
        "question",
        "order",
        "praise",
    ]
    with pytest.raises(DomainError):
        workflow.item_tag(access=owner_access, item=item, tags=["nonsense"])


def test_another_organizations_item_is_not_found(owner_access, other_org):
    foreign = InboxItemFactory(organization=other_org)
    with pytest.raises(NotFound):
        workflow.item_resolve(access=owner_access, item=foreign.pk)


def test_escalation_needs_a_reason_and_notifies_owners_and_admins(marketer_access, org, owner, make_member):
    admin = make_member(org, "admin").user
    item = InboxItemFactory(organization=org, author_name="Иван", text="Ужасный сервис")
    with pytest.raises(DomainError):
        workflow.item_escalate(access=marketer_access, item=item, reason=" ")
    row = workflow.item_escalate(access=marketer_access, item=item, reason="Угрожает отзывом")
    assert row.status == InboxStatus.ESCALATED
    notified = Notification.objects.for_organization(org).filter(kind="inbox_escalated")
    assert sorted(n.user_id for n in notified) == sorted([owner.pk, admin.pk])
    action = InboxAction.objects.for_organization(org).get(item=item)
    assert (action.kind, action.reason) == (ActionKind.ESCALATE, "Угрожает отзывом")


def test_hiding_only_where_supported_with_a_reason_logged_never_deleting(owner_access, org, monkeypatch):
    hidden, deleted = [], []
    monkeypatch.setattr(DemoConnector, "hide_comment", lambda self, cid, **kw: hidden.append(cid))
    monkeypatch.setattr(DemoConnector, "delete_comment", lambda self, cid, **kw: deleted.append(cid))
    item = InboxItemFactory(organization=org)
    with pytest.raises(DomainError):
        workflow.item_hide(access=owner_access, item=item, reason="")
    row = workflow.item_hide(access=owner_access, item=item, reason="Спам со ссылкой")
    assert row.is_hidden
    assert hidden == [item.external_id]
    assert deleted == []
    assert InboxAction.objects.for_organization(org).get(item=item, kind=ActionKind.HIDE).reason == "Спам со ссылкой"

    vk_item = InboxItemFactory(organization=org, account=SocialAccountFactory(organization=org, platform="vk"))
    with pytest.raises(Conflict):
        workflow.item_hide(access=owner_access, item=vk_item, reason="Спам")
    assert not InboxAction.objects.for_organization(org).filter(item=vk_item).exists()


def test_resolution_is_recorded_with_business_hours(owner_access, org):
    ReplyServiceLevel.objects.create(organization=org, business_hours=True)
    item = InboxItemFactory(organization=org, created_at=timezone.now() - dt.timedelta(days=1))
    row = workflow.item_resolve(access=owner_access, item=item, resolution="Вернули деньги")
    assert (row.status, row.resolution) == (InboxStatus.RESOLVED, "Вернули деньги")
    assert row.resolution_seconds is not None
    assert row.resolution_seconds <= 9 * 3600  # at most one working day counted
    assert InboxAction.objects.for_organization(org).filter(item=item, kind=ActionKind.RESOLVE).count() == 1


def test_testimonial_creates_a_loyalty_draft_quoting_with_attribution(owner_access, org):
    item = InboxItemFactory(organization=org, author_name="Мария", text="Лучший кофе в городе!")
    post = workflow.item_mark_testimonial(access=owner_access, item=item)
    post = Post.objects.for_organization(org).get(pk=post.pk)
    assert (post.status, post.objective) == (Post.Status.DRAFT, "loyalty")
    assert "«Лучший кофе в городе!»" in post.text
    assert "— Мария" in post.text
    own = InboxItemFactory(organization=org, is_from_account=True, text="Спасибо")
    with pytest.raises(DomainError):
        workflow.item_mark_testimonial(access=owner_access, item=own)


def test_saved_replies_follow_the_brand_voice_and_fill_variables(owner_access, org):
    StrategyFactory(organization=org, words_to_avoid="дешёвый, скидос")
    with pytest.raises(DomainError):
        saved_replies.saved_reply_create(access=owner_access, title="Акция", text="Лови скидос!")
    saved = saved_replies.saved_reply_create(access=owner_access, title="Спасибо", text="{author}, спасибо от {brand}!")
    item = InboxItemFactory(organization=org, author_name="Олег")
    assert saved_replies.saved_reply_render(access=owner_access, saved=saved, item=item) == (
        f"Олег, спасибо от {org.name}!"
    )
    assert [s.pk for s in saved_replies.saved_reply_search(access=owner_access, query="СПАСИБО")] == [saved.pk]
    assert saved_replies.saved_reply_search(access=owner_access, query="нет такого") == []
