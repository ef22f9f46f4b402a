"""Shared factories, kept importable from here; each app's factories live in tests/<app>/factories.py."""

from tests.tenancy.factories import MembershipFactory, OrganizationFactory, UserFactory

__all__ = ["MembershipFactory", "OrganizationFactory", "UserFactory"]
