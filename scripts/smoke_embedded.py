"""Smoke test of the embedded default, as `make run` serves it on a fresh machine.

Fresh SQLite file, no Redis (eager Celery): migrate, seed the demo, start the dev server, sign in
as the demo owner over real HTTP and open the dashboard, every navigation item and every page those
link to (SQLite lacks some PostgreSQL lookups; this is where a query that only PostgreSQL runs shows).
"""

import html
import os
import re
import subprocess
import sys
import tempfile

import httpx
from smoke_server import PY, ROOT, dev_server, sign_in

LINK = re.compile(r'href="(/o/zerno/[^"#]*)"')
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
        linked: set[str] = set()
        for section in SECTIONS:
            page = http.get(f"/o/zerno/{section}")
            assert page.status_code == 200, f"/o/zerno/{section} → {page.status_code}"
            print(f"ok  /o/zerno/{section}")
            linked.update(LINK.findall(page.text))
        broken = []
        for href in sorted(linked - {f"/o/zerno/{s}" for s in SECTIONS}):
            status = http.get(html.unescape(href)).status_code
            if status >= 500:
                broken.append(f"{href} → {status}")
        assert not broken, "pages failing on SQLite:\n" + "\n".join(broken)
        print(f"ok  {len(linked)} linked pages")
        assert http.get("/api/schema/").status_code == 200
        assert http.get("/api/docs/").status_code == 200
    print(f"embedded default OK: signed in as {email}, {len(SECTIONS)} pages rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
