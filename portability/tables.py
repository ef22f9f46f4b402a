"""Which tables hold an organization's data, in which order they are deleted, and which of their
columns are secrets. Everything is read from the app registry, so a new tenant model is exported and
deleted without a change here (and a secret column is caught by its name; see SECRET_FIELD_NAME)."""

import graphlib
import re

from django.apps import apps
from django.db import models

from tenancy.models import TenantModel

# Whole tables that are secrets or short-lived security state, never exported.
EXCLUDED_TABLES = frozenset({"integrations.OAuthState"})
# Columns never exported, whatever their table (credentials, token hashes, OAuth state, passwords).
SECRET_FIELD_NAME = re.compile(r"ciphertext|secret|password|token_hash|code_verifier|private_key|api_key", re.I)
# The same for columns whose name a generic pattern cannot tell apart from ordinary data.
EXCLUDED_FIELDS: dict[str, frozenset[str]] = {}


def tenant_models() -> list[type[TenantModel]]:
    """Every concrete tenant model, in app-registry order (stable)."""
    return [m for m in apps.get_models() if issubclass(m, TenantModel) and not m._meta.abstract]


def exported_fields(model: type[models.Model]) -> list[models.Field]:
    label = model._meta.label
    return [
        f
        for f in model._meta.concrete_fields
        if not SECRET_FIELD_NAME.search(f.name) and f.name not in EXCLUDED_FIELDS.get(label, ())
    ]


def exported_models() -> list[type[TenantModel]]:
    return [m for m in tenant_models() if m._meta.label not in EXCLUDED_TABLES]


def deletion_order() -> list[type[TenantModel]]:
    """Tenant models ordered so that a row is deleted before any row it points to (children first).

    Foreign keys that are not database constraints (`fact_foreign_key`) count too: deleting children
    first keeps the purge from ever leaving an orphan, whatever the constraint. A cycle (none today)
    falls back to registry order; `QuerySet.delete()` cascades within each chunk anyway."""
    models_ = tenant_models()
    in_scope = set(models_)
    sorter: graphlib.TopologicalSorter[type[TenantModel]] = graphlib.TopologicalSorter()
    for model in models_:
        sorter.add(model)
        for field in model._meta.concrete_fields:
            target = field.related_model if field.is_relation else None
            if target in in_scope and target is not model:
                sorter.add(target, model)  # the child (`model`) comes before its parent
    try:
        ordered = list(sorter.static_order())
    except graphlib.CycleError:
        return models_
    return ordered
