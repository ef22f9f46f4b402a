"""The notifications page (a failed publication tells its author why, with retry and reschedule),
media removal (service, API, page), the account picker of the schedule form and the best time
shown on it."""

import datetime as dt
import random
from decimal import ROUND_HALF_UP, Decimal

import pandas as pd
import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from analytics.best_time import MIN_GROUP, MIN_SAMPLE
from content import publishing, review, services
from content.models import ErrorKind, Notification, Post, PostMedia, Publication
from core.errors import DomainError, NotFound
from integrations.connectors.base import PermissionDenied
from integrations.models import AccountStatus, Platform
from tenancy.roles import Role
from tests.analytics.factories import PostMetricDailyFactory, SocialPostFactory
from tests.conftest import access_of
from tests.integrations.factories import SocialAccountFactory

from .publishing_support import FakePlatform, due_post
from .test_posts import complete

pytestmark = pytest.mark.django_db


def _failed_publication(org, author_access):
    """A due post published through a platform that refuses: failed, with its reason, author told."""
    post = due_post(org, access=author_access)
    [(pk, token)] = publishing.claim_due()
    refusing = FakePlatform(outcomes=[PermissionDenied("vk", 15, "Access denied", user_message="no right to post")])
    assert publishing.publish_one(pk, token, connector_factory=refusing.factory()) == "failed"
    return Publication.objects.get(pk=pk), post


def _web(client, user):
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    return client


def _notes(org, user, n, **kwargs):
    Notification.objects.bulk_create(
        Notification(organization=org, user=user, kind="publication_failed", title=f"Не опубликовано {i}", **kwargs)
        for i in range(n)
    )


# --- notifications ----------------------------------------------------------------------------------


def test_a_failed_publication_is_on_its_authors_notifications_page_with_reason_and_actions(
    client, org, marketer, marketer_access
):
    pub, post = _failed_publication(org, marketer_access)
    assert (pub.status, pub.error_kind) == (Publication.Status.FAILED, ErrorKind.PERMANENT)
    web = _web(client, marketer)
    html = web.get(f"/o/{org.slug}/content/notifications/").content.decode()
    assert pub.error_message
    assert pub.error_message.split(":")[0] in html
    assert f'href="/o/{org.slug}/content/posts/{post.pk}/"' in html
    assert f'data-retry="{pub.pk}"' in html
    assert f"/content/publications/{pub.pk}/reschedule/" in html
    assert 'id="unread-count"' in html  # the navigation loads its count
    assert 'data-unread="1"' in web.get(f"/o/{org.slug}/content/notifications/unread/").content.decode()

    # Reschedule from the page: the publication is scheduled again at the new time.
    when = timezone.localtime(timezone.now() + dt.timedelta(days=1), org.tzinfo).replace(second=0, microsecond=0)
    done = web.post(
        f"/o/{org.slug}/content/publications/{pub.pk}/reschedule/",
        {"scheduled_at": when.strftime("%Y-%m-%dT%H:%M"), "return_to": "notifications"},
    )
    assert done.status_code == 302
    assert done["Location"].endswith("/content/notifications/")
    pub.refresh_from_db()
    assert (pub.status, pub.scheduled_at) == (Publication.Status.SCHEDULED, when)


def test_retry_from_the_notifications_page_queues_the_failed_publication_now(client, org, marketer, marketer_access):
    pub, post = _failed_publication(org, marketer_access)
    web = _web(client, marketer)
    done = web.post(f"/o/{org.slug}/content/publications/{pub.pk}/retry/", {"return_to": "post"})
    assert done["Location"].endswith(f"/content/posts/{post.pk}/")
    pub.refresh_from_db()
    assert pub.status == Publication.Status.SCHEDULED
    assert pub.next_attempt_at <= timezone.now()
    assert pub.error_message == ""
    # Retrying what is not failed is refused with a message, not a 500.
    again = web.post(f"/o/{org.slug}/content/publications/{pub.pk}/retry/", follow=True)
    assert again.status_code == 200
    assert "Only a failed publication can be retried." in again.content.decode()


