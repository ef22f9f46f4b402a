# ruff: noqa: S608 - the SQL names tables and columns from the models, never from input
"""Daily rollups of the fact tables (docs/decisions/0008-rollups.md).

Four tables hold per (organization, day, group columns) sums the KPI engine reads instead of the
raw facts (`analytics.kpi_sources.rollup`): account metrics by platform, ad statistics by platform
and campaign, incoming inbox items by platform, leads and sales by attributed platform, campaign
and goal. Days of timestamped facts (inbox, leads, sales) are days of the organization's time zone.
A fifth, `PostRollup`, holds one row per platform post with its latest observation, for the
analytics pages (`analytics.post_frame`); a write of posts or post snapshots replaces the rows of
the posts published or observed on the touched days.

A write of fact rows says which (organization, day) pairs it touched (`core.facts`); on commit one
Celery task refreshes those days: in one transaction, under a per-organization advisory lock, one
DELETE and one INSERT … SELECT … GROUP BY per table over exactly those days. Refreshing twice gives
the same rows; a refresh that dies rolls back and leaves the previous rows (the task is redelivered).

An organization whose rollups were never fully built (or were built in another time zone) is read
from the raw tables; its first refresh builds everything and records the time zone in `Organization.rollups_timezone`.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Any

from django.db import connection, transaction
from django.utils import timezone

from ads.models import AdStatDaily
from crm.models import Lead, Sale
from integrations.models import SocialAccount
from moderation.models import InboxItem
from tenancy.models import Organization

from .models import (
    AccountMetricDaily,
    AccountRollupDaily,
    AdRollupDaily,
    CrmRollupDaily,
    InboxRollupDaily,
    PostMetricDaily,
    PostRollup,
    SocialPost,
)

ACCOUNT, ADS, INBOX, CRM, POST = "account", "ads", "inbox", "crm", "post"
KINDS = (ACCOUNT, ADS, INBOX, CRM, POST)
# The fact model (label) whose rows each kind sums.
KIND_OF = {
    AccountMetricDaily._meta.label: ACCOUNT,
    AdStatDaily._meta.label: ADS,
    InboxItem._meta.label: INBOX,
    Lead._meta.label: CRM,
    Sale._meta.label: CRM,
    SocialPost._meta.label: POST,
    PostMetricDaily._meta.label: POST,
}
_LOCK = 0x0508  # first key of the advisory lock; the second is the organization id

_ACC, _ACCOUNTS = AccountRollupDaily._meta.db_table, SocialAccount._meta.db_table
_METRICS, _ADS_RAW = AccountMetricDaily._meta.db_table, AdStatDaily._meta.db_table
_INBOX_RAW, _LEADS, _SALES = InboxItem._meta.db_table, Lead._meta.db_table, Sale._meta.db_table
_POSTS, _POST_METRICS, _POST_ROLLUP = (
    SocialPost._meta.db_table,
    PostMetricDaily._meta.db_table,
    PostRollup._meta.db_table,
)

# Each INSERT … SELECT reads the organization's rows whose day is in %(days)s, or all of them when
# %(all)s; timestamped facts also bound the moment so the (organization, moment) index is used.
_DAY = "(%(all)s OR {col} = ANY(%(days)s))"
_MOMENT = (
    "(%(all)s OR ({col} >= %(since)s AND {col} < %(until)s AND ({col} AT TIME ZONE %(tz)s)::date = ANY(%(days)s)))"
)
_ER = (
    "m.reach > 0 AND (m.interactions IS NOT NULL OR m.likes IS NOT NULL OR m.comments IS NOT NULL"
    " OR m.shares IS NOT NULL OR m.saves IS NOT NULL)"
)
_INSERTS: dict[str, list[tuple[str, str]]] = {
    ACCOUNT: [
        (
            _ACC,
            f"""INSERT INTO {_ACC} (organization_id, day, platform, rows, reach, views, link_clicks,
                    er_interactions, er_reach)
                SELECT m.organization_id, m.day, a.platform, count(*), sum(m.reach), sum(m.views),
                    sum(m.link_clicks),
                    sum(COALESCE(m.interactions, COALESCE(m.likes, 0) + COALESCE(m.comments, 0)
                        + COALESCE(m.shares, 0) + COALESCE(m.saves, 0))) FILTER (WHERE {_ER}),
                    sum(m.reach) FILTER (WHERE {_ER})
                FROM {_METRICS} m
                JOIN {_ACCOUNTS} a ON a.id = m.account_id AND a.organization_id = m.organization_id
                WHERE m.organization_id = %(org)s AND {_DAY.format(col="m.day")}
                GROUP BY m.organization_id, m.day, a.platform""",
        )
    ],
    ADS: [
        (
            AdRollupDaily._meta.db_table,
            f"""INSERT INTO {AdRollupDaily._meta.db_table} (organization_id, day, platform, campaign_id, rows,
                    spend, clicks, cpc_spend, cpc_clicks, leads, conversions, revenue)
                SELECT s.organization_id, s.day, a.platform, s.campaign_id, count(*), sum(s.spend),
                    sum(s.clicks),
                    sum(s.spend) FILTER (WHERE s.spend IS NOT NULL AND s.clicks IS NOT NULL),
                    sum(s.clicks) FILTER (WHERE s.spend IS NOT NULL AND s.clicks IS NOT NULL),
                    sum(s.leads), sum(s.conversions), sum(s.revenue)
                FROM {_ADS_RAW} s
                JOIN {_ACCOUNTS} a ON a.id = s.account_id AND a.organization_id = s.organization_id
                WHERE s.organization_id = %(org)s AND {_DAY.format(col="s.day")}
                GROUP BY s.organization_id, s.day, a.platform, s.campaign_id""",
        )
    ],
    INBOX: [
        (
            InboxRollupDaily._meta.db_table,
            f"""INSERT INTO {InboxRollupDaily._meta.db_table} (organization_id, day, platform, items, resolved,
                    rated, positive)
                SELECT i.organization_id, (i.created_at AT TIME ZONE %(tz)s)::date, a.platform, count(*),
                    count(*) FILTER (WHERE i.status = 'resolved'),
                    count(*) FILTER (WHERE i.sentiment IS NOT NULL),
                    count(*) FILTER (WHERE i.sentiment = 'positive')
                FROM {_INBOX_RAW} i
                JOIN {_ACCOUNTS} a ON a.id = i.account_id AND a.organization_id = i.organization_id
                WHERE i.organization_id = %(org)s AND NOT i.is_from_account
                    AND {_MOMENT.format(col="i.created_at")}
                GROUP BY 1, 2, 3""",
        )
    ],
    CRM: [
        (
            CrmRollupDaily._meta.db_table,
            f"""INSERT INTO {CrmRollupDaily._meta.db_table} (organization_id, day, kind, platform, campaign_id,
                    goal_id, currency, count, amount)
                SELECT l.organization_id, (l.created AT TIME ZONE %(tz)s)::date, 'lead',
                    COALESCE(NULLIF(l.attributed_platform, ''), l.platform), l.campaign_id, l.goal_id, '',
                    count(*), NULL
                FROM {_LEADS} l
                WHERE l.organization_id = %(org)s AND {_MOMENT.format(col="l.created")}
                GROUP BY 1, 2, 3, 4, 5, 6""",
        ),
        (
            CrmRollupDaily._meta.db_table,
            f"""INSERT INTO {CrmRollupDaily._meta.db_table} (organization_id, day, kind, platform, campaign_id,
                    goal_id, currency, count, amount)
                SELECT s.organization_id, (s.sold_at AT TIME ZONE %(tz)s)::date, 'sale',
                    COALESCE(NULLIF(l.attributed_platform, ''), l.platform, ''), l.campaign_id, l.goal_id,
                    s.currency, count(*), sum(s.amount)
                FROM {_SALES} s
                LEFT JOIN {_LEADS} l ON l.id = s.lead_id AND l.organization_id = s.organization_id
                WHERE s.organization_id = %(org)s AND NOT s.refunded AND {_MOMENT.format(col="s.sold_at")}
                GROUP BY 1, 2, 3, 4, 5, 6, 7""",
        ),
    ],
}
_TABLES = {kind: sorted({table for table, _ in inserts}) for kind, inserts in _INSERTS.items()}

# Post rows are keyed by post, not day: the touched days select the posts published on them (in the
# organization's time zone) or observed on them (a snapshot of that day), and those posts' rows are
# replaced. A metric write thus refreshes the posts it observed, a post write the posts it wrote.
_TOUCHED_POSTS = f"""SELECT p.id FROM {_POSTS} p
        WHERE p.organization_id = %(org)s AND {_MOMENT.format(col="p.published_at")}
    UNION
    SELECT m.post_id FROM {_POST_METRICS} m WHERE m.organization_id = %(org)s AND m.day = ANY(%(days)s)"""
_LOCAL = "(p.published_at AT TIME ZONE %(tz)s)"
_POST_INSERT = f"""INSERT INTO {_POST_ROLLUP} (organization_id, post_id, account_id, platform, day, published_at,
        weekday, hour, format, objective, planned_post_id, permalink, metric_day, reach, views, likes,
        comments, shares, saves, link_clicks, engagements)
    SELECT p.organization_id, p.id, p.account_id, a.platform, {_LOCAL}::date, p.published_at,
        EXTRACT(ISODOW FROM {_LOCAL})::int - 1, EXTRACT(HOUR FROM {_LOCAL})::int, p.format,
        p.extra ->> 'objective', p.planned_post_id, p.permalink, m.day, m.reach, m.views, m.likes,
        m.comments, m.shares, m.saves, m.link_clicks,
        CASE WHEN m.reach IS NOT NULL THEN COALESCE(m.likes, 0) + COALESCE(m.comments, 0)
            + COALESCE(m.shares, 0) + COALESCE(m.saves, 0) END
    FROM {_POSTS} p
    JOIN {_ACCOUNTS} a ON a.id = p.account_id AND a.organization_id = p.organization_id
    LEFT JOIN LATERAL (
        SELECT * FROM {_POST_METRICS} m
        WHERE m.organization_id = p.organization_id AND m.post_id = p.id
        ORDER BY m.day DESC LIMIT 1
    ) m ON true
    WHERE p.organization_id = %(org)s AND (%(all)s OR p.id IN (SELECT id FROM touched))"""


def _write_posts(cursor, params: dict[str, Any]) -> None:
    """Replaces the post rows of the touched posts (every post when params["all"])."""
    if params["all"]:
        cursor.execute(f"DELETE FROM {_POST_ROLLUP} WHERE organization_id = %(org)s", params)
        cursor.execute(f"WITH touched AS (SELECT NULL::bigint AS id) {_POST_INSERT}", params)
        return
    cursor.execute(
        f"""WITH touched AS ({_TOUCHED_POSTS})
        DELETE FROM {_POST_ROLLUP} WHERE organization_id = %(org)s AND post_id IN (SELECT id FROM touched)""",
        params,
    )
    cursor.execute(f"WITH touched AS ({_TOUCHED_POSTS}) {_POST_INSERT}", params)


def supported() -> bool:
    """The rollup SQL is PostgreSQL's; on SQLite (local development) the raw rows are read."""
    return connection.vendor == "postgresql"


