"""Strategy API: CRUD through services, approval as an action, progress reads, tenancy, query counts."""

import datetime as dt
from decimal import Decimal

import pytest
from rest_framework.test import APIClient

from core.kpis import CATALOG
from strategy.models import (
    AudienceSegment,
    Competitor,
    CompetitorSnapshot,
    ContentPillar,
    Experiment,
    Goal,
    PlatformChoice,
    PresenceAudit,
    Strategy,
    TrendNote,
)
from tenancy.models import AuditLog
from tenancy.roles import Role

from .factories import (
    AudienceSegmentFactory,
    BusinessProfileFactory,
    CompetitorFactory,
    ContentPillarFactory,
    ExperimentFactory,
    GoalFactory,
    PlatformChoiceFactory,
    PresenceAuditFactory,
    StrategyFactory,
    TrendNoteFactory,
    approved_strategy,
)

pytestmark = pytest.mark.django_db


def url(org, path=""):
    return f"/api/v1/orgs/{org.slug}/{path}"


def client_for(user):
    client = APIClient()
    client.force_authenticate(user)
    return client


# --- analysis ------------------------------------------------------------------------------------


def test_business_profile_put_and_patch(owner_client, org):
    assert owner_client.get(url(org, "business-profile/")).status_code == 404
    response = owner_client.patch(url(org, "business-profile/"), {"geography": "Казань"})
    assert response.status_code == 400
    assert "product" in response.json()["error"]["fields"]
    response = owner_client.put(
        url(org, "business-profile/"),
        {"product": "Кофейни у дома", "average_order_value": "420.00", "gross_margin_percent": "65"},
    )
    assert response.status_code == 200, response.json()
    response = owner_client.patch(url(org, "business-profile/"), {"geography": "Казань"})
    assert response.json()["product"] == "Кофейни у дома"
    assert response.json()["geography"] == "Казань"
    assert response.json()["gross_margin_percent"] == "65.00"
    response = owner_client.patch(url(org, "business-profile/"), {"gross_margin_percent": "120"})
    assert response.status_code == 400


def test_analysis_crud(owner_client, org):
    seg = owner_client.post(
        url(org, "audience-segments/"), {"name": "Студенты", "platforms": ["vk", "telegram"], "pains": "Дорого"}
    )
    assert seg.status_code == 201, seg.json()
    assert owner_client.post(url(org, "audience-segments/"), {"name": "X", "platforms": ["myspace"]}).status_code == 400
    comp = owner_client.post(
        url(org, "competitors/"), {"name": "Кофе Бум", "links": {"vk": "https://vk.com/coffeeboom"}}
    )
    assert comp.status_code == 201, comp.json()
    snap = owner_client.post(
        url(org, "competitor-snapshots/"),
        {"competitor": comp.json()["id"], "platform": "vk", "date": "2025-01-10", "followers": 12000},
    )
    assert snap.status_code == 201, snap.json()
    again = owner_client.post(
        url(org, "competitor-snapshots/"),
        {"competitor": comp.json()["id"], "platform": "vk", "date": "2025-01-10", "followers": 12500},
    )
    assert again.json()["id"] == snap.json()["id"]
    assert CompetitorSnapshot.objects.get().followers == 12500
    audit = owner_client.post(
        url(org, "presence-audits/"),
        {"platform": "vk", "date": "2025-01-01", "followers": 3400, "engagement_rate": "2.10", "posts_per_week": "3"},
    )
    assert audit.status_code == 201, audit.json()
    dup = owner_client.post(url(org, "presence-audits/"), {"platform": "vk", "date": "2025-01-01"})
    assert dup.status_code in (400, 409)
    assert (
        owner_client.patch(url(org, f"audience-segments/{seg.json()['id']}/"), {"needs": "Быстро"}).status_code == 200
    )
    assert owner_client.delete(url(org, f"audience-segments/{seg.json()['id']}/")).status_code == 204
    assert AudienceSegment.objects.count() == 0
    assert PresenceAudit.objects.get().followers == 3400


# --- strategy, goals, platforms, pillars ---------------------------------------------------------


def build_via_api(client, org):
    strategy = client.post(
        url(org, "strategies/"),
        {
            "title": "Стратегия 2025",
            "period_start": "2025-01-01",
            "period_end": "2025-12-31",
            "positioning_statement": "Кофе, ради которого не нужно ехать в центр",
        },
    )
    assert strategy.status_code == 201, strategy.json()
    sid = strategy.json()["id"]
    goal = client.post(
        url(org, "goals/"),
        {
            "strategy": sid,
            "objective": "leads",
            "kpi": "leads",
            "baseline": "40",
            "target": "120",
            "deadline": "2025-06-30",
        },
    )
    assert goal.status_code == 201, goal.json()
    platform = client.post(
        url(org, "platform-choices/"), {"strategy": sid, "platform": "vk", "rationale": "Аудитория 25–45"}
    )
    assert platform.status_code == 201, platform.json()
    pillar = client.post(
        url(org, "content-pillars/"),
        {
            "strategy": sid,
            "name": "Акции",
            "objective": "leads",
            "funnel_stage": "conversion",
            "target_share": 100,
            "formats": ["photo", "carousel"],
            "goals": [goal.json()["id"]],
        },
    )
    assert pillar.status_code == 201, pillar.json()
    return sid, goal.json()["id"], pillar.json()["id"]


