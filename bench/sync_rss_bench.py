"""Peak memory of syncing one account with many posts: the real sync path against a fake VK API.

    DATABASE_URL=postgres://... python bench/sync_rss_bench.py --posts 10000

1. This process serves a VK API on a free loopback port (``wall.get`` pages and
   ``stats.getPostReach`` batches in the recorded format of ``tests/fixtures/platforms/vk/``: the
   first recorded wall item is the template, with its id, date, text and counters varied), and
   creates an organization (slug ``bench-sync``) with one VK community account.
2. A second Python process (``--child``) runs ``integrations.sync.account_sync`` for the account
   (plan ``full``, kinds ``posts``: every post listed, then its reach read 30 posts a request)
   with the real ``VKConnector`` pointed at that server, and reports its own peak RSS
   (``VmHWM`` reset just before the sync: the whole process, interpreter and Django included, at
   its highest during the sync), its RSS before the sync and its start-up peak (importing the
   project). The child is only the sync, so the server's memory is not counted.
3. Checks that every post and one metric row per post landed, then removes the organization.
"""

from __future__ import annotations

import argparse
import gc
import json
import os
import subprocess
import sys
import threading
import time
from copy import deepcopy
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

import django  # noqa: E402

django.setup()

from analytics.models import PostMetricDaily, SocialPost  # noqa: E402
from integrations.models import Platform, SocialAccount  # noqa: E402
from tenancy import rls  # noqa: E402
from tenancy.models import Organization  # noqa: E402

SLUG = "bench-sync"
GROUP_ID = "218450731"
TOKEN = "vk1.a.bench-community-token"  # noqa: S105 - a fake token for the fake API
FIXTURES = ROOT / "tests" / "fixtures" / "platforms" / "vk"


class FakeVK:
    """``posts`` wall posts, newest first, spread over the last 29 days (inside the full plan's
    30-day post window)."""

    def __init__(self, posts: int) -> None:
        self.posts = posts
        self.template = json.loads((FIXTURES / "wall.get.json").read_text())["response"]["items"][0]
        self.reach_template = json.loads((FIXTURES / "stats.getPostReach.json").read_text())["response"][0]
        self.now = int(datetime.now(UTC).timestamp())
        self.span = int(timedelta(days=29).total_seconds())
        self.requests = 0

    def item(self, n: int) -> dict[str, Any]:
        item = deepcopy(self.template)
        post_id = self.posts - n  # newest first
        item["id"] = post_id
        item["date"] = self.now - (n * self.span) // self.posts
        item["text"] = f"Post {post_id}: {self.template.get('text', '')}"
        item.pop("is_pinned", None)
        item["likes"]["count"] = post_id % 500
        item["comments"]["count"] = post_id % 60
        item["reposts"]["count"] = post_id % 40
        item["views"] = {"count": 1000 + post_id % 9000}
        return item

    def answer(self, method: str, params: dict[str, str]) -> dict[str, Any]:
        self.requests += 1
        if method == "wall.get":
            offset, count = int(params.get("offset", 0)), int(params.get("count", 100))
            items = [self.item(n) for n in range(offset, min(self.posts, offset + count))]
            return {"response": {"count": self.posts, "items": items}}
        if method == "stats.getPostReach":
            rows = []
            for post_id in params.get("post_ids", "").split(","):
                row = dict(self.reach_template, post_id=int(post_id))
                row["reach_total"] = 2000 + int(post_id) % 7000
                rows.append(row)
            return {"response": rows}
        return {"error": {"error_code": 3, "error_msg": f"Unknown method passed: {method}"}}


def serve(api: FakeVK) -> ThreadingHTTPServer:
    class Handler(BaseHTTPRequestHandler):
        def _reply(self) -> None:
            path, _, query = self.path.partition("?")
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length).decode() if length else ""
            params = {k: v[0] for k, v in {**parse_qs(query), **parse_qs(body)}.items()}
            payload = json.dumps(api.answer(path.rsplit("/", 1)[-1], params)).encode()
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(payload)))
            self.end_headers()
            self.wfile.write(payload)

        do_GET = do_POST = _reply

        def log_message(self, format: str, *args: Any) -> None:
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