def covered(organization: Organization) -> bool:
    """Whether the KPI engine may read the organization's rollups (no query: a column of the
    organization row every request has loaded)."""
    return bool(organization.rollups_timezone) and organization.rollups_timezone == organization.timezone


def reads_posts(organization: Organization, tz: dt.tzinfo | None = None) -> bool:
    """Whether the analytics pages read the organization's posts from `PostRollup`: complete
    rollups, and days asked in the organization's time zone (the one the rows are bucketed by; the
    current time zone when `tz` is None). No query."""
    zone = tz or timezone.get_current_timezone()
    same_zone = getattr(zone, "key", str(zone)) == organization.timezone
    return same_zone and supported() and covered(organization)


def _days(moments: Iterable[object], tz: dt.tzinfo) -> list[dt.date]:
    found = set()
    for moment in moments:
        if isinstance(moment, str):
            try:
                moment = dt.datetime.fromisoformat(moment) if len(moment) > 10 else dt.date.fromisoformat(moment)
            except ValueError:
                continue
        if isinstance(moment, dt.datetime):
            if timezone.is_naive(moment):
                moment = timezone.make_aware(moment)  # as Django stores a naive value
            found.add(timezone.localtime(moment, tz).date())
        elif isinstance(moment, dt.date):
            found.add(moment)
    return sorted(found)