def test_full_workflow_through_the_api(owner_client, org, marketer):
    marketer_client = client_for(marketer)
    sid, goal_id, _pillar_id = build_via_api(marketer_client, org)
    assert marketer_client.post(url(org, f"strategies/{sid}/submit/")).json()["status"] == "in_review"
    refused = marketer_client.post(url(org, f"strategies/{sid}/approve/"))
    assert refused.status_code == 403
    assert Strategy.objects.get(pk=sid).status == "in_review"
    approved = owner_client.post(url(org, f"strategies/{sid}/approve/"))
    assert approved.status_code == 200, approved.json()
    assert approved.json()["status"] == "approved"
    assert AuditLog.objects.filter(action="strategy.approve", object_id=str(sid)).count() == 1

    # The approved strategy is immutable: a PATCH returns the next draft version.
    response = marketer_client.patch(url(org, f"strategies/{sid}/"), {"tone_guidelines": "На ты, тепло"})
    assert response.status_code == 200
    body = response.json()
    assert (body["id"] != sid, body["version"], body["previous"], body["status"]) == (True, 2, sid, "draft")
    assert Strategy.objects.get(pk=sid).tone_guidelines == ""
    # Children of the approved one refuse edits with 409.
    response = marketer_client.patch(url(org, f"goals/{goal_id}/"), {"target": "200"})
    assert response.status_code == 409
    assert Goal.objects.get(pk=goal_id).target == Decimal(120)

    detail = owner_client.get(url(org, f"strategies/{body['id']}/")).json()
    assert len(detail["goals"]) == 1
    assert detail["pillars"][0]["goals"] == [detail["goals"][0]["id"]]


def test_goal_without_target_rejected_by_api(owner_client, org, draft):
    response = owner_client.post(
        url(org, "goals/"),
        {"strategy": draft.pk, "objective": "leads", "kpi": "leads", "baseline": "40", "deadline": "2025-06-30"},
    )
    assert response.status_code == 400
    assert list(response.json()["error"]["fields"]) == ["target"]
    response = owner_client.post(
        url(org, "goals/"),
        {
            "strategy": draft.pk,
            "objective": "awareness",
            "kpi": "cpl",
            "baseline": "40",
            "target": "20",
            "deadline": "2025-06-30",
        },
    )
    assert response.status_code == 400
    assert "does not measure" in response.json()["error"]["fields"]["kpi"][0]
    assert Goal.objects.count() == 0


def test_more_than_two_key_platforms_rejected_by_api(owner_client, org, draft):
    for platform in ("vk", "telegram"):
        PlatformChoiceFactory(strategy=draft, platform=platform)
    response = owner_client.post(
        url(org, "platform-choices/"), {"strategy": draft.pk, "platform": "instagram", "role": "key", "rationale": "x"}
    )
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["role"][0].startswith("At most 2 key platforms")
    assert PlatformChoice.objects.count() == 2


def test_approval_refused_with_gaps_named(owner_client, org, draft):
    goal = GoalFactory(strategy=draft, title="Лиды")
    PlatformChoiceFactory(strategy=draft)
    ContentPillarFactory(strategy=draft, target_share=70)
    draft.status = Strategy.Status.IN_REVIEW
    draft.save()
    checks = owner_client.get(url(org, f"strategies/{draft.pk}/checks/")).json()
    assert checks["ok"] is False
    assert checks["share_total"] == 70
    response = owner_client.post(url(org, f"strategies/{draft.pk}/approve/"))
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["fields"]["pillars"] == [
        "Content pillar shares must sum to 100% (now 70%).",
        f"Goal “{goal}” is not served by any content pillar.",
    ]
    assert Strategy.objects.get(pk=draft.pk).status == "in_review"


def test_token_cannot_approve(org, owner_access, make_token, draft):
    secret = make_token(owner_access, scopes=["read", "write"]).secret
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    assert client.post(url(org, f"strategies/{draft.pk}/approve/")).status_code == 403


