"""Smoke test on PostgreSQL as deployed: the owner migrates, the app runs as the RLS-bound role.

Usage: OWNER_DATABASE_URL=postgres://postgres@host/db APP_ROLE=smm_app python scripts/smoke_app_role.py

As the owner: migrate, `create_app_role`. As the app role (no superuser, no BYPASSRLS): seed the
demo (an explicitly unscoped command), start the dev server, sign in over real HTTP, open every
navigation page and the API, and check that a raw query without a scope sees no tenant rows.
"""

import os
import re
import subprocess
import sys
from urllib.parse import urlsplit, urlunsplit

import httpx
from smoke_server import PY, ROOT, dev_server, sign_in

PAGES = [
    "",
    "strategy/",
    "content/",
    "analytics/",
    "moderation/",
    "ads/",
    "analytics/reports/",
    "integrations/",
    "integrations/health/",
    "settings/",
    "settings/members/",
    "settings/tokens/",
    "settings/audit-log/",
]
API = [
    "/api/v1/me/",
    "/api/v1/orgs/zerno/posts/",
    "/api/v1/orgs/zerno/integrations/accounts/",
    "/api/v1/orgs/zerno/goals/",
]


def found(pattern: str, text: str) -> re.Match[str]:
    match = re.search(pattern, text)
    if match is None:
        raise SystemExit(f"expected {pattern!r} in:\n{text[:2000]}")
    return match


def as_role(url: str, role: str, password: str) -> str:
    parts = urlsplit(url)
    host = (parts.hostname or "") + (f":{parts.port}" if parts.port else "")
    auth = f"{role}:{password}" if password else role
    return urlunsplit(parts._replace(netloc=f"{auth}@{host}"))


def main() -> int:
    owner_url = os.environ["OWNER_DATABASE_URL"]
    role = os.environ.get("APP_ROLE", "smm_app")
    password = os.environ.get("APP_DB_PASSWORD", "")
    app_url = as_role(owner_url, role, password)
    base_env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"} | {"CELERY_TASK_ALWAYS_EAGER": "1"}

    def manage(*args: str, url: str) -> str:
        env = base_env | {"DATABASE_URL": url}
        done = subprocess.run([PY, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True)
        if done.returncode:
            sys.exit(f"manage.py {' '.join(args)} failed:\n{done.stdout}\n{done.stderr}")
        return done.stdout

    manage("migrate", "--noinput", url=owner_url)
    manage(
        "create_app_role", "--role", role, *(["--password-env", "APP_DB_PASSWORD"] if password else []), url=owner_url
    )
    checked = manage(
        "shell",
        "-v0",
        "-c",
        "from django.db import connection; c = connection.cursor();"
        "c.execute('SELECT current_user, rolsuper, rolbypassrls FROM pg_roles WHERE rolname = current_user');"
        "print(c.fetchone()); c.execute('SELECT count(*) FROM tenancy_membership'); print(c.fetchone()[0])",
        url=app_url,
    ).split("\n")
    assert checked[0] == f"('{role}', False, False)", f"the app does not run as a plain role: {checked[0]}"
    seeded = manage("seed_demo", url=app_url)
    email, demo_password = found(r"owner\s+(\S+) / (\S+)", seeded).groups()
    unscoped_rows = manage(
        "shell", "-v0", "-c", "from tenancy.models import Membership; print(Membership.objects.count())", url=app_url
    ).strip()
    assert unscoped_rows == "0", f"a query without an organization scope saw {unscoped_rows} memberships"

    with dev_server(base_env | {"DATABASE_URL": app_url}) as base:
        with httpx.Client(base_url=base, follow_redirects=True, timeout=30) as http:
            sign_in(http, base, email, demo_password)
            for page in PAGES:
                response = http.get(f"/o/zerno/{page}")
                assert response.status_code == 200, f"/o/zerno/{page} → {response.status_code}"
                print(f"ok  /o/zerno/{page}")
            for path in API:
                response = http.get(path, headers={"Accept": "application/json"})
                assert response.status_code == 200, f"{path} → {response.status_code}"
                print(f"ok  {path}")
            me = http.get("/api/v1/me/", headers={"Accept": "application/json"}).json()
            assert [o["slug"] for o in me["organizations"]] == ["zerno"], me
            posts = http.get("/api/v1/orgs/zerno/posts/", headers={"Accept": "application/json"}).json()
            assert posts["count"] > 0, "the demo's posts are not visible to their own organization"
            # An API token: found by its prefix across organizations (unscoped), then scoped to its org.
            tokens = http.post(
                "/o/zerno/settings/tokens/",
                data={"name": "smoke", "scopes": ["read"], "csrfmiddlewaretoken": http.cookies["csrftoken"]},
                headers={"Referer": base},
            )
            secret = found(r"smm_[0-9a-f]{8}_[A-Za-z0-9_-]+", tokens.text).group(0)
        with httpx.Client(base_url=base, timeout=30, headers={"Authorization": f"Bearer {secret}"}) as api:
            by_token = api.get("/api/v1/orgs/zerno/posts/")
            assert by_token.status_code == 200 and by_token.json()["count"] == posts["count"], by_token.text[:300]
            print("ok  /api/v1/orgs/zerno/posts/ with an API token")
    print(f"app role OK: {role} (no superuser, no BYPASSRLS) served {len(PAGES)} pages and {len(API)} API calls")
    return 0


if __name__ == "__main__":
    sys.exit(main())
