"""CRM throughput benchmark: bulk `POST leads/` (100 leads a request) over real HTTP on loopback.

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/smm_bench REDIS_URL=redis://127.0.0.1:6379/5 \\
        python bench/crm_bench.py --requests 200 --concurrency 4 --workers 2

1. Creates an organization (slug ``bench-crm``) with an owner and a read+write API token, in this
   process, through the services.
2. Starts gunicorn (``smm_platform.wsgi``) in a second process on a free loopback port, with the
   API rate limits raised so the benchmark measures the upsert, not the throttle.
3. Posts ``--requests`` bodies ``{"items": [100 leads]}`` with httpx from ``--concurrency`` threads
   (each lead has UTM tags, so attribution runs inside every upsert), and prints requests/s,
   leads/s and the p50/p95/max latency. Asserts zero errors, 100 ``created`` per answer, and that the
   organization holds exactly requests × 100 leads (every lead stored once).
4. Sends the same bodies again: every answer must be 100 ``unchanged`` and the count the same.
5. Stops the server and deletes the organization (``--keep`` leaves it).
"""

from __future__ import annotations

import argparse
import os
import secrets
import socket
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import httpx

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django  # noqa: E402

django.setup()

from django.contrib.auth import get_user_model  # noqa: E402

from crm.models import Lead  # noqa: E402
from tenancy import rls  # noqa: E402
from tenancy.access import Access  # noqa: E402
from tenancy.models import Membership, Organization  # noqa: E402
from tenancy.roles import Role, role_permissions  # noqa: E402
from tenancy.services import api_token_create  # noqa: E402

SLUG = "bench-crm"
PER_REQUEST = 100
SOURCES = ("vk", "telegram", "instagram", "vk_ads", "")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@rls.unscoped_session("the benchmark creates its own organization")
def make_organization() -> tuple[Organization, str]:
    Organization.objects.filter(slug=SLUG).delete()
    org = Organization.objects.create(slug=SLUG, name="Bench CRM", timezone="Europe/Moscow", currency="RUB")
    user, _created = get_user_model().objects.get_or_create(username="bench-crm@example.com")
    Membership.objects.update_or_create(organization=org, user=user, defaults={"role": Role.OWNER})
    access = Access(organization=org, user=user, role=Role.OWNER, permissions=role_permissions(Role.OWNER))
    return org, api_token_create(access=access, name="bench", scopes=["read", "write"]).secret


@rls.unscoped_session("the benchmark counts and removes its own organization's rows")
def lead_count(org: Organization) -> int:
    return Lead.objects.for_organization(org).count()


@rls.unscoped_session("the benchmark removes its own organization")
def drop_organization(org: Organization) -> None:
    Organization.objects.filter(pk=org.pk).delete()


def bodies(requests: int) -> list[dict]:
    out = []
    for r in range(requests):
        items = []
        for i in range(PER_REQUEST):
            n = r * PER_REQUEST + i
            items.append(
                {
                    "external_id": f"bench-{n:07d}",
                    "created": f"2026-03-{1 + n % 28:02d}T{n % 24:02d}:00:00+03:00",
                    "status": ("new", "qualified", "won", "lost")[n % 4],
                    "value": f"{1000 + n % 9000}.00",
                    "currency": "RUB",
                    "utm_source": SOURCES[n % len(SOURCES)],
                    "utm_medium": "social",
                    "utm_campaign": f"campaign-{n % 7}",
                    "utm_content": f"code{n % 11:03d}",
                }
            )
        out.append({"items": items})
    return out


def start_server(port: int, workers: int, *, production: bool = False) -> subprocess.Popen:
    env = {
        **os.environ,
        "API_RATE_LIMIT": "1000000/min",
        "API_ORGANIZATION_RATE_LIMIT": "1000000/min",
        "DEBUG": os.environ.get("DEBUG", "1"),
    }
    if production:  # DEBUG off as deployed (no query log kept per request); plain HTTP on loopback
        env |= {"DEBUG": "0", "SECRET_KEY": secrets.token_urlsafe(48), "SECURE_SSL_REDIRECT": "0"}
    command = [
        sys.executable,
        "-m",
        "gunicorn",
        "smm_platform.wsgi:application",
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--log-level",
        "warning",
    ]
    return subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.STDOUT)


