"""The onboarding checklist and the settings menu show each role only links it may follow, and the
"Connect your CRM" step is done only when CRM leads have arrived (never from a token or ad leads)."""

import re
from decimal import Decimal

import pytest

from tenancy.roles import Role
from tests.ads.factories import AdStatDailyFactory

from ..ads.test_campaigns import campaign

pytestmark = pytest.mark.django_db

ROLES = [Role.OWNER, Role.ADMIN, Role.MARKETER, Role.ANALYST, Role.CLIENT]
MANAGERS = {Role.OWNER, Role.ADMIN}


def _links(html: str, container: str) -> list[str]:
    block = re.search(container, html, re.S)
    assert block, container
    return re.findall(r'href="([^"]+)"', block.group(0))


def test_crm_step_is_not_done_by_a_token_or_by_ad_cabinet_leads(owner_web, org, owner_access, make_token):
    make_token(owner_access)
    c = campaign(org, external_id="c1")
    AdStatDailyFactory(
        campaign=c,
        day=org.today(),
        spend=Decimal(100),
        impressions=1000,
        clicks=10,
        leads=7,
        currency="RUB",
    )
    response = owner_web.get(f"/o/{org.slug}/")
    crm = response.context["steps"][-1]
    assert (str(crm.title), crm.done) == ("Connect your CRM", False)
    step = re.search(r'<li data-done="(\d)">(?:(?!</li>).)*Connect your CRM', response.content.decode(), re.S)
    assert step.group(1) == "0"


@pytest.mark.parametrize("role", ROLES)
def test_checklist_links_only_what_the_role_may_open(client, org, make_member, role):
    client.force_login(make_member(org, role).user)
    html = client.get(f"/o/{org.slug}/").content.decode()
    links = _links(html, r'<ol class="steps">.*?</ol>')
    expected = [f"/o/{org.slug}/strategy/", f"/o/{org.slug}/integrations/", f"/o/{org.slug}/content/"]
    if role in MANAGERS:
        expected.append(f"/o/{org.slug}/settings/tokens/")
    assert links == expected
    assert ("An owner or admin does this." in html) is (role not in MANAGERS)
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("role", ROLES)
def test_settings_menu_links_only_what_the_role_may_open(client, org, make_member, role):
    client.force_login(make_member(org, role).user)
    html = client.get(f"/o/{org.slug}/settings/").content.decode()
    links = _links(html, r"<nav[^>]*settings-nav.*?</nav>")
    expected = [f"/o/{org.slug}/settings/", f"/o/{org.slug}/settings/members/"]
    if role in MANAGERS:
        expected += [
            f"/o/{org.slug}/settings/tokens/",
            f"/o/{org.slug}/crm/webhooks/",
            f"/o/{org.slug}/settings/webhooks/",
            f"/o/{org.slug}/settings/audit-log/",
            f"/o/{org.slug}/settings/data/",
        ]
    assert links == expected
    for link in links:
        assert client.get(link).status_code == 200, link


@pytest.mark.parametrize("role", [Role.MARKETER, Role.ANALYST, Role.CLIENT])
def test_organization_form_is_read_only_for_non_managers(client, org, make_member, role):
    client.force_login(make_member(org, role).user)
    html = client.get(f"/o/{org.slug}/settings/").content.decode()
    assert 'name="name"' in html
    assert re.search(r'<input[^>]*name="name"[^>]*disabled', html)
    assert ">Save</button>" not in html
