"""`GET metrics/posts/` and `GET metrics/accounts/`: the raw daily facts, keyset-paginated.

Every figure is checked against the table read with plain SQL through pandas; the walk is checked
while rows arrive; a page costs the same queries whatever its size; another organization's rows
never appear; a malformed filter is a 400; every answer validates against the published schema.
"""

import datetime as dt

import pandas as pd
import pytest
from django.db import connection
from rest_framework.test import APIClient

from analytics.models import AccountMetricDaily, PostMetricDaily
from core.vocabulary import Platform
from tenancy.roles import Role
from tests.analytics.factories import AccountMetricDailyFactory, PostMetricDailyFactory, SocialPostFactory
from tests.conftest import access_of
from tests.integrations.factories import SocialAccountFactory
from tests.test_api_conventions import _schema, assert_documented

POSTS = "/api/v1/orgs/{org_slug}/metrics/posts/"
ACCOUNTS = "/api/v1/orgs/{org_slug}/metrics/accounts/"
DAY = dt.date(2026, 3, 1)

POST_COLUMNS = ["id", "post_id", "account_id", "day", "reach", "views", "likes", "comments", "shares", "link_clicks"]
ACCOUNT_COLUMNS = ["id", "account_id", "day", "followers", "reach", "views", "likes"]


def sql_frame(table: str, columns: list[str], organization_id: int) -> pd.DataFrame:
    """The organization's rows with their account's platform, read without the ORM."""
    select = ", ".join(f"f.{c}" for c in columns)
    query = (
        f"SELECT {select}, a.platform FROM {table} f JOIN integrations_socialaccount a ON a.id = f.account_id "  # noqa: S608
        "WHERE f.organization_id = %s ORDER BY f.day, f.id"
    )
    with connection.cursor() as cursor:
        cursor.execute(query, [organization_id])
        names = [d.name for d in cursor.description]
        return pd.DataFrame(cursor.fetchall(), columns=names)


