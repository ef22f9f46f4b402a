# ruff: noqa: S608 - the SQL names tables and columns from the models, never from input
"""The schema stays ready to be distributed by organization_id (docs/scaling.md).

Under Citus every tenant table is a distributed table with `organization_id` as its distribution
column. That needs, for every tenant model:

- a non-null `organization` foreign key (the distribution column);
- every unique constraint (and `unique_together`, and `unique=True` fields) to include
  `organization`: Citus can only enforce uniqueness within a shard;
- every explicit index to start with `organization`, so a tenant's query reads its own rows only;
- no foreign key between two tenant rows of different organizations (co-located joins).

A deliberate exception — a secret looked up before the organization is known, a sweep across
organizations — is listed in `EXCEPTIONS` with the reason and the plan for it under Citus. The test
fails on anything new that is not listed, and on a listed exception that no longer exists.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from django.db import connection, models

from tenancy.models import Organization, TenantModel

from .factories import MembershipFactory, OrganizationFactory, UserFactory
from .seed import seed_everything

# (model label, what) -> (why it is global, the plan under Citus). `what` is "field:<name>" for a
# unique field, "index:<name>" for an index that does not start with organization.
REFERENCE_LOOKUP = "a reference table `secret → organization_id` (replicated, tiny), then a routed query"
EXCEPTIONS: dict[tuple[str, str], tuple[str, str]] = {
    ("tenancy.Invitation", "field:token_hash"): (
        "the invitation link /invite/<token> is opened before the organization is known",
        REFERENCE_LOOKUP + "; the tenant table's constraint becomes unique (organization, token_hash)",
    ),
    ("tenancy.ApiToken", "field:prefix"): (
        "an API request names the token, not the organization; the prefix finds the token",
        REFERENCE_LOOKUP + "; the tenant table's constraint becomes unique (organization, prefix)",
    ),
    ("tenancy.Membership", "index:membership_user_org_idx"): (
        "a user's organizations across tenants (home redirect, organization switcher, /api/v1/me/)",
        "reference table: memberships are few (users × organizations) and read on every request",
    ),
    ("integrations.OAuthState", "field:state"): (
        "the OAuth callback carries only the state parameter",
        REFERENCE_LOOKUP + "; or encode the organization id in the state (key change)",
    ),
    ("content.Publication", "index:pub_status_next_idx"): (
        "the publisher's minute sweep claims due publications of every organization",
        "keep: a per-shard index; the sweep is one multi-shard query per minute, each shard reads its index",
    ),
    ("content.Publication", "index:pub_status_claim_idx"): (
        "the publishing watchdog finds expired claims in every organization",
        "keep: a per-shard index; the watchdog is one multi-shard query per run",
    ),
    ("content.PlannedSlot", "field:post"): (
        "one planned slot per post (a one-to-one on the post id)",
        "key change: a ForeignKey plus UniqueConstraint(organization, post) instead of OneToOneField",
    ),
    ("ads.CampaignPlan", "field:campaign"): (
        "one plan (goal, targets, monthly budget) per campaign (a one-to-one on the campaign id)",
        "key change: a ForeignKey plus UniqueConstraint(organization, campaign) instead of OneToOneField",
    ),
    ("content.CalendarFeed", "field:secret"): (
        "the iCalendar feed URL carries only the secret (calendar apps cannot sign in)",
        REFERENCE_LOOKUP + "; the tenant table's constraint becomes unique (organization, secret)",
    ),
    ("links.TrackedLink", "field:code"): (
        "the public redirect /l/<code> is the hot path and knows only the code",
        REFERENCE_LOOKUP + " (code → organization_id, link id); or prefix the code with a shard hint (key change)",
    ),
    ("crm.CrmWebhook", "field:secret_hash"): (
        "an amoCRM/Bitrix24 webhook URL carries only the secret",
        REFERENCE_LOOKUP + "; the tenant table's constraint becomes unique (organization, secret_hash)",
    ),
    ("analytics.SocialPost", "field:publication"): (
        "one synced post per publication (a one-to-one on the publication id)",
        "key change: a ForeignKey plus UniqueConstraint(organization, publication) instead of OneToOneField",
    ),
    ("portability.OrganizationExport", "index:orgexport_status_expires_idx"): (
        "the daily clean-up deletes expired export files of every organization",
        "keep: a per-shard index; one multi-shard query a day",
    ),
    ("portability.OrganizationDeletion", "index:orgdeletion_status_due_idx"): (
        "the daily purge finds deletions that are due in every organization",
        "keep: a per-shard index; one multi-shard query a day",
    ),
}

# Models of the project's own apps that are not tenant tables, and what they become under Citus.
NOT_TENANT: dict[str, str] = {
    "tenancy.Organization": "reference table (every tenant table points at it; the slug is looked up per request)",
    "portability.DeletedOrganizationRecord": "reference table (a tombstone outliving the organization)",
}


def _project_models() -> list[type[models.Model]]:
    root = Path(settings.BASE_DIR).resolve()
    found = []
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        if root in path.parents and ".venv" not in path.parts:
            found.extend(m for m in config.get_models() if not m._meta.proxy)
    return found


def _tenant_models() -> list[type[models.Model]]:
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.proxy]


def _field_names(model: type[models.Model], names) -> list[str]:
    # Index/constraint fields may be attnames, names or "-name" (descending).
    out = []
    for name in names:
        name = name.lstrip("-")
        field = model._meta.get_field(name) if name != "organization_id" else model._meta.get_field("organization")
        out.append(field.name)
    return out


def schema_findings() -> set[tuple[str, str]]:
    """Every unique field/constraint and index of a tenant model that does not lead with organization."""
    findings: set[tuple[str, str]] = set()
    for model in _tenant_models():
        label = model._meta.label
        for field in model._meta.concrete_fields:
            if field.unique and not field.primary_key and field.name != "organization":
                findings.add((label, f"field:{field.name}"))
        for constraint in model._meta.constraints:
            if isinstance(constraint, models.UniqueConstraint) and (
                constraint.expressions or "organization" not in _field_names(model, constraint.fields)
            ):
                findings.add((label, f"constraint:{constraint.name}"))
        for together in model._meta.unique_together:
            if "organization" not in _field_names(model, together):
                findings.add((label, f"unique_together:{','.join(together)}"))
        for index in model._meta.indexes:
            if index.expressions or _field_names(model, index.fields)[:1] != ["organization"]:
                findings.add((label, f"index:{index.name}"))
    return findings


def test_every_project_model_is_a_tenant_model_or_listed():
    others = sorted(m._meta.label for m in _project_models() if not issubclass(m, TenantModel))
    assert others == sorted(NOT_TENANT), "a new non-tenant table: make it a TenantModel or list it in NOT_TENANT"


def test_every_tenant_model_has_a_non_null_organization_foreign_key():
    wrong = []
    for model in _tenant_models():
        field = model._meta.get_field("organization")
        if not field.many_to_one and not field.one_to_one:
            wrong.append((model._meta.label, "not a foreign key"))
        elif field.null or field.related_model is not Organization:
            wrong.append((model._meta.label, "nullable or not to Organization"))
        elif field.column != "organization_id":
            wrong.append((model._meta.label, f"column {field.column}"))
    assert wrong == []


def test_unique_constraints_and_indexes_lead_with_organization_or_are_listed():
    findings = schema_findings()
    unlisted = sorted(findings - set(EXCEPTIONS))
    stale = sorted(set(EXCEPTIONS) - findings)
    assert unlisted == [], (
        "include organization first, or list the exception with its reason and Citus plan "
        f"in EXCEPTIONS (and docs/scaling.md): {unlisted}"
    )
    assert stale == [], f"these exceptions no longer exist; remove them from EXCEPTIONS: {stale}"
    for key, (why, plan) in EXCEPTIONS.items():
        assert why.strip(), key
        assert plan.strip(), key


def _tenant_foreign_keys() -> list[tuple[type[models.Model], models.Field, type[models.Model]]]:
    out = []
    for model in _tenant_models():
        for field in model._meta.concrete_fields:
            if field.is_relation and field.name != "organization" and field.related_model is not None:
                target = field.related_model
                if isinstance(target, type) and issubclass(target, TenantModel):
                    out.append((model, field, target))
    return out


@pytest.mark.django_db
def test_no_foreign_key_crosses_organizations_on_generated_data(monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only (the checked schema is the distributed one)")
    monkeypatch.setattr("integrations.demo.DEMO_BACKFILL_DAYS", 10)
    for slug in ("alpha", "beta"):
        org = OrganizationFactory(slug=slug, name=slug.title())
        users = {
            role: MembershipFactory(organization=org, role=role, user=UserFactory(username=f"{role}@{slug}.test")).user
            for role in ("owner", "marketer")
        }
        seed_everything(org, users)

    foreign_keys = _tenant_foreign_keys()
    assert len(foreign_keys) > 30  # the check runs over the real schema, not an empty list
    qn = connection.ops.quote_name
    crossing, checked_rows = {}, 0
    with connection.cursor() as cursor:
        for model, field, target in foreign_keys:
            child, parent = qn(model._meta.db_table), qn(target._meta.db_table)
            cursor.execute(
                f"SELECT count(*), count(*) FILTER (WHERE c.organization_id <> p.organization_id)"
                f" FROM {child} c JOIN {parent} p ON p.{qn(target._meta.pk.column)} = c.{qn(field.column)}"
            )
            joined, crossed = cursor.fetchone()
            checked_rows += joined
            if crossed:
                crossing[f"{model._meta.label}.{field.name}"] = crossed
    assert checked_rows > 0
    assert crossing == {}, f"rows whose foreign key points into another organization: {crossing}"
