"""Rules through the API and the pages: CRUD, preview, approve/reject, cross-tenant 404, query counts."""

from decimal import Decimal

import pytest

from adrules.models import ActionStatus, OptimizationRule, RuleAction, RuleEvaluation
from ads.models import CampaignStatus
from tenancy.roles import Role

from .support import approve_strategy, campaign, leads, stat, yesterday

pytestmark = pytest.mark.django_db

RULE = {
    "name": "CPL guard",
    "condition": "cpl_above_target",
    "factor": "1.5",
    "min_spend": "3000",
    "window_days": 7,
    "action": "pause",
    "mode": "approval",
    "enabled": True,
}


def api(org, tail=""):
    return f"/api/v1/orgs/{org.slug}/ads/{tail}"


def bad_campaign(org):
    c = campaign(org, target_cpl="1000")
    stat(c, yesterday(org), spend=Decimal("5000"), impressions=1000, clicks=10)
    leads(c, yesterday(org), 1)
    return c


def test_rule_crud_preview_and_approval_through_the_api(org, owner_client):
    approve_strategy(org)
    c = bad_campaign(org)
    created = owner_client.post(api(org, "rules/"), {**RULE, "campaign": c.pk}, format="json")
    assert created.status_code == 201, created.content
    rule_id = created.json()["id"]

    before = (RuleEvaluation.objects.count(), RuleAction.objects.count())
    preview = owner_client.post(api(org, f"rules/{rule_id}/preview/")).json()
    assert [(p["campaign"], p["fired"], p["action"]) for p in preview] == [(c.pk, True, "pause")]
    assert preview[0]["figures"]["cpl"] == "5000.00"
    assert (RuleEvaluation.objects.count(), RuleAction.objects.count()) == before  # dry run

    from adrules.services import rules_evaluate

    rules_evaluate(organization=org)
    (action,) = owner_client.get(api(org, "rule-actions/"), {"status": "pending"}).json()["results"]
    approved = owner_client.post(api(org, f"rule-actions/{action['id']}/approve/"))
    assert approved.json()["status"] == ActionStatus.DONE  # Celery runs eagerly in unit tests
    c.refresh_from_db()
    assert c.status == CampaignStatus.PAUSED
    again = owner_client.post(api(org, f"rule-actions/{action['id']}/approve/"))
    assert again.status_code == 409  # the action's state (no longer pending) refuses it
    assert again.json()["error"]["fields"] == {"status": ["This action is not waiting for approval."]}

    log = owner_client.get(api(org, "rule-evaluations/"), {"rule": rule_id}).json()["results"]
    assert log[0]["fired"] is True
    assert log[0]["figures"]["limit"] == "1500.00"

    patched = owner_client.patch(api(org, f"rules/{rule_id}/"), {"factor": "2"}, format="json")
    assert patched.json()["factor"] == "2.00"
    assert owner_client.delete(api(org, f"rules/{rule_id}/")).status_code == 204


def test_bad_rule_is_a_400_with_the_field(org, owner_client):
    response = owner_client.post(api(org, "rules/"), {**RULE, "min_spend": None}, format="json")
    assert response.status_code == 400
    assert "min_spend" in response.json()["error"]["fields"]
    response = owner_client.post(api(org, "rules/"), {**RULE, "factor": "NaN"}, format="json")
    assert response.status_code == 400
    assert not OptimizationRule.objects.filter(organization=org).exists()


def test_templates_endpoint_adds_disabled_rules(org, owner_client):
    response = owner_client.post(api(org, "rule-templates/"))
    assert response.status_code == 201
    assert [r["enabled"] for r in response.json()] == [False, False, False]


def test_foreign_rows_are_404(org, other_org, owner_client):
    foreign = bad_campaign(other_org)
    rule = OptimizationRule.objects.create(
        organization=other_org, name="x", condition="ctr_below", ctr_below=1, min_impressions=1, action="notify"
    )
    assert owner_client.get(api(org, f"rules/{rule.pk}/")).status_code == 404
    assert owner_client.post(api(org, f"rules/{rule.pk}/preview/")).status_code == 404
    response = owner_client.post(api(org, "rules/"), {**RULE, "campaign": foreign.pk}, format="json")
    assert response.status_code == 400
    assert "campaign" in response.json()["error"]["fields"]


def test_rule_pages_preview_saves_nothing_and_enable(org, owner_web, django_assert_max_num_queries):
    c = bad_campaign(org)
    form = {k: v for k, v in RULE.items() if k != "enabled"} | {"campaign": c.pk, "window_days": "7", "preview": "1"}
    response = owner_web.post(f"/o/{org.slug}/ads/rules/new/", form)
    html = response.content.decode()
    assert f'data-preview="{c.pk}"' in html
    assert "Fires" in html
    assert not OptimizationRule.objects.filter(organization=org).exists()
    form.pop("preview")
    response = owner_web.post(f"/o/{org.slug}/ads/rules/new/", form | {"enabled": "on", "save": "1"})
    rule = OptimizationRule.objects.get(organization=org)
    assert rule.enabled
    assert response.status_code == 302
    from adrules.services import rules_evaluate

    rules_evaluate(organization=org)
    for n in range(5):
        OptimizationRule.objects.create(
            organization=org, name=f"r{n}", condition="ctr_below", ctr_below=1, min_impressions=1, action="notify"
        )
    with django_assert_max_num_queries(16):
        listing = owner_web.get(f"/o/{org.slug}/ads/rules/")
    assert "Waiting for approval" in listing.content.decode()
    with django_assert_max_num_queries(14):
        assert owner_web.get(f"/o/{org.slug}/ads/rules/{rule.pk}/").status_code == 200


def test_client_role_cannot_write_rules(org, client, make_member):
    viewer = make_member(org, Role.CLIENT)
    client.force_login(viewer.user, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(f"/o/{org.slug}/ads/rules/templates/").status_code == 403
    assert client.get(f"/o/{org.slug}/ads/rules/").status_code == 200
