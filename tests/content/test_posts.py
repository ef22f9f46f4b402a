"""Posts: call to action rules, per-platform limits, media, the tracked short link, the review flow
and its permissions, and what the publisher sends."""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from content import publishing, review, rules, services
from content.models import Post, PostEvent
from core.errors import Conflict, DomainError, PermissionDenied
from integrations.connectors.base import PublishResult
from links.models import TrackedLink
from strategy.models import ContentPillar, Goal
from tenancy.roles import Role
from tests.conftest import access_of

from .publishing_support import make_due, strategy_this_year

pytestmark = pytest.mark.django_db
CTA = {"cta_type": "sign_up", "cta_url": "https://zerno.example/office"}


def complete(access, **fields):
    goal = Goal.objects.filter(organization=access.organization).first()
    pillar = ContentPillar.objects.filter(organization=access.organization).first()
    if goal is None:
        _strategy, goal, pillar = strategy_this_year(access.organization)
    data = {"title": "Кофе в офис", "text": "Привезём кофе к 9:00", "platform": "vk", "objective": "lead_generation"}
    return services.post_create(access=access, goal=goal, pillar=pillar, **(data | CTA | fields))


def later(hours=2):
    return timezone.now() + dt.timedelta(hours=hours)


# --- call to action -------------------------------------------------------------------------------


@pytest.mark.parametrize("objective", ["lead_generation", "sales"])
def test_lead_and_sales_posts_need_a_call_to_action_to_leave_the_draft(marketer_access, objective):
    post = complete(marketer_access, objective=objective, cta_type="", cta_url="")
    assert post.status == Post.Status.DRAFT  # a draft may lack it
    with pytest.raises(DomainError) as exc:
        review.post_submit(access=marketer_access, post=post)
    assert "cta_url" in exc.value.fields


def test_engagement_post_needs_no_call_to_action(marketer_access):
    post = complete(marketer_access, objective="engagement", cta_type="", cta_url="")
    assert review.post_submit(access=marketer_access, post=post).status == Post.Status.IN_REVIEW


def test_a_call_to_action_is_a_type_and_a_link_together(marketer_access):
    with pytest.raises(DomainError) as exc:
        complete(marketer_access, cta_type="buy", cta_url="")
    assert "cta_url" in exc.value.fields


def test_every_call_to_action_gets_a_tracked_short_link_with_utm(marketer_access, settings):
    settings.SITE_URL = "https://smm.example"
    post = complete(marketer_access)
    link = TrackedLink.objects.get(organization=post.organization, post=post)
    assert post.cta_short_url == f"https://smm.example/l/{link.code}"
    assert link.target_url == CTA["cta_url"]
    assert (link.utm_source, link.utm_medium, link.utm_content) == ("vk", "social", link.code)
    assert "utm_source=vk" in link.tagged_url
    # A new address gets its own link; the copy of a post gets its own link too.
    services.post_update(access=marketer_access, post=post, cta_url="https://zerno.example/menu")
    post.refresh_from_db()
    assert post.cta_short_url.endswith(TrackedLink.objects.get(post=post, target_url="https://zerno.example/menu").code)
    copy = review.post_duplicate(access=marketer_access, post=post)
    assert copy.cta_short_url
    assert copy.cta_short_url != post.cta_short_url


def test_contest_needs_rules(marketer_access):
    post = complete(marketer_access, objective="engagement", format="contest")
    with pytest.raises(DomainError) as exc:
        review.post_submit(access=marketer_access, post=post)
    assert "contest_rules" in exc.value.fields
    services.post_update(access=marketer_access, post=post, contest_rules="Репост до 1 декабря, 3 приза")
    assert review.post_submit(access=marketer_access, post=post).status == Post.Status.IN_REVIEW


# --- per-platform limits ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("platform", "limit"),
    [("telegram", 4096), ("vk", 16384), ("instagram", 2200), ("facebook", 63206)],
)
def test_text_limit_per_platform(marketer_access, platform, limit):
    fields = {"objective": "engagement", "cta_type": "", "cta_url": ""}
    post = Post(organization=marketer_access.organization, platform=platform, title="t", **fields)
    post.text = "а" * limit
    assert f"texts.{platform}" not in rules.text_errors(post, has_media=platform == "instagram")
    post.text += "а"
    assert f"texts.{platform}" in rules.text_errors(post, has_media=platform == "instagram")