def test_mark_read_and_mark_all_read(client, org, marketer, make_member):
    _notes(org, marketer, 3)
    colleague = make_member(org, Role.MARKETER).user
    _notes(org, colleague, 2)
    web = _web(client, marketer)
    assert 'data-unread="3"' in web.get(f"/o/{org.slug}/content/notifications/unread/").content.decode()
    first = Notification.objects.filter(user=marketer).first()
    web.post(f"/o/{org.slug}/content/notifications/{first.pk}/read/")
    first.refresh_from_db()
    assert first.read_at is not None
    assert 'data-unread="2"' in web.get(f"/o/{org.slug}/content/notifications/").content.decode()
    web.post(f"/o/{org.slug}/content/notifications/read-all/")
    assert not Notification.objects.filter(user=marketer, read_at__isnull=True).exists()
    # The colleague's stay unread: each member reads their own.
    assert Notification.objects.filter(user=colleague, read_at__isnull=True).count() == 2
    assert 'data-unread="0"' in web.get(f"/o/{org.slug}/content/notifications/unread/").content.decode()


def test_another_members_or_organizations_notification_is_404(client, org, other_org, marketer, make_member):
    colleague = make_member(org, Role.MARKETER).user
    _notes(org, colleague, 1)
    theirs = Notification.objects.get(user=colleague)
    web = _web(client, marketer)
    assert web.post(f"/o/{org.slug}/content/notifications/{theirs.pk}/read/").status_code == 404
    html = web.get(f"/o/{org.slug}/content/notifications/").content.decode()
    assert theirs.title not in html
    stranger = make_member(other_org, Role.OWNER).user
    other = _web(client, stranger)
    assert other.post(f"/o/{other_org.slug}/content/notifications/{theirs.pk}/read/").status_code == 404
    with pytest.raises(NotFound):
        services.notification_mark_read(access=access_of(org, marketer, Role.MARKETER), notification=theirs.pk)
    theirs.refresh_from_db()
    assert theirs.read_at is None


def test_empty_state_and_pagination(client, org, marketer):
    web = _web(client, marketer)
    empty = web.get(f"/o/{org.slug}/content/notifications/").content.decode()
    assert 'class="empty"' in empty
    _notes(org, marketer, 25)
    first = web.get(f"/o/{org.slug}/content/notifications/").content.decode()
    assert first.count("data-notification=") == 20
    second = web.get(f"/o/{org.slug}/content/notifications/?page=2").content.decode()
    assert second.count("data-notification=") == 5
    assert web.get(f"/o/{org.slug}/content/notifications/?page=9").status_code == 404


def test_notifications_page_keeps_a_constant_query_count(
    client, org, marketer, marketer_access, django_assert_max_num_queries
):
    pub, _post = _failed_publication(org, marketer_access)
    web = _web(client, marketer)
    web.get(f"/o/{org.slug}/content/notifications/")  # warm the session and caches
    with django_assert_max_num_queries(12) as few:
        web.get(f"/o/{org.slug}/content/notifications/")
    _notes(org, marketer, 18, publication=pub)
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = web.get(f"/o/{org.slug}/content/notifications/")
    assert page.content.decode().count("data-notification=") == 19


# --- media removal ----------------------------------------------------------------------------------


def _upload(access, post, name="cup.jpg", size=100):
    return review.post_media_add(access=access, post=post, file=SimpleUploadedFile(name, b"x" * size))


def test_removing_media_deletes_the_file_unless_a_duplicate_uses_it(
    owner_access, settings, tmp_path, django_capture_on_commit_callbacks
):
    settings.MEDIA_ROOT = tmp_path
    post = complete(owner_access)
    with django_capture_on_commit_callbacks(execute=True):
        item = _upload(owner_access, post)
    name = item.file.name
    assert default_storage.exists(name)
    copy = review.post_duplicate(access=owner_access, post=post)
    with django_capture_on_commit_callbacks(execute=True):
        review.post_media_remove(access=owner_access, post=post, media=item.pk)
    assert not PostMedia.objects.filter(pk=item.pk).exists()
    assert default_storage.exists(name)  # the copy still shows it
    with django_capture_on_commit_callbacks(execute=True):
        review.post_media_remove(access=owner_access, post=copy, media=copy.media.get().pk)
    assert not default_storage.exists(name)
    assert [e.action for e in post.events.all()][-1] == "edited"


