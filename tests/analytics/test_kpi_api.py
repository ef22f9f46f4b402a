"""`GET /api/v1/orgs/{org}/kpis/` and `kpis/catalog/`: the contract's shape, 400s with field
messages, read scope, tenancy, constant query count."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.kpis import CATALOG
from crm.models import Lead, Sale
from tests.analytics.factories import AccountMetricDailyFactory
from tests.integrations.factories import SocialAccountFactory

from .kpi_data import generate
from .kpi_expected import expected

pytestmark = pytest.mark.django_db


def url(org, query=""):
    return f"/api/v1/orgs/{org.slug}/kpis/{query}"


@pytest.fixture
def read_client(owner_access, make_token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner_access, scopes=('read',)).secret}")
    return client


def _str(value):
    return None if value is None else str(value)


def test_the_contract_shape_and_values(owner_client, org):
    account = SocialAccountFactory(organization=org, platform="vk")
    AccountMetricDailyFactory(account=account, day=dt.date(2026, 3, 2), reach=1000, likes=35)
    AccountMetricDailyFactory(account=account, day=dt.date(2026, 3, 3), reach=3000, likes=5)
    at = dt.datetime(2026, 3, 2, 12, tzinfo=dt.UTC)
    Lead.objects.bulk_create(Lead(organization=org, external_id=f"L{n}", created=at) for n in range(3))

    response = owner_client.get(url(org, "?kpis=reach,er,leads,cpl&start=2026-03-01&end=2026-03-31"))

    assert response.status_code == 200, response.content
    assert response.json() == {
        "start": "2026-03-01",
        "end": "2026-03-31",
        "currency": "RUB",
        "rows": [
            {
                "group": None,
                "values": {
                    "reach": {"value": "4000", "unit": "count", "numerator": "4000", "denominator": None},
                    "er": {"value": "1.00", "unit": "percent", "numerator": "40", "denominator": "4000"},
                    "leads": {"value": "3", "unit": "count", "numerator": "3", "denominator": None},
                    # No ad spend reported: no data, whatever the leads.
                    "cpl": {"value": None, "unit": "money", "numerator": None, "denominator": "3"},
                },
            }
        ],
    }


def test_grouped_rows_match_pandas(token_client, org):
    facts = generate(org, seed=99)
    keys = ["reach", "er", "leads", "cpl", "romi", "site_clicks"]
    for group_by in ("week", "platform", "campaign", "post"):
        response = token_client.get(
            url(org, f"?kpis={','.join(keys)}&start=2026-03-01&end=2026-03-31&group_by={group_by}")
        )
        assert response.status_code == 200, response.content
        want = {}
        for key in keys:  # entity groups: each KPI's own groups, as the report merges them
            for group, values in expected(
                facts, [key], dt.date(2026, 3, 1), dt.date(2026, 3, 31), dim=group_by
            ).items():
                want.setdefault(group, {})[key] = values[key]
        rows = response.json()["rows"]
        assert len(rows) == len({row["group"] for row in rows})
        for row in rows:
            for key in keys:
                got = row["values"][key]
                if row["group"] in want and key in want[row["group"]]:
                    value, numerator, denominator = want[row["group"]][key]
                    assert (got["value"], got["numerator"], got["denominator"]) == (
                        _str(value),
                        _str(numerator),
                        _str(denominator),
                    ), (group_by, row["group"], key)
        assert {row["group"] for row in rows} == set(want)


def test_platform_filter_and_day_groups(owner_client, org):
    account = SocialAccountFactory(organization=org, platform="telegram")
    AccountMetricDailyFactory(account=account, day=dt.date(2026, 3, 2), reach=10)
    body = owner_client.get(url(org, "?kpis=reach&start=2026-03-01&end=2026-03-03&group_by=day&platform=vk")).json()
    assert [(r["group"], r["values"]["reach"]["value"]) for r in body["rows"]] == [
        ("2026-03-01", None),
        ("2026-03-02", None),
        ("2026-03-03", None),
    ]
    body = owner_client.get(url(org, "?kpis=reach&start=2026-03-01&end=2026-03-03&group_by=day&platform=telegram"))
    assert [r["values"]["reach"]["value"] for r in body.json()["rows"]] == [None, "10", None]


@pytest.mark.parametrize(
    ("query", "field"),
    [
        ("?start=2026-03-01&end=2026-03-31", "kpis"),
        ("?kpis=&start=2026-03-01&end=2026-03-31", "kpis"),
        ("?kpis=reach,nope&start=2026-03-01&end=2026-03-31", "kpis"),
        ("?kpis=engagement_rate&start=2026-03-01&end=2026-03-31", "kpis"),
        ("?kpis=reach&end=2026-03-31", "start"),
        ("?kpis=reach&start=2026-03-01", "end"),
        ("?kpis=reach&start=2026-13-01&end=2026-03-31", "start"),
        ("?kpis=reach&start=yesterday&end=2026-03-31", "start"),
        ("?kpis=reach&start=2026-03-31&end=2026-03-01", "end"),
        ("?kpis=reach&start=1999-12-31&end=2026-03-01", "start"),
        ("?kpis=reach&start=2026-03-01&end=2100-01-01", "end"),
        ("?kpis=reach&start=0001-01-01&end=9999-12-31", "start"),
        ("?kpis=reach&start=2026-03-01&end=2026-03-31&group_by=year", "group_by"),
        ("?kpis=reach&start=2026-03-01&end=2026-03-31&platform=myspace", "platform"),
        ("?kpis=reach&start=2000-01-01&end=2099-12-31&group_by=day", "group_by"),
    ],
)
def test_bad_queries_are_400_with_field_messages(owner_client, org, query, field):
    response = owner_client.get(url(org, query))
    assert response.status_code == 400
    error = response.json()["error"]
    assert field in error["fields"], error
    assert all(isinstance(m, str) and m for m in error["fields"][field])


def test_a_long_period_by_month_is_fine(owner_client, org):
    response = owner_client.get(url(org, "?kpis=reach&start=2000-01-01&end=2099-12-31&group_by=month"))
    assert response.status_code == 200
    assert len(response.json()["rows"]) == 1200


def test_a_read_only_token_reads_and_cannot_write(read_client, org):
    assert read_client.get(url(org, "?kpis=reach&start=2026-03-01&end=2026-03-31")).status_code == 200
    assert read_client.get(url(org, "catalog/")).status_code == 200
    assert read_client.post(url(org), {}, format="json").status_code in (403, 405)


def test_another_organization_is_404(token_client, other_org):
    assert token_client.get(url(other_org, "?kpis=reach&start=2026-03-01&end=2026-03-31")).status_code == 404
    assert token_client.get(url(other_org, "catalog/")).status_code == 404
    assert APIClient().get(url(other_org, "catalog/")).status_code in (401, 403)


def test_catalog(owner_client, org):
    body = owner_client.get(url(org, "catalog/")).json()
    assert [k["key"] for k in body] == [k.key for k in CATALOG]
    er = next(k for k in body if k["key"] == "er")
    assert er["unit"] == "percent"
    assert er["direction"] == "higher"
    assert "reach" in er["formula"]
    assert "goal" not in er["dimensions"]
    assert "goal" in next(k for k in body if k["key"] == "leads")["dimensions"]
    support = owner_client.get(url(org, "catalog/?objective=support_load")).json()
    assert [k["key"] for k in support] == [
        "first_response_time",
        "first_response_average",
        "answered_within_target",
        "resolved_in_social",
        "support_savings",
    ]
    assert owner_client.get(url(org, "catalog/?objective=fame")).status_code == 400


@pytest.mark.parametrize("group_by", ["total", "day", "platform", "post", "goal"])
def test_constant_query_count(owner_client, org, group_by, django_assert_max_num_queries):
    keys = ",".join(k.key for k in CATALOG)
    query = f"?kpis={keys}&start=2026-02-01&end=2026-04-30&group_by={group_by}"
    generate(org, seed=3)
    owner_client.get(url(org, query))  # warm the session and organization caches
    with django_assert_max_num_queries(40) as small:
        assert owner_client.get(url(org, query)).status_code == 200
    generate(org, seed=4, scale=3)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert owner_client.get(url(org, query)).status_code == 200


def test_money_is_a_string_with_cents_and_a_connected_crm_counts_zero(owner_client, org):
    query = "?kpis=revenue,sales&start=2026-03-01&end=2026-03-31"
    values = owner_client.get(url(org, query)).json()["rows"][0]["values"]
    assert (values["sales"]["value"], values["revenue"]["value"]) == (None, None)  # no CRM yet: no data
    Sale.objects.create(
        organization=org,
        external_id="S",
        amount=Decimal("10"),
        currency="RUB",
        sold_at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )
    values = owner_client.get(url(org, query)).json()["rows"][0]["values"]
    assert (values["sales"]["value"], values["revenue"]["value"]) == ("0", "0.00")
    Sale.objects.create(
        organization=org,
        external_id="T",
        amount=Decimal("10.5"),
        currency="RUB",
        sold_at=dt.datetime(2026, 3, 5, tzinfo=dt.UTC),
    )
    values = owner_client.get(url(org, query)).json()["rows"][0]["values"]
    assert (values["sales"]["value"], values["revenue"]["value"]) == ("1", "10.50")
