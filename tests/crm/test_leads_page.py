"""The leads page: attribution columns and the attribution model choice."""

import pytest
from django.urls import reverse

from crm.models import AttributionModel, CrmSettings
from crm.services import upsert_leads
from links.services import link_for
from tests.links.conftest import make_campaign, make_post

pytestmark = pytest.mark.django_db


def test_the_list_shows_what_each_lead_is_attributed_to(owner_web, org, django_assert_max_num_queries):
    post = make_post(org, title="Кофе в офис")
    campaign = make_campaign(org, name="Осень в Казани")
    items = [
        {"external_id": "A-1", "link_code": link_for(organization=org, post=post, target_url="https://z.example").code},
        {"external_id": "A-2", "utm_campaign": "osen-v-kazani"},
        {"external_id": "A-3"},
    ]
    upsert_leads(organization=org, items=items + [{"external_id": f"B-{i}", "utm_content": "x"} for i in range(30)])
    with django_assert_max_num_queries(20):
        response = owner_web.get(reverse("crm:leads", args=[org.slug]))
    html = response.content.decode()
    assert "Post: Кофе в офис" in html
    assert f"Campaign: {campaign.name}" in html
    assert str(post.goal) in html
    assert "Unattributed" in html


def test_an_owner_chooses_the_model_and_a_marketer_cannot(owner_web, org, client, marketer):
    url = reverse("crm:attribution_model", args=[org.slug])
    assert owner_web.get(reverse("crm:leads", args=[org.slug])).content.decode().count("Attribution model") == 1
    response = owner_web.post(url, {"attribution_model": "first_touch"})
    assert response.status_code == 302
    assert CrmSettings.objects.for_organization(org).get().attribution_model == AttributionModel.FIRST_TOUCH
    assert owner_web.post(url, {"attribution_model": "linear"}).status_code == 302
    assert CrmSettings.objects.for_organization(org).get().attribution_model == AttributionModel.FIRST_TOUCH
    client.force_login(marketer, backend="django.contrib.auth.backends.ModelBackend")
    assert client.post(url, {"attribution_model": "last_touch"}).status_code in (403, 404)
    assert "Attribution model" not in client.get(reverse("crm:leads", args=[org.slug])).content.decode()
