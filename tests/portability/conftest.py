"""Two organizations with the demo data of every app, seeded the way `seed_demo` does it."""

import hashlib
import json

import pytest
from django.apps import apps

from tenancy.demo import demo_seeders
from tenancy.models import Organization, TenantModel
from tenancy.roles import Role
from tests.tenancy.factories import MembershipFactory, OrganizationFactory, UserFactory


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


def seed_organization(*, slug: str, name: str) -> tuple[Organization, dict]:
    """An organization with one user per role and every app's `<app>/demo.py` data."""
    org = OrganizationFactory(slug=slug, name=name)
    users = {}
    for role in Role:
        users[str(role)] = MembershipFactory(
            organization=org, role=role, user=UserFactory(username=f"{role}@{slug}.test")
        ).user
    for _app, seed in demo_seeders():
        seed(organization=org, users=users)
    return org, users


@pytest.fixture
def demo_pair(db, monkeypatch):
    """Organizations A («Зерно») and B («Бобы»), each with the full demo data (a shorter backfill)."""
    monkeypatch.setattr("integrations.demo.DEMO_BACKFILL_DAYS", 21)
    a = seed_organization(slug="zerno", name="Зерно")
    b = seed_organization(slug="boby", name="Бобы")
    return {"a": a[0], "a_users": a[1], "b": b[0], "b_users": b[1]}


def tenant_rows(organization_id: int) -> dict[str, list[dict]]:
    """Every tenant row of the organization, per model label, ordered by id."""
    return {
        model._meta.label: list(model._default_manager.for_organization(organization_id).order_by("pk").values())
        for model in apps.get_models()
        if issubclass(model, TenantModel)
    }


def digest(organization_id: int) -> dict[str, str]:
    return {
        label: hashlib.sha256(json.dumps(rows, default=str, sort_keys=True).encode()).hexdigest()
        for label, rows in tenant_rows(organization_id).items()
    }