@rls.unscoped_session("the benchmark creates its own organization")
def make_account() -> SocialAccount:
    Organization.objects.filter(slug=SLUG).delete()
    org = Organization.objects.create(slug=SLUG, name="Bench sync", timezone="Europe/Moscow", currency="RUB")
    return SocialAccount.objects.create(
        organization=org, platform=Platform.VK, external_id=GROUP_ID, display_name="Bench community"
    )


@rls.unscoped_session("the benchmark counts and removes its own organization's rows")
def counts_and_drop(account: SocialAccount) -> tuple[int, int]:
    posts = SocialPost.objects.filter(organization_id=account.organization_id).count()
    metrics = PostMetricDaily.objects.filter(organization_id=account.organization_id).count()
    Organization.objects.filter(pk=account.organization_id).delete()
    return posts, metrics


def child(account_id: int, base_url: str) -> int:
    """The measured process: one real sync, then its own peak RSS as JSON on stdout."""
    from integrations.connectors.vk import VKConnector
    from integrations.sync import account_sync

    gc.collect()
    # VmHWM, not getrusage: Linux carries ru_maxrss over from the forking parent (a benchmark that
    # already holds hundreds of MB would show as this process's peak).
    startup_peak_kb = _status_kb("VmHWM")
    before_kb = _status_kb("VmRSS")
    # Reset the high-water mark to the current RSS (Linux): the peak below is the sync's alone,
    # not the import of every module of the project at start-up.
    Path("/proc/self/clear_refs").write_text("5")
    connector = VKConnector(TOKEN, GROUP_ID, base_url=base_url, page_size=100)
    start = time.perf_counter()
    outcome = account_sync(account_id=account_id, plan="full", kinds=["posts"], connector=connector)
    seconds = time.perf_counter() - start
    peak_kb = _status_kb("VmHWM")
    print(
        json.dumps(
            {
                "startup_peak_rss_mb": round(startup_peak_kb / 1024, 1),
                "rss_before_sync_mb": round(before_kb / 1024, 1),
                "peak_rss_mb": round(peak_kb / 1024, 1),
                "sync_seconds": round(seconds, 2),
                "outcome": str(outcome),
            }
        )
    )
    return 0


def _status_kb(field: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{field}:"):
            return int(line.split()[1])
    raise RuntimeError(f"/proc/self/status has no {field}")


def run(*, posts: int = 10_000) -> dict[str, Any]:
    api = FakeVK(posts)
    server = serve(api)
    account = make_account()
    try:
        base_url = f"http://127.0.0.1:{server.server_address[1]}/method"
        proc = subprocess.run(
            [sys.executable, __file__, "--child", "--account", str(account.pk), "--base-url", base_url],
            capture_output=True,
            text=True,
            check=False,
            env=os.environ.copy(),
        )
        if proc.returncode != 0:
            raise RuntimeError(f"sync child failed: {proc.stderr[-2000:]}")
        result = json.loads(proc.stdout.strip().splitlines()[-1])
    finally:
        server.shutdown()
        stored_posts, stored_metrics = counts_and_drop(account)
    assert stored_posts == posts, (stored_posts, posts)
    assert stored_metrics == posts, (stored_metrics, posts)  # one snapshot per post for today
    result |= {"posts": posts, "api_requests": api.requests, "stored_posts": stored_posts}
    print(
        f"  sync of {posts:,} posts: peak RSS {result['peak_rss_mb']} MB "
        f"(before the sync {result['rss_before_sync_mb']} MB, start-up peak {result['startup_peak_rss_mb']} MB), "
        f"{result['sync_seconds']} s, {api.requests} API requests"
    )
    return result


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--posts", type=int, default=10_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--account", type=int, help=argparse.SUPPRESS)
    parser.add_argument("--base-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        return child(args.account, args.base_url)
    print(json.dumps(run(posts=args.posts), indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