def test_telegram_caption_is_shorter_than_a_message(marketer_access):
    post = Post(organization=marketer_access.organization, platform="telegram", title="t", text="я" * 1025)
    assert rules.text_errors(post, has_media=False) == {}
    assert "texts.telegram" in rules.text_errors(post, has_media=True)


def test_the_short_link_counts_against_the_limit(marketer_access):
    post = Post(organization=marketer_access.organization, platform="telegram", title="t", text="я" * 1020)
    post.cta_short_url = "https://smm.example/l/AbCdEfG"
    assert "texts.telegram" in rules.text_errors(post, has_media=True)


def test_instagram_allows_30_hashtags(marketer_access):
    post = Post(organization=marketer_access.organization, platform="instagram", title="t")
    post.text = " ".join(f"#tag{i}" for i in range(30))
    assert rules.text_errors(post, has_media=True) == {}
    post.text += " #one_more"
    assert rules.text_errors(post, has_media=True)["texts.instagram"] == ["Instagram allows 30 hashtags."]


def test_text_per_platform_is_checked_against_that_platform(marketer_access):
    with pytest.raises(DomainError) as exc:
        complete(marketer_access, texts={"telegram": "ок", "instagram": "x" * 2201})
    assert "texts.instagram" in exc.value.fields
    post = complete(marketer_access, texts={"telegram": "Коротко для канала"})
    assert rules.post_platforms(post) == ["vk", "telegram"]
    assert rules.text_for(post, "telegram") == "Коротко для канала"
    assert rules.text_for(post, "vk") == "Привезём кофе к 9:00"


# --- media -----------------------------------------------------------------------------------------


def upload(name="photo.jpg", size=1000):
    return SimpleUploadedFile(name, b"x" * size, content_type="image/jpeg")


