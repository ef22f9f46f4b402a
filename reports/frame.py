"""The insights engine's input: one row per published platform post with its latest numbers.

Built from `SocialPost` + its latest `PostMetricDaily` observation; `objective` is what the
platform sync recorded for the post (`extra["objective"]`). Platform posts are not linked to
content-plan posts yet, so `pillar`, `leads` and `revenue` stay missing (the engine skips the
metrics and dimensions it has no data for). `published_at` is converted to the organization's
timezone: weekday and time of day are the organization's.
"""

import datetime as dt

import numpy as np
import pandas as pd

from analytics.selectors import post_performance_list
from tenancy.models import Organization

COLUMNS = [
    "post_id",
    "published_at",
    "platform",
    "format",
    "pillar",
    "objective",
    "reach",
    "engagements",
    "link_clicks",
    "leads",
    "revenue",
]


def insight_frame(*, organization: Organization, start: dt.date, end: dt.date) -> pd.DataFrame:
    rows = []
    for item in post_performance_list(organization=organization, since=start, until=end):
        post = item.post
        rows.append(
            {
                "post_id": post.pk,
                "published_at": post.published_at,
                "platform": post.account.platform,
                "format": post.format,
                "pillar": None,
                "objective": (post.extra or {}).get("objective"),
                "reach": item.reach,
                "engagements": item.interactions if item.reach is not None else None,
                "link_clicks": item.link_clicks,
                "leads": np.nan,
                "revenue": np.nan,
            }
        )
    frame = pd.DataFrame.from_records(rows, columns=COLUMNS)
    frame["published_at"] = pd.to_datetime(frame["published_at"], utc=True).dt.tz_convert(organization.timezone)
    for column in ("reach", "engagements", "link_clicks", "leads", "revenue"):
        frame[column] = pd.to_numeric(frame[column], errors="coerce").astype("float64")
    return frame
