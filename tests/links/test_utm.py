"""UTM defaults of posts and campaigns, merging into the target URL, and the link services."""

import pytest

from core.errors import DomainError, PermissionDenied
from links.models import CODE_LENGTH, TrackedLink
from links.services import link_create, link_for, link_update
from links.utm import default_utm, is_safe_target, slug_of, tagged_url
from tenancy.roles import Role
from tests.conftest import access_of

from .conftest import make_campaign, make_post

pytestmark = pytest.mark.django_db


# --------------------------------------------------------------------------- defaults


def test_a_post_link_gets_platform_social_goal_slug_and_its_code(org, post):
    link = link_for(organization=org, post=post, target_url="https://zerno.example/office")
    assert len(link.code) == CODE_LENGTH
    assert link.code.isalnum()
    assert link.code.isascii()
    assert link.utm == {
        "utm_source": "vk",
        "utm_medium": "social",
        "utm_campaign": "zayavki-na-kofe-dlya-ofisa",
        "utm_content": link.code,
        "utm_term": "",
    }
    assert link.tagged_url == (
        "https://zerno.example/office?utm_source=vk&utm_medium=social"
        f"&utm_campaign=zayavki-na-kofe-dlya-ofisa&utm_content={link.code}"
    )


def test_a_campaign_link_gets_the_social_network_paid_social_and_the_campaign_slug(org, campaign):
    link = link_for(organization=org, campaign=campaign, target_url="https://zerno.example/")
    assert (link.utm_source, link.utm_medium, link.utm_campaign, link.utm_content) == (
        "vk",  # the VK Ads account's visitors come from VK
        "paid_social",
        "trafik-dostavka",
        link.code,
    )
    meta = make_campaign(org, platform="meta_ads", name="Leads Q3", external_id="m-1")
    assert link_for(organization=org, campaign=meta, target_url="https://zerno.example/").utm_source == "facebook"


def test_a_post_without_a_goal_and_a_link_of_neither_leave_the_campaign_empty(org):
    draft = make_post(org, goal_title=None, platform="telegram")
    link = link_for(organization=org, post=draft, target_url="https://zerno.example/")
    assert (link.utm_source, link.utm_medium, link.utm_campaign) == ("telegram", "social", "")
    bare = link_for(organization=org, target_url="https://zerno.example/bare")
    assert bare.utm == {
        "utm_source": "",
        "utm_medium": "",
        "utm_campaign": "",
        "utm_content": bare.code,
        "utm_term": "",
    }
    assert bare.tagged_url == f"https://zerno.example/bare?utm_content={bare.code}"


def test_a_goal_without_a_title_falls_back_to_its_kpi(org):
    post = make_post(org, goal_title="")
    assert link_for(organization=org, post=post, target_url="https://zerno.example/").utm_campaign == "leads"


def test_parameters_already_in_the_target_become_the_defaults(org, post):
    link = link_for(organization=org, post=post, target_url="https://zerno.example/?utm_source=vk_group&utm_term=kazan")
    assert (link.utm_source, link.utm_term, link.utm_medium) == ("vk_group", "kazan", "social")
    assert link.tagged_url.startswith("https://zerno.example/?utm_source=vk_group&utm_term=kazan&utm_medium=social")


def test_slugs_are_readable_ascii():
    assert slug_of("Охват жителей Казани") == "okhvat-zhiteley-kazani"
    assert slug_of("Leads Q3 / 2026!") == "leads-q3-2026"
    assert slug_of("") == ""


# --------------------------------------------------------------------------- merging


def test_merge_keeps_the_targets_parameters_order_encoding_and_fragment():
    url = tagged_url(
        "https://shop.example/p?q=a%20b&ref=tg&x=&utm_medium=old&utm_medium=dup#buy",
        {"utm_source": "vk", "utm_medium": "social", "utm_campaign": "", "utm_content": "Ab3dE9z", "utm_term": ""},
    )
    assert url == "https://shop.example/p?q=a%20b&ref=tg&x=&utm_medium=social&utm_source=vk&utm_content=Ab3dE9z#buy"


def test_organization_values_win_and_empty_values_leave_the_target_alone():
    utm = {"utm_source": "telegram", "utm_campaign": "", "utm_content": "", "utm_medium": "", "utm_term": ""}
    assert tagged_url("https://a.example/?utm_source=x&utm_campaign=keep", utm) == (
        "https://a.example/?utm_source=telegram&utm_campaign=keep"
    )
    assert tagged_url("https://a.example", {"utm_term": "кофе с собой"}) == (
        "https://a.example?utm_term=%D0%BA%D0%BE%D1%84%D0%B5+%D1%81+%D1%81%D0%BE%D0%B1%D0%BE%D0%B9"
    )