def _params(organization: Organization, days: list[dt.date] | None) -> dict[str, Any]:
    tz = organization.tzinfo
    return {
        "org": organization.pk,
        "all": days is None,
        "days": days or [],
        "tz": organization.timezone,
        # Moments bound by the first and last day (a day's local midnight, DST included).
        "since": dt.datetime.combine(min(days), dt.time.min, tzinfo=tz) if days else None,
        "until": dt.datetime.combine(max(days) + dt.timedelta(days=1), dt.time.min, tzinfo=tz) if days else None,
    }


# A lead's attribution groups its sales: the days of the sales of leads created on the days.
_SALE_DAYS_OF_LEADS = f"""SELECT DISTINCT (s.sold_at AT TIME ZONE %(tz)s)::date
    FROM {_LEADS} l JOIN {_SALES} s ON s.lead_id = l.id AND s.organization_id = l.organization_id
    WHERE l.organization_id = %(org)s AND {_MOMENT.format(col="l.created")}"""


def _write(organization: Organization, kinds: Sequence[str], days: list[dt.date] | None) -> None:
    """DELETE + INSERT … SELECT of the kinds' rows of `days` (all days when None); in a transaction."""
    with connection.cursor() as cursor:
        for kind in kinds:
            kind_days = days
            if kind == POST:
                _write_posts(cursor, _params(organization, days))
                continue
            if kind == CRM and days is not None:
                cursor.execute(_SALE_DAYS_OF_LEADS, _params(organization, days))
                kind_days = sorted(set(days) | {row[0] for row in cursor.fetchall()})
            for table in _TABLES[kind]:
                if kind_days is None:
                    cursor.execute(f"DELETE FROM {table} WHERE organization_id = %s", [organization.pk])
                else:
                    cursor.execute(
                        f"DELETE FROM {table} WHERE organization_id = %s AND day = ANY(%s)",
                        [organization.pk, kind_days],
                    )
            params = _params(organization, kind_days)
            for _table, sql in _INSERTS[kind]:
                cursor.execute(sql, params)


