"""What a post must satisfy before it leaves the draft: per-platform text and media limits, the
call to action, contest rules, goal and pillar. Pure functions over a post and its media, so the
services, the API and the edit page's preview all give the same answer.

Limits from the platforms' documentation:
- Telegram Bot API (https://core.telegram.org/bots/api#sendmessage, #sendphoto, #sendmediagroup):
  message text 1–4,096 characters; media caption 0–1,024; a media group holds 2–10 items;
  photos up to 10 MB, other files up to 50 MB through the Bot API.
- VK API wall.post (https://dev.vk.com/ru/method/wall.post): message up to 16,384 characters,
  up to 10 attachments; photos up to 50 MB (https://dev.vk.com/ru/api/upload/wall-photo).
- Instagram Graph API content publishing
  (https://developers.facebook.com/docs/instagram-platform/content-publishing): caption up to
  2,200 characters and 30 hashtags; JPEG images up to 8 MB; videos (reels) up to 300 MB; a carousel
  holds up to 10 items; a post needs at least one photo or video.
- Facebook Pages (https://developers.facebook.com/docs/pages-api/posts): a post's message up to
  63,206 characters; photos up to 10 MB (https://developers.facebook.com/docs/graph-api/reference/photo);
  we attach up to 10 photos to one feed post.
"""

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.vocabulary import PostFormat, SocialPlatform

from .models import Post, PostObjective, Publication

MB = 1024 * 1024
HASHTAG = re.compile(r"(?<!\w)#\w+")


@dataclass(frozen=True)
class PlatformLimits:
    text: int  # characters of a text-only post
    caption: int  # characters of a post with media
    hashtags: int | None
    media_count: int
    photo_bytes: int
    video_bytes: int
    photo_types: frozenset[str]
    needs_media: bool = False


_PHOTOS = frozenset({"jpg", "jpeg", "png"})
LIMITS: dict[str, PlatformLimits] = {
    SocialPlatform.TELEGRAM: PlatformLimits(4096, 1024, None, 10, 10 * MB, 50 * MB, _PHOTOS | {"webp"}),
    SocialPlatform.VK: PlatformLimits(16384, 16384, None, 10, 50 * MB, 256 * MB, _PHOTOS | {"gif"}),
    SocialPlatform.INSTAGRAM: PlatformLimits(
        2200, 2200, 30, 10, 8 * MB, 300 * MB, frozenset({"jpg", "jpeg"}), needs_media=True
    ),
    SocialPlatform.FACEBOOK: PlatformLimits(63206, 63206, None, 10, 10 * MB, 1024 * MB, _PHOTOS | {"gif"}),
}
VIDEO_TYPES = frozenset({"mp4", "mov"})
CTA_REQUIRED = (PostObjective.LEAD_GENERATION, PostObjective.SALES)


@dataclass(frozen=True)
class MediaInfo:
    """What the rules need of a media file (a stored PostMedia or an upload not saved yet)."""

    name: str
    kind: str  # PostMedia.Kind
    size: int

    @property
    def extension(self) -> str:
        return self.name.rsplit(".", 1)[-1].lower() if "." in self.name else ""


def post_platforms(post: Post) -> list[str]:
    """The post's main platform, then those it has an own text for."""
    extra = [p for p in (post.texts or {}) if p != post.platform and p in SocialPlatform.values]
    return [post.platform, *sorted(extra)]


def text_for(post: Post, platform: str) -> str:
    """The text published on `platform`: its own text, else the common one, else the title."""
    own = (post.texts or {}).get(platform)
    return str(own) if own else (post.text or post.title)


def published_text(post: Post, platform: str) -> str:
    """The text as it goes out: with the tracked short link of the call to action at the end."""
    text = text_for(post, platform)
    link = post.cta_short_url or post.cta_url
    return f"{text}\n\n{link}" if link and link not in text else text


def text_errors(post: Post, *, has_media: bool) -> dict[str, list[str]]:
    """Over-long texts and too many hashtags, per platform, keyed `texts.<platform>`."""
    errors: dict[str, list[str]] = {}
    for platform in post_platforms(post):
        limits = LIMITS.get(platform)
        if limits is None:
            continue
        text = published_text(post, platform)
        limit = limits.caption if has_media else limits.text
        label = SocialPlatform(platform).label
        found = []
        if len(text) > limit:
            found.append(
                _("%(platform)s allows %(limit)s characters; this text has %(count)s (with the link).")
                % {"platform": label, "limit": f"{limit:,}", "count": f"{len(text):,}"}
            )
        if limits.hashtags is not None and len(HASHTAG.findall(text)) > limits.hashtags:
            found.append(_("%(platform)s allows %(limit)s hashtags.") % {"platform": label, "limit": limits.hashtags})
        if found:
            errors[f"texts.{platform}"] = found
    return errors


