"""A deterministic simulated platform for the demo organization and the embedded default.

It goes through exactly the same sync path as the real connectors (same protocol, same
dataclasses). Every number is a pure function of ``(seed, date/post id)`` — a seeded
``random.Random`` per item — so asking twice, or on another machine, gives the same data for
the same day, and a re-sync changes nothing. Only "which items exist yet" depends on the
clock (posts are not published before their time, lifetime counters grow with age).

What it simulates (a coffee chain «Зерно», Kazan):
* daily account metrics with weekly seasonality (weekends busier) and steady follower growth;
* about five posts a week; reach/engagement depend on format (reels reach further, carousels
  get saved), publishing hour (morning and evening peaks) and objective (lead posts get
  link clicks, engagement posts get comments);
* comments and private messages in Russian and English with a mix of tone, some answered by
  the brand; brand mentions elsewhere;
* three ad campaigns (leads, awareness, traffic) with daily spend, clicks, leads and sales.
"""

from __future__ import annotations

import hashlib
import math
from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, time, timedelta
from typing import Any, ClassVar

from integrations.connectors.base import (
    AccountDay,
    AccountProfile,
    Capability,
    CommentKind,
    PostFormat,
    PostMetrics,
    PublishResult,
    RemoteComment,
    RemoteMention,
    RemotePost,
    ReplyResult,
)
from integrations.connectors.demo_ads import DemoAdsConnector
from integrations.connectors.demo_data import (
    AUTHORS_EN,
    AUTHORS_RU,
    BASE_FOLLOWERS,
    COMMENT_TEXTS,
    COMMENTS_LOOKBACK_DAYS,
    EPOCH,
    FORMAT_REACH,
    FORMAT_SAVES,
    FORMATS,
    KAZAN_UTC_OFFSET,
    MENTION_TEXTS,
    MESSAGE_TEXTS,
    OBJECTIVE_CLICKS,
    OBJECTIVE_COMMENTS,
    OBJECTIVES,
    POST_TEXTS,
    REPLY_TEXTS,
    _rng,
    _weighted,
)
from integrations.connectors.demo_errors import demo_publish_error


