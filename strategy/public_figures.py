"""The figures anyone can compute from a community's public page, the same way for a competitor
and for us, so the comparison is fair (docs/competitors.md):

* followers — the count the platform shows now;
* posts per week — own wall posts published in the last ``WINDOW_DAYS`` days / (WINDOW_DAYS / 7);
* average reactions — mean of likes + comments + reposts over those posts (lifetime counters);
* ER, % — average reactions / followers × 100 (ER by followers: reach is not public).

A figure that cannot be computed is None ("—" on pages), never 0: no posts in the window means
no average reactions and no ER, zero or unknown followers means no ER.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Final

WINDOW_DAYS: Final = 28
_CENT = Decimal("0.01")


@dataclass(frozen=True, slots=True)
class PublicPost:
    published_at: datetime
    likes: int | None
    comments: int | None
    shares: int | None

    @property
    def reactions(self) -> int:
        return sum(v or 0 for v in (self.likes, self.comments, self.shares))


@dataclass(frozen=True, slots=True)
class PublicFigures:
    followers: int | None
    posts_per_week: Decimal
    average_reactions: Decimal | None
    engagement_rate: Decimal | None


def window_start(now: datetime) -> datetime:
    return now - timedelta(days=WINDOW_DAYS)


def _cents(value: Decimal) -> Decimal:
    return value.quantize(_CENT, rounding=ROUND_HALF_UP)


def public_figures(*, followers: int | None, posts: Iterable[PublicPost], now: datetime) -> PublicFigures:
    """Figures over the posts published in [now − WINDOW_DAYS, now]; other posts are ignored."""
    start = window_start(now)
    in_window = [p for p in posts if start <= p.published_at <= now]
    count = len(in_window)
    average = _cents(Decimal(sum(p.reactions for p in in_window)) / count) if count else None
    rate = None
    if count and followers:
        rate = _cents(Decimal(sum(p.reactions for p in in_window)) * 100 / (count * followers))
    return PublicFigures(
        followers=followers,
        posts_per_week=_cents(Decimal(count) * 7 / WINDOW_DAYS),
        average_reactions=average,
        engagement_rate=rate,
    )


__all__ = ["WINDOW_DAYS", "PublicFigures", "PublicPost", "public_figures", "window_start"]
