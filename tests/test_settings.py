"""Environment-driven settings, checked in fresh interpreter processes (settings load once per process)."""

import json
import logging
import os
import subprocess
import sys
from pathlib import Path

from core.logging import JsonFormatter

ROOT = Path(__file__).resolve().parent.parent
PROBE = (
    "import django, json; from django.conf import settings; django.setup(); "
    "print(json.dumps({'eager': settings.CELERY_TASK_ALWAYS_EAGER, 'broker': settings.CELERY_BROKER_URL, "
    "'cache': settings.CACHES['default']['BACKEND'], 'db': settings.DATABASES['default']['ENGINE'], "
    "'ssl': getattr(settings, 'SECURE_SSL_REDIRECT', False), 'hsts': getattr(settings, 'SECURE_HSTS_SECONDS', 0)}))"
)
BASE_ENV = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "DEBUG", "SECRET_KEY")}


def probe(**env) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-c", PROBE],
        cwd=ROOT,
        env=BASE_ENV | {"DJANGO_SETTINGS_MODULE": "smm_platform.settings"} | env,
        capture_output=True,
        text=True,
        check=False,
    )


def test_embedded_default_is_sqlite_with_eager_tasks():
    out = json.loads(probe().stdout)
    assert out["db"] == "django.db.backends.sqlite3"
    assert out["eager"] is True
    assert out["cache"].endswith("LocMemCache")


def test_redis_url_switches_broker_and_cache():
    out = json.loads(probe(REDIS_URL="redis://127.0.0.1:6379/3", DATABASE_URL="postgres://u@h:5432/d").stdout)
    assert out["db"] == "django.db.backends.postgresql"
    assert out["eager"] is False
    assert out["broker"] == "redis://127.0.0.1:6379/3"
    assert out["cache"].endswith("RedisCache")


def test_production_requires_a_secret_key():
    result = probe(DEBUG="0")
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_production_turns_on_transport_security():
    key = "x" * 60
    out = json.loads(probe(DEBUG="0", SECRET_KEY=key, FIELD_ENCRYPTION_KEYS="a" * 43 + "=").stdout)
    assert out["ssl"] is True
    assert out["hsts"] == 31536000


def test_logs_are_one_json_object_per_line():
    record = logging.LogRecord("smm.sync", logging.WARNING, __file__, 1, "synced %s rows", (42,), None)
    record.organization_id = 7
    line = JsonFormatter().format(record)
    payload = json.loads(line)
    assert payload["message"] == "synced 42 rows"
    assert payload["level"] == "WARNING"
    assert payload["organization_id"] == 7
    assert "\n" not in line
