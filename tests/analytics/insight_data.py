"""Generated post tables for the insights engine: realistic sizes and spreads, effects planted on demand.

Reach is log-normal (heavy-tailed: a few posts reach many times the median), engagement and click
rates vary from post to post (beta-distributed, so far more than binomial noise), leads come from
clicks with a post-to-post varying conversion, and revenue from leads that became sales with
log-normal amounts. With no effect every segment is drawn from the same distributions.
"""

import datetime as dt
from collections.abc import Callable

import numpy as np
import pandas as pd

PLATFORMS = ("vk", "telegram", "instagram")
FORMATS = ("text", "photo", "video", "carousel", "reel")
PILLARS = ("Expertise", "Cases", "Behind the scenes", "Offers")
OBJECTIVES = ("engagement", "leads", "sales", "loyalty")
START = dt.datetime(2025, 1, 6, tzinfo=dt.UTC)  # a Monday

# An effect: which posts (a boolean mask over the frame) and which factor applies to which input.
Effect = tuple[Callable[[pd.DataFrame], pd.Series], str, float]


def posts_frame(seed: int, n: int | None = None, effects: tuple[Effect, ...] = ()) -> pd.DataFrame:
    """A table of `n` posts (300–500 when not given); `effects` multiply one input of some posts:
    "reach", "er" (engagement rate), "ctr", "conversion" (leads per click), "sale" (sales per lead)
    or "revenue" (the amount of a sale)."""
    rng = np.random.default_rng(seed)
    n = n or int(rng.integers(300, 501))
    frame = pd.DataFrame(
        {
            "post_id": np.arange(1, n + 1),
            "platform": rng.choice(PLATFORMS, n, p=[0.5, 0.3, 0.2]),
            "format": rng.choice(FORMATS, n),
            "pillar": rng.choice(PILLARS, n, p=[0.3, 0.3, 0.2, 0.2]),
            "objective": rng.choice(OBJECTIVES, n),
            "published_at": [
                START + dt.timedelta(days=int(day), hours=int(hour), minutes=int(minute))
                for day, hour, minute in zip(
                    rng.integers(0, 91, n),
                    rng.choice(24, n, p=_hour_weights()),
                    rng.integers(0, 60, n),
                    strict=True,
                )
            ],
        }
    )
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True)
    factors = {name: np.ones(n) for name in ("reach", "er", "ctr", "conversion", "sale", "revenue")}
    for select, name, factor in effects:
        factors[name][select(frame).to_numpy()] *= factor

    reach = np.maximum(1, np.round(rng.lognormal(7.0, 1.1, n) * factors["reach"])).astype(int)
    er = np.clip(rng.beta(4, 96, n) * factors["er"], 0, 1)  # ~4 %, varying by post
    ctr = np.clip(rng.beta(2, 398, n) * factors["ctr"], 0, 1)  # ~0.5 %
    clicks = rng.binomial(reach, ctr)
    conversion = np.clip(rng.beta(2, 18, n) * factors["conversion"], 0, 1)  # ~10 % of clicks
    leads = rng.binomial(clicks, conversion)
    sales = rng.binomial(leads, np.clip(0.3 * factors["sale"], 0, 1))
    amounts = np.array([rng.lognormal(8.0, 0.8, s).sum() for s in sales]) * factors["revenue"]
    frame["reach"] = reach
    frame["engagements"] = rng.binomial(reach, er)
    frame["link_clicks"] = clicks
    frame["leads"] = leads
    frame["revenue"] = np.round(amounts, 2)
    return frame


def _hour_weights() -> np.ndarray:
    weights = np.array([1, 1, 1, 1, 1, 1, 3, 4, 6, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 8, 6, 4, 2], dtype=float)
    return weights / weights.sum()


def where(column: str, value: str) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: frame[column] == value


def on_weekday(weekday: int) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: frame["published_at"].dt.day_of_week == weekday


def in_hours(start: int, end: int) -> Callable[[pd.DataFrame], pd.Series]:
    return lambda frame: frame["published_at"].dt.hour.between(start, end - 1)
