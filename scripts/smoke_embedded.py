"""Smoke test of the embedded default, as `make run` serves it on a fresh machine.

Fresh SQLite file, no Redis (eager Celery): migrate, seed the demo, start the dev server, sign in
as the demo owner over real HTTP and open the dashboard and every navigation item.
"""

import os
import re
import subprocess
import sys
import tempfile

import httpx
from smoke_server import PY, ROOT, dev_server, sign_in

SECTIONS = [
    "",
    "strategy/",
    "content/",
    "analytics/",
    "moderation/",
    "ads/",
    "analytics/reports/",
    "integrations/",
    "settings/",
]


def main() -> int:
    tmp = tempfile.mkdtemp(prefix="smm-smoke-")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env["DATABASE_URL"] = f"sqlite:///{tmp}/db.sqlite3"

    def run(*args: str) -> subprocess.CompletedProcess:
        return subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, check=True, capture_output=True, text=True)

    run("migrate", "--noinput")
    seeded = run("seed_demo").stdout
    match = re.search(r"owner\s+(\S+) / (\S+)", seeded)
    assert match, f"seed_demo printed no owner login:\n{seeded}"
    email, password = match.groups()
    with dev_server(env) as base, httpx.Client(base_url=base, follow_redirects=True, timeout=30) as http:
        dash = sign_in(http, base, email, password)
        assert "Зерно" in dash.text
        for section in SECTIONS:
            page = http.get(f"/o/zerno/{section}")
            assert page.status_code == 200, f"/o/zerno/{section} → {page.status_code}"
            print(f"ok  /o/zerno/{section}")
        assert http.get("/api/schema/").status_code == 200
        assert http.get("/api/docs/").status_code == 200
    print(f"embedded default OK: signed in as {email}, {len(SECTIONS)} pages rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