def media_errors(platforms: Iterable[str], media: Sequence[MediaInfo]) -> list[str]:
    """Kind, size and count of the media against every platform the post goes to."""
    errors: list[str] = []
    for platform in platforms:
        limits = LIMITS.get(platform)
        if limits is None:
            continue
        label = SocialPlatform(platform).label
        if len(media) > limits.media_count:
            errors.append(_("%(platform)s allows up to %(n)s files.") % {"platform": label, "n": limits.media_count})
        for item in media:
            allowed = limits.photo_types if item.kind == "photo" else VIDEO_TYPES
            most = limits.photo_bytes if item.kind == "photo" else limits.video_bytes
            if item.extension not in allowed:
                errors.append(
                    _("%(platform)s does not accept %(name)s: use %(types)s.")
                    % {"platform": label, "name": item.name, "types": ", ".join(sorted(allowed))}
                )
            elif item.size > most:
                errors.append(
                    _("%(name)s is larger than %(size)s MB, the limit of %(platform)s.")
                    % {"name": item.name, "size": most // MB, "platform": label}
                )
    return errors


def media_kind(name: str) -> str | None:
    """photo / video by the file's extension; None for anything else."""
    extension = name.rsplit(".", 1)[-1].lower() if "." in name else ""
    if extension in VIDEO_TYPES:
        return "video"
    if extension in _PHOTOS | {"webp", "gif"}:
        return "photo"
    return None


def draft_errors(post: Post, media: Sequence[MediaInfo]) -> dict[str, list[str]]:
    """What even a draft must satisfy: the limits, and a call to action given whole or not at all."""
    errors = text_errors(post, has_media=bool(media))
    found = media_errors(post_platforms(post), media)
    if found:
        errors["media"] = found
    if bool(post.cta_type) != bool(post.cta_url):
        errors["cta_url"] = [_("A call to action needs both a type and a link.")]
    return errors


def content_errors(post: Post, media: Sequence[MediaInfo]) -> dict[str, list[str]]:
    """Everything the content of a post leaving the draft must satisfy: limits, CTA, contest rules."""
    errors = text_errors(post, has_media=bool(media))
    platforms = post_platforms(post)
    found = media_errors(platforms, media)
    for platform in platforms:
        limits = LIMITS.get(platform)
        if limits is not None and limits.needs_media and not media:
            found.append(_("%(platform)s needs a photo or a video.") % {"platform": SocialPlatform(platform).label})
    if found:
        errors["media"] = found
    if post.objective in CTA_REQUIRED and not (post.cta_type and post.cta_url):
        errors["cta_url"] = [_("A lead generation or sales post needs a call to action: a type and a link.")]
    elif bool(post.cta_type) != bool(post.cta_url):
        errors["cta_url"] = [_("A call to action needs both a type and a link.")]
    if post.format == PostFormat.CONTEST and not post.contest_rules.strip():
        errors["contest_rules"] = [_("A contest needs its rules: how to take part, dates and prizes.")]
    return errors


def ready_errors(post: Post, media: Sequence[MediaInfo]) -> dict[str, list[str]]:
    """What a post leaving the draft needs on top: the goal and pillar it serves."""
    errors = content_errors(post, media)
    if post.goal_id is None:
        errors["goal"] = [_("Choose the strategy goal this post serves.")]
    if post.pillar_id is None:
        errors["pillar"] = [_("Choose the content pillar.")]
    return errors


def ensure(errors: dict[str, list[str]]) -> None:
    if errors:
        raise DomainError(_("Fix the post before continuing."), fields=errors)


def publication_platform(pub: Publication) -> str:
    """The platform whose text a publication sends (the demo account stands in for the post's)."""
    platform = pub.account.platform
    return platform if platform in SocialPlatform.values else pub.post.platform


def media_urls(post: Post) -> list[str]:
    """Absolute URLs of the post's media, for the connectors (the platform downloads them)."""
    urls = []
    for item in post.media.all():
        url = item.file.url
        urls.append(url if "://" in url else f"{settings.SITE_URL.rstrip('/')}{url}")
    return urls


def stored_media(post: Post) -> list[MediaInfo]:
    return [MediaInfo(name=m.file.name or "", kind=m.kind, size=m.size) for m in post.media.all()]
