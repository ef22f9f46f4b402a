"""Celery app for fault tests: the production app plus test-only slowness, nothing else.

``celery -A tests.faultapp worker`` runs every real task; with ``SMM_FAULT_STEP_DELAY=<s>`` each
demo connector fetch sleeps that long first, so a test can kill a worker, stop Redis or drop the
database connection while a sync step is in flight; ``SMM_FAULT_PUBLISH_DELAY=<s>`` does the same
for the demo connector's publish; with ``SMM_FAULT_PUBLISH_LEDGER=<file>`` as well, the demo
connector behaves as a platform that can be checked: the post lands (a line in the file) *before*
the delay — the worker can die after the platform posted and before the answer arrived — and
``find_published`` reads the file; ``SMM_FAULT_REPLY_DELAY=<s>`` delays its comment reply (each
reply call is appended to the file ``SMM_FAULT_REPLY_LOG`` names: "start", then "sent" once the
platform answered); ``SMM_FAULT_FAST_RESTORE=1`` sweeps for
stranded unacknowledged messages every second.
"""

import json
import os
import time

from smm_platform.celery import app

DELAY = float(os.environ.get("SMM_FAULT_STEP_DELAY") or 0)
# Seconds the demo connector's publish sleeps first, so a test can kill the worker mid-publish.
PUBLISH_DELAY = float(os.environ.get("SMM_FAULT_PUBLISH_DELAY") or 0)

if os.environ.get("SMM_FAULT_FAST_RESTORE"):
    # Look for unacknowledged messages older than the visibility timeout every second (production:
    # about every 100 s) so a test sees a message that a broker outage stranded come back quickly.
    app.conf.broker_transport_options = {
        **app.conf.broker_transport_options,
        "unacked_restore_interval": 1,
        "unacked_restore_throttle": 1,
    }


def _slow(method):
    def wrapper(self, *args, **kwargs):
        time.sleep(DELAY)
        return method(self, *args, **kwargs)

    return wrapper


if DELAY:
    from integrations.connectors.demo import DemoConnector

    for _name in ("fetch_posts", "fetch_comments", "fetch_campaigns", "fetch_account_metrics", "fetch_ad_stats"):
        setattr(DemoConnector, _name, _slow(getattr(DemoConnector, _name)))


# A file standing for the platform's wall: one JSON line per post that landed.
LEDGER = os.environ.get("SMM_FAULT_PUBLISH_LEDGER") or ""

if LEDGER:
    from integrations.connectors.base import PublishResult
    from integrations.connectors.demo import DemoConnector

    _land = DemoConnector.publish

    def _landed_then_slow(self, text, *, media_urls=(), link=None, idempotency_key=None):
        result = _land(self, text, media_urls=media_urls, link=link, idempotency_key=idempotency_key)
        with open(LEDGER, "a", encoding="utf-8") as ledger:
            ledger.write(json.dumps({"id": result.external_id, "url": result.permalink, "key": idempotency_key}) + "\n")
        time.sleep(PUBLISH_DELAY)  # the platform posted; a worker killed now never hears back
        return result

    def _find_in_ledger(self, text, since, *, idempotency_key=None):
        if not os.path.exists(LEDGER):
            return None
        with open(LEDGER, encoding="utf-8") as ledger:
            for line in ledger:
                entry = json.loads(line)
                if entry["key"] == idempotency_key:
                    return PublishResult(external_id=entry["id"], permalink=entry["url"])
        return None

    DemoConnector.publish = _landed_then_slow
    DemoConnector.find_published = _find_in_ledger
elif PUBLISH_DELAY:
    from integrations.connectors.demo import DemoConnector

    _publish = DemoConnector.publish

    def _slow_publish(self, *args, **kwargs):
        time.sleep(PUBLISH_DELAY)
        return _publish(self, *args, **kwargs)

    DemoConnector.publish = _slow_publish


REPLY_DELAY = float(os.environ.get("SMM_FAULT_REPLY_DELAY") or 0)
REPLY_LOG = os.environ.get("SMM_FAULT_REPLY_LOG", "")

if REPLY_DELAY or REPLY_LOG:
    from integrations.connectors.demo import DemoConnector

    _reply = DemoConnector.reply

    def _logged_reply(self, comment_external_id, text, **kwargs):
        def log(line: str) -> None:
            if REPLY_LOG:
                with open(REPLY_LOG, "a", encoding="utf-8") as f:
                    f.write(f"{line} {comment_external_id}\n")

        log("start")
        time.sleep(REPLY_DELAY)
        result = _reply(self, comment_external_id, text, **kwargs)
        log("sent")
        return result

    DemoConnector.reply = _logged_reply


@app.task(name="tests.faultapp.sleep")
def sleep(seconds: float) -> float:
    time.sleep(seconds)
    return seconds


__all__ = ["app"]
