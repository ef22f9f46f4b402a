"""The demo shows leads per published post: some of the simulated account's posts are the plan's
posts published by hand, linked to the plan as the sync links them (account, time, text), and the
CRM demo's leads reach them through their tracked links (the real attribution)."""

import datetime as dt

import pandas as pd
import pytest
from django.core.management import call_command
from django.urls import reverse

from analytics import explore
from analytics.models import SocialPost
from crm.models import Lead, Sale
from tenancy.models import Membership, Organization
from tenancy.roles import Role

pytestmark = pytest.mark.django_db


@pytest.fixture
def demo(settings):
    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    return Organization.objects.get(slug="zerno")


def test_published_demo_posts_carry_attributed_leads_and_revenue(demo, client):
    org = demo
    linked = SocialPost.objects.for_organization(org).filter(planned_post__isnull=False)
    assert linked.count() >= 3
    assert set(linked.values_list("plan_match", flat=True)) == {"text"}
    assert set(linked.values_list("account__platform", flat=True)) == {"demo"}

    # Independently: the leads each planned post got through its tracked link, and their sales.
    plans = dict(linked.values_list("pk", "planned_post_id"))
    leads = pd.DataFrame.from_records(
        list(Lead.objects.for_organization(org).filter(post_id__in=plans.values()).values("id", "post_id")),
        columns=["id", "post_id"],
    )
    sales = pd.DataFrame.from_records(
        list(
            Sale.objects.for_organization(org)
            .filter(lead_id__in=list(leads["id"]), refunded=False, currency=org.currency)
            .values("lead_id", "amount")
        ),
        columns=["lead_id", "amount"],
    )
    want_leads = leads.groupby("post_id").size()
    revenue = sales.merge(leads, left_on="lead_id", right_on="id").assign(amount=lambda f: f["amount"].astype(float))
    want_revenue = revenue.groupby("post_id")["amount"].sum()

    today = org.today()
    frame = explore.posts_table(explore.Scope(org, today - dt.timedelta(days=89), today))
    shown = frame[frame["post_id"].isin(list(plans))].set_index("post_id")
    assert len(shown) == len(plans)
    with_leads = 0
    for post_id, plan_id in plans.items():
        assert shown.at[post_id, "leads"] == want_leads.get(plan_id, 0)
        assert shown.at[post_id, "revenue"] == pytest.approx(want_revenue.get(plan_id, 0.0))
        with_leads += bool(want_leads.get(plan_id, 0))
    assert with_leads >= 2
    assert (shown["revenue"] > 0).sum() >= 2

    # The post page lists them.
    owner = Membership.objects.for_organization(org).filter(role=Role.OWNER).first().user
    client.force_login(owner, backend="django.contrib.auth.backends.ModelBackend")
    post_id = int(shown["leads"].idxmax())
    response = client.get(reverse("analytics:post", kwargs={"org_slug": org.slug, "pk": post_id}))
    assert response.status_code == 200
    assert len(response.context["leads"]) == min(50, int(shown.at[post_id, "leads"]))