def test_goal_progress_endpoints(owner_client, org):
    strategy, goal, _pillar = approved_strategy(org)
    response = owner_client.get(url(org, f"goals/{goal.pk}/progress/"))
    assert response.status_code == 200
    assert response.json()["progress"]["status"] == "no_data"
    assert response.json()["progress"]["current"] is None
    rows = owner_client.get(url(org, f"strategies/{strategy.pk}/progress/")).json()
    assert [r["goal"]["id"] for r in rows] == [goal.pk]


def test_kpi_catalog_filtered_by_objective(owner_client, org):
    keys = [k["key"] for k in owner_client.get(url(org, "kpis/catalog/?objective=support_load")).json()]
    assert keys == [
        "first_response_time",
        "first_response_average",
        "answered_within_target",
        "resolved_in_social",
        "support_savings",
    ]
    assert len(owner_client.get(url(org, "kpis/catalog/")).json()) == len(CATALOG)


def test_experiment_actions(owner_client, org):
    created = owner_client.post(
        url(org, "experiments/"),
        {
            "title": "Telegram-канал",
            "hypothesis": "Канал даст повторные визиты",
            "kind": "platform",
            "platform": "telegram",
            "budget_cap": "10000",
            "start_date": "2025-04-01",
            "end_date": "2025-05-31",
            "success_metric": "Подписчики",
            "success_threshold": "500",
        },
    )
    assert created.status_code == 201, created.json()
    eid = created.json()["id"]
    assert owner_client.post(url(org, f"experiments/{eid}/start/")).json()["status"] == "running"
    response = owner_client.post(url(org, f"experiments/{eid}/conclude/"), {"result_value": "350", "decision": "drop"})
    assert response.status_code == 400
    response = owner_client.post(
        url(org, f"experiments/{eid}/conclude/"),
        {"result_value": "350", "decision": "extend", "recommendation": "Продлить на месяц с розыгрышем"},
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["succeeded"]) == ("concluded", False)


# --- tenancy ---------------------------------------------------------------------------------------


def foreign_rows(other_org):
    strategy, goal, pillar = approved_strategy(other_org)
    competitor = CompetitorFactory(organization=other_org)
    snapshot = CompetitorSnapshot.objects.create(
        organization=other_org, competitor=competitor, platform="vk", date=dt.date(2025, 1, 1), followers=1
    )
    return {
        "audience-segments": AudienceSegmentFactory(organization=other_org),
        "competitors": competitor,
        "competitor-snapshots": snapshot,
        "presence-audits": PresenceAuditFactory(organization=other_org),
        "strategies": strategy,
        "goals": goal,
        "platform-choices": strategy.platforms.get(),
        "content-pillars": pillar,
        "trend-notes": TrendNoteFactory(organization=other_org),
        "experiments": ExperimentFactory(organization=other_org),
    }


def test_cross_tenant_404_on_every_endpoint(owner_client, org, other_org, make_member):
    make_member(other_org, Role.OWNER)
    BusinessProfileFactory(organization=other_org, product="Чужой")
    rows = foreign_rows(other_org)
    # The other organization's URLs: 404 for a non-member.
    for path in [*rows, "business-profile", "kpis"]:
        assert owner_client.get(url(other_org, f"{path}/")).status_code == 404, path
    # The other organization's ids through our URL: 404, and nothing changes.
    for path, obj in rows.items():
        for method, suffix, body in [
            ("get", "", None),
            ("patch", "", {"title": "x", "name": "x", "rationale": "x"}),
            ("delete", "", None),
        ]:
            if path == "competitor-snapshots" and method == "patch":
                continue  # snapshots are re-posted, not patched
            response = getattr(owner_client, method)(url(org, f"{path}/{obj.pk}/{suffix}"), body)
            assert response.status_code == 404, (method, path)
    strategy = rows["strategies"]
    for action in ("submit", "approve", "return-to-draft", "new-version", "archive", "copy"):
        assert owner_client.post(url(org, f"strategies/{strategy.pk}/{action}/")).status_code == 404, action
    for action in ("checks", "progress"):
        assert owner_client.get(url(org, f"strategies/{strategy.pk}/{action}/")).status_code == 404, action
    assert owner_client.get(url(org, f"goals/{rows['goals'].pk}/progress/")).status_code == 404
    exp = rows["experiments"]
    assert owner_client.post(url(org, f"experiments/{exp.pk}/start/")).status_code == 404
    assert owner_client.post(url(org, f"experiments/{exp.pk}/conclude/")).status_code == 404
    # Foreign ids in bodies are refused too.
    response = owner_client.post(
        url(org, "goals/"),
        {
            "strategy": strategy.pk,
            "objective": "leads",
            "kpi": "leads",
            "baseline": 1,
            "target": 2,
            "deadline": "2025-06-30",
        },
    )
    assert response.status_code == 400
    assert owner_client.get(url(org, "business-profile/")).status_code == 404
    # Nothing of the other organization changed.
    strategy.refresh_from_db()
    assert strategy.status == "approved"
    assert Strategy.objects.filter(organization=other_org).count() == 1
    assert Goal.objects.filter(organization=other_org).count() == 1
    assert ContentPillar.objects.filter(organization=other_org).count() == 1
    assert Competitor.objects.filter(organization=other_org).count() == 1
    assert TrendNote.objects.filter(organization=other_org).count() == 1
    assert Experiment.objects.get(pk=exp.pk).status == "planned"
    assert Goal.objects.filter(organization=org).count() == 0


