"""Every entry into a tenant table names its scope (docs/ARCHITECTURE.md "Tenancy").

Outside tests and migrations, `<TenantModel>.objects.<first call>` must be `for_organization(...)`,
`unscoped()` (crossing organizations on purpose, so it stands out in review), or a call whose keyword
arguments name the organization (`filter(organization=...)`, `create(organization_id=...)`).
Querysets declared as a view's or field's `queryset` are scoped by the API base and
`OrganizationRelatedField`, so they may start unscoped.
"""

import ast
from pathlib import Path

import pytest
from django.apps import apps

from tenancy.models import TenantModel

ROOT = Path(__file__).resolve().parents[2]
SKIP_DIRS = {".venv", "tests", "migrations", "node_modules", "staticfiles", "bench", ".git"}
EXPLICIT = {"for_organization", "unscoped"}
# Rows built in code carry their organization already.
CARRY_ORGANIZATION = {"bulk_create", "bulk_update"}


def _tenant_model_names() -> set[str]:
    return {m.__name__ for m in apps.get_models() if issubclass(m, TenantModel)}


def _names_organization(call: ast.Call) -> bool:
    return any(kw.arg and kw.arg.startswith("organization") for kw in call.keywords)


def _violations(source: str, filename: str, models: set[str]) -> list[str]:
    tree = ast.parse(source, filename)
    exempt: set[int] = set()
    for node in ast.walk(tree):
        # `queryset = X.objects...` in a class body, and `queryset=X.objects...` keyword arguments.
        if isinstance(node, ast.ClassDef):
            for stmt in node.body:
                if isinstance(stmt, ast.Assign) and any(
                    isinstance(t, ast.Name) and t.id == "queryset" for t in stmt.targets
                ):
                    exempt.update(id(n) for n in ast.walk(stmt.value))
        if isinstance(node, ast.keyword) and node.arg == "queryset":
            exempt.update(id(n) for n in ast.walk(node.value))
    found = []
    for node in ast.walk(tree):
        if not (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)):
            continue
        manager = node.func.value
        if not (
            isinstance(manager, ast.Attribute)
            and manager.attr == "objects"
            and isinstance(manager.value, ast.Name)
            and manager.value.id in models
        ):
            continue
        if id(node) in exempt or node.func.attr in EXPLICIT | CARRY_ORGANIZATION or _names_organization(node):
            continue
        found.append(f"{filename}:{node.lineno} {manager.value.id}.objects.{node.func.attr}(...)")
    return found


def _project_files():
    for path in sorted(ROOT.rglob("*.py")):
        if not SKIP_DIRS.intersection(path.relative_to(ROOT).parts):
            yield path


@pytest.mark.django_db(databases=[])
def test_every_tenant_query_names_its_scope():
    models = _tenant_model_names()
    assert {"Post", "Goal", "SocialAccount", "InboxItem", "AdCampaign", "Membership"} <= models
    found = []
    for path in _project_files():
        found += _violations(path.read_text(), str(path.relative_to(ROOT)), models)
    assert found == [], "\n".join(found)


def test_the_lint_catches_an_unscoped_lookup():
    source = "def leak(pk):\n    return Post.objects.get(pk=pk)\n"
    assert _violations(source, "x.py", {"Post"}) == ["x.py:2 Post.objects.get(...)"]
    ok = "Post.objects.for_organization(org).get(pk=1)\nPost.objects.filter(organization=org)\n"
    assert _violations(ok, "y.py", {"Post"}) == []
