"""Organization addresses: readable transliteration, unique with one query, safe under concurrency."""

import threading
from unittest import mock

import pytest
from django.db import IntegrityError, connection, connections

from core.errors import Conflict
from tenancy import services
from tenancy.models import Membership, Organization
from tenancy.slugs import first_free_slug, slug_base

from .factories import OrganizationFactory, UserFactory


@pytest.mark.parametrize(
    ("name", "slug"),
    [
        ("Зерно кофе", "zerno-kofe"),
        ("Щука и Ёжик", "shchuka-i-ezhik"),
        ("Кофейня «Уют»", "kofeynya-uyut"),
        ("Объявление Съезд", "obyavlenie-sezd"),
        ("Coffee & Co", "coffee-co"),
        ("!!!", "org"),
        ("Ж" * 80, "zh" * 25),
    ],
)
def test_slug_base_is_a_readable_transliteration(name, slug):
    assert slug_base(name) == slug


def test_first_free_slug_fills_the_first_gap():
    assert first_free_slug("zerno", set()) == "zerno"
    assert first_free_slug("zerno", {"zerno", "zerno-2", "zerno-4", "zerno-kofe", "zerno-x"}) == "zerno-3"


@pytest.mark.django_db
def test_cyrillic_name_gets_a_transliterated_slug():
    org = services.organization_create(owner=UserFactory(), name="Зерно кофе")
    assert org.slug == "zerno-kofe"


@pytest.mark.django_db
def test_collisions_take_the_next_number_in_one_query(django_assert_num_queries):
    owner = UserFactory()
    for slug in ["zerno-kofe", "zerno-kofe-2", "zerno-kofe-bar"]:
        OrganizationFactory(slug=slug)
    # Savepoints and the row-level security scope (read, set, restore) included; independent of how
    # many organizations exist.
    with django_assert_num_queries(11) as captured:
        org = services.organization_create(owner=owner, name="Зерно кофе")
    assert org.slug == "zerno-kofe-3"
    assert sum("LIKE" in q["sql"] for q in captured.captured_queries) == 1
    for n in range(20):
        OrganizationFactory(slug=f"zerno-kofe-{n + 4}")
    with django_assert_num_queries(11):
        assert services.organization_create(owner=owner, name="Зерно кофе").slug == "zerno-kofe-24"


@pytest.mark.django_db
def test_a_slug_taken_between_read_and_insert_is_retried_in_a_savepoint():
    owner = UserFactory()
    OrganizationFactory(slug="zerno-kofe")  # committed by a concurrent sign-up after our read
    stale = [first_free_slug("zerno-kofe", set())]
    with mock.patch.object(
        services,
        "first_free_slug",
        side_effect=lambda base, taken: stale.pop() if stale else first_free_slug(base, taken),
    ):
        org = services.organization_create(owner=owner, name="Зерно кофе")
    assert org.slug == "zerno-kofe-2"
    assert Membership.objects.filter(organization=org, user=owner).count() == 1  # the outer transaction survived


@pytest.mark.django_db
def test_explicit_taken_slug_is_a_conflict_and_other_integrity_errors_are_not_hidden():
    OrganizationFactory(slug="zerno")
    with pytest.raises(Conflict):
        services.organization_create(owner=UserFactory(), name="Другое", slug="zerno")
    with (
        mock.patch.object(Organization.objects, "create", side_effect=IntegrityError("other constraint")),
        pytest.raises(IntegrityError),
    ):
        services.organization_create(owner=UserFactory(), name="Новое")
    assert Organization.objects.count() == 1


@pytest.mark.django_db(transaction=True)
def test_concurrent_sign_ups_with_the_same_name_get_distinct_slugs():
    if connection.vendor != "postgresql":
        pytest.skip("needs concurrent writers: PostgreSQL")
    owners = [UserFactory(), UserFactory()]
    barrier = threading.Barrier(2, timeout=10)
    local = threading.local()
    real = first_free_slug

    def racing(base, taken):
        result = real(base, taken)
        if not getattr(local, "raced", False):
            local.raced = True
            barrier.wait()  # both threads have read "no slug taken" before either inserts
        return result

    slugs, errors = [], []

    def sign_up(owner):
        try:
            slugs.append(services.organization_create(owner=owner, name="Зерно кофе").slug)
        except Exception as exc:  # reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()

    with mock.patch.object(services, "first_free_slug", side_effect=racing):
        threads = [threading.Thread(target=sign_up, args=(owner,)) for owner in owners]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(timeout=30)
    assert errors == []
    assert sorted(slugs) == ["zerno-kofe", "zerno-kofe-2"]
