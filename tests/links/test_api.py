"""`/api/v1/orgs/{org_slug}/links/`: create with defaults, read, edit; tenancy and scopes."""

import pytest
from rest_framework.test import APIClient

from links.models import TrackedLink
from links.services import link_for
from tenancy.roles import Role
from tests.conftest import access_of

from .conftest import make_campaign, make_post

pytestmark = pytest.mark.django_db


def url(org, pk=None):
    return f"/api/v1/orgs/{org.slug}/links/" + (f"{pk}/" if pk else "")


def test_post_creates_a_link_with_default_tags_then_returns_it(token_client, org, post):
    response = token_client.post(url(org), {"post": post.pk, "target_url": "https://zerno.example/office"})
    assert response.status_code == 201, response.json()
    body = response.json()
    code = body["code"]
    assert body["short_url"] == f"http://testserver/l/{code}"
    assert (body["utm_source"], body["utm_medium"], body["utm_content"]) == ("vk", "social", code)
    assert body["tagged_url"].startswith("https://zerno.example/office?utm_source=vk&utm_medium=social")
    assert (body["post"], body["campaign"], body["clicks"]) == (post.pk, None, 0)
    again = token_client.post(url(org), {"post": post.pk, "target_url": "https://zerno.example/office"})
    assert again.status_code == 200
    assert again.json()["id"] == body["id"]


def test_post_accepts_tags_and_a_campaign(token_client, org, campaign):
    response = token_client.post(
        url(org), {"campaign": campaign.pk, "target_url": "https://zerno.example/", "utm_campaign": "autumn"}
    )
    assert response.status_code == 201
    assert (response.json()["utm_medium"], response.json()["utm_campaign"]) == ("paid_social", "autumn")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_url": "javascript:alert(1)"}, "target_url"),
        ({"target_url": "ftp://zerno.example/"}, "target_url"),
        ({"target_url": "//evil.example/"}, "target_url"),
        ({"target_url": "data:text/html,x"}, "target_url"),
        ({}, "target_url"),
        ({"target_url": "https://zerno.example/", "utm_source": "x" * 101}, "utm_source"),
        ({"target_url": "https://zerno.example/", "post": 2**70}, "post"),
    ],
)
def test_bad_input_is_a_400_with_field_errors(token_client, org, body, field):
    response = token_client.post(url(org), body)
    assert response.status_code == 400
    assert field in response.json()["error"]["fields"]
    assert not TrackedLink.objects.unscoped().exists()


def test_a_link_names_a_post_or_a_campaign_not_both(token_client, org, post, campaign):
    body = {"post": post.pk, "campaign": campaign.pk, "target_url": "https://zerno.example/"}
    response = token_client.post(url(org), body)
    assert response.status_code == 400
    assert "campaign" in response.json()["error"]["fields"]


def test_patch_edits_target_and_tags_but_not_the_post(token_client, org, post):
    link = link_for(organization=org, post=post, target_url="https://zerno.example/")
    response = token_client.patch(url(org, link.pk), {"utm_term": "office", "target_url": "https://zerno.example/b"})
    assert response.status_code == 200
    assert response.json()["tagged_url"].endswith(f"&utm_content={link.code}&utm_term=office")
    assert response.json()["code"] == link.code
    refused = token_client.patch(url(org, link.pk), {"post": make_post(org, title="Другой").pk})
    assert refused.status_code == 400
    assert "post" in refused.json()["error"]["fields"]
    assert token_client.patch(url(org, link.pk), {"target_url": "javascript:alert(1)"}).status_code == 400
    assert token_client.patch(url(org, link.pk), {"code": "abcdefg"}).json()["code"] == link.code  # read-only
    assert token_client.put(url(org, link.pk), {"target_url": "https://x.example/"}).status_code == 405
    link.refresh_from_db()
    assert (link.target_url, link.utm_term, link.post_id) == ("https://zerno.example/b", "office", post.pk)


def test_list_filters_and_retrieve(token_client, org, post, campaign):
    a = link_for(organization=org, post=post, target_url="https://zerno.example/")
    b = link_for(organization=org, campaign=campaign, target_url="https://zerno.example/")
    listed = token_client.get(url(org)).json()
    assert [row["id"] for row in listed["results"]] == [b.pk, a.pk]
    assert [row["id"] for row in token_client.get(url(org), {"post": post.pk}).json()["results"]] == [a.pk]
    assert [row["id"] for row in token_client.get(url(org), {"code": b.code}).json()["results"]] == [b.pk]
    assert token_client.get(url(org, a.pk)).json()["code"] == a.code


def test_another_organizations_links_are_404(token_client, org, other_org):
    foreign = link_for(organization=other_org, post=make_post(other_org), target_url="https://other.example/")
    assert token_client.get(url(org, foreign.pk)).status_code == 404
    assert token_client.patch(url(org, foreign.pk), {"utm_term": "x"}).status_code == 404
    assert token_client.get(url(other_org)).status_code == 404
    assert token_client.get(url(org)).json()["results"] == []
    response = token_client.post(url(org), {"post": foreign.post_id, "target_url": "https://zerno.example/"})
    assert response.status_code == 400
    foreign.refresh_from_db()
    assert foreign.utm_term == ""


def test_a_read_only_token_reads_but_cannot_write(org, owner_access, make_token, post):
    link = link_for(organization=org, post=post, target_url="https://zerno.example/")
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {make_token(owner_access, scopes=['read']).secret}")
    assert client.get(url(org)).status_code == 200
    assert client.post(url(org), {"target_url": "https://zerno.example/x"}).status_code == 403
    assert client.patch(url(org, link.pk), {"utm_term": "x"}).status_code == 403
    assert TrackedLink.objects.for_organization(org).count() == 1


def test_an_analyst_session_reads_only(org, make_member, post):
    analyst = make_member(org, Role.ANALYST).user
    client = APIClient()
    client.force_authenticate(analyst)
    assert client.get(url(org)).status_code == 200
    assert client.post(url(org), {"target_url": "https://zerno.example/"}).status_code == 403
    assert access_of(org, analyst, Role.ANALYST).can("write") is False


def test_the_list_takes_a_constant_number_of_queries(token_client, org, django_assert_max_num_queries):
    for n in range(3):
        link_for(organization=org, post=make_post(org, title=f"p{n}"), target_url="https://zerno.example/")
    with django_assert_max_num_queries(12) as few:
        token_client.get(url(org))
    for n in range(10):
        link_for(organization=org, campaign=make_campaign(org, external_id=f"c{n}"), target_url="https://z.example/")
    with django_assert_max_num_queries(len(few)):
        assert len(token_client.get(url(org)).json()["results"]) == 13
