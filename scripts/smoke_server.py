"""What both smoke scripts do over real HTTP: start the dev server, wait for it, sign in."""

import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parent.parent
PY = sys.executable


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def dev_server(env: dict[str, str]) -> Iterator[str]:
    """`manage.py runserver` with `env` on a free port; yields its base URL once /healthz answers."""
    port = free_port()
    server = subprocess.Popen(
        [PY, "manage.py", "runserver", f"127.0.0.1:{port}", "--noreload"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        for _ in range(60):
            try:
                httpx.get(f"{base}/healthz", timeout=5).raise_for_status()
                break
            except httpx.HTTPError:
                time.sleep(0.5)
        yield base
    finally:
        server.terminate()
        server.wait(timeout=10)


def sign_in(http: httpx.Client, base: str, email: str, password: str) -> httpx.Response:
    """Signs in through the login form; asserts it lands on the demo organization's dashboard."""
    login = http.get("/accounts/login/")
    assert login.status_code == 200 and 'name="password"' in login.text, "login page did not render"
    dash = http.post(
        "/accounts/login/",
        data={"username": email, "password": password, "csrfmiddlewaretoken": http.cookies["csrftoken"]},
        headers={"Referer": base},
    )
    assert dash.status_code == 200 and str(dash.url).endswith("/o/zerno/"), f"login failed: {dash.url}"
    return dash
