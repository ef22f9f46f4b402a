"""Who may do what with a strategy, role × action, in the service, the API and on the page.

The decision (tenancy/roles.py): the client role is the business owner in an agency setup. It may
approve a strategy submitted for review or return it to draft with a comment, and edits nothing;
archiving needs `approve` and `write`, so a client cannot archive.
"""

import datetime as dt

import pytest
from rest_framework.test import APIClient

from core.errors import PermissionDenied
from strategy import services
from strategy.models import Strategy
from tenancy.models import AuditLog
from tenancy.roles import ROLE_PERMISSIONS, Perm, Role

from ..conftest import access_of
from .factories import ContentPillarFactory, GoalFactory, PlatformChoiceFactory, StrategyFactory, approved_strategy

pytestmark = pytest.mark.django_db

ROLES = [Role.OWNER, Role.ADMIN, Role.MARKETER, Role.ANALYST, Role.CLIENT]
# action -> roles allowed; every other role is refused and nothing changes.
MATRIX = {
    "edit": {Role.OWNER, Role.ADMIN, Role.MARKETER},
    "submit": {Role.OWNER, Role.ADMIN, Role.MARKETER},
    "approve": {Role.OWNER, Role.ADMIN, Role.CLIENT},
    "return": {Role.OWNER, Role.ADMIN, Role.MARKETER, Role.CLIENT},
    "archive": {Role.OWNER, Role.ADMIN},
}


def test_role_permissions_match_the_documented_table():
    assert {role: sorted(ROLE_PERMISSIONS[role]) for role in ROLES} == {
        Role.OWNER: sorted(Perm),
        Role.ADMIN: sorted(Perm),
        Role.MARKETER: sorted([Perm.READ, Perm.WRITE]),
        Role.ANALYST: [Perm.READ],
        Role.CLIENT: sorted([Perm.APPROVE, Perm.READ]),
    }


def _complete(strategy, status):
    goal = GoalFactory(strategy=strategy)
    PlatformChoiceFactory(strategy=strategy)
    ContentPillarFactory(strategy=strategy, goals=[goal], target_share=100)
    Strategy.objects.filter(pk=strategy.pk).update(status=status)
    strategy.refresh_from_db()
    return strategy


@pytest.fixture
def strategy_in(org):
    def make(status):
        strategy = StrategyFactory(organization=org, period_start=dt.date(2025, 1, 1), period_end=dt.date(2025, 12, 31))
        return _complete(strategy, status)

    return make


def _service_call(action, access, strategy):
    return {
        "edit": lambda: services.strategy_update(access=access, strategy=strategy, title="Другое"),
        "submit": lambda: services.strategy_submit(access=access, strategy=strategy),
        "approve": lambda: services.strategy_approve(access=access, strategy=strategy),
        "return": lambda: services.strategy_return_to_draft(access=access, strategy=strategy, comment="Цели?"),
        "archive": lambda: services.strategy_archive(access=access, strategy=strategy),
    }[action]()


STARTING_STATUS = {
    "edit": "draft",
    "submit": "draft",
    "approve": "in_review",
    "return": "in_review",
    "archive": "approved",
}
RESULT_STATUS = {"submit": "in_review", "approve": "approved", "return": "draft", "archive": "archived"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(MATRIX))
def test_service_role_action_matrix(org, make_member, strategy_in, role, action):
    strategy = strategy_in(STARTING_STATUS[action])
    user = make_member(org, role).user
    access = access_of(org, user, role)
    if role in MATRIX[action]:
        result = _service_call(action, access, strategy)
        if action == "edit":  # draft edits are not audited
            assert (result.pk, result.title) == (strategy.pk, "Другое")
            assert not AuditLog.objects.filter(organization=org).exists()
        else:
            assert result.status == RESULT_STATUS[action]
            assert AuditLog.objects.filter(organization=org, actor=user).count() == 1
    else:
        with pytest.raises(PermissionDenied):
            _service_call(action, access, strategy)
        fresh = Strategy.objects.get(pk=strategy.pk)
        assert (fresh.status, fresh.title, fresh.approved_by) == (STARTING_STATUS[action], strategy.title, None)
        assert not AuditLog.objects.filter(organization=org).exists()


def test_client_approval_is_recorded_with_the_client_as_approver(org, make_member, strategy_in):
    strategy = strategy_in("in_review")
    client_user = make_member(org, Role.CLIENT).user
    approved = services.strategy_approve(access=access_of(org, client_user, Role.CLIENT), strategy=strategy)
    assert (approved.status, approved.approved_by) == ("approved", client_user)
    assert AuditLog.objects.get(organization=org, action="strategy.approve").actor == client_user


