"""The links list, the new-link and edit pages, and the link shown under posts and campaigns."""

import pytest

from links.models import TrackedLink
from links.services import link_for
from tenancy.roles import Role

from .conftest import make_post

pytestmark = pytest.mark.django_db


def test_the_list_shows_links_with_clicks_and_an_empty_state(owner_web, org, post):
    empty = owner_web.get(f"/o/{org.slug}/links/")
    assert empty.status_code == 200
    assert "No tracked links yet" in empty.content.decode()
    link = link_for(organization=org, post=post, target_url="https://zerno.example/office")
    TrackedLink.objects.for_organization(org).filter(pk=link.pk).update(clicks=42)
    html = owner_web.get(f"/o/{org.slug}/links/").content.decode()
    assert f'href="/l/{link.code}"' in html
    assert '<td data-col="clicks">42</td>' in html
    assert "Post: Кофе для офиса" in html
    assert f'href="/o/{org.slug}/links/{link.pk}/edit/"' in html


def test_the_list_is_paginated(owner_web, org):
    for n in range(51):
        link_for(organization=org, target_url=f"https://zerno.example/{n}")
    first = owner_web.get(f"/o/{org.slug}/links/").content.decode()
    assert first.count("<tr data-link=") == 50
    assert 'rel="next"' in first
    assert owner_web.get(f"/o/{org.slug}/links/?page=2").content.decode().count("<tr data-link=") == 1


def test_create_a_link_for_a_post_then_edit_its_tags(owner_web, org, post):
    page = owner_web.get(f"/o/{org.slug}/links/new/?post={post.pk}").content.decode()
    assert f'<option value="{post.pk}" selected>' in page
    response = owner_web.post(
        f"/o/{org.slug}/links/new/", {"post": post.pk, "campaign": "", "target_url": "https://zerno.example/office"}
    )
    link = TrackedLink.objects.for_organization(org).get()
    assert response.status_code == 302
    assert response["Location"] == f"/o/{org.slug}/links/{link.pk}/edit/"
    edit = owner_web.get(response["Location"]).content.decode()
    assert "utm_campaign=zayavki-na-kofe-dlya-ofisa" in edit
    assert f"http://testserver/l/{link.code}" in edit
    saved = owner_web.post(
        response["Location"],
        {
            "target_url": "https://zerno.example/office",
            "utm_source": "vk",
            "utm_medium": "social",
            "utm_campaign": "office-q3",
            "utm_content": link.code,
            "utm_term": "",
        },
    )
    assert saved.status_code == 302
    link.refresh_from_db()
    assert link.utm_campaign == "office-q3"


@pytest.mark.parametrize("target", ["javascript:alert(1)", "ftp://zerno.example/", "data:text/html,x"])
def test_pages_refuse_targets_that_are_not_http(owner_web, org, post, target):
    response = owner_web.post(f"/o/{org.slug}/links/new/", {"target_url": target})
    assert response.status_code == 400
    assert 'class="error" role="alert"' in response.content.decode()
    link = link_for(organization=org, post=post, target_url="https://zerno.example/")
    edit = owner_web.post(f"/o/{org.slug}/links/{link.pk}/edit/", {"target_url": target})
    assert edit.status_code == 400
    link.refresh_from_db()
    assert link.target_url == "https://zerno.example/"


def test_another_organizations_link_and_post_are_404(owner_web, org, other_org):
    foreign = link_for(organization=other_org, post=make_post(other_org), target_url="https://other.example/")
    assert owner_web.get(f"/o/{org.slug}/links/{foreign.pk}/edit/").status_code == 404
    assert (
        owner_web.post(f"/o/{org.slug}/links/{foreign.pk}/edit/", {"target_url": "https://x.example/"}).status_code
        == 404
    )
    assert owner_web.get(f"/o/{other_org.slug}/links/").status_code == 404
    response = owner_web.post(
        f"/o/{org.slug}/links/new/", {"post": foreign.post_id, "target_url": "https://z.example/"}
    )
    assert response.status_code == 400
    assert not TrackedLink.objects.for_organization(org).exists()
    foreign.refresh_from_db()
    assert foreign.target_url == "https://other.example/"


def test_readers_see_the_list_but_not_the_editor(client, org, make_member, post):
    link = link_for(organization=org, post=post, target_url="https://zerno.example/")
    client.force_login(make_member(org, Role.CLIENT).user, backend="django.contrib.auth.backends.ModelBackend")
    html = client.get(f"/o/{org.slug}/links/").content.decode()
    assert f"/l/{link.code}" in html
    assert "/edit/" not in html
    assert client.get(f"/o/{org.slug}/links/{link.pk}/edit/").status_code == 403
    assert client.get(f"/o/{org.slug}/links/new/").status_code == 403


def test_posts_and_campaigns_show_their_link_and_tags(owner_web, org, post, campaign):
    content = owner_web.get(f"/o/{org.slug}/content/").content.decode()
    assert f"/o/{org.slug}/links/new/?post={post.pk}" in content
    link = link_for(organization=org, post=post, target_url="https://zerno.example/")
    ad = link_for(organization=org, campaign=campaign, target_url="https://zerno.example/")
    content = owner_web.get(f"/o/{org.slug}/content/").content.decode()
    assert f'href="/l/{link.code}"' in content
    assert "utm_medium=social" in content
    assert f"/o/{org.slug}/links/{link.pk}/edit/" in content
    ads = owner_web.get(f"/o/{org.slug}/ads/").content.decode()
    assert f'href="/l/{ad.code}"' in ads
    assert "utm_medium=paid_social" in ads
    assert f"/o/{org.slug}/links/new/?campaign={campaign.pk}" in ads


def test_the_content_page_query_count_does_not_grow_with_links(owner_web, org, django_assert_max_num_queries):
    for n in range(2):
        link_for(organization=org, post=make_post(org, title=f"p{n}"), target_url="https://zerno.example/")
    with django_assert_max_num_queries(40) as few:
        owner_web.get(f"/o/{org.slug}/content/")
    for n in range(8):
        link_for(organization=org, post=make_post(org, title=f"q{n}"), target_url="https://zerno.example/")
    with django_assert_max_num_queries(len(few)):
        owner_web.get(f"/o/{org.slug}/content/")
