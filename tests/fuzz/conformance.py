"""Run schemathesis (its command line, as an outside client would) against a live server.

Every operation, every check, a fixed seed and a bounded number of examples. The organization slug
is fixed to the demo organization and each `{id}` to an existing row of that resource, read from its
collection (the first item), so positive cases reach real objects.
"""

from __future__ import annotations

import json
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

ID_PARAMETER = re.compile(r"\{(\w+)\}")
CHECKS = "all"
PHASES = "examples,coverage,fuzzing,stateful"


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


def toml_config(slug: str, ids: dict[str, dict[str, int]]) -> str:
    lines = ["[parameters]", f'"path.org_slug" = "{slug}"', ""]
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
    seed: int = 20261130,
    max_examples: int = 10,
    phases: str = PHASES,
    extra: tuple[str, ...] = (),
) -> tuple[int, str, dict]:
    """Runs `st run`; returns (exit code, console output, the JSON report)."""
    config = workdir / "schemathesis.toml"
    config.write_text(toml_config(slug, ids))
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
    done = subprocess.run(command, capture_output=True, text=True, cwd=workdir)
    payload = json.loads(report.read_text()) if report.exists() else {}
    return done.returncode, done.stdout + done.stderr, payload
