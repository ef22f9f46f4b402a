"""Factories for tenancy rows: users, organizations, memberships, invitations, API tokens, the audit log."""

import datetime as dt

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from tenancy.models import ApiToken, AuditLog, Invitation, Membership, Organization
from tenancy.roles import Role


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)

    username = factory.Sequence(lambda n: f"user{n}@example.com")
    email = factory.LazyAttribute(lambda o: o.username)
    password = factory.django.Password("pass-Word-123")


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda n: f"Org {n}")
    slug = factory.Sequence(lambda n: f"org-{n}")
    timezone = "Europe/Moscow"
    currency = "RUB"


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    organization = factory.SubFactory(OrganizationFactory)
    user = factory.SubFactory(UserFactory)
    role = Role.MARKETER


class InvitationFactory(factory.django.DjangoModelFactory):
    """A pending invitation; its secret is unknown (only a hash is stored): use the service to get one."""

    class Meta:
        model = Invitation

    organization = factory.SubFactory(OrganizationFactory)
    email = factory.Sequence(lambda n: f"invited{n}@example.com")
    role = Role.ANALYST
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    expires_at = factory.LazyFunction(lambda: timezone.now() + dt.timedelta(days=7))


class ApiTokenFactory(factory.django.DjangoModelFactory):
    """A read token row; its secret is unknown (only a hash is stored): use the service to get one."""

    class Meta:
        model = ApiToken

    organization = factory.SubFactory(OrganizationFactory)
    name = "CRM"
    prefix = factory.Sequence(lambda n: f"pref{n:04d}")
    token_hash = factory.Sequence(lambda n: f"{n:064x}")
    scopes = factory.LazyFunction(lambda: ["read"])


class AuditLogFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuditLog

    organization = factory.SubFactory(OrganizationFactory)
    action = "thing.updated"
    object_type = "thing"
