"""The plan leaving and entering the product: the secret iCal feed, CSV export, CSV import of drafts
(per-row errors, all or nothing), and the shipped seasonal dates."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from content import plan_services
from content.holidays import DATA_FILE, hidden_dates, shipped_dates
from content.models import Post
from content.plan_export import ical_escape, ical_fold
from content.plan_import import import_drafts
from content.plan_models import CalendarDate, CalendarFeed, PlannedSlot

from .calendar_support import draft_on, next_month_day, scheduled_on
from .test_launch_gate import this_year

pytestmark = pytest.mark.django_db


def test_ical_feed_at_the_secret_url(client, owner_web, org, owner_access):
    _, goal, pillar = this_year(org)
    day = next_month_day(org)
    scheduled_on(owner_access, day, goal=goal, pillar=pillar, title="Кофе, офис; заявка")
    draft_on(owner_access, day, title="Черновик для ленты")
    feed = plan_services.feed_get(access=owner_access)
    response = client.get(f"/calendar/{feed.secret}.ics")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    body = response.content.decode()
    assert body.startswith("BEGIN:VCALENDAR\r\nVERSION:2.0\r\n")
    assert body.endswith("END:VCALENDAR\r\n")
    assert "SUMMARY:Кофе\\, офис\\; заявка" in body
    assert "Черновик для ленты" in body
    assert body.count("BEGIN:VEVENT") == body.count("END:VEVENT") >= 2
    assert all(len(line.encode()) <= 75 for line in body.split("\r\n"))
    assert client.get("/calendar/not-the-secret.ics").status_code == 404

    page = owner_web.get(f"/o/{org.slug}/content/calendar/").content.decode()
    assert feed.secret in page
    owner_web.post(f"/o/{org.slug}/content/calendar/feed/regenerate/")
    assert client.get(f"/calendar/{feed.secret}.ics").status_code == 404
    fresh = CalendarFeed.objects.get(organization=org)
    assert fresh.secret != feed.secret
    assert client.get(f"/calendar/{fresh.secret}.ics").status_code == 200


def test_ical_text_escaping_and_folding():
    assert ical_escape("a,b;c\\d\ne") == "a\\,b\\;c\\\\d\\ne"
    folded = ical_fold("SUMMARY:" + "ж" * 100)
    parts = folded.split("\r\n")
    assert all(len(p.encode()) <= 75 for p in parts)
    assert all(p.startswith(" ") for p in parts[1:])
    assert "".join(p[1:] if i else p for i, p in enumerate(parts)) == "SUMMARY:" + "ж" * 100


def test_csv_export_follows_the_filters(owner_web, org, owner_access):
    day = next_month_day(org, 3)
    draft_on(owner_access, day, title="=HYPERLINK(1)", objective="engagement")
    draft_on(owner_access, day, title="Продажи", objective="sales")
    response = owner_web.get(f"/o/{org.slug}/content/calendar/export.csv?date={day.isoformat()}&objective=engagement")
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    lines = response.content.decode().splitlines()
    assert lines[0].startswith("id,date,time,title")
    assert len(lines) == 2
    assert "'=HYPERLINK(1)" in lines[1]
    assert day.isoformat() in lines[1]


CSV_OK = """date;time;title;platform;objective;format;pillar;goal;text
{day};09:30;Утренний латте;vk;engagement;photo;{pillar};;Текст
{dots};;Кофе для офиса;telegram;lead_generation;;;{goal};
"""


def test_import_creates_drafts_on_their_days(org, owner_access):
    _, goal, pillar = this_year(org)
    day = next_month_day(org, 7)
    text = CSV_OK.format(day=day.isoformat(), dots=f"{day:%d.%m.%Y}", pillar=pillar.name, goal=goal.label)
    result = import_drafts(access=owner_access, text=text)
    assert result.ok, [r.errors for r in result.rows]
    posts = {p.title: p for p in Post.objects.filter(organization=org)}
    assert posts["Утренний латте"].pillar_id == pillar.pk
    assert posts["Кофе для офиса"].goal_id == goal.pk
    assert {p.status for p in posts.values()} == {"draft"}
    slots = {s.post.title: s.planned_at for s in PlannedSlot.objects.select_related("post")}
    assert slots["Утренний латте"] == dt.datetime.combine(day, dt.time(9, 30), tzinfo=org.tzinfo)
    assert slots["Кофе для офиса"] == dt.datetime.combine(day, dt.time(10, 0), tzinfo=org.tzinfo)


def test_import_reports_every_row_and_imports_nothing(owner_web, org, owner_access):
    text = (
        "date,title,platform,objective,pillar\n"
        "2026-13-01,Плохая дата,vk,engagement,\n"
        "2026-12-01,Хорошая строка,vk,engagement,\n"
        "2026-12-02,,myspace,fame,Нет такой\n"
    )
    result = import_drafts(access=owner_access, text=text)
    assert not result.ok
    assert not result.created
    errors = {row.line: row.errors for row in result.rows}
    assert errors[3] == []
    assert len(errors[2]) == 1
    assert len(errors[4]) == 4
    assert Post.objects.filter(organization=org).count() == 0

    upload = SimpleUploadedFile("plan.csv", text.encode("cp1251"), content_type="text/csv")
    response = owner_web.post(f"/o/{org.slug}/content/calendar/import/", {"file": upload})
    html = response.content.decode()
    assert response.status_code == 400
    assert "Line 2" in html
    assert "Line 4" in html
    assert Post.objects.filter(organization=org).count() == 0


def test_import_refuses_unknown_columns(org, owner_access):
    result = import_drafts(access=owner_access, text="when,title\n2026-01-01,x\n")
    assert result.file_errors
    assert not result.rows


def test_shipped_dates_cover_this_and_next_year():
    data = json.loads(DATA_FILE.read_text(encoding="utf-8"))["dates"]
    keys = [row["key"] for row in data]
    assert len(keys) == len(set(keys))
    days = {(d.day, d.title) for d in shipped_dates()}
    for year in (2026, 2027):
        for month, day in [
            (1, 1),
            (1, 7),
            (2, 23),
            (3, 8),
            (5, 1),
            (5, 9),
            (6, 12),
            (11, 4),
            (2, 14),
            (4, 12),
            (9, 1),
            (11, 11),
        ]:
            assert any(d == dt.date(year, month, day) for d, _ in days), (year, month, day)
    assert (dt.date(2026, 11, 27), "Чёрная пятница") in days  # the Friday after the 4th Thursday
    assert (dt.date(2027, 11, 26), "Чёрная пятница") in days


def test_dates_page_adds_hides_and_removes(owner_web, org):
    url = f"/o/{org.slug}/content/calendar/dates/"
    response = owner_web.post(url, {"day": "2026-12-20", "title": "Зимнее меню", "kind": "news_hook"})
    assert response.status_code == 302
    page = owner_web.get(url).content.decode()
    assert "Зимнее меню" in page
    owner_web.post(f"{url}shipped/", {"key": "2026-unity", "hidden": "1"})
    assert [d.key for d in hidden_dates(organization=org)] == ["2026-unity"]
    owner_web.post(f"{url}shipped/", {"key": "2026-unity", "hidden": "0"})
    assert hidden_dates(organization=org) == []
    own = list(CalendarDate.objects.filter(organization=org))
    assert len(own) == 1
    owner_web.post(f"{url}{own[0].pk}/remove/")
    assert "Зимнее меню" not in owner_web.get(url).content.decode()