def wait_ready(base: str) -> None:
    for _ in range(120):
        try:
            httpx.get(f"{base}/healthz", timeout=2).raise_for_status()
            return
        except httpx.HTTPError:
            time.sleep(0.5)
    raise SystemExit("the server did not start")


def run_pass(base: str, token: str, payloads: list[dict], concurrency: int, expect: str) -> dict:
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base}/api/v1/orgs/{SLUG}/leads/"
    errors: list[str] = []

    def send(client: httpx.Client, body: dict) -> float:
        started = time.perf_counter()
        response = client.post(url, json=body, headers=headers)
        elapsed = time.perf_counter() - started
        if response.status_code != 200:
            errors.append(f"{response.status_code}: {response.text[:200]}")
        elif response.json()[expect] != PER_REQUEST:
            errors.append(f"expected {PER_REQUEST} {expect}, got {response.json()}")
        return elapsed

    clients = [httpx.Client(timeout=60) for _ in range(concurrency)]
    try:
        started = time.perf_counter()
        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            latencies = list(pool.map(lambda pair: send(clients[pair[0] % concurrency], pair[1]), enumerate(payloads)))
        wall = time.perf_counter() - started
    finally:
        for client in clients:
            client.close()
    latencies.sort()
    return {
        "requests": len(payloads),
        "errors": errors,
        "wall_s": wall,
        "requests_per_s": len(payloads) / wall,
        "leads_per_s": len(payloads) * PER_REQUEST / wall,
        "p50_ms": statistics.median(latencies) * 1000,
        "p95_ms": latencies[max(0, int(len(latencies) * 0.95) - 1)] * 1000,
        "max_ms": latencies[-1] * 1000,
    }


def report(name: str, result: dict) -> None:
    print(
        f"{name:<10} {result['requests']} requests in {result['wall_s']:.1f} s: "
        f"{result['requests_per_s']:.1f} requests/s, {result['leads_per_s']:.0f} leads/s, "
        f"p50 {result['p50_ms']:.0f} ms, p95 {result['p95_ms']:.0f} ms, max {result['max_ms']:.0f} ms, "
        f"errors {len(result['errors'])}"
    )


def run(*, requests: int, concurrency: int, workers: int, production: bool = False, keep: bool = False) -> dict:
    """Both passes against a fresh gunicorn; the figures of each (errors as a count)."""
    org, token = make_organization()
    port = free_port()
    server = start_server(port, workers, production=production)
    base = f"http://127.0.0.1:{port}"
    try:
        wait_ready(base)
        payloads = bodies(requests)
        first = run_pass(base, token, payloads, concurrency, "created")
        report("create", first)
        assert not first["errors"], first["errors"][:5]
        stored = lead_count(org)
        assert stored == requests * PER_REQUEST, f"{stored} leads stored, expected {requests * PER_REQUEST}"
        repeat = run_pass(base, token, payloads, concurrency, "unchanged")
        report("repeat", repeat)
        assert not repeat["errors"], repeat["errors"][:5]
        assert lead_count(org) == stored, "a repeat created rows"
        print(f"stored {stored} leads exactly once; concurrency {concurrency}, {workers} gunicorn workers")
    finally:
        server.terminate()
        server.wait(timeout=20)
        if not keep:
            drop_organization(org)
    summary: dict[str, Any] = {
        "concurrency": concurrency,
        "gunicorn_workers": workers,
        "debug": not production,
        "leads": stored,
    }
    for name, result in (("create", first), ("repeat", repeat)):
        summary[name] = {k: (round(v, 1) if isinstance(v, float) else v) for k, v in result.items() if k != "errors"}
        summary[name]["errors"] = len(result["errors"])
    return summary


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=200, help="bulk requests per pass (100 leads each)")
    parser.add_argument("--concurrency", type=int, default=4, help="client threads (2-4 on a small machine)")
    parser.add_argument("--workers", type=int, default=2, help="gunicorn worker processes")
    parser.add_argument("--production", action="store_true", help="DEBUG off in the server, as deployed")
    parser.add_argument("--keep", action="store_true", help="keep the benchmark organization")
    args = parser.parse_args()
    run(
        requests=args.requests,
        concurrency=args.concurrency,
        workers=args.workers,
        production=args.production,
        keep=args.keep,
    )


if __name__ == "__main__":
    main()
