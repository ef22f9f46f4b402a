"""The fail-closed tenancy path: guards at class creation, scoped querysets, filters and related fields."""

import importlib
import inspect

import pytest
from django.apps import apps
from django.test import RequestFactory
from django.views.generic import ListView
from django_filters import rest_framework as filters
from rest_framework import mixins
from rest_framework import serializers as drf_serializers

from content.models import Post
from core.errors import NotFound
from strategy.models import Goal
from tenancy.api.base import OrganizationViewSet
from tenancy.api.fields import OrganizationRelatedField
from tenancy.scoping import get_for_organization
from tenancy.views_base import OrganizationViewMixin
from tests.content.factories import PostFactory
from tests.strategy.factories import GoalFactory, StrategyFactory

from ..conftest import access_of

pytestmark = pytest.mark.django_db


# --- guards at class creation -----------------------------------------------------------------------


class _UnscopedMixin:
    def get_queryset(self):
        return Post.objects.unscoped()


def test_api_base_refuses_a_mixin_that_replaces_get_queryset():
    with pytest.raises(TypeError, match="resolves get_queryset"):

        class _Leaky(_UnscopedMixin, mixins.ListModelMixin, OrganizationViewSet):
            queryset = Post.objects.all()


def test_api_base_refuses_get_object_override():
    with pytest.raises(TypeError, match="resolves get_object"):

        class _Leaky(OrganizationViewSet):
            queryset = Post.objects.all()

            def get_object(self):
                return Post.objects.unscoped().first()


def test_api_base_refuses_an_unscoped_filterset():
    class PlainFilter(filters.FilterSet):
        class Meta:
            model = Post
            fields = ["goal"]

    with pytest.raises(TypeError, match="OrganizationFilterSet"):

        class _Leaky(OrganizationViewSet):
            queryset = Post.objects.all()
            filterset_class = PlainFilter


def test_page_base_refuses_a_generic_view_listed_before_it():
    with pytest.raises(TypeError, match="resolves get_queryset"):

        class _Leaky(ListView, OrganizationViewMixin):
            model = Post


def test_page_base_refuses_get_queryset_override():
    with pytest.raises(TypeError, match="override safely_get_queryset"):

        class _Leaky(OrganizationViewMixin, ListView):
            model = Post

            def get_queryset(self):
                return Post.objects.unscoped()


# --- the page base scopes generic views ---------------------------------------------------------------


def test_page_list_view_sees_only_its_organization(org, other_org, owner):
    PostFactory(organization=org, title="ours")
    PostFactory(organization=other_org, title="theirs")

    class PostList(OrganizationViewMixin, ListView):
        model = Post

        def safely_get_queryset(self, queryset):
            return Post.objects.unscoped()  # even a careless refinement is scoped again

    view = PostList()
    view.setup(RequestFactory().get("/"), org_slug=org.slug)
    view.access = access_of(org, owner, "owner")
    assert [p.title for p in view.get_queryset()] == ["ours"]


# --- the one 404 helper ---------------------------------------------------------------------------------


def test_get_for_organization_answers_foreign_missing_and_garbage_alike(org, other_org):
    ours = GoalFactory(organization=org, strategy=StrategyFactory(organization=org))
    theirs = GoalFactory(organization=other_org, strategy=StrategyFactory(organization=other_org))
    assert get_for_organization(Goal, org, ours.pk) == ours
    assert get_for_organization(Goal, org, str(ours.pk)) == ours
    messages = set()
    for bad in (theirs.pk, theirs, 10**12, "²", "1e3", -1, 0, 2**70, None, True):
        with pytest.raises(NotFound) as exc:
            get_for_organization(Goal, org, bad)
        messages.add(str(exc.value))
    assert messages == {"Goal not found."}


# --- H1: filters and the browsable API ---------------------------------------------------------------


@pytest.fixture
def two_goals(org, other_org):
    ours = GoalFactory(organization=org, strategy=StrategyFactory(organization=org), title="Our goal")
    theirs = GoalFactory(
        organization=other_org, strategy=StrategyFactory(organization=other_org), title="Secret goal of B"
    )
    return ours, theirs


def test_browsable_api_filter_form_lists_only_own_rows(owner_client, org, two_goals):
    response = owner_client.get(f"/api/v1/orgs/{org.slug}/posts/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200
    html = response.content.decode()
    assert "Our goal" in html
    assert "Secret goal of B" not in html


def test_browsable_api_works_with_a_token(token_client, org):
    response = token_client.get(f"/api/v1/orgs/{org.slug}/posts/", HTTP_ACCEPT="text/html")
    assert response.status_code == 200


def test_foreign_filter_id_answers_like_a_missing_one(owner_client, org, two_goals):
    ours, theirs = two_goals
    PostFactory(organization=org, title="p", goal=ours, strategy=ours.strategy)
    base = f"/api/v1/orgs/{org.slug}/posts/"
    assert owner_client.get(base, {"goal": ours.pk}).json()["count"] == 1
    foreign = owner_client.get(base, {"goal": theirs.pk})
    missing = owner_client.get(base, {"goal": 10**9})
    assert foreign.status_code == missing.status_code == 400
    strip = str(theirs.pk), str(10**9)
    assert foreign.json()["error"]["fields"]["goal"][0].replace(strip[0], "#") == missing.json()["error"]["fields"][
        "goal"
    ][0].replace(strip[1], "#")


def test_production_answers_json_only(settings):
    from django.conf import settings as live

    assert "rest_framework.renderers.JSONRenderer" in live.REST_FRAMEWORK["DEFAULT_RENDERER_CLASSES"]
    source = inspect.getsource(importlib.import_module("smm_platform.settings"))
    assert '["rest_framework.renderers.BrowsableAPIRenderer"] if DEBUG else []' in source


# --- every serializer's related fields are organization-scoped --------------------------------------


def _project_serializers():
    found = set()
    for config in apps.get_app_configs():
        if not config.path.startswith(str(apps.get_app_config("tenancy").path.rsplit("/", 1)[0])):
            continue
        try:
            module = importlib.import_module(f"{config.name}.api.serializers")
        except ModuleNotFoundError:
            continue
        for _name, obj in inspect.getmembers(module, inspect.isclass):
            if issubclass(obj, drf_serializers.Serializer) and obj.__module__ == module.__name__:
                found.add(obj)
    return found


def test_every_writable_related_field_is_organization_scoped(org):
    serializers = _project_serializers()
    assert len(serializers) >= 20
    unscoped = []
    for serializer_class in serializers:
        for name, fld in serializer_class(context={"organization": org}).fields.items():
            relation = fld.child_relation if isinstance(fld, drf_serializers.ManyRelatedField) else fld
            writable = isinstance(relation, drf_serializers.RelatedField) and not relation.read_only
            if writable and not isinstance(relation, OrganizationRelatedField):
                unscoped.append(f"{serializer_class.__qualname__}.{name}")
    assert unscoped == []


def test_related_field_without_organization_has_no_choices(org):
    GoalFactory(organization=org, strategy=StrategyFactory(organization=org))
    field = OrganizationRelatedField(queryset=Goal.objects.all())
    field.bind("goal", drf_serializers.Serializer(context={}))
    assert list(field.get_queryset()) == []


def test_options_on_a_singleton_resource_is_not_a_server_error(owner_client, org):
    """DRF's OPTIONS metadata calls get_object() on a route without an id (found by the fuzz stage)."""
    response = owner_client.options(f"/api/v1/orgs/{org.slug}/business-profile/")
    assert response.status_code == 200
    assert response.json()["name"] == "Business Profile"