class DemoConnector(DemoAdsConnector):
    platform: ClassVar[str] = "demo"
    capabilities: ClassVar[frozenset[str]] = frozenset(
        {
            Capability.PROFILE,
            Capability.ACCOUNT_METRICS,
            Capability.POSTS,
            Capability.POST_METRICS,
            Capability.COMMENTS,
            Capability.REPLY,
            Capability.HIDE_COMMENTS,
            Capability.DELETE_COMMENTS,
            Capability.PUBLISH,
            Capability.MENTIONS,
            Capability.CAMPAIGNS,
            Capability.AD_STATS,
            Capability.CAMPAIGN_CONTROL,
        }
    )
    default_base_url: ClassVar[str] = "https://demo.invalid"

    def __init__(
        self,
        access_token: str = "demo",  # noqa: S107 - the simulated platform needs no secret
        external_id: str = "zerno-demo",
        *,
        seed: int = 20260601,
        campaign_overrides: Mapping[str, Mapping[str, Any]] | None = None,
        publish_failure: str = "",
        publish_failure_marker: str = "",
        frozen_at: str | datetime | None = None,
        **kwargs: Any,
    ) -> None:
        if frozen_at and "clock" not in kwargs:
            moment = datetime.fromisoformat(frozen_at) if isinstance(frozen_at, str) else frozen_at
            moment = moment if moment.tzinfo else moment.replace(tzinfo=UTC)
            kwargs["clock"] = lambda: moment
        super().__init__(access_token or "demo", external_id, **kwargs)
        self.seed = seed
        self.publish_failure = publish_failure
        self.publish_failure_marker = publish_failure_marker
        # Local state the product changed (launch/pause/budget), stored on the account.
        self.campaign_overrides = {k: dict(v) for k, v in (campaign_overrides or {}).items()}

    # ------------------------------------------------------------------ account

    def _day_index(self, day: date) -> int:
        return (day - EPOCH).days

    def followers_on(self, day: date) -> int:
        n = max(0, self._day_index(day))
        return int(BASE_FOLLOWERS + 7.5 * n + 60 * math.sin(n / 11))

    def fetch_profile(self) -> AccountProfile:
        today = self.now().date()
        return AccountProfile(
            external_id=self.external_id,
            name="Зерно · кофейни Казани (демо)",
            username="zerno_coffee_kzn",
            followers=self.followers_on(today),
            url="https://zerno-coffee.example",
            extra={"simulated": True},
        )

    def _account_day(self, day: date) -> AccountDay:
        rng = _rng(self.seed, self.external_id, "day", day.isoformat())
        weekday = day.weekday()
        season = 1.25 if weekday >= 5 else (1.05 if weekday == 4 else 1.0)
        followers = self.followers_on(day)
        boost = sum(FORMAT_REACH[p["format"]] for p in self._posts_on(day)) * 0.12
        reach = int(followers * 0.16 * season * (1 + boost) * rng.uniform(0.85, 1.15))
        likes = int(reach * rng.uniform(0.035, 0.055))
        comments = int(reach * rng.uniform(0.004, 0.008))
        shares = int(reach * rng.uniform(0.002, 0.005))
        saves = int(reach * rng.uniform(0.004, 0.009))
        interactions = likes + comments + shares + saves
        lost = rng.randint(2, 9)
        gained = max(0, followers - self.followers_on(day - timedelta(days=1))) + lost
        return AccountDay(
            day=day,
            followers=followers,
            followers_gained=gained,
            followers_lost=lost,
            reach=reach,
            views=int(reach * rng.uniform(1.4, 1.9)),
            engaged=int(interactions * rng.uniform(0.7, 0.85)),
            interactions=interactions,
            likes=likes,
            comments=comments,
            shares=shares,
            saves=saves,
            link_clicks=int(reach * rng.uniform(0.005, 0.011)),
            profile_visits=int(reach * rng.uniform(0.02, 0.04)),
        )

    def fetch_account_metrics(self, since: date, until: date) -> list[AccountDay]:
        today = self.now().date()
        first = max(since, EPOCH)
        last = min(until, today)
        return [self._account_day(first + timedelta(days=i)) for i in range((last - first).days + 1)]

    # ------------------------------------------------------------------ posts

    def _posts_on(self, day: date) -> list[dict[str, Any]]:
        """0 or 1 post a day (about five a week), fully determined by the date."""
        rng = _rng(self.seed, self.external_id, "post", day.isoformat())
        if day < EPOCH or rng.random() > 0.72:
            return []
        hour = rng.choice((8, 9, 9, 10, 12, 13, 15, 18, 19, 19, 20, 21))
        local = datetime.combine(day, time(hour, rng.choice((0, 15, 30, 45))))
        published = (local - KAZAN_UTC_OFFSET).replace(tzinfo=UTC)
        fmt = _weighted(rng, FORMATS)
        objective = _weighted(rng, OBJECTIVES)
        text = rng.choice(POST_TEXTS[objective])
        return [
            {
                "id": f"p{day:%Y%m%d}",
                "day": day,
                "hour": hour,
                "published_at": published,
                "format": fmt,
                "objective": objective,
                "text": text,
            }
        ]

    def _posts_between(self, since: datetime, until: datetime) -> list[dict[str, Any]]:
        first = max(since.date() - timedelta(days=1), EPOCH)
        posts: list[dict[str, Any]] = []
        for i in range((until.date() - first).days + 1):
            posts.extend(p for p in self._posts_on(first + timedelta(days=i)) if since <= p["published_at"] <= until)
        return posts

    def _post_by_id(self, external_id: str) -> dict[str, Any] | None:
        try:
            day = datetime.strptime(external_id.removeprefix("p"), "%Y%m%d").replace(tzinfo=UTC).date()
        except ValueError:
            return None
        posts = self._posts_on(day)
        return posts[0] if posts and posts[0]["id"] == external_id else None

    def _lifetime(self, post: dict[str, Any]) -> PostMetrics:
        """Totals now: final values scaled by a saturation curve of the post's age at the last
        hourly refresh (so they stand still within an hour, whatever the minute of the call)."""
        rng = _rng(self.seed, self.external_id, "metrics", post["id"])
        refreshed = self.now().replace(minute=0, second=0, microsecond=0)
        age_hours = max(0.0, (refreshed - post["published_at"]).total_seconds() / 3600)
        grown = 1 - math.exp(-age_hours / 20)
        hour_factor = 1.25 if post["hour"] in (8, 9, 18, 19, 20) else (0.85 if post["hour"] >= 21 else 1.0)
        fmt, objective = post["format"], post["objective"]
        followers = self.followers_on(post["day"])
        reach = followers * 0.32 * FORMAT_REACH[fmt] * hour_factor * rng.uniform(0.75, 1.3)
        likes = reach * rng.uniform(0.05, 0.08)
        comments = reach * 0.006 * OBJECTIVE_COMMENTS[objective] * (2.0 if fmt == PostFormat.POLL else 1.0)
        shares = reach * rng.uniform(0.004, 0.01) * (1.6 if fmt == PostFormat.REEL else 1.0)
        saves = reach * 0.008 * FORMAT_SAVES[fmt]
        clicks = reach * 0.006 * OBJECTIVE_CLICKS[objective]
        video = fmt in (PostFormat.REEL, PostFormat.VIDEO)

        def g(value: float) -> int:
            return int(value * grown)

        return PostMetrics(
            external_id=post["id"],
            reach=g(reach),
            views=g(reach * rng.uniform(1.3, 1.8)),
            likes=g(likes),
            comments=g(comments),
            shares=g(shares),
            saves=g(saves),
            link_clicks=g(clicks),
            video_views=g(reach * rng.uniform(0.9, 1.4)) if video else None,
            followers_gained=g(reach * rng.uniform(0.001, 0.003)),
            extra={"objective": objective},
        )

    def fetch_posts(self, since: datetime) -> list[RemotePost]:
        posts = []
        for post in self._posts_between(since, self.now()):
            metrics = self._lifetime(post)
            posts.append(
                RemotePost(
                    external_id=post["id"],
                    published_at=post["published_at"],
                    text=post["text"],
                    format=post["format"],
                    permalink=f"https://demo.zerno-coffee.example/posts/{post['id']}",
                    likes=metrics.likes,
                    comments=metrics.comments,
                    shares=metrics.shares,
                    views=metrics.views,
                    extra={"objective": post["objective"], "simulated": True},
                )
            )
        return posts

    def fetch_post_metrics(self, posts: Sequence[str]) -> list[PostMetrics]:
        result = []
        for external_id in posts:
            post = self._post_by_id(external_id)
            if post is not None:
                result.append(self._lifetime(post))
        return result

    # ------------------------------------------------------------------ comments, messages, mentions

    def _comments_for(self, post: dict[str, Any]) -> list[RemoteComment]:
        rng = _rng(self.seed, self.external_id, "comments", post["id"])
        count = min(8, max(1, self._lifetime_final_comments(post)))
        comments = []
        for i in range(count):
            lang = "en" if rng.random() < 0.15 else "ru"
            text, _tone = rng.choice(COMMENT_TEXTS[lang])
            author = rng.choice(AUTHORS_EN if lang == "en" else AUTHORS_RU)
            created = post["published_at"] + timedelta(minutes=rng.randint(5, 60 * 30))
            cid = f"{post['id']}-c{i + 1}"
            comments.append(
                RemoteComment(
                    external_id=cid,
                    post_external_id=post["id"],
                    parent_external_id=None,
                    author_name=author,
                    author_external_id=f"user-{author[:3]}-{i}",
                    text=text,
                    created_at=created,
                    like_count=rng.randint(0, 12),
                )
            )
            if rng.random() < 0.55:  # the brand answers about half, after a while
                comments.append(
                    RemoteComment(
                        external_id=f"{cid}-r",
                        post_external_id=post["id"],
                        parent_external_id=cid,
                        author_name="Зерно",
                        author_external_id=self.external_id,
                        text=REPLY_TEXTS[3] if lang == "en" else rng.choice(REPLY_TEXTS[:3]),
                        created_at=created + timedelta(minutes=rng.randint(4, 240)),
                        like_count=rng.randint(0, 3),
                        is_from_account=True,
                    )
                )
        return comments

    def _lifetime_final_comments(self, post: dict[str, Any]) -> int:
        rng = _rng(self.seed, self.external_id, "ncomments", post["id"])
        return int(OBJECTIVE_COMMENTS[post["objective"]] * rng.uniform(1.5, 3.5))

    def _messages_on(self, day: date) -> list[RemoteComment]:
        rng = _rng(self.seed, self.external_id, "messages", day.isoformat())
        messages = []
        for i in range(rng.choice((0, 0, 1, 1, 2))):
            text, _tone = rng.choice(MESSAGE_TEXTS)
            lang_en = text.startswith("Hello")
            author = rng.choice(AUTHORS_EN if lang_en else AUTHORS_RU)
            created = datetime.combine(day, time(rng.randint(6, 19), rng.randint(0, 59)), tzinfo=UTC)
            messages.append(
                RemoteComment(
                    external_id=f"m{day:%Y%m%d}-{i + 1}",
                    post_external_id=None,
                    parent_external_id=None,
                    author_name=author,
                    author_external_id=f"user-{author[:3]}-m{i}",
                    text=text,
                    created_at=created,
                    kind=CommentKind.MESSAGE,
                )
            )
        return messages

    def fetch_comments(self, since: datetime) -> list[RemoteComment]:
        now = self.now()
        posts_since = min(since, now - timedelta(days=COMMENTS_LOOKBACK_DAYS))
        result: list[RemoteComment] = []
        for post in self._posts_between(posts_since, now):
            result.extend(c for c in self._comments_for(post) if since <= c.created_at <= now)
        first = max(since.date(), EPOCH)
        for i in range((now.date() - first).days + 1):
            day = first + timedelta(days=i)
            result.extend(m for m in self._messages_on(day) if since <= m.created_at <= now)
        return result

    def search_mentions(self, query: str, since: datetime) -> list[RemoteMention]:
        now = self.now()
        result = []
        first = max(since.date(), EPOCH)
        for i in range((now.date() - first).days + 1):
            day = first + timedelta(days=i)
            rng = _rng(self.seed, self.external_id, "mention", day.isoformat())
            if rng.random() > 0.45:
                continue
            text, _tone = rng.choice(MENTION_TEXTS)
            created = datetime.combine(day, time(rng.randint(7, 21), rng.randint(0, 59)), tzinfo=UTC)
            if not since <= created <= now:
                continue
            author = rng.choice(AUTHORS_RU)
            result.append(
                RemoteMention(
                    external_id=f"mention-{day:%Y%m%d}",
                    url=f"https://demo-social.example/wall/{day:%Y%m%d}",
                    author_name=author,
                    author_external_id=f"ext-{author[:3]}",
                    text=text,
                    created_at=created,
                    likes=rng.randint(0, 80),
                    comments=rng.randint(0, 10),
                    shares=rng.randint(0, 5),
                )
            )
        return result

    def reply(self, comment_external_id: str | None, text: str, *, post_external_id: str | None = None) -> ReplyResult:
        digest = hashlib.sha256(f"{comment_external_id}:{text}".encode()).hexdigest()[:10]
        return ReplyResult(external_id=f"reply-{digest}", parent_external_id=comment_external_id)

    def hide_comment(self, comment_external_id: str, *, hidden: bool = True) -> None:
        return None

    def delete_comment(self, comment_external_id: str, *, post_external_id: str | None = None) -> None:
        return None

    def publish(
        self,
        text: str,
        *,
        media_urls: Sequence[str] = (),
        link: str | None = None,
        idempotency_key: str | None = None,
    ) -> PublishResult:
        """Simulated and deterministic: the id is derived from the idempotency key (or the
        content), so sending the same publication again yields the same post, never a second one.
        ``publish_failure`` (an account option) makes a post whose text contains
        ``publish_failure_marker`` (every post when empty) fail the way a platform would."""
        if self.publish_failure and self.publish_failure_marker in text:
            raise demo_publish_error(self.publish_failure)
        source = idempotency_key or f"{text}|{'|'.join(media_urls)}|{link}"
        digest = hashlib.sha256(source.encode()).hexdigest()[:12]
        return PublishResult(external_id=f"pub-{digest}", permalink=f"https://demo.zerno-coffee.example/posts/{digest}")