def _lock(organization_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK, organization_id])


def rebuild(organization: Organization, start: dt.date | None = None, end: dt.date | None = None) -> None:
    """Rebuilds the organization's rollups: every day (and records coverage), or [start, end]."""
    if not supported():
        return
    with transaction.atomic():
        _lock(organization.pk)
        if start is None and end is None:
            _write(organization, KINDS, None)
            Organization.objects.filter(pk=organization.pk).update(rollups_timezone=organization.timezone)
            organization.rollups_timezone = organization.timezone
            return
        first = start or end or dt.date.min  # one of them is given here
        last = end or first
        days = [first + dt.timedelta(days=n) for n in range((last - first).days + 1)]
        _write(organization, KINDS, days)


def refresh(organization_id: int, kinds: Iterable[str], moments: Iterable[object]) -> None:
    """Refreshes the days `moments` fall on (dates, aware datetimes or their ISO strings) for the
    kinds; builds everything instead when the organization's rollups are not complete yet."""
    organization = Organization.objects.filter(pk=organization_id).first() if supported() else None
    if organization is None:
        return  # deleted meanwhile: its rows went with it
    days = _days(moments, organization.tzinfo)
    if not days:
        return
    with transaction.atomic():
        _lock(organization.pk)
        if not covered(organization):
            rebuild(organization)
            return
        _write(organization, [k for k in KINDS if k in set(kinds)], days)


def forget(organization_id: int) -> None:
    """The organization's rollups are no longer complete (a parent row was deleted): read raw
    tables until the next rebuild."""
    Organization.objects.filter(pk=organization_id).update(rollups_timezone="")
