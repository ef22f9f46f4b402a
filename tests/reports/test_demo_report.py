import pytest
from django.core.management import call_command

from abtests.models import ABTest
from reports.models import Report
from tenancy.models import Organization

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    return Organization.objects.get(slug="zerno")


def test_the_demo_latest_report_shows_a_real_finding_and_a_recommendation_tied_to_it(demo):
    report = Report.objects.filter(organization=demo).order_by("-period_end").first()
    assert report is not None
    snapshot = report.snapshot
    assert snapshot["insights"], snapshot["insights_window"]
    tied = [r for r in snapshot["recommendations"] if r["insights"]]
    assert tied
    finding = snapshot["insights"][tied[0]["insights"][0]]
    assert finding["evidence"] in tied[0]["evidence"]
    # Findings are measured, not written: the figures are the engine's, over enough posts.
    assert finding["n_segment"] >= 10
    assert finding["n_rest"] >= 10
    assert finding["p_value"] <= 0.05


def test_the_demo_latest_report_lists_the_ab_tests_concluded_in_its_month(demo):
    report = Report.objects.filter(organization=demo).order_by("-period_end").first()
    concluded = ABTest.objects.for_organization(demo).filter(
        concluded_at__date__range=(report.period_start, report.period_end)
    )
    assert concluded.count() == 2
    assert {row["title"] for row in report.snapshot["abtests"]} == {t.title for t in concluded}
