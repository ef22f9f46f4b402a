"""The insights engine's input: one row per published platform post with its latest numbers.

The table is built by `analytics.post_frame` (its docstring says how leads and revenue are
credited); the report keeps the engine's columns. Days are read in the server's timezone as the
report periods are; `published_at` is in the organization's timezone.
"""

import datetime as dt

import pandas as pd

from analytics.post_frame import INSIGHT_COLUMNS as COLUMNS
from analytics.post_frame import post_frame
from tenancy.models import Organization

__all__ = ["COLUMNS", "insight_frame"]


def insight_frame(*, organization: Organization, start: dt.date, end: dt.date) -> pd.DataFrame:
    return post_frame(organization=organization, start=start, end=end)[COLUMNS]
