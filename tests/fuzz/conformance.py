"""Run schemathesis (its command line, as an outside client would) against a live server.

Every operation, every check, a fixed seed and a bounded number of examples. The organization slug
is fixed to the demo organization and each `{id}` to an existing row of that resource, read from its
collection (the first item), so positive cases reach real objects.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

ROOT = Path(__file__).resolve().parents[2]
HOOKS = "tests.fuzz.conformance_hooks"  # business rules OpenAPI cannot state (see that module)
ID_PARAMETER = re.compile(r"\{(\w+)\}")
CHECKS = "all"
PHASES = "examples,coverage,fuzzing,stateful"
SEED = 20261130
METHODS = ("get", "put", "post", "patch", "delete")


def collection_of(path: str, name: str) -> str:
    """`/api/v1/orgs/{org_slug}/goals/{id}/progress/` → `/api/v1/orgs/{org_slug}/goals/` for `id`."""
    return path.split("{" + name + "}")[0]


def first_id(payload) -> int | None:
    items = payload.get("results", payload) if isinstance(payload, dict) else payload
    if isinstance(items, list) and items and isinstance(items[0], dict):
        return items[0].get("id")
    return None


def demo_ids(schema: dict, slug: str, get_json: Callable[[str], object]) -> dict[str, dict[str, int]]:
    """Operation path → {path parameter: an existing id}, for every path with an id."""
    values: dict[str, dict[str, int]] = {}
    for path in schema["paths"]:
        names = [name for name in ID_PARAMETER.findall(path) if name != "org_slug"]
        if not names:
            continue
        found: dict[str, int] = {}
        for name in names:
            collection = collection_of(path, name).replace("{org_slug}", slug)
            pk = first_id(get_json(collection))
            if pk is not None:
                found[name] = pk
        values[path] = found
    return values


def body_properties(schema: dict, operation: dict) -> dict[str, dict]:
    """The top-level properties of an operation's JSON body (through `$ref`, `oneOf` and items)."""
    body = operation.get("requestBody", {}).get("content", {}).get("application/json", {}).get("schema")
    found: dict[str, dict] = {}
    stack = [body] if body else []
    while stack:
        node = stack.pop()
        if "$ref" in node:
            name = node["$ref"].rsplit("/", 1)[-1]
            node = schema["components"]["schemas"][name]
        stack += node.get("oneOf", []) + node.get("anyOf", []) + node.get("allOf", [])
        for name, prop in node.get("properties", {}).items():
            if name == "items" and prop.get("type") == "array" and isinstance(prop.get("items"), dict):
                stack.append(prop["items"])
            else:
                found[name] = prop
    return found


def referenced_ids(schema: dict, slug: str, get_json: Callable[[str], object]) -> dict[str, list[int]]:
    """Body fields naming another resource by id (`strategy`, `goal`, `pillar`, ...) → existing ids,
    so that schema-valid bodies reference rows that exist (an unknown id is rightly a 400)."""
    collections = [p for p in schema["paths"] if p.endswith("/") and "{id}" not in p and p.count("{") == 1]
    names = set()
    for item in schema["paths"].values():
        for method in ("post", "put", "patch"):
            if method in item:
                for name, prop in body_properties(schema, item[method]).items():
                    kinds = {prop.get("type")} | {o.get("type") for o in prop.get("oneOf", []) + prop.get("anyOf", [])}
                    if "integer" in kinds and name != "id":
                        names.add(name)
    found: dict[str, list[int]] = {}
    for name in sorted(names):
        plural = name[:-1] + "ies" if name.endswith("y") else name + "s"
        matches = [p for p in collections if p.rstrip("/").rsplit("/", 1)[-1].endswith(plural)]
        if len(matches) != 1:
            continue
        payload = get_json(matches[0].replace("{org_slug}", slug) + "?page_size=20")
        items = payload.get("results", payload) if isinstance(payload, dict) else payload
        pks = [item["id"] for item in items if isinstance(item, dict) and isinstance(item.get("id"), int)]
        pks = pks[1:]  # the first row is the one `{id}` operations use, and DELETE may remove it
        if pks:
            found[name] = pks
    return found


def hook_data(slug: str, get_json: Callable[[str], object]) -> dict:
    """What the hooks need from the demo organization: each goal's and each pillar's strategy."""

    def rows(collection: str) -> list[dict]:
        payload = get_json(f"/api/v1/orgs/{slug}/{collection}/?page_size=200")
        items = payload.get("results", payload) if isinstance(payload, dict) else payload
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    cursors = {}
    for collection in ("leads", "inbox/items"):
        following = get_json(f"/api/v1/orgs/{slug}/{collection}/?cursor=&page_size=2")
        link = following.get("next") if isinstance(following, dict) else None
        found = parse_qs(urlsplit(link).query).get("cursor", []) if link else []
        cursors[f"/{collection}/"] = found
    from core.kpis import CATALOG

    # The first row of a collection is the one `{id}` operations use, and DELETE may remove it: the
    # pools of ids a body may name leave it out.
    tests = rows("abtests")
    return {
        "kpi_objectives": {kpi.key: [str(objective) for objective in kpi.objectives] for kpi in CATALOG},
        "cursors": cursors,
        "accounts": [row["id"] for row in rows("integrations/accounts")][1:],
        "competitors": [row["id"] for row in rows("competitors")][1:],
        "campaigns": [row["id"] for row in rows("ads/campaigns")],
        "goal_strategy": {str(row["id"]): row.get("strategy") for row in rows("goals")[1:]},
        "pillar_strategy": {str(row["id"]): row.get("strategy") for row in rows("content-pillars")[1:]},
        "abtest_variants": {str(test["id"]): [v["id"] for v in test.get("variants", [])] for test in tests},
        "references": references_of(get_json, slug),
    }