def test_media_removal_reruns_the_rules_and_is_refused_once_scheduled(owner_access, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = complete(owner_access, platform="instagram", objective="engagement", cta_type="", cta_url="")
    photo = _upload(owner_access, post)
    review.post_submit(access=owner_access, post=post)
    # In review, Instagram needs its only photo: removing it would leave the post incomplete.
    with pytest.raises(DomainError) as exc:
        review.post_media_remove(access=owner_access, post=post, media=photo.pk)
    assert "media" in exc.value.fields
    assert PostMedia.objects.filter(pk=photo.pk).exists()
    # A draft may lose it (the rules apply again when it is submitted).
    draft = complete(owner_access, title="Черновик", platform="vk", objective="engagement", cta_type="", cta_url="")
    item = _upload(owner_access, draft)
    services.post_schedule(access=owner_access, post=draft, scheduled_at=timezone.now() + dt.timedelta(hours=2))
    with pytest.raises(DomainError):
        review.post_media_remove(access=owner_access, post=draft, media=item.pk)
    assert PostMedia.objects.filter(pk=item.pk).exists()


def test_media_removal_through_the_api(owner_client, org, other_org, owner_access, make_member, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = complete(owner_access)
    item = _upload(owner_access, post)
    other_post = complete(owner_access, title="Другой")
    base = f"/api/v1/orgs/{org.slug}/posts"
    assert owner_client.delete(f"{base}/{other_post.pk}/media/{item.pk}/").status_code == 404  # not its file
    assert owner_client.delete(f"{base}/{post.pk}/media/99999999999999999999/").status_code == 404
    stranger = APIClient()
    stranger.force_authenticate(make_member(other_org, Role.OWNER).user)
    assert stranger.delete(f"/api/v1/orgs/{other_org.slug}/posts/{post.pk}/media/{item.pk}/").status_code == 404
    assert owner_client.delete(f"{base}/{post.pk}/media/{item.pk}/").status_code == 204
    assert owner_client.get(f"{base}/{post.pk}/").json()["media"] == []


def test_media_upload_and_removal_on_the_post_page(owner_web, org, owner_access, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    post = complete(owner_access)
    url = f"/o/{org.slug}/content/posts/{post.pk}/"
    bad = owner_web.post(f"{url}media/", {"file": SimpleUploadedFile("notes.txt", b"x")})
    assert bad.status_code == 400
    assert "Upload a photo" in bad.content.decode()
    done = owner_web.post(f"{url}media/", {"file": SimpleUploadedFile("cup.jpg", b"x" * 10)})
    assert done.status_code == 302
    item = post.media.get()
    html = owner_web.get(url).content.decode()
    assert f'data-remove-media="{item.pk}"' in html
    owner_web.post(f"{url}media/{item.pk}/remove/")
    assert not post.media.exists()


# --- accounts and the schedule form -----------------------------------------------------------------


def _schedule(web, org, post, **extra):
    when = timezone.localtime(timezone.now() + dt.timedelta(days=1), org.tzinfo)
    return web.post(
        f"/o/{org.slug}/content/posts/{post.pk}/publish-schedule/",
        {"scheduled_at": when.strftime("%Y-%m-%dT%H:%M"), **extra},
    )


def test_the_schedule_form_offers_connected_accounts_and_gives_each_its_publication(
    owner_web, org, owner_access, vk_account
):
    second = SocialAccountFactory(organization=org, platform=Platform.VK, external_id="2", display_name="Второе ВК")
    gone = SocialAccountFactory(
        organization=org, platform=Platform.VK, external_id="3", display_name="Отключено", status=AccountStatus.DISABLED
    )
    post = complete(owner_access)
    html = owner_web.get(f"/o/{org.slug}/content/posts/{post.pk}/").content.decode()
    assert "Второе ВК" in html
    assert "Зерно ВК" in html
    assert "Отключено" not in html  # only connected accounts
    done = _schedule(owner_web, org, post, accounts=[vk_account.pk, second.pk])
    assert done.status_code == 302, done.content.decode()[:2000]
    pubs = Publication.objects.filter(post=post).order_by("account_id")
    assert [p.account_id for p in pubs] == [vk_account.pk, second.pk]
    assert len({p.idempotency_key for p in pubs}) == 2
    assert gone.pk not in [p.account_id for p in pubs]


def test_a_platform_with_no_connected_account_cannot_be_scheduled_the_form_says_so(owner_web, org, owner_access):
    post = complete(owner_access, platform="telegram")
    refused = _schedule(owner_web, org, post)
    assert refused.status_code == 400
    html = refused.content.decode()
    assert 'role="alert"' in html
    assert "Telegram" in html
    assert not Publication.objects.filter(post=post).exists()
    # A VK post with its own Telegram text: Telegram has nowhere to go either.
    both = complete(owner_access, title="Оба", texts={"telegram": "Для канала"})
    with pytest.raises(DomainError) as exc:
        services.post_schedule(access=owner_access, post=both, scheduled_at=timezone.now() + dt.timedelta(hours=2))
    assert "accounts" in exc.value.fields
    assert "Telegram" in str(exc.value.fields)
    assert not Publication.objects.filter(post=both).exists()
    # The launch gate's and the time's refusals show on the same form.
    past = owner_web.post(
        f"/o/{org.slug}/content/posts/{both.pk}/publish-schedule/", {"scheduled_at": "2001-01-01T10:00"}
    )
    assert past.status_code == 400
    assert "future" in past.content.decode()


# --- best time on the schedule form -----------------------------------------------------------------


def test_best_time_below_the_minimum_says_not_enough_data(owner_web, org, owner_access):
    post = complete(owner_access, objective="engagement", cta_type="", cta_url="")
    html = owner_web.get(f"/o/{org.slug}/content/posts/{post.pk}/").content.decode()
    assert 'data-enough="0"' in html
    assert 'data-best="none"' in html
    assert f"at least {MIN_SAMPLE} posts" in html


def _q2(value: float) -> Decimal:
    return Decimal(str(value)).quantize(Decimal("0.01"), rounding=ROUND_HALF_UP)


def test_best_time_on_the_schedule_form_matches_pandas(owner_web, org, owner_access, vk_account):
    rng = random.Random(3)
    today = org.today()
    records = []
    for _ in range(40):
        published = dt.datetime.combine(
            today - dt.timedelta(days=rng.randint(1, 120)), dt.time(rng.choice([8, 12, 19])), tzinfo=org.tzinfo
        )
        fmt = rng.choice(["photo", "reel", "text"])
        social = SocialPostFactory(organization=org, account=vk_account, published_at=published, format=fmt)
        reach, likes = rng.randint(100, 4000), rng.randint(0, 300)
        PostMetricDailyFactory(post=social, day=published.date(), reach=reach, likes=likes, comments=0)
        er = (Decimal(likes) / Decimal(reach)).quantize(Decimal("0.0001"), rounding=ROUND_HALF_UP) * 100
        records.append({"weekday": published.weekday(), "hour": published.hour, "format": fmt, "score": float(er)})
    frame = pd.DataFrame(records)

    def top(column):
        grouped = frame.groupby(column)["score"].agg(["mean", "count"]).reset_index()
        grouped = grouped[grouped["count"] >= MIN_GROUP]
        rows = sorted(
            ((r[column], _q2(r["mean"]), int(r["count"])) for _, r in grouped.iterrows()),
            key=lambda r: (-r[1], -r[2], str(r[0])),
        )
        return rows[0]

    post = complete(owner_access, objective="engagement", cta_type="", cta_url="")
    html = owner_web.get(f"/o/{org.slug}/content/posts/{post.pk}/").content.decode()
    assert 'data-enough="1"' in html
    assert "40 posts" in html  # the sample size
    hour, score, n = top("hour")
    assert f'<strong data-best="hour">{int(hour):02d}:00</strong> ({score}, n={n})' in html
    fmt, score, n = top("format")
    assert f"({score}, n={n})" in html.split('data-best="format"')[1][:120]
    _weekday, score, n = top("weekday")
    assert f"({score}, n={n})" in html.split('data-best="weekday"')[1][:120]
    Post.objects.filter(pk=post.pk).update(status="published")
    assert 'id="best-time"' not in owner_web.get(f"/o/{org.slug}/content/posts/{post.pk}/").content.decode()


def test_post_page_keeps_a_constant_query_count_as_media_and_accounts_grow(
    owner_web, org, owner_access, settings, tmp_path, django_assert_max_num_queries
):
    settings.MEDIA_ROOT = tmp_path
    post = complete(owner_access)
    _upload(owner_access, post)
    url = f"/o/{org.slug}/content/posts/{post.pk}/"
    owner_web.get(url)
    with django_assert_max_num_queries(60) as few:
        owner_web.get(url)
    for i in range(4):
        _upload(owner_access, post, name=f"cup{i}.jpg")
        SocialAccountFactory(organization=org, platform=Platform.VK, external_id=f"x{i}", display_name=f"ВК {i}")
        review.post_comment(access=owner_access, post=post, comment=f"Комментарий {i}")
    with django_assert_max_num_queries(len(few.captured_queries)):
        html = owner_web.get(url).content.decode()
    assert html.count("data-remove-media=") == 5
