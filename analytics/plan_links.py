"""Linking the platform posts the sync finds to the plan (run by the posts step after ingestion).

1. **By external id**: a publication we made carries the platform's post id; the synced post with
   that id on that account is it.
2. **By account + time + text**: a planned post published outside the product (by hand on the
   platform) is the synced post of the same platform published within `WINDOW` of its planned
   time whose text is at least `MIN_SIMILARITY` alike (difflib ratio of the normalised texts).

What stays unlinked is "published outside the plan". Links once made are not undone by a later sync.
"""

import re
from collections.abc import Sequence
from datetime import timedelta
from difflib import SequenceMatcher

from django.db import transaction
from django.db.models import Q

from content.models import Post, Publication
from content.rules import text_for
from core.vocabulary import SocialPlatform
from integrations.models import Platform, SocialAccount

from .models import SocialPost

WINDOW = timedelta(hours=6)
MIN_SIMILARITY = 0.6
_SPACE = re.compile(r"\s+")
_URL = re.compile(r"https?://\S+")


def normalise(text: str) -> str:
    """Lower case, links dropped (short links and snippets differ), spaces collapsed."""
    return _SPACE.sub(" ", _URL.sub(" ", text or "")).strip().lower()


def similarity(a: str, b: str) -> float:
    a, b = normalise(a), normalise(b)
    if not a or not b:
        return 0.0
    return SequenceMatcher(None, a, b, autojunk=False).ratio()


def _by_external_id(account: SocialAccount, posts: Sequence[SocialPost]) -> int:
    ids = [p.external_id for p in posts]
    pubs = {
        pub.external_id: pub
        for pub in Publication.objects.for_organization(account.organization_id).filter(
            account=account, status=Publication.Status.PUBLISHED, external_id__in=ids
        )
    }
    linked = 0
    for social in posts:
        pub = pubs.get(social.external_id)
        if pub is None or social.publication_id == pub.pk:
            continue
        SocialPost.objects.for_organization(account.organization_id).filter(publication=pub).exclude(
            pk=social.pk
        ).update(publication=None)
        social.publication, social.planned_post_id, social.plan_match = pub, pub.post_id, "external_id"
        social.save(update_fields=["publication", "planned_post", "plan_match", "updated_at"])
        linked += 1
    return linked


def _by_text(account: SocialAccount, posts: Sequence[SocialPost]) -> int:
    unlinked = [p for p in posts if p.planned_post_id is None]
    if not unlinked:
        return 0
    start = min(p.published_at for p in unlinked) - WINDOW
    end = max(p.published_at for p in unlinked) + WINDOW
    platforms = [account.platform] if account.platform in SocialPlatform.values else list(SocialPlatform.values)
    taken = SocialPost.objects.for_organization(account.organization_id).filter(
        account=account, planned_post__isnull=False
    )
    candidates = list(
        Post.objects.for_organization(account.organization_id)
        .filter(scheduled_at__range=(start, end))
        .filter(Q(platform__in=platforms) | Q(target_accounts__has_item=account.pk))
        .exclude(pk__in=taken.values("planned_post"))
        .exclude(status__in=[Post.Status.IDEA])
    )
    linked = 0
    for social in sorted(unlinked, key=lambda p: p.published_at):
        best, best_score = None, MIN_SIMILARITY
        for post in candidates:
            if post.scheduled_at is None or abs(post.scheduled_at - social.published_at) > WINDOW:
                continue
            platform = account.platform if account.platform != Platform.DEMO else post.platform
            score = similarity(text_for(post, platform), social.text)
            if score >= best_score:
                best, best_score = post, score
        if best is None:
            continue
        candidates.remove(best)
        pub = (
            Publication.objects.for_organization(account.organization_id)
            .filter(post=best, account=account, social_post__isnull=True)
            .exclude(status=Publication.Status.CANCELLED)
            .first()
        )
        social.planned_post, social.publication, social.plan_match = best, pub, "text"
        social.save(update_fields=["planned_post", "publication", "plan_match", "updated_at"])
        linked += 1
    return linked


@transaction.atomic
def link_account_posts(*, account: SocialAccount, external_ids: Sequence[str]) -> int:
    """Links these synced posts of the account to the plan; returns how many were linked now."""
    posts = list(
        SocialPost.objects.for_organization(account.organization_id).filter(
            account=account, external_id__in=list(external_ids)
        )
    )
    if not posts:
        return 0
    return _by_external_id(account, posts) + _by_text(account, posts)