def _api(org, user):
    client = APIClient()
    client.force_authenticate(user)
    return client, f"/api/v1/orgs/{org.slug}/strategies/"


def test_api_client_approves_and_returns_but_cannot_edit_or_archive(org, make_member, strategy_in):
    client_user = make_member(org, Role.CLIENT).user
    api, base = _api(org, client_user)
    in_review = strategy_in("in_review")
    response = api.post(f"{base}{in_review.pk}/return-to-draft/", {"comment": "Уточните цели"})
    assert response.status_code == 200
    assert response.json()["status"] == "draft"
    Strategy.objects.filter(pk=in_review.pk).update(status="in_review")
    response = api.post(f"{base}{in_review.pk}/approve/")
    assert response.status_code == 200
    assert response.json()["status"] == "approved"

    draft = strategy_in("draft")
    refused = [
        api.patch(f"{base}{draft.pk}/", {"title": "Другое"}),
        api.post(f"{base}{draft.pk}/submit/"),
        api.delete(f"{base}{draft.pk}/"),
        api.post(f"{base}{in_review.pk}/archive/"),
    ]
    assert [r.status_code for r in refused] == [403, 403, 403, 403]
    assert refused[0].json()["error"]["code"] == "permission_denied"
    assert Strategy.objects.get(pk=draft.pk).status == "draft"
    assert Strategy.objects.get(pk=draft.pk).title == draft.title
    assert Strategy.objects.get(pk=in_review.pk).status == "approved"


@pytest.mark.parametrize("role", [Role.ANALYST, Role.MARKETER])
def test_api_analyst_and_marketer_cannot_approve(org, make_member, strategy_in, role):
    api, base = _api(org, make_member(org, role).user)
    strategy = strategy_in("in_review")
    response = api.post(f"{base}{strategy.pk}/approve/")
    assert response.status_code == 403
    assert Strategy.objects.get(pk=strategy.pk).status == "in_review"


def test_api_analyst_cannot_return_to_draft(org, make_member, strategy_in):
    api, base = _api(org, make_member(org, Role.ANALYST).user)
    strategy = strategy_in("in_review")
    response = api.post(f"{base}{strategy.pk}/return-to-draft/", {"comment": ""})
    assert response.status_code == 403
    assert Strategy.objects.get(pk=strategy.pk).status == "in_review"


def test_read_token_cannot_return_to_draft(org, owner_access, make_token, strategy_in):
    token = make_token(owner_access, scopes=("read",))
    api = APIClient()
    api.credentials(HTTP_AUTHORIZATION=f"Bearer {token.secret}")
    strategy = strategy_in("in_review")
    response = api.post(f"/api/v1/orgs/{org.slug}/strategies/{strategy.pk}/return-to-draft/", {"comment": ""})
    assert response.status_code == 403
    assert Strategy.objects.get(pk=strategy.pk).status == "in_review"


def _page(org, strategy):
    return f"/o/{org.slug}/strategy/{strategy.pk}/"


# Buttons on the one-page strategy, by what they post to.
BUTTONS = {
    "approve": "/approve/",
    "return": "/return/",
    "edit": "/edit/analysis/",
    "submit": "/submit/",
    "archive": "/archive/",
}


@pytest.mark.parametrize("role", ROLES)
def test_page_shows_each_role_only_its_actions(client, org, make_member, strategy_in, role):
    client.force_login(make_member(org, role).user)
    shown = {}
    for status in ("draft", "in_review"):
        content = client.get(_page(org, strategy_in(status))).content.decode()
        for action in ("edit", "submit") if status == "draft" else ("approve", "return"):
            shown[action] = BUTTONS[action] in content
    approved, _goal, _pillar = approved_strategy(org, start=dt.date(2027, 1, 1), end=dt.date(2027, 12, 31))
    shown["archive"] = BUTTONS["archive"] in client.get(_page(org, approved)).content.decode()
    assert shown == {action: role in allowed for action, allowed in MATRIX.items()}


def test_client_approves_on_the_page(client, org, make_member, strategy_in):
    client_user = make_member(org, Role.CLIENT).user
    client.force_login(client_user)
    strategy = strategy_in("in_review")
    response = client.post(f"{_page(org, strategy)}approve/")
    assert response.status_code == 302
    fresh = Strategy.objects.get(pk=strategy.pk)
    assert (fresh.status, fresh.approved_by) == ("approved", client_user)


def test_client_archive_on_the_page_is_403_and_changes_nothing(client, org, make_member):
    client.force_login(make_member(org, Role.CLIENT).user)
    approved, _goal, _pillar = approved_strategy(org)
    response = client.post(f"{_page(org, approved)}archive/")
    assert response.status_code == 403
    assert Strategy.objects.get(pk=approved.pk).status == "approved"
