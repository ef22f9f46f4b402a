"""Smoke test of the embedded default, as `make run` serves it on a fresh machine.

Fresh SQLite file, no Redis (eager Celery): migrate, seed the demo, start the dev server, sign in
as the demo owner over real HTTP and open the dashboard and every navigation item.
"""

import os
import re
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable
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


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


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
    port = free_port()
    server = subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    try:
        base = f"http://127.0.0.1:{port}"
        with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as http:
            for _ in range(60):
                try:
                    http.get("/healthz").raise_for_status()
                    break
                except httpx.HTTPError:
                    time.sleep(0.5)
            login = http.get("/accounts/login/")
            assert login.status_code == 200 and 'name="password"' in login.text, "login page did not render"
            csrf = http.cookies["csrftoken"]
            dash = http.post(
                "/accounts/login/",
                data={"username": email, "password": password, "csrfmiddlewaretoken": csrf},
                headers={"Referer": base},
            )
            assert dash.status_code == 200 and str(dash.url).endswith("/o/zerno/"), f"login failed: {dash.url}"
            assert "Зерно" in dash.text
            for section in SECTIONS:
                page = http.get(f"/o/zerno/{section}")
                assert page.status_code == 200, f"/o/zerno/{section} → {page.status_code}"
                print(f"ok  /o/zerno/{section}")
            assert http.get("/api/schema/").status_code == 200
            assert http.get("/api/docs/").status_code == 200
    finally:
        server.terminate()
        server.wait(timeout=10)
    print(f"embedded default OK: signed in as {email}, {len(SECTIONS)} pages rendered")
    return 0


if __name__ == "__main__":
    sys.exit(main())
