"""The architecture in docs/ARCHITECTURE.md is the code's: the app graph written there is computed
here from the imports, the layers contract holds (import-linter), and hidden imports inside
functions carry a comment that says why."""

import ast
import re
import tomllib
from collections import defaultdict
from pathlib import Path

import pytest
from django.apps import apps
from importlinter.cli import lint_imports

from integrations.steps import STEP_ORDER, registered_steps
from tenancy.demo import demo_seeders
from tests.paths import REPO_ROOT

ARCHITECTURE = REPO_ROOT / "docs" / "ARCHITECTURE.md"
GRAPH_MARKER = "<!-- app graph: checked by tests/test_architecture.py -->"
# Presentation modules may import any app (docs/ARCHITECTURE.md, Layers); the graph is about domain modules.
PRESENTATION = re.compile(r"^[^.]+\.(views|api|urls|admin|templatetags|management)(\.|$)")


def _config() -> dict:
    return tomllib.loads((REPO_ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]


def project_packages() -> list[str]:
    return list(_config()["root_packages"])


def _modules(package: str):
    for path in sorted((REPO_ROOT / package).rglob("*.py")):
        relative = path.relative_to(REPO_ROOT).with_suffix("")
        if "migrations" in relative.parts:
            continue
        parts = relative.parts[:-1] if relative.name == "__init__" else relative.parts
        yield ".".join(parts), path


def _imported_names(node: ast.AST, module: str, path: Path) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    assert isinstance(node, ast.ImportFrom)
    if node.level:  # relative: within the same package, hence the same app
        package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
        return [".".join(package[: len(package) - node.level + 1])]
    return [node.module or ""]


def _module_level_imports(tree: ast.Module):
    """Imports outside any function (class bodies and `if` blocks at module level count)."""
    stack = list(tree.body)
    while stack:
        node = stack.pop()
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node
        elif not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            stack.extend(ast.iter_child_nodes(node))


def code_graph() -> dict[str, set[str]]:
    """App → the other project apps its domain modules import at module level."""
    packages = project_packages()
    graph: dict[str, set[str]] = {package: set() for package in packages}
    for package in packages:
        for module, path in _modules(package):
            if PRESENTATION.match(module):
                continue
            for node in _module_level_imports(ast.parse(path.read_text(encoding="utf-8"))):
                for name in _imported_names(node, module, path):
                    top = name.split(".")[0]
                    if top in packages and top != package:
                        graph[package].add(top)
    return graph


def documented_graph() -> dict[str, set[str]]:
    text = ARCHITECTURE.read_text(encoding="utf-8")
    assert GRAPH_MARKER in text, f"docs/ARCHITECTURE.md lost the marker {GRAPH_MARKER!r} before the app graph"
    block = text.split(GRAPH_MARKER, 1)[1].split("```", 2)[1]
    graph = {}
    for line in block.splitlines()[1:]:  # the first line is the fence's info string
        if not line.strip():
            continue
        app, arrow, imports = line.partition("→")
        assert arrow, f"a graph line is `app → other, apps`: {line!r}"
        names = imports.split("#", 1)[0].replace("(nothing)", "")
        graph[app.strip()] = {name.strip() for name in names.split(",") if name.strip()}
    return graph


def test_documented_graph_is_the_code_graph():
    assert documented_graph() == code_graph(), (
        "docs/ARCHITECTURE.md (Layers) shows an app graph that is not the code's: update the block "
        "after the marker (or the code)"
    )


def test_every_project_app_is_checked():
    """A new app is a root package of the contract (and so a row of the graph) or it is unchecked."""
    local = {config.name.split(".")[0] for config in apps.get_app_configs() if (REPO_ROOT / config.name).is_dir()}
    assert local <= set(project_packages()), "add the app to [tool.importlinter] root_packages in pyproject.toml"


def test_layers_contract_holds(monkeypatch):
    monkeypatch.chdir(REPO_ROOT)
    assert lint_imports(no_cache=True, no_logo=True) == 0, "lint-imports: see its output above"


def _local_imports(tree: ast.Module):
    for function in ast.walk(tree):
        if isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
            for node in ast.walk(function):
                if isinstance(node, ast.Import | ast.ImportFrom):
                    yield node


@pytest.mark.parametrize("package", project_packages())
def test_function_local_imports_say_why(package):
    """An import inside a function hides a dependency: allowed only with a comment saying why (on its
    line, inside it, or on the line above its block of imports), e.g. a cycle at import time."""
    silent = []
    for module, path in _modules(package):
        source = path.read_text(encoding="utf-8")
        lines = source.splitlines()
        nodes = sorted(_local_imports(ast.parse(source)), key=lambda n: n.lineno)
        block_start = None
        previous_end = -10
        for node in nodes:
            if node.lineno > previous_end + 2:  # not part of the block of imports just before it
                block_start = node.lineno
            previous_end = node.end_lineno
            covered = lines[block_start - 2 : node.end_lineno]  # the line above the block through this import
            if not any("#" in line for line in covered):
                silent.append(f"{module}:{node.lineno}")
    assert silent == [], f"function-local imports without a comment saying why: {silent}"


def test_graph_has_no_cycles():
    graph = code_graph()
    seen: dict[str, int] = defaultdict(int)  # 1: on the current path, 2: done

    def visit(app: str, path: list[str]) -> None:
        seen[app] = 1
        for other in sorted(graph[app]):
            assert seen[other] != 1, f"import cycle between apps: {' → '.join([*path, app, other])}"
            if not seen[other]:
                visit(other, [*path, app])
        seen[app] = 2

    for app in sorted(graph):
        if not seen[app]:
            visit(app, [])


def test_registries_are_filled_in_a_fixed_order():
    """Every kind of sync step has its owner's step (registered in ready()), and demo seeders run in
    data order whatever order the registrations happened in (docs/ARCHITECTURE.md, Registries)."""
    owners = {kind: step.__module__ for kind, step in registered_steps().items()}
    assert owners == {
        "profile": "integrations.profile",
        "posts": "analytics.ingest",
        "account_metrics": "analytics.ingest",
        "comments": "moderation.services",
        "mentions": "moderation.services",
        "campaigns": "ads.services",
        "ad_stats": "ads.services",
    }
    assert tuple(owners) == STEP_ORDER
    assert [app for app, _seed in demo_seeders()] == [
        "integrations",
        "strategy",
        "content",
        "moderation",
        "links",
        "crm",
        "analytics",
        "adrules",
        "abtests",
        "reports",
        "webhooks",
    ]
