"""The A/B pages: list (empty state, pagination, constant queries), planner with calculator,
results with verdict, counts and conclusion; form errors; 404 across organizations."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from abtests import services
from abtests.models import ABTest
from abtests.stats import proportion_sample_size
from tenancy.roles import Role
from tests.abtests.test_services import counts, plan
from tests.ads.factories import AdCampaignFactory, AdStatDailyFactory

pytestmark = pytest.mark.django_db


def test_empty_list_invites_to_plan(owner_web, org):
    page = owner_web.get(reverse("abtests:list", kwargs={"org_slug": org.slug}))
    assert page.status_code == 200
    assert "No A/B tests yet" in page.content.decode()


def test_list_keeps_a_constant_query_count(owner_web, org, owner_access, django_assert_max_num_queries):
    list_url = reverse("abtests:list", kwargs={"org_slug": org.slug})
    plan(owner_access, title="T0")
    owner_web.get(list_url)
    with django_assert_max_num_queries(30) as few:
        owner_web.get(list_url)
    for i in range(1, 30):
        test = plan(owner_access, title=f"T{i}")
        if i % 3 == 0:
            services.abtest_start(access=owner_access, test=test)
            services.abtest_conclude(access=owner_access, test=test, decision="drop")
    with django_assert_max_num_queries(len(few.captured_queries)):
        page = owner_web.get(list_url)
    assert page.context["is_paginated"]
    assert len(page.context["object_list"]) == 25


def test_planner_calculates_then_saves(owner_web, org):
    plan_url = reverse("abtests:plan", kwargs={"org_slug": org.slug})
    form = {
        "title": "Video vs photo",
        "hypothesis": "Video gets more clicks.",
        "varies": "creative",
        "metric": "ctr",
        "mde_percent": "50",
        "alpha": "0.05",
        "power": "0.8",
        "baseline_percent": "10",
        "daily_traffic": "100",
        "variant_1_name": "Photo",
        "variant_2_name": "Video",
    }
    page = owner_web.post(plan_url, form | {"action": "calculate"})
    assert page.status_code == 200
    assert page.context["calc"]["plan"].required_per_variant == 686
    assert page.context["calc"]["plan"].days == 14
    assert not ABTest.objects.unscoped().exists()
    saved = owner_web.post(plan_url, form | {"action": "save"})
    test = ABTest.objects.for_organization(org).get()
    assert saved.status_code == 302
    assert saved["Location"] == reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": test.pk})
    assert test.required_per_variant == 686


def test_planner_shows_errors_and_writes_nothing(owner_web, org):
    plan_url = reverse("abtests:plan", kwargs={"org_slug": org.slug})
    page = owner_web.post(
        plan_url,
        {
            "title": "X",
            "hypothesis": "Y",
            "varies": "creative",
            "metric": "ctr",
            "mde_percent": "20",
            "alpha": "0.05",
            "power": "0.8",
            "variant_1_name": "A",
            "variant_2_name": "B",
            "action": "save",
        },
    )
    assert page.status_code == 200
    assert "baseline_percent" in page.context["form"].errors
    page = owner_web.post(plan_url, {"title": "", "metric": "nope", "action": "save"})
    assert page.status_code == 200
    assert {"title", "metric", "variant_1_name"} <= set(page.context["form"].errors)
    assert not ABTest.objects.unscoped().exists()


def test_planner_takes_current_traffic_from_the_control_campaign(owner_web, org):

    c = AdCampaignFactory(organization=org)
    for i in range(30):
        AdStatDailyFactory(campaign=c, day=org.today() - dt.timedelta(days=i), impressions=1000, clicks=20)
    page = owner_web.post(
        reverse("abtests:plan", kwargs={"org_slug": org.slug}),
        {
            "title": "X",
            "hypothesis": "Y",
            "varies": "creative",
            "metric": "ctr",
            "mde_percent": "20",
            "alpha": "0.05",
            "power": "0.8",
            "variant_1_name": "A",
            "variant_1_campaign": c.pk,
            "variant_2_name": "B",
            "action": "calculate",
        },
    )
    calc = page.context["calc"]
    assert calc["baseline"] == Decimal("2.0000")
    assert calc["traffic"] == 1000
    assert calc["plan"].required_per_variant == proportion_sample_size(baseline=0.02, mde=0.2, alpha=0.05, power=0.8)


def test_results_page_shows_verdict_and_concludes(owner_web, org, owner_access, django_assert_max_num_queries):
    test = plan(owner_access)
    detail = reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": test.pk})
    assert owner_web.post(detail, {"action": "start"}).status_code == 302
    n = test.required_per_variant
    variants = list(test.variants.order_by("position"))
    form = {"action": "counts"}
    for v, (u, c) in zip(variants, [(n, round(n * 0.015)), (n, round(n * 0.02))], strict=True):
        form |= {f"v{v.pk}-units": u, f"v{v.pk}-conversions": c, f"v{v.pk}-spend": "0"}
    assert owner_web.post(detail, form).status_code == 302
    with django_assert_max_num_queries(20):
        page = owner_web.get(detail)
    html = page.content.decode()
    assert page.context["evaluation"].verdict == "winner"
    assert "Winner found" in html
    assert "Probability to be best" in html
    bad = owner_web.post(detail, {"action": "conclude", "decision": "maybe"})
    assert bad.status_code == 200
    assert "decision" in bad.context["conclude_form"].errors
    assert owner_web.post(detail, {"action": "conclude", "decision": "adopt"}).status_code == 302
    test.refresh_from_db()
    assert (test.status, test.winner_name) == ("concluded", "Video")


def test_early_adopt_is_a_form_error_not_a_500(owner_web, org, owner_access):
    test = plan(owner_access)
    services.abtest_start(access=owner_access, test=test)
    services.abtest_counts_set(access=owner_access, test=test, counts=counts(test, [(100, 1, "0"), (100, 9, "0")]))
    detail = reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": test.pk})
    page = owner_web.get(detail)
    assert "Collecting data" in page.content.decode()
    page = owner_web.post(detail, {"action": "conclude", "decision": "adopt"})
    assert page.status_code == 200
    assert "decision" in page.context["conclude_form"].errors
    test.refresh_from_db()
    assert test.status == "running"


def test_another_organizations_test_is_a_404(client, org, other_org, owner_access, make_member):
    test = plan(owner_access)
    stranger = make_member(other_org, Role.OWNER).user
    client.force_login(stranger, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("abtests:detail", kwargs={"org_slug": other_org.slug, "pk": test.pk})).status_code == 404
    assert (
        client.post(
            reverse("abtests:detail", kwargs={"org_slug": other_org.slug, "pk": test.pk}), {"action": "start"}
        ).status_code
        == 404
    )
    assert client.get(reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": test.pk})).status_code == 404


def test_a_client_reads_but_cannot_plan(client, org, client_user, owner_access):
    test = plan(owner_access)
    client.force_login(client_user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.get(reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": test.pk})).status_code == 200
    assert client.get(reverse("abtests:plan", kwargs={"org_slug": org.slug})).status_code == 403
    assert (
        client.post(
            reverse("abtests:detail", kwargs={"org_slug": org.slug, "pk": test.pk}), {"action": "start"}
        ).status_code
        == 403
    )
