"""The plan leaving the product: the iCal feed (RFC 5545 text, written here: a handful of
properties do not need a dependency) and the CSV export."""

import csv
import datetime as dt
import io
from collections.abc import Iterable

from django.utils import timezone

from tenancy.models import Organization

from .calendar import moment_of, plan_posts
from .holidays import PlanDate, dates_between
from .models import Post

PRODID = "-//SMM Platform//Content plan//RU"
EVENT_MINUTES = 30
# The feed covers the recent past and the coming year (calendar apps re-read it periodically).
FEED_DAYS_BACK = 90
FEED_DAYS_AHEAD = 365
CSV_COLUMNS = ["id", "date", "time", "title", "platform", "objective", "format", "status", "pillar", "goal", "accounts"]


def ical_escape(text: str) -> str:
    """TEXT value escaping (RFC 5545 §3.3.11)."""
    return (
        text.replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")
    )


def ical_fold(line: str) -> str:
    """Lines longer than 75 octets folded with CRLF + space (§3.1), never inside a UTF-8 character."""
    out, current = [], b""
    limit = 75
    for char in line:
        encoded = char.encode("utf-8")
        if len(current) + len(encoded) > limit:
            out.append(current.decode("utf-8"))
            current, limit = b"", 74  # continuation lines start with the space
        current += encoded
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def _utc(moment: dt.datetime) -> str:
    return moment.astimezone(dt.UTC).strftime("%Y%m%dT%H%M%SZ")


def _post_event(post: Post, host: str, stamp: str) -> list[str]:
    start = moment_of(post) or post.created_at  # plan_posts keeps only posts with a moment
    details = [post.get_status_display(), post.get_platform_display(), post.get_objective_display()]
    if post.pillar is not None:
        details.append(post.pillar.name)
    if post.goal is not None:
        details.append(post.goal.label)
    return [
        "BEGIN:VEVENT",
        f"UID:post-{post.pk}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART:{_utc(start)}",
        f"DTEND:{_utc(start + dt.timedelta(minutes=EVENT_MINUTES))}",
        f"SUMMARY:{ical_escape(post.title)}",
        f"DESCRIPTION:{ical_escape(' · '.join(str(d) for d in details))}",
        f"CATEGORIES:{ical_escape(str(post.get_status_display()))}",
        "END:VEVENT",
    ]


def _date_event(date: PlanDate, host: str, stamp: str) -> list[str]:
    uid = date.key or f"own-{date.own_id}"
    return [
        "BEGIN:VEVENT",
        f"UID:date-{uid}@{host}",
        f"DTSTAMP:{stamp}",
        f"DTSTART;VALUE=DATE:{date.day:%Y%m%d}",
        f"DTEND;VALUE=DATE:{date.day + dt.timedelta(days=1):%Y%m%d}",
        f"SUMMARY:{ical_escape(date.title)}",
        "TRANSP:TRANSPARENT",
        "END:VEVENT",
    ]


def ical_feed(*, organization: Organization, host: str) -> str:
    today = organization.today()
    start, end = today - dt.timedelta(days=FEED_DAYS_BACK), today + dt.timedelta(days=FEED_DAYS_AHEAD)
    stamp = _utc(timezone.now())
    lines = [
        "BEGIN:VCALENDAR",
        "VERSION:2.0",
        f"PRODID:{PRODID}",
        "CALSCALE:GREGORIAN",
        f"X-WR-CALNAME:{ical_escape(organization.name)}",
        f"X-WR-TIMEZONE:{organization.timezone}",
    ]
    for post in plan_posts(organization=organization, start=start, end=end):
        lines += _post_event(post, host, stamp)
    for date in dates_between(organization=organization, start=start, end=end):
        lines += _date_event(date, host, stamp)
    lines.append("END:VCALENDAR")
    return "".join(ical_fold(line) + "\r\n" for line in lines)


def _cell(value: object) -> str:
    """A cell a spreadsheet shows as text: no formula from a leading =, +, - or @."""
    text = "" if value is None else str(value)
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text


def csv_rows(organization: Organization, posts: Iterable[Post]) -> Iterable[list[str]]:
    yield CSV_COLUMNS
    for post in posts:
        moment = moment_of(post)
        local = timezone.localtime(moment, organization.tzinfo) if moment else None
        accounts = ", ".join(p.account.display_name for p in post.publications.all())
        yield [
            _cell(v)
            for v in (
                post.pk,
                f"{local:%Y-%m-%d}" if local else "",
                f"{local:%H:%M}" if local else "",
                post.title,
                post.platform,
                post.objective,
                post.format,
                post.status,
                post.pillar.name if post.pillar else "",
                post.goal.label if post.goal else "",
                accounts,
            )
        ]


def csv_export(*, organization: Organization, posts: Iterable[Post]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerows(csv_rows(organization, posts))
    return buffer.getvalue()
