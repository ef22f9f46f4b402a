"""Loaded with ``python -m pytest -p tests.xdist_redis -n 2`` (the Makefile) before Django reads
its settings (a conftest is too late; tests/conftest.py refuses xdist workers without it).

Under pytest-xdist (``make test`` runs the unit stage on two workers) each worker gets its own test
database (pytest-django appends ``_gw<N>``) and, here, its own Redis database: worker N uses the
number of ``REDIS_URL`` plus N, so one worker's ``cache.clear()`` (a FLUSHDB) or rate-limit keys
never reach the other's. Without xdist nothing changes.
"""

import os
import re

_worker = os.environ.get("PYTEST_XDIST_WORKER", "")
_url = os.environ.get("REDIS_URL", "")
if _worker.startswith("gw") and _url:
    _n = int(_worker.removeprefix("gw"))
    _match = re.fullmatch(r"(rediss?://[^/?]*)(?:/(\d*))?", _url)
    if _match is None:
        raise RuntimeError(f"REDIS_URL {_url!r} is not redis://host:port/db: cannot give each xdist worker its own db")
    _base = int(_match.group(2) or 0)
    os.environ["REDIS_URL"] = f"{_match.group(1)}/{(_base + _n) % 16}"
    os.environ["SMM_XDIST_REDIS"] = os.environ["REDIS_URL"]