def test_default_utm_is_pure():
    assert default_utm(code="abcdefg") == {
        "utm_source": "",
        "utm_medium": "",
        "utm_campaign": "",
        "utm_content": "abcdefg",
        "utm_term": "",
    }


@pytest.mark.parametrize(
    ("url", "safe"),
    [
        ("https://zerno.example/office", True),
        ("http://zerno.example:8080/?a=1", True),
        ("HTTPS://ZERNO.EXAMPLE/", True),
        ("javascript:alert(1)", False),
        ("JaVaScRiPt:alert(1)", False),
        ("java\tscript:alert(1)", False),
        ("data:text/html,<script>alert(1)</script>", False),
        ("//evil.example/x", False),
        ("/relative", False),
        ("ftp://zerno.example/file", False),
        ("https:evil.example", False),
        ("https:\\\\evil.example", False),
        ("https://", False),
        ("https://[::1", False),
        ("", False),
        (None, False),
    ],
)
def test_only_absolute_http_urls_with_a_host_are_safe(url, safe):
    assert is_safe_target(url) is safe


# --------------------------------------------------------------------------- services


def test_link_for_returns_the_existing_link_of_the_same_post_and_target(org, post):
    first = link_for(organization=org, post=post, target_url="https://zerno.example/")
    assert link_for(organization=org, post=post, target_url=" https://zerno.example/ ") == first
    other = link_for(organization=org, post=post, target_url="https://zerno.example/menu")
    assert other != first
    assert other.code != first.code
    assert TrackedLink.objects.for_organization(org).count() == 2


@pytest.mark.parametrize(
    "target",
    ["javascript:alert(1)", "data:text/html,x", "//evil.example/", "ftp://zerno.example/", "zerno.example", ""],
)
def test_services_refuse_targets_that_are_not_http(org, post, target):
    with pytest.raises(DomainError) as exc:
        link_for(organization=org, post=post, target_url=target)
    assert "target_url" in exc.value.fields
    assert not TrackedLink.objects.for_organization(org).exists()


def test_a_link_belongs_to_a_post_or_a_campaign_of_the_organization(org, other_org, post, campaign):
    with pytest.raises(DomainError):
        link_for(organization=org, post=post, campaign=campaign, target_url="https://zerno.example/")
    foreign = make_post(other_org)
    with pytest.raises(DomainError) as exc:
        link_for(organization=org, post=foreign.pk, target_url="https://zerno.example/")
    assert "post" in exc.value.fields
    assert not TrackedLink.objects.unscoped().exists()


def test_update_edits_target_and_tags_and_keeps_code_post_and_counts(org, owner_access, post):
    link = link_for(organization=org, post=post, target_url="https://zerno.example/")
    updated = link_update(
        access=owner_access, link=link.pk, target_url="https://zerno.example/new", utm_campaign="office", utm_term="q3"
    )
    assert (updated.code, updated.post_id, updated.utm_campaign, updated.utm_term) == (
        link.code,
        post.pk,
        "office",
        "q3",
    )
    assert updated.tagged_url == (
        f"https://zerno.example/new?utm_source=vk&utm_medium=social&utm_campaign=office&utm_content={link.code}&utm_term=q3"
    )
    with pytest.raises(DomainError):
        link_update(access=owner_access, link=link, target_url="javascript:alert(1)")
    with pytest.raises(DomainError):
        link_update(access=owner_access, link=link, code="mine123")
    link.refresh_from_db()
    assert link.target_url == "https://zerno.example/new"


def test_writes_need_the_write_permission_and_the_organizations_link(org, other_org, post, make_member):
    analyst = access_of(org, make_member(org, Role.ANALYST).user, Role.ANALYST)
    with pytest.raises(PermissionDenied):
        link_create(access=analyst, post=post, target_url="https://zerno.example/")
    foreign = link_for(organization=other_org, target_url="https://other.example/")
    owner = access_of(org, make_member(org, Role.OWNER).user, Role.OWNER)
    with pytest.raises(DomainError) as exc:
        link_update(access=owner, link=foreign.pk, utm_term="x")
    assert exc.value.status_code == 404


def test_created_values_replace_the_defaults(owner_access, post):
    link, created = link_create(access=owner_access, post=post, target_url="https://zerno.example/", utm_medium="cpc")
    assert created
    assert link.utm_medium == "cpc"
    assert link.utm_source == "vk"
    assert link.created_by == owner_access.user
    again, created = link_create(access=owner_access, post=post, target_url="https://zerno.example/")
    assert (again, created) == (link, False)
