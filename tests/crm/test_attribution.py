"""Attribution of leads (docs/attribution.md): each rule, each model, late arrivals, query counts."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from ads.models import AdCampaign
from analytics.rollup_hooks import is_refresh
from core.errors import PermissionDenied
from crm import attribution
from crm.models import AttributionModel, CrmSettings, Lead
from crm.services import attribution_model_set, upsert_leads
from crm.tasks import reattribute
from integrations.models import SyncKind, SyncRun, SyncStatus
from links.services import link_for
from tests.integrations.factories import SocialAccountFactory
from tests.links.conftest import make_campaign, make_post

pytestmark = pytest.mark.django_db

SITE = "https://zerno.example/office"


@pytest.fixture
def post(org):
    return make_post(org)


def upsert(org, *items):
    return upsert_leads(organization=org, items=list(items))


def lead_of(org, external_id="A-1") -> Lead:
    return Lead.objects.for_organization(org).get(external_id=external_id)


def test_a_link_code_credits_its_post_the_posts_goal_and_platform(org, post):
    link = link_for(organization=org, post=post, target_url=SITE)
    upsert(org, {"external_id": "A-1", "link_code": link.code})
    lead = lead_of(org)
    assert (lead.post_id, lead.campaign_id, lead.goal_id) == (post.pk, None, post.goal_id)
    assert lead.attributed_platform == "vk"
    assert lead.attribution_model == AttributionModel.LAST_TOUCH


def test_utm_content_names_a_campaigns_link_and_its_network(org):
    campaign = make_campaign(org, platform="meta_ads")
    link = link_for(organization=org, campaign=campaign, target_url=SITE)
    upsert(org, {"external_id": "A-1", "utm_content": link.code})
    lead = lead_of(org)
    assert (lead.post_id, lead.campaign_id, lead.goal_id) == (None, campaign.pk, None)
    assert lead.attributed_platform == "facebook"  # an ad account's visitors come from its network


def test_utm_campaign_is_a_campaigns_slug_or_a_campaign_links_tag(org):
    by_name = make_campaign(org, name="Трафик — доставка", external_id="c-1")
    tagged = make_campaign(org, name="Осень", external_id="c-2")
    link = link_for(organization=org, campaign=tagged, target_url=SITE)
    link.utm_campaign = "autumn-2026"
    link.save()
    upsert(
        org,
        {"external_id": "A-1", "utm_campaign": "trafik-dostavka", "utm_source": "vk"},
        {"external_id": "A-2", "utm_campaign": "autumn-2026"},
    )
    assert lead_of(org, "A-1").campaign_id == by_name.pk
    assert lead_of(org, "A-1").attributed_platform == "vk"
    assert lead_of(org, "A-2").campaign_id == tagged.pk


def test_utm_campaign_is_a_goals_slug(org):
    post = make_post(org, goal_title="Заявки на кофе для офиса")
    upsert(org, {"external_id": "A-1", "utm_campaign": "zayavki-na-kofe-dlya-ofisa", "utm_source": "Telegram"})
    lead = lead_of(org)
    assert (lead.post_id, lead.campaign_id, lead.goal_id) == (None, None, post.goal_id)
    assert lead.attributed_platform == "telegram"


@pytest.mark.parametrize(
    ("source", "platform"),
    [
        ("vk", "vk"),
        ("VK", "vk"),
        ("vkontakte", "vk"),
        ("vk_ads", "vk"),
        ("tg", "telegram"),
        ("t.me", "telegram"),
        ("meta_ads", "facebook"),
        ("ig", "instagram"),
        ("newsletter", ""),
        ("", ""),
    ],
)
def test_utm_source_is_normalised_to_a_platform(source, platform):
    assert attribution.normalise_source(source) == platform


def test_a_lead_naming_nothing_known_is_kept_unattributed(org, post):
    upsert(org, {"external_id": "A-1"}, {"external_id": "A-2", "utm_content": "flyer2025", "utm_source": "radio"})
    for external_id in ("A-1", "A-2"):
        lead = lead_of(org, external_id)
        assert (lead.post_id, lead.campaign_id, lead.goal_id, lead.attributed_platform) == (None, None, None, "")
        assert lead.attribution_model == ""


def test_the_leads_platform_is_the_fallback(org):
    upsert(org, {"external_id": "A-1", "platform": "vk_ads"})
    assert lead_of(org).attributed_platform == "vk"


def touching(post_link, campaign_link):
    return {
        "external_id": "A-1",
        "utm_content": campaign_link.code,
        "touches": [
            {"utm_source": "vk", "utm_content": post_link.code, "at": "2026-03-01T10:00:00+03:00"},
            {"utm_source": "", "utm_medium": ""},  # a direct visit: names nothing, skipped
        ],
    }


def test_last_touch_credits_the_converting_visit_and_first_touch_the_first(org, post):
    campaign = make_campaign(org)
    post_link = link_for(organization=org, post=post, target_url=SITE)
    campaign_link = link_for(organization=org, campaign=campaign, target_url=SITE)
    upsert(org, touching(post_link, campaign_link))
    assert (lead_of(org).post_id, lead_of(org).campaign_id) == (None, campaign.pk)

    CrmSettings.objects.create(organization=org, attribution_model=AttributionModel.FIRST_TOUCH)
    upsert(org, {**touching(post_link, campaign_link), "external_id": "A-2"})
    first = lead_of(org, "A-2")
    assert (first.post_id, first.campaign_id, first.goal_id) == (post.pk, None, post.goal_id)
    assert first.attribution_model == AttributionModel.FIRST_TOUCH


def test_first_touch_without_touches_is_the_leads_own_visit(org, post):
    CrmSettings.objects.create(organization=org, attribution_model=AttributionModel.FIRST_TOUCH)
    link = link_for(organization=org, post=post, target_url=SITE)
    upsert(org, {"external_id": "A-1", "link_code": link.code})
    assert lead_of(org).post_id == post.pk


def test_touches_are_validated_and_an_identical_repeat_is_unchanged(org, token_client, leads_url):
    bad = {"items": [{"external_id": "A-1", "touches": [{"utm_source": "vk", "colour": "red", "at": "yesterday"}]}]}
    response = token_client.post(leads_url, bad, format="json")
    assert response.status_code == 400
    assert set(response.json()["error"]["fields"]) == {"items.0.touches.0.colour", "items.0.touches.0.at"}
    body = {"external_id": "A-1", "touches": [{"utm_source": "vk", "at": "2026-03-01T10:00:00+03:00"}]}
    assert token_client.post(leads_url, body, format="json").json()["created"] == 1
    assert lead_of(org).touches == [{"utm_source": "vk", "at": "2026-03-01T07:00:00+00:00"}]
    assert token_client.post(leads_url, body, format="json").json()["unchanged"] == 1
    assert token_client.get(f"{leads_url}{lead_of(org).pk}/").json()["touches"] == lead_of(org).touches


def test_the_upsert_attributes_with_a_constant_number_of_queries(org, post):
    campaign = make_campaign(org)
    codes = [link_for(organization=org, post=post, target_url=SITE).code]
    codes.append(link_for(organization=org, campaign=campaign, target_url=SITE).code)

    def items(n, prefix):
        return [
            {"external_id": f"{prefix}-{i}", "utm_content": codes[i % 2], "utm_campaign": "x", "utm_source": "vk"}
            for i in range(n)
        ]

    counts = []
    for n, prefix in ((3, "S"), (300, "L")):
        with CaptureQueriesContext(connection) as queries:
            upsert(org, *items(n, prefix))
        counts.append(len(queries))
    assert counts[0] == counts[1]
    assert Lead.objects.for_organization(org).filter(post=post).count() == 150 + 2


def test_a_changed_source_is_attributed_again_and_a_status_change_keeps_the_result(org, post, owner_access):
    link = link_for(organization=org, post=post, target_url=SITE)
    upsert(org, {"external_id": "A-1", "utm_source": "vk"})
    assert (lead_of(org).post_id, lead_of(org).attributed_platform) == (None, "vk")
    upsert(org, {"external_id": "A-1", "utm_source": "vk", "utm_content": link.code})
    assert lead_of(org).post_id == post.pk
    upsert(org, {"external_id": "A-1", "status": "won"})
    assert lead_of(org).post_id == post.pk


def test_patch_attributes_again(org, post, token_client, leads_url):
    link = link_for(organization=org, post=post, target_url=SITE)
    upsert(org, {"external_id": "A-1"})
    response = token_client.patch(f"{leads_url}{lead_of(org).pk}/", {"link_code": link.code}, format="json")
    assert response.status_code == 200, response.content
    assert response.json()["post"] == post.pk
    assert response.json()["attribution_model"] == "last_touch"


def test_a_post_link_arriving_later_attributes_the_waiting_leads(org, django_capture_on_commit_callbacks):
    upsert(org, {"external_id": "A-1", "utm_content": "later01", "utm_source": "vk"})
    assert lead_of(org).post_id is None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        post = make_post(org)
        link = link_for(organization=org, post=post, target_url=SITE)
        link.code = "later01"  # the code the CRM already saw
        link.save()
    assert len([c for c in callbacks if not is_refresh(c)]) == 1  # the goal, the post and the link queue one task
    lead = lead_of(org)
    assert (lead.post_id, lead.goal_id) == (post.pk, post.goal_id)


def test_a_campaign_synced_later_attributes_the_waiting_leads(org, django_capture_on_commit_callbacks):
    upsert(org, {"external_id": "A-1", "utm_campaign": "osen"})
    account = SocialAccountFactory(organization=org, platform="vk_ads")
    # A sync writes campaigns in bulk, without model signals: its finished step is what is seen.
    (campaign,) = AdCampaign.objects.bulk_create(
        [AdCampaign(organization=org, account=account, external_id="c-9", name="Осень", status="active")]
    )
    assert lead_of(org).campaign_id is None
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        SyncRun.objects.create(organization=org, account=account, kind=SyncKind.CAMPAIGNS, status=SyncStatus.RUNNING)
        run = SyncRun.objects.create(organization=org, account=account, kind=SyncKind.CAMPAIGNS)
        run.status = SyncStatus.SUCCESS
        run.save()
    assert len([c for c in callbacks if not is_refresh(c)]) == 1
    assert (lead_of(org).campaign_id, lead_of(org).attributed_platform) == (campaign.pk, "vk")


def test_reattribution_is_idempotent_and_leaves_updated_at(org):
    upsert(org, {"external_id": "A-1", "utm_content": "later01"})
    before = lead_of(org).updated_at
    post = make_post(org)
    link = link_for(organization=org, post=post, target_url=SITE)
    Lead.objects.for_organization(org).update(utm_content=link.code)
    assert reattribute(org.pk) == 1
    assert reattribute(org.pk) == 0
    assert lead_of(org).post_id == post.pk
    assert lead_of(org).updated_at == before


def test_reattribution_reads_in_batches_with_constant_queries(org, post, monkeypatch):
    link = link_for(organization=org, post=post, target_url=SITE)
    upsert(org, *[{"external_id": f"A-{i}", "utm_content": "nothing"} for i in range(25)])
    Lead.objects.for_organization(org).update(utm_content=link.code)
    monkeypatch.setattr(attribution, "BATCH", 10)
    with CaptureQueriesContext(connection) as queries:
        assert attribution.reattribute_pending(organization=org) == 25
    # Per batch of 10: its savepoint, the leads, links, campaigns, goals, one bulk update and the
    # endpoints subscribed to `lead.attributed` (core.events, webhooks); plus the model and the empty
    # last read.
    assert len(queries) <= 3 * 8 + 4


def test_changing_the_model_attributes_every_lead_again(org, post, owner_access, django_capture_on_commit_callbacks):
    campaign = make_campaign(org)
    post_link = link_for(organization=org, post=post, target_url=SITE)
    campaign_link = link_for(organization=org, campaign=campaign, target_url=SITE)
    upsert(org, touching(post_link, campaign_link))
    with django_capture_on_commit_callbacks(execute=True):
        attribution_model_set(access=owner_access, model=AttributionModel.FIRST_TOUCH)
    assert (lead_of(org).post_id, lead_of(org).attribution_model) == (post.pk, "first_touch")
    with django_capture_on_commit_callbacks(execute=True):
        attribution_model_set(access=owner_access, model=AttributionModel.LAST_TOUCH)
    assert (lead_of(org).post_id, lead_of(org).campaign_id) == (None, campaign.pk)


def test_only_managers_choose_the_model(org, marketer_access):
    with pytest.raises(PermissionDenied):
        attribution_model_set(access=marketer_access, model=AttributionModel.FIRST_TOUCH)