# Ids a body or a filter names, by name → the collection of the rows they name (where the name alone
# does not give it), or a function of the rows giving the ids.
REFERENCE_COLLECTIONS = {
    "strategy": "strategies",
    "goal": "goals",
    "pillar": "content-pillars",
    "competitor": "competitors",
    "campaign": "ads/campaigns",
    "control_campaign": "ads/campaigns",
    "trend": "trend-notes",
    "post": "posts",
    "account": "integrations/accounts",
    "item": "inbox/items",
    "endpoint": "webhooks",
    "rule": "ads/rules",
}


def references_of(get_json: Callable[[str], object], slug: str) -> dict[str, list[int]]:
    """Each referenced name → existing ids (the first row left out: `{id}` operations use it and DELETE
    may remove it); `assignee` → the user ids inbox items are assigned to (the API lists members by
    membership, not user id)."""

    def rows(collection: str) -> list[dict]:
        payload = get_json(f"/api/v1/orgs/{slug}/{collection}/?page_size=200")
        items = payload.get("results", payload) if isinstance(payload, dict) else payload
        return [item for item in items if isinstance(item, dict)] if isinstance(items, list) else []

    found = {name: [row["id"] for row in rows(collection)][1:] for name, collection in REFERENCE_COLLECTIONS.items()}
    found["assignee"] = sorted({row["assignee"] for row in rows("inbox/items") if isinstance(row.get("assignee"), int)})
    return found


def toml_config(slug: str, ids: dict[str, dict[str, int]], references: dict[str, list[int]] | None = None) -> str:
    lines = ["[parameters]", f'"path.org_slug" = "{slug}"']
    for name in sorted(references or {}):
        lines.append(f'"body.{name}" = {{ dictionary = "{name}_ids" }}')
        lines.append(f'"body.items.[*].{name}" = {{ dictionary = "{name}_ids" }}')
        lines.append(f'"query.{name}" = {{ dictionary = "{name}_ids" }}')  # filters by an existing row
    lines.append("")
    for name, pks in sorted((references or {}).items()):
        lines += [f"[dictionaries.{name}_ids]", f"values = {pks}", ""]
    for path, found in sorted(ids.items()):
        if not found:
            continue
        params = ", ".join(f'"path.{name}" = {pk}' for name, pk in found.items())
        lines += ["[[operations]]", f'include-path = "{path}"', f"parameters = {{ {params} }}", ""]
    return "\n".join(lines)


def run(
    *,
    schema_url: str,
    token: str,
    slug: str,
    ids: dict[str, dict[str, int]],
    workdir: Path,
    references: dict[str, list[int]] | None = None,
    hooks: dict | None = None,
    seed: int = SEED,
    max_examples: int = 10,
    phases: str = PHASES,
    extra: tuple[str, ...] = (),
) -> tuple[int, str, dict]:
    """Runs `st run`; returns (exit code, console output, the JSON report)."""
    config = workdir / "schemathesis.toml"
    config.write_text(toml_config(slug, ids, references))
    report = workdir / "report.json"
    command = [
        str(Path(sys.executable).with_name("st")),
        "--config-file",
        str(config),
        "run",
        schema_url,
        "--checks",
        CHECKS,
        "--phases",
        phases,
        "--seed",
        str(seed),
        "--max-examples",
        str(max_examples),
        "--workers",
        "1",
        "--no-shrink",
        "--suppress-health-check",
        "all",
        "--header",
        f"Authorization: Bearer {token}",
        "--report",
        "json",
        "--report-json-path",
        str(report),
        "--output-truncate",
        "true",
        *extra,
    ]
    env = dict(os.environ)
    if hooks is not None:
        data = workdir / "hook_data.json"
        data.write_text(json.dumps(hooks))
        pythonpath = [str(ROOT), *filter(None, [env.get("PYTHONPATH")])]
        env.update(SCHEMATHESIS_HOOKS=HOOKS, SMM_CONFORMANCE_DATA=str(data), PYTHONPATH=os.pathsep.join(pythonpath))
    console = workdir / "console.txt"  # streamed: a long run can be followed while it runs
    with console.open("w") as out:
        done = subprocess.run(command, stdout=out, stderr=subprocess.STDOUT, text=True, cwd=workdir, env=env)
    payload = json.loads(report.read_text()) if report.exists() else {}
    return done.returncode, console.read_text(), payload