# --- query counts ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("path", "make"),
    [
        ("audience-segments/", lambda org, i: AudienceSegmentFactory(organization=org)),
        ("competitors/", lambda org, i: CompetitorFactory(organization=org)),
        ("presence-audits/", lambda org, i: PresenceAuditFactory(organization=org, date=dt.date(2025, 1, 1 + i))),
        (
            "strategies/",
            lambda org, i: approved_strategy(org, start=dt.date(2000 + i, 1, 1), end=dt.date(2000 + i, 12, 31)),
        ),
        ("goals/", lambda org, i: GoalFactory(strategy=StrategyFactory(organization=org))),
        ("platform-choices/", lambda org, i: PlatformChoiceFactory(strategy=StrategyFactory(organization=org))),
        (
            "content-pillars/",
            lambda org, i: ContentPillarFactory(
                strategy=(s := StrategyFactory(organization=org)), goals=[GoalFactory(strategy=s)]
            ),
        ),
        ("trend-notes/", lambda org, i: TrendNoteFactory(organization=org)),
        ("experiments/", lambda org, i: ExperimentFactory(organization=org)),
    ],
)
def test_list_endpoint_query_count_does_not_grow(owner_client, org, path, make, django_assert_max_num_queries):
    for i in range(12):
        make(org, i)
    with django_assert_max_num_queries(8):
        response = owner_client.get(url(org, path))
    assert response.status_code == 200
    assert response.json()["count"] == 12


def test_competitor_lists_its_newest_snapshots_and_links_all_of_them(
    owner_client, org, other_org, django_assert_max_num_queries
):
    """The nested snapshots stop at the newest NESTED_SNAPSHOTS; the rest are paginated at
    `snapshots_url`, and the count says how many there are. Query count does not grow with them."""
    from strategy.api.serializers import NESTED_SNAPSHOTS

    competitors = [CompetitorFactory(organization=org, name=f"К{i}") for i in range(3)]
    start = dt.date(2025, 1, 1)
    total = NESTED_SNAPSHOTS + 15
    CompetitorSnapshot.objects.bulk_create(
        CompetitorSnapshot(
            organization=org, competitor=c, platform="vk", date=start + dt.timedelta(days=d), followers=1000 + d
        )
        for c in competitors
        for d in range(total if c is competitors[0] else 2)
    )
    with django_assert_max_num_queries(12):
        listed = owner_client.get(url(org, "competitors/"))
    assert listed.status_code == 200
    rows = {row["name"]: row for row in listed.json()["results"]}
    first = rows["К0"]
    assert first["snapshot_count"] == total
    assert len(first["snapshots"]) == NESTED_SNAPSHOTS
    dates = [s["date"] for s in first["snapshots"]]
    assert dates == sorted(dates, reverse=True)
    assert dates[0] == (start + dt.timedelta(days=total - 1)).isoformat()
    assert rows["К1"]["snapshot_count"] == 2
    assert len(rows["К1"]["snapshots"]) == 2
    # The link pages through all of them, newest first.
    assert first["snapshots_url"].endswith(f"/api/v1/orgs/{org.slug}/competitor-snapshots/?competitor={first['id']}")
    seen, page = [], first["snapshots_url"]
    while page:
        body = owner_client.get(page).json()
        seen += [s["date"] for s in body["results"]]
        page = body["next"]
    assert len(seen) == total
    assert seen == sorted(seen, reverse=True)
    # A single competitor answers the same; another organization's competitor is not found.
    one = owner_client.get(url(org, f"competitors/{first['id']}/")).json()
    assert one["snapshot_count"] == total
    assert len(one["snapshots"]) == NESTED_SNAPSHOTS
    foreign = CompetitorFactory(organization=other_org)
    assert owner_client.get(url(org, f"competitors/{foreign.pk}/")).status_code == 404
    # After an edit the answer (not prefetched) still holds the newest ones only.
    edited = owner_client.patch(url(org, f"competitors/{first['id']}/"), {"name": "К0 новый"}, format="json")
    assert edited.status_code == 200, edited.json()
    assert len(edited.json()["snapshots"]) == NESTED_SNAPSHOTS
    assert edited.json()["snapshot_count"] == total