def api_frame(rows: list[dict], columns: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame(rows)
    frame = frame.rename(columns={"post": "post_id", "account": "account_id"})
    frame["day"] = pd.to_datetime(frame["day"]).dt.date
    return frame[[*columns, "platform"]]


def walk(client, url: str, on_page=None) -> list[dict]:
    rows, page_no = [], 0
    while url:
        response = client.get(url)
        assert response.status_code == 200, response.content
        page = response.json()
        assert set(page) == {"next", "results"}  # no COUNT(*) on a fact table
        rows += page["results"]
        page_no += 1
        if on_page:
            on_page(page_no, rows)
        url = page["next"]
    return rows


@pytest.fixture
def facts(org, other_org):
    """Two accounts on two platforms over five days, three posts; plus another organization's rows."""
    vk = SocialAccountFactory(organization=org, platform=Platform.VK)
    tg = SocialAccountFactory(organization=org, platform=Platform.TELEGRAM)
    posts = [SocialPostFactory(organization=org, account=account) for account in (vk, vk, tg)]
    for offset in range(5):
        day = DAY + dt.timedelta(days=offset)
        for n, post in enumerate(posts):
            reach = None if (offset, n) == (2, 1) else 100 * offset + n  # one "not reported"
            PostMetricDailyFactory(post=post, day=day, reach=reach, views=7 * offset + n, likes=n, link_clicks=offset)
        for n, account in enumerate((vk, tg)):
            AccountMetricDailyFactory(account=account, day=day, followers=1000 + offset * 10 + n, reach=50 + offset)
    foreign = SocialPostFactory(organization=other_org, account=SocialAccountFactory(organization=other_org))
    PostMetricDailyFactory(post=foreign, day=DAY, reach=999)
    AccountMetricDailyFactory(account=foreign.account, day=DAY, followers=999)
    return {"vk": vk, "tg": tg, "posts": posts, "foreign": foreign}


@pytest.fixture
def read_client(org, owner, make_token):
    """An integrator's client whose token has only the `read` scope."""
    created = make_token(access_of(org, owner, Role.OWNER), scopes=("read",))
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {created.secret}")
    return client


def url(template: str, org, query: str = "") -> str:
    return template.replace("{org_slug}", org.slug) + (f"?{query}" if query else "")


# ------------------------------------------------------------------------------------------ figures


def test_post_snapshots_are_the_table_row_for_row(read_client, org, facts):
    rows = walk(read_client, url(POSTS, org, "page_size=4"))
    expected = sql_frame("analytics_postmetricdaily", POST_COLUMNS, org.id)
    assert len(expected) == 15
    pd.testing.assert_frame_equal(
        api_frame(rows, POST_COLUMNS), expected, check_dtype=False, check_like=False, check_exact=True
    )
    assert any(row["reach"] is None for row in rows)  # "not reported" stays null, never 0


def test_account_days_are_the_table_row_for_row(read_client, org, facts):
    rows = walk(read_client, url(ACCOUNTS, org, "page_size=3"))
    expected = sql_frame("analytics_accountmetricdaily", ACCOUNT_COLUMNS, org.id)
    assert len(expected) == 10
    pd.testing.assert_frame_equal(api_frame(rows, ACCOUNT_COLUMNS), expected, check_dtype=False)


@pytest.mark.parametrize(
    ("query", "keep"),
    [
        (
            "start=2026-03-02&end=2026-03-03",
            lambda f, x: (f.day >= dt.date(2026, 3, 2)) & (f.day <= dt.date(2026, 3, 3)),
        ),
        ("start=2026-03-04", lambda f, x: f.day >= dt.date(2026, 3, 4)),
        ("end=2026-03-01", lambda f, x: f.day <= dt.date(2026, 3, 1)),
        ("platform=telegram", lambda f, x: f.platform == "telegram"),
        ("platform=", lambda f, x: f.day > DAY.replace(day=1) - dt.timedelta(days=1)),  # empty: any
        ("account={vk}", lambda f, x: f.account_id == x["vk"].id),
        ("account={vk}&platform=telegram", lambda f, x: f.account_id < 0),  # no row is both
        ("post={post0}&start=2026-03-03", lambda f, x: (f.post_id == x["posts"][0].id) & (f.day >= DAY.replace(day=3))),
        ("start=2026-03-05&end=2026-03-01", lambda f, x: f.day < DAY),  # an empty range: no rows
    ],
)
def test_filters_select_the_rows_pandas_selects(read_client, org, facts, query, keep):
    query = query.format(vk=facts["vk"].id, post0=facts["posts"][0].id)
    rows = walk(read_client, url(POSTS, org, f"{query}&page_size=2"))
    frame = sql_frame("analytics_postmetricdaily", POST_COLUMNS, org.id)
    expected = frame[keep(frame, facts)]
    assert [row["id"] for row in rows] == expected["id"].tolist()


def test_account_days_filter_by_day_account_and_platform(read_client, org, facts):
    rows = walk(read_client, url(ACCOUNTS, org, f"start=2026-03-02&end=2026-03-04&account={facts['tg'].id}"))
    frame = sql_frame("analytics_accountmetricdaily", ACCOUNT_COLUMNS, org.id)
    expected = frame[
        (frame.account_id == facts["tg"].id) & (frame.day >= DAY.replace(day=2)) & (frame.day <= DAY.replace(day=4))
    ]
    assert [(r["id"], r["followers"], r["platform"]) for r in rows] == list(
        zip(expected.id, expected.followers, expected.platform, strict=True)
    )


# ------------------------------------------------------------------------------------------- cursor


def test_the_walk_returns_every_row_once_in_day_id_order_while_rows_arrive(read_client, org, facts):
    before = set(PostMetricDaily.objects.for_organization(org).values_list("id", flat=True))
    added = {}

    def arrive(page_no, rows):
        if page_no == 2:  # after the cursor's day, inside the cursor's day, and before it
            last = dt.date.fromisoformat(rows[-1]["day"])
            post = facts["posts"][0]
            extra = SocialPostFactory(organization=org, account=post.account)
            added["same_day"] = PostMetricDailyFactory(post=extra, day=last).id
            added["later"] = PostMetricDailyFactory(post=extra, day=DAY + dt.timedelta(days=30)).id
            added["earlier"] = PostMetricDailyFactory(post=extra, day=DAY - dt.timedelta(days=1)).id

    rows = walk(read_client, url(POSTS, org, "page_size=4"), on_page=arrive)
    ids = [row["id"] for row in rows]
    assert len(ids) == len(set(ids))  # nothing repeated
    assert before <= set(ids)  # nothing that existed was skipped
    # A row after the cursor's position is seen; one before it belongs to the next walk.
    assert added["same_day"] in ids
    assert added["later"] in ids
    assert added["earlier"] not in ids
    keys = [(row["day"], row["id"]) for row in rows]
    assert keys == sorted(keys)


def test_the_cursor_is_the_last_rows_day_and_id_and_can_be_built_by_hand(read_client, org, facts):
    first = read_client.get(url(POSTS, org, "page_size=2")).json()
    last = first["results"][-1]
    assert first["next"].endswith(f"cursor={last['day']}.{last['id']}&page_size=2") or (
        f"cursor={last['day']}.{last['id']}" in first["next"]
    )
    # Resuming from a day: everything after 2026-03-03 (id 0 is before every id of that day).
    rows = walk(read_client, url(POSTS, org, "cursor=2026-03-03.0"))
    assert {row["day"] for row in rows} == {"2026-03-03", "2026-03-04", "2026-03-05"}
    # Any position of the documented shape is accepted: a day past the month's end, year 0.
    assert walk(read_client, url(POSTS, org, "cursor=2026-02-30.5")) == walk(read_client, url(POSTS, org))
    assert len(walk(read_client, url(POSTS, org, "cursor=0000-01-01.0"))) == 15
    assert walk(read_client, url(POSTS, org, "cursor=2026-03-31.1")) == []


def test_a_page_costs_the_same_queries_whatever_its_size(read_client, org, facts, django_assert_max_num_queries):
    for account in (facts["vk"], facts["tg"]):
        for offset in range(5, 105):
            AccountMetricDailyFactory(account=account, day=DAY + dt.timedelta(days=offset))
    read_client.get(url(ACCOUNTS, org))  # the token's first use of the day is recorded once
    counts = {}
    for size in (1, 200):
        with django_assert_max_num_queries(20) as captured:
            response = read_client.get(url(ACCOUNTS, org, f"page_size={size}"))
        assert len(response.json()["results"]) == size
        counts[size] = len(captured)
    assert counts[1] == counts[200], counts
    with django_assert_max_num_queries(counts[1]):
        read_client.get(url(POSTS, org, "page_size=200&platform=vk&start=2026-03-01"))


def test_the_page_uses_the_organization_day_id_index(org, facts):
    sql, params = (
        PostMetricDaily.objects.filter(organization=org, day__gte=DAY)
        .order_by("day", "id")
        .values("id")[:50]
        .query.sql_with_params()
    )
    with connection.cursor() as cursor:
        # A handful of rows: tell the planner to prefer what it picks on a large table.
        for setting in ("enable_seqscan", "enable_bitmapscan", "enable_sort"):
            cursor.execute(f"SET LOCAL {setting} = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "postmetric_org_day_id_idx" in plan, plan
    assert "Scan using postmetric_org_day_id_idx" in plan, plan
    assert "Sort" not in plan, plan  # the index gives the (day, id) order


# ------------------------------------------------------------------------------------------ tenancy


def test_another_organizations_metrics_are_404(read_client, other_org, facts):
    for template in (POSTS, ACCOUNTS):
        assert read_client.get(url(template, other_org)).status_code == 404


def test_another_organizations_rows_and_accounts_never_appear(read_client, org, facts):
    foreign = facts["foreign"]
    assert walk(read_client, url(POSTS, org, f"account={foreign.account_id}")) == []
    assert walk(read_client, url(POSTS, org, f"post={foreign.id}")) == []
    assert walk(read_client, url(ACCOUNTS, org, f"account={foreign.account_id}")) == []
    everything = walk(read_client, url(POSTS, org)) + walk(read_client, url(ACCOUNTS, org))
    assert not {row["account"] for row in everything} & {foreign.account_id}


def test_without_credentials_it_is_401(api_client, org, facts):
    assert api_client.get(url(POSTS, org)).status_code == 401


# -------------------------------------------------------------------------------------- bad input


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("start=2026-13-01", "start"),
        ("start=yesterday", "start"),
        ("start=", "start"),
        ("account=", "account"),
        ("end=2026-02-30", "end"),
        ("account=0", "account"),
        ("account=abc", "account"),
        (f"account={2**63}", "account"),
        ("platform=myspace", "platform"),
        ("post=-1", "post"),
        ("cursor=abc", "cursor"),
        ("cursor=2026-03-01", "cursor"),
        ("cursor=2026-03-01.1&cursor=2026-03-02.1", "cursor"),
        ("page_size=0", "page_size"),
        ("page_size=201", "page_size"),
        ("page_size=1&page_size=2", "page_size"),
    ],
)
def test_a_malformed_filter_is_a_400_naming_it(read_client, org, facts, query, field):
    response = read_client.get(url(POSTS, org, query))
    assert response.status_code == 400, response.content
    assert field in response.json()["error"]["fields"]
    assert_documented(_schema(), POSTS, "get", response)


# ------------------------------------------------------------------------------------------ schema


def test_every_answer_validates_against_the_published_schema(read_client, org, facts, other_org, api_client):
    schema = _schema()
    for template in (POSTS, ACCOUNTS):
        assert_documented(schema, template, "get", read_client.get(url(template, org, "page_size=2")))
        assert_documented(schema, template, "get", read_client.get(url(template, org, "start=2030-01-01")))
        assert_documented(schema, template, "get", read_client.get(url(template, other_org)))
        assert_documented(schema, template, "get", api_client.get(url(template, org)))
        parameters = {p["name"]: p for p in schema["paths"][template]["get"]["parameters"]}
        assert {"cursor", "page_size", "start", "end", "account", "platform"} <= set(parameters)
        assert "page" not in parameters  # cursor only
        assert parameters["start"]["schema"]["format"] == "date"
        assert parameters["account"]["schema"]["minimum"] == 1
    post_row = schema["components"]["schemas"]["PostMetricFact"]["properties"]
    assert post_row["reach"]["nullable"] is True
    assert post_row["day"]["format"] == "date"
    assert AccountMetricDaily._meta.get_field("followers").null
    assert schema["components"]["schemas"]["AccountMetricFact"]["properties"]["followers"]["nullable"] is True
