"""Starts a real Celery worker process against the test database and Redis (production path)."""

import contextlib
import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator
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


class WorkerProcess:
    """A running ``celery worker``; its output is drained by a thread (a full pipe would block it)."""

    def __init__(self, proc: subprocess.Popen, queue: str) -> None:
        self.proc = proc
        self.queue = queue
        self.lines: list[str] = []
        self._ready = threading.Event()
        self._reader = threading.Thread(target=self._drain, daemon=True)
        self._reader.start()

    def _drain(self) -> None:
        for line in self.proc.stdout:
            self.lines.append(line)
            if "ready." in line:
                self._ready.set()

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        while not self._ready.wait(0.2):
            if self.proc.poll() is not None:
                raise RuntimeError("celery worker exited:\n" + self.output())
            if time.monotonic() > deadline:
                raise TimeoutError("celery worker not ready:\n" + self.output())

    def output(self) -> str:
        return "".join(self.lines)

    def alive(self) -> bool:
        return self.proc.poll() is None

    def pool_children(self) -> list[int]:
        """Pids of the prefork pool processes (children of the main process)."""
        children = Path(f"/proc/{self.proc.pid}/task/{self.proc.pid}/children")
        return [int(pid) for pid in children.read_text().split()] if children.exists() else []

    def kill_all(self) -> None:
        """SIGKILL the main process and its pool at once (a lost machine or OOM kill)."""
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=15)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self.kill_all()
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.proc.pid, signal.SIGKILL)  # orphaned pool children


@contextlib.contextmanager
def worker_process(
    *,
    queue: str | None = None,
    app: str = "smm_platform",
    pool: str = "solo",
    concurrency: int = 1,
    env: dict[str, str] | None = None,
    timeout: float = 60.0,
) -> Iterator[WorkerProcess]:
    """One worker process serving ``queue`` (a fresh unique name by default, which keeps tasks of
    other runs away); ``app="tests.faultapp"`` adds test-only slowness; ``env`` overrides (e.g.
    ``REDIS_URL`` of a Redis the test starts and stops)."""
    queue = queue or f"test-{uuid.uuid4().hex[:10]}"
    full_env = (
        os.environ
        | {
            "DATABASE_URL": _test_database_url(),
            "REDIS_URL": settings.REDIS_URL,
            "DJANGO_SETTINGS_MODULE": "smm_platform.settings",
            "CELERY_TASK_ALWAYS_EAGER": "0",
        }
        | (env or {})
    )
    cmd = [sys.executable, "-m", "celery", "-A", app, "worker", "-Q", queue, f"--pool={pool}"]
    if pool == "prefork":
        cmd += [f"--concurrency={concurrency}"]
    cmd += ["--without-heartbeat", "--without-gossip", "--without-mingle", "-l", "INFO", "-n", f"{queue}@%h"]
    proc = subprocess.Popen(
        cmd, cwd=ROOT, env=full_env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True
    )
    worker = WorkerProcess(proc, queue)
    try:
        worker.wait_ready(timeout)
        yield worker
    finally:
        worker.stop()


@contextlib.contextmanager
def celery_worker(*, timeout: float = 60.0):
    """Yields a fresh queue name served by one worker process; stops the worker afterwards."""
    with worker_process(timeout=timeout) as worker:
        yield worker.queue


def wait_until(predicate, *, timeout: float, interval: float = 0.2, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(interval)
    raise TimeoutError(f"timed out after {timeout} s waiting for {what}")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


class RedisServer:
    """A redis-server of the test's own on its own port, stopped and started again with its data
    (append-only file), like a Redis restart in production."""

    def __init__(self, directory: Path) -> None:
        self.port = free_port()
        self.directory = directory
        self.proc: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> None:
        self.proc = subprocess.Popen(
            [
                "redis-server",
                "--port",
                str(self.port),
                "--bind",
                "127.0.0.1",
                "--dir",
                str(self.directory),
                "--appendonly",
                "yes",
                "--save",
                "",
            ],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        import redis

        client = redis.Redis.from_url(self.url)
        wait_until(lambda: _pings(client), timeout=10, what="redis-server")

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()  # SIGTERM: redis flushes the append-only file and exits
            self.proc.wait(timeout=10)


def _pings(client) -> bool:
    try:
        return bool(client.ping())
    except Exception:
        return False


@contextlib.contextmanager
def redis_server(directory: Path) -> Iterator[RedisServer]:
    if shutil.which("redis-server") is None:
        import pytest

        if os.environ.get("CI"):
            pytest.fail("CI must run the Redis fault tests: redis-server is not installed")
        pytest.skip("redis-server is not installed")
    server = RedisServer(directory)
    server.start()
    try:
        yield server
    finally:
        server.stop()
