"""A/B tests concluded in a report's period: frozen in the snapshot from the test's own frozen
result, shown on the report page (and so in its PDF); reports made before the section render."""

import datetime as dt
from decimal import Decimal

import pytest

from abtests import demo
from reports.services import report_generate
from tests.reports.factories import ReportFactory

pytestmark = pytest.mark.django_db

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def _plan(access, title, variants=("Photo", "Video")):
    return demo.creative_ctr_plan(access=access, title=title, hypothesis="Video gets more clicks.", variants=variants)


def _conclude(access, test, values, decision, notes, at):
    return demo.run_and_conclude(
        access=access,
        test=test,
        values=[(u, c, Decimal(0)) for u, c in values],
        decision=decision,
        notes=notes,
        concluded_at=at,
    )


@pytest.fixture
def two_tests(owner_access, org):
    tz = org.tzinfo
    winner = _plan(owner_access, "Video vs photo")
    n = winner.required_per_variant
    inside = _conclude(
        owner_access,
        winner,
        [(n, round(n * 0.015)), (n, round(n * 0.02))],
        "adopt",
        "Video in every campaign",
        # The last evening of March in the organization's calendar.
        dt.datetime(2026, 3, 31, 23, 30, tzinfo=tz),
    )
    early = _plan(owner_access, "Long vs short caption")
    outside = _conclude(
        owner_access,
        early,
        [(2000, 20), (2000, 60)],
        "extend",
        "Run longer",
        dt.datetime(2026, 4, 1, 0, 30, tzinfo=tz),  # the first minutes of April
    )
    return inside, outside


def test_exactly_the_test_concluded_in_the_period_is_frozen_with_its_values(org, two_tests):
    inside, outside = two_tests
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    rows = report.snapshot["abtests"]
    assert [row["id"] for row in rows] == [inside.pk]
    (row,) = rows
    assert {k: row[k] for k in ("title", "varies", "metric", "verdict", "winner", "decision", "notes")} == {
        "title": inside.title,
        "varies": inside.varies,
        "metric": inside.metric,
        "verdict": inside.verdict,
        "winner": inside.winner_name,
        "decision": inside.decision,
        "notes": inside.decision_notes,
    }
    assert (row["verdict"], row["winner"], row["decision"]) == ("winner", "Video", "adopt")
    assert row["concluded"] == "2026-03-31"
    # The lift quoted is the winner's frozen comparison; recomputed here from the counts.
    frozen = inside.result["comparisons"][inside.winner_position]
    control, challenger = inside.result["variants"][0], inside.result["variants"][inside.winner_position]
    lift = (challenger["conversions"] / challenger["units"]) / (control["conversions"] / control["units"]) - 1
    comparison = row["comparison"]
    assert comparison["variant"] == "Video"
    assert abs(Decimal(comparison["lift"]) - Decimal(str(lift * 100))) <= Decimal("0.05")
    assert Decimal(comparison["lift_low"]) == round(Decimal(str(frozen["lift_low"])) * 100, 1)
    assert Decimal(comparison["lift_high"]) == round(Decimal(str(frozen["lift_high"])) * 100, 1)
    assert Decimal(comparison["lift_low"]) < Decimal(comparison["lift"]) < Decimal(comparison["lift_high"])
    assert Decimal(comparison["p_value"]) == round(Decimal(str(frozen["p_value"])), 4)
    assert Decimal(comparison["p_value"]) < Decimal("0.05")

    # April's report has the test stopped early, its only challenger's change quoted.
    april, _ = report_generate(organization=org, start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 30))
    (row,) = april.snapshot["abtests"]
    assert (row["id"], row["verdict"], row["winner"], row["decision"], row["notes"]) == (
        outside.pk,
        "stopped_early",
        "",
        "extend",
        "Run longer",
    )
    assert Decimal(row["comparison"]["lift"]) == Decimal("200.0")  # 3 % against 1 %


def test_the_page_shows_the_concluded_test_with_its_verdict_and_decision(owner_web, org, two_tests):
    inside, outside = two_tests
    report, _ = report_generate(organization=org, start=MARCH[0], end=MARCH[1])
    response = owner_web.get(f"/o/{org.slug}/reports/{report.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="abtests-title"' in content
    assert f'data-abtest="{inside.pk}"' in content
    assert f'data-abtest="{outside.pk}"' not in content
    for text in ("Video vs photo", "Winner: Video", "Adopt", "Video in every campaign", "Creative"):
        assert text in content
    assert "Long vs short caption" not in content
    assert "No A/B test was concluded in this period." not in content


def test_a_report_made_before_the_section_renders_its_empty_state(owner_web, org):
    report = ReportFactory(organization=org)
    assert "abtests" not in report.snapshot
    response = owner_web.get(f"/o/{org.slug}/reports/{report.pk}/")
    assert response.status_code == 200
    content = response.content.decode()
    assert 'id="abtests-title"' in content
    assert "No A/B test was concluded in this period." in content