def test_media_is_stored_and_checked_per_platform(marketer_access, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = complete(marketer_access)
    item = review.post_media_add(access=marketer_access, post=post, file=upload())
    assert item.kind == "photo"
    assert item.size == 1000
    assert (tmp_path / item.file.name).exists()
    with pytest.raises(DomainError) as exc:
        review.post_media_add(access=marketer_access, post=post, file=upload("doc.pdf"))
    assert "file" in exc.value.fields


def test_media_size_kind_and_count_limits():
    photo = rules.MediaInfo("a.jpg", "photo", 9 * rules.MB)
    assert rules.media_errors(["vk"], [photo]) == []
    assert rules.media_errors(["instagram"], [photo])  # 8 MB for Instagram
    assert rules.media_errors(["instagram"], [rules.MediaInfo("a.png", "photo", 100)])  # JPEG only
    assert rules.media_errors(["telegram"], [rules.MediaInfo("v.mp4", "video", 51 * rules.MB)])
    eleven = [rules.MediaInfo(f"{i}.jpg", "photo", 100) for i in range(11)]
    assert rules.media_errors(["facebook"], eleven) == ["Facebook allows up to 10 files."]


def test_instagram_needs_a_photo_or_video(marketer_access):
    post = complete(marketer_access, platform="instagram")
    assert "media" in rules.content_errors(post, [])


# --- review flow and permissions -------------------------------------------------------------------


def test_review_flow_with_history(org, marketer_access, owner_access):
    org.posts_require_approval = True
    org.save()
    post = complete(marketer_access)
    with pytest.raises(Conflict):
        services.post_schedule(access=marketer_access, post=post, scheduled_at=later())
    review.post_submit(access=marketer_access, post=post, comment="Посмотрите, пожалуйста")
    review.post_request_changes(access=owner_access, post=post, comment="Короче текст")
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    review.post_submit(access=marketer_access, post=post)
    post = review.post_approve(access=owner_access, post=post, comment="Ок")
    assert (post.status, post.reviewer) == (Post.Status.APPROVED, owner_access.user)
    services.post_schedule(access=marketer_access, post=post, scheduled_at=later())
    actions = list(PostEvent.objects.filter(post=post).values_list("action", "comment"))
    assert actions == [
        ("created", ""),
        ("submitted", "Посмотрите, пожалуйста"),
        ("changes_requested", "Короче текст"),
        ("submitted", ""),
        ("approved", "Ок"),
        ("scheduled", ""),
    ]


def test_editing_an_approved_post_needs_approval_again(org, marketer_access, owner_access):
    org.posts_require_approval = True
    org.save()
    post = complete(marketer_access)
    review.post_submit(access=marketer_access, post=post)
    review.post_approve(access=owner_access, post=post)
    post = services.post_update(access=marketer_access, post=post, text="Другой текст")
    assert post.status == Post.Status.DRAFT


@pytest.mark.parametrize(("role", "allowed"), [("owner", True), ("admin", True), ("client", True), ("marketer", False)])
def test_who_may_approve(org, marketer_access, make_member, role, allowed):
    post = complete(marketer_access)
    review.post_submit(access=marketer_access, post=post)
    member = make_member(org, role)
    access = access_of(org, member.user, role)
    if allowed:
        assert review.post_approve(access=access, post=post).status == Post.Status.APPROVED
    else:
        with pytest.raises(PermissionDenied):
            review.post_approve(access=access, post=post)


def test_a_client_comments_but_does_not_edit(org, marketer_access, make_member):
    post = complete(marketer_access)
    client = access_of(org, make_member(org, Role.CLIENT).user, Role.CLIENT)
    assert review.post_comment(access=client, post=post, comment="Нравится").action == "commented"
    with pytest.raises(PermissionDenied):
        services.post_update(access=client, post=post, text="x")


def test_another_organizations_post_is_not_found(marketer_access, other_org, make_member):
    post = complete(marketer_access)
    stranger = access_of(other_org, make_member(other_org, Role.OWNER).user, Role.OWNER)
    for call in (review.post_submit, review.post_approve, review.post_duplicate):
        with pytest.raises(DomainError) as exc:
            call(access=stranger, post=post.pk)
        assert exc.value.status_code == 404


def test_move_a_scheduled_post_moves_its_publications(marketer_access):
    post = complete(marketer_access)
    services.post_schedule(access=marketer_access, post=post, scheduled_at=later(2))
    when = later(5)
    post = review.post_move(access=marketer_access, post=post, scheduled_at=when)
    assert post.scheduled_at == when
    assert {p.scheduled_at for p in post.publications.all()} == {when}


def test_delete_refuses_a_published_post(marketer_access):
    post = complete(marketer_access)
    Post.objects.filter(pk=post.pk).update(status=Post.Status.PUBLISHED)
    with pytest.raises(Conflict):
        services.post_delete(access=marketer_access, post=post)


# --- what the publisher sends ----------------------------------------------------------------------


class Recorder:
    def __init__(self):
        self.calls = []

    def factory(self):
        return lambda account, **_: self

    def publish(self, text, *, media_urls=(), link=None, idempotency_key=None):
        self.calls.append((text, list(media_urls), link))
        return PublishResult(external_id="777", permalink="https://vk.com/wall-1_777")

    def close(self):
        pass


def test_publisher_sends_the_platform_text_the_short_link_and_the_media(marketer_access, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    settings.SITE_URL = "https://smm.example"
    post = complete(marketer_access, texts={"vk": "Текст для ВК"})
    review.post_media_add(access=marketer_access, post=post, file=upload())
    services.post_schedule(access=marketer_access, post=post, scheduled_at=later())
    make_due(post)
    recorder = Recorder()
    [(pk, token)] = publishing.claim_due()
    assert publishing.publish_one(pk, token, connector_factory=recorder.factory()) == "published"
    post.refresh_from_db()
    [(text, media, link)] = recorder.calls
    assert text == "Текст для ВК"
    assert link == post.cta_short_url
    assert "/l/" in link
    assert len(media) == 1
    assert media[0].startswith("https://smm.example/")
