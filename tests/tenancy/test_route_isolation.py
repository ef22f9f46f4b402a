"""Every organization route, attacked from another organization (see route_isolation.py)."""

import pytest
from django.core.management import call_command
from django.http import HttpResponse
from django.urls import include, path
from django.views import View
from rest_framework.test import APIClient

from content.models import Notification, Post, PostMedia
from crm.models import Sale
from tenancy.access import Access
from tenancy.models import Invitation, Membership, Organization
from tenancy.roles import Role, role_permissions
from tenancy.services import api_token_create, invitation_create
from tenancy.views_base import OrganizationViewMixin
from tests.content.factories import PostFactory
from tests.portability.factories import OrganizationExportFactory
from tests.tenancy.factories import MembershipFactory, OrganizationFactory, UserFactory

from .route_isolation import attack, organization_routes

pytestmark = pytest.mark.django_db


def _owner_access(org, user):
    return Access(organization=org, user=user, role=Role.OWNER, permissions=role_permissions(Role.OWNER))


@pytest.fixture
def victim(settings):
    """Organization A: the full demo data of every app, plus an invitation and an API token."""
    settings.DEBUG = True  # seed_demo refuses the public demo password with DEBUG off
    call_command("seed_demo", verbosity=0)
    settings.DEBUG = False
    org = Organization.objects.get(slug="zerno")
    owner = Membership.objects.for_organization(org).get(role=Role.OWNER).user
    access = _owner_access(org, owner)
    invitation_create(access=access, email="new@zerno.demo", role=Role.MARKETER)
    api_token_create(access=access, name="CRM", scopes=["read", "write"])
    OrganizationExportFactory(organization=org, requested_by=owner)
    post = Post.objects.for_organization(org).order_by("pk").first()
    PostMedia.objects.create(organization=org, post=post, file="posts/cup.jpg", kind="photo", size=1)
    assert Notification.objects.for_organization(org).exists(), "the demo has a failed publication (content/demo.py)"
    assert Sale.objects.for_organization(org).exists(), "the demo has leads and sales (crm/demo.py)"
    return org


@pytest.fixture
def attacker():
    """Organization B's owner, signed in through a session and holding a read+write token of B."""
    org = OrganizationFactory(name="Attacker", slug="attacker")
    user = MembershipFactory(organization=org, role=Role.OWNER, user=UserFactory()).user
    session = APIClient()
    session.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    token = APIClient()
    secret = api_token_create(access=_owner_access(org, user), name="B", scopes=["read", "write"]).secret
    token.credentials(HTTP_AUTHORIZATION=f"Bearer {secret}")
    return {"org": org, "session": session, "token": token}


def _ids_of(org):
    def ids_of(model):
        pk = model._default_manager.for_organization(org).order_by("pk").values_list("pk", flat=True).first()
        assert pk is not None, f"organization A has no {model._meta.label} row to attack"
        return pk

    return ids_of


def test_every_organization_route_refuses_another_organization(victim, attacker, capsys):
    routes = organization_routes()
    assert len(routes) >= 90, "the walk lost routes"
    assert Invitation.objects.for_organization(victim).exists()
    failures, requests = attack(
        routes=routes,
        org_a=victim,
        session_b=attacker["session"],
        token_b=attacker["token"],
        ids_of=_ids_of(victim),
        slug_b=attacker["org"].slug,
    )
    with capsys.disabled():
        print(f"\n{len(routes)} organization routes, {requests} cross-organization requests")
    assert failures == [], "\n".join(failures)


# --- the walk catches what it is meant to catch -----------------------------------------------------


class LeakyPostView(OrganizationViewMixin, View):
    """A deliberately broken view: it looks the post up by id without the organization."""

    model = Post

    def get(self, request, org_slug, pk):
        return HttpResponse(Post.objects.unscoped().get(pk=pk).title)


leaky_urlpatterns = [
    path("o/<slug:org_slug>/", include([path("leaky/<int:pk>/", LeakyPostView.as_view(), name="leaky")])),
]


def test_an_unscoped_view_fails_the_walk(attacker, settings):
    settings.ROOT_URLCONF = "tests.tenancy.leaky_urls"
    victim_org = OrganizationFactory(slug="victim")
    post = PostFactory(organization=victim_org, title="Secret plan")
    routes = organization_routes(settings.ROOT_URLCONF)
    assert [r.name for r in routes] == ["leaky"]
    failures, _requests = attack(
        routes=routes,
        org_a=victim_org,
        session_b=attacker["session"],
        token_b=attacker["token"],
        ids_of=lambda model: post.pk,
        slug_b=attacker["org"].slug,
    )
    assert failures == [f"GET /o/attacker/leaky/{post.pk}/: 200, expected [403, 404]"]


def test_a_route_that_cannot_be_exercised_is_reported():
    from .route_isolation import Route

    odd = Route("/o/<org_slug>/x/<widget>/", "odd", callback=LeakyPostView.as_view(), kwargs=["org_slug", "widget"])
    odd.methods = ["get"]
    failures, _ = attack(
        routes=[odd], org_a=OrganizationFactory(), session_b=None, token_b=None, ids_of=None, slug_b="b"
    )
    assert failures == ["odd: cannot fill path argument <widget>"]
