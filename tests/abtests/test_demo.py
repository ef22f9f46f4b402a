"""The demo: one concluded test with a winner, one inconclusive, one running on CPL linked to
campaigns; idempotent; visible on the list and results pages."""

import datetime as dt

import pytest
from django.urls import reverse

from abtests import demo, selectors
from abtests.models import ABTest
from tenancy.roles import Role
from tests.ads.factories import AdCampaignFactory

pytestmark = pytest.mark.django_db


def test_demo_has_a_winner_and_an_inconclusive_test(org, make_member, client):
    users = {str(role): make_member(org, role).user for role in Role}
    AdCampaignFactory(organization=org)
    AdCampaignFactory(organization=org)
    demo.seed(organization=org, users=users)
    demo.seed(organization=org, users=users)
    tests = {t.metric: t for t in ABTest.objects.for_organization(org)}
    assert len(tests) == 3
    winner, inconclusive, running = tests["ctr"], tests["lead_conversion"], tests["cpl"]
    assert (winner.status, winner.verdict, winner.winner_name, winner.decision) == (
        "concluded",
        "winner",
        "Video",
        "adopt",
    )
    assert winner.result["stopped_early"] is False
    assert (inconclusive.status, inconclusive.verdict, inconclusive.winner_name, inconclusive.decision) == (
        "concluded",
        "inconclusive",
        "",
        "drop",
    )
    assert inconclusive.result["stopped_early"] is False
    assert running.status == "running"
    assert all(v.campaign_id for v in running.variants.all())
    # Concluded in the last closed month, the period of the demo's monthly report.
    last_month_end = org.today().replace(day=1) - dt.timedelta(days=1)
    last_month = (last_month_end.replace(day=1), last_month_end)
    assert set(selectors.concluded_abtests(organization=org, start=last_month[0], end=last_month[1])) == {
        winner,
        inconclusive,
    }

    client.force_login(users["owner"], backend="django.contrib.auth.backends.ModelBackend")
    page = client.get(reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": winner.pk}))
    assert "Winner found" in page.content.decode()
    page = client.get(reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": inconclusive.pk}))
    assert "Verdict: inconclusive" in page.content.decode()
