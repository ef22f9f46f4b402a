"""Goal progress math: percent of target, straight-line projection and status, with exact figures."""

import datetime as dt
from decimal import Decimal

import pytest

from core.kpis import (
    CATALOG,
    Objective,
    ProgressStatus,
    kpi_get,
    kpis_for_objective,
    progress_compute,
)

START = dt.date(2025, 1, 1)
DEADLINE = dt.date(2025, 4, 11)  # 100 days after START
HALFWAY = dt.date(2025, 2, 20)  # day 50


def progress(current, *, baseline=100, target=200, today=HALFWAY):
    return progress_compute(
        baseline=Decimal(baseline),
        target=Decimal(target),
        current=None if current is None else Decimal(current),
        start=START,
        deadline=DEADLINE,
        today=today,
    )


@pytest.mark.parametrize(
    ("current", "percent", "projected_value", "projected_percent", "status"),
    [
        (150, "50.0", "200.00", "100.0", ProgressStatus.ON_TRACK),
        (142, "42.0", "184.00", "84.0", ProgressStatus.AT_RISK),
        (140, "40.0", "180.00", "80.0", ProgressStatus.AT_RISK),  # the floor itself is still "at risk"
        (139, "39.0", "178.00", "78.0", ProgressStatus.OFF_TRACK),
        (120, "20.0", "140.00", "40.0", ProgressStatus.OFF_TRACK),
        (90, "-10.0", "80.00", "-20.0", ProgressStatus.OFF_TRACK),
    ],
)
def test_higher_is_better_status_from_projection(current, percent, projected_value, projected_percent, status):
    result = progress(current)
    assert result.current == Decimal(current)
    assert result.percent_of_target == Decimal(percent)
    assert result.expected_percent == Decimal("50.0")
    assert result.projected_value == Decimal(projected_value)
    assert result.projected_percent == Decimal(projected_percent)
    assert result.status == status
    assert result.achieved is False


def test_lower_is_better_cpl():
    # CPL from 500 to 300: at half time 420 is 40 % of the planned drop, projecting 340 (80 %) → at risk.
    result = progress(420, baseline=500, target=300)
    assert (result.percent_of_target, result.projected_value, result.projected_percent) == (
        Decimal("40.0"),
        Decimal("340.00"),
        Decimal("80.0"),
    )
    assert result.status == ProgressStatus.AT_RISK
    assert progress(400, baseline=500, target=300).status == ProgressStatus.ON_TRACK
    worse = progress(550, baseline=500, target=300)
    assert worse.percent_of_target == Decimal("-25.0")
    assert worse.status == ProgressStatus.OFF_TRACK


def test_target_passed_is_exceeded_and_reached_exactly_is_on_track():
    result = progress(210)
    assert result.percent_of_target == Decimal("110.0")
    assert result.achieved is True
    assert result.status == ProgressStatus.EXCEEDED
    assert result.bar_percent == 100
    assert progress(575).percent_of_target == Decimal("475.0")
    assert progress(575).status == ProgressStatus.EXCEEDED
    assert progress(200).status == ProgressStatus.ON_TRACK
    assert progress(250, baseline=500, target=300).status == ProgressStatus.EXCEEDED  # lower is better


def test_deadline_passed_without_reaching_target_is_off_track():
    result = progress(190, today=DEADLINE)
    assert result.percent_of_target == Decimal("90.0")
    assert result.expected_percent == Decimal("100.0")
    assert result.status == ProgressStatus.OFF_TRACK
    assert progress(190, today=dt.date(2025, 6, 1)).status == ProgressStatus.OFF_TRACK
    assert progress(200, today=DEADLINE).status == ProgressStatus.ON_TRACK


def test_first_day_has_no_projection_and_is_on_track():
    result = progress(100, today=START)
    assert result.projected_value is None
    assert result.projected_percent is None
    assert result.expected_percent == Decimal("0.0")
    assert result.status == ProgressStatus.ON_TRACK
    assert progress(100, today=dt.date(2024, 12, 1)).status == ProgressStatus.ON_TRACK


def test_no_data_is_not_a_number():
    result = progress(None)
    assert result.status == ProgressStatus.NO_DATA
    assert result.current is None
    assert result.percent_of_target is None
    assert result.bar_percent == 0
    assert result.status_label == "No data yet"


def test_catalog_fits_objectives():
    assert [k.key for k in kpis_for_objective(Objective.LEADS)] == [
        "site_clicks",
        "leads",
        "cpl",
        "cpc",
        "platform_leads",
    ]
    assert {"reach", "er"} <= {k.key for k in kpis_for_objective(Objective.AWARENESS)}
    assert "first_response_time" in {k.key for k in kpis_for_objective(Objective.SUPPORT_LOAD)}
    assert kpi_get("cpl").higher_is_better is False
    assert kpi_get("nope") is None
    assert len({k.key for k in CATALOG}) == len(CATALOG)
    for objective in Objective:
        assert kpis_for_objective(objective), objective
