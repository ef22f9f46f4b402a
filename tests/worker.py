"""Starts a real Celery worker process against the test database and Redis (production path)."""

import contextlib
import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

from django.conf import settings
from django.db import connection

ROOT = Path(__file__).resolve().parent.parent


def require_worker() -> None:
    """Skips where Redis/PostgreSQL are not configured, but fails in CI where they must be."""
    import pytest

    ok, why = worker_available()
    if not ok:
        if os.environ.get("CI"):
            pytest.fail(f"CI must run the real-worker tests: {why}")
        pytest.skip(why)


def worker_available() -> tuple[bool, str]:
    if not settings.REDIS_URL:
        return False, "REDIS_URL is not set: the real-worker test needs Redis"
    if connection.vendor != "postgresql":
        return False, "the real-worker test needs PostgreSQL (DATABASE_URL)"
    return True, ""


# The worker logs in as the app role, as in production: no superuser, no BYPASSRLS, so row-level
# security applies to every task (docs/decisions/0001-row-level-security.md).
APP_ROLE = os.environ.get("TEST_APP_ROLE", "smm_app")
APP_ROLE_PASSWORD = os.environ.get("TEST_APP_ROLE_PASSWORD", "")


def _test_database_url() -> str:
    import io

    from django.core.management import call_command

    password_env = ["--password-env", "TEST_APP_ROLE_PASSWORD"] if APP_ROLE_PASSWORD else []
    call_command("create_app_role", "--role", APP_ROLE, *password_env, stdout=io.StringIO())
    db = connection.settings_dict
    auth = f"{APP_ROLE}:{APP_ROLE_PASSWORD}" if APP_ROLE_PASSWORD else APP_ROLE
    return f"postgres://{auth}@{db.get('HOST') or '127.0.0.1'}:{db.get('PORT') or 5432}/{db['NAME']}"


@contextlib.contextmanager
def celery_worker(*, timeout: float = 60.0):
    """Yields a fresh queue name served by one worker process; stops the worker afterwards.

    A unique queue keeps tasks of other runs (or a crashed earlier run) away from this test.
    """
    queue = f"test-{uuid.uuid4().hex[:10]}"
    env = os.environ | {
        "DATABASE_URL": _test_database_url(),
        "REDIS_URL": settings.REDIS_URL,
        "DJANGO_SETTINGS_MODULE": "smm_platform.settings",
        "CELERY_TASK_ALWAYS_EAGER": "0",
    }
    cmd = [
        sys.executable,
        "-m",
        "celery",
        "-A",
        "smm_platform",
        "worker",
        "-Q",
        queue,
        "--pool=solo",
        "--without-heartbeat",
        "--without-gossip",
        "--without-mingle",
        "-l",
        "INFO",
        "-n",
        f"{queue}@%h",
    ]
    proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        _wait_ready(proc, timeout)
        yield queue
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()


def _wait_ready(proc: subprocess.Popen, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    lines = []
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line and proc.poll() is not None:
            raise RuntimeError("celery worker exited:\n" + "".join(lines))
        lines.append(line)
        if "ready." in line:
            return
    raise TimeoutError("celery worker not ready:\n" + "".join(lines))
