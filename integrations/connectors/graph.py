"""Shared plumbing for Meta's Graph API (Instagram, Facebook Pages, Marketing API), v25.0.

Error codes (https://developers.facebook.com/docs/graph-api/guides/error-handling and
.../overview/rate-limiting), mapped by ``code``/``error_subcode`` only:

=======================================  ===================  =================================
code                                     error                note
=======================================  ===================  =================================
190, 102                                 AuthExpired          460 password changed, 463 expired
4, 17, 32, 613, 80000-80014              RateLimited          retry_after from usage headers
10, 3, 200-299, 368                      PermissionDenied     missing permission / blocked
9007                                     MediaNotReady        transient: container not ready
1, 2 or ``is_transient: true``           TransientError
100 and anything else                    InvalidRequest       bug or deprecated metric
=======================================  ===================  =================================

``retry_after`` for rate limits: the largest ``estimated_time_to_regain_access`` (minutes) in
``X-Business-Use-Case-Usage``, else ``reset_time_duration`` (seconds) in ``X-Ad-Account-Usage``,
else the HTTP ``Retry-After``, else 5 minutes (Meta's windows roll over an hour; polling sooner
only extends the block).
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from datetime import time as dtime
from typing import Any, ClassVar
from urllib.parse import parse_qsl, urlsplit

import httpx

from integrations.connectors.base import (
    AuthExpired,
    BaseConnector,
    ConnectorError,
    InvalidRequest,
    PermissionDenied,
    RateLimited,
    TransientError,
    paginate_pages,
    parse_iso,
    parse_retry_after,
    platform_label,
)

GRAPH_VERSION = "v25.0"
GRAPH_BASE_URL = "https://graph.facebook.com"

AUTH_CODES = frozenset({102, 190})
RATE_LIMIT_CODES = frozenset({4, 17, 32, 613, *range(80000, 80015)})
PERMISSION_CODES = frozenset({3, 10, 368, *range(200, 300)})
TRANSIENT_CODES = frozenset({1, 2})
MEDIA_NOT_READY_CODE = 9007
DEFAULT_RATE_LIMIT_WAIT = 300.0
MEDIA_NOT_READY_WAIT = 60.0

_VERSIONED = re.compile(r"^v\d+\.\d+/")
# Query keys we never carry over from a platform-built "next" URL: we add our own credentials.
_CREDENTIAL_KEYS = frozenset({"access_token", "appsecret_proof"})


class MediaNotReady(TransientError):
    """Instagram: media_publish called before the container finished processing (9007)."""

    default_user_message = "the media is still being processed — publishing will be retried"


@dataclass(frozen=True, slots=True)
class GraphUsage:
    """Utilisation reported by Meta's usage headers on every response.

    ``max_percent`` is the highest of all reported percentages (call count, CPU time, total
    time, ad-account utilisation); a rate limiter can slow down well before 100.
    """

    max_percent: float
    regain_seconds: float | None


def parse_usage(headers: Mapping[str, str]) -> GraphUsage | None:
    percents: list[float] = []
    regain_minutes: list[float] = []
    reset_seconds: float | None = None

    buc = _json_header(headers, "x-business-use-case-usage")
    if isinstance(buc, dict):
        for entries in buc.values():
            for entry in entries if isinstance(entries, list) else []:
                percents.extend(float(entry[k]) for k in ("call_count", "total_cputime", "total_time") if k in entry)
                if entry.get("estimated_time_to_regain_access"):
                    regain_minutes.append(float(entry["estimated_time_to_regain_access"]))

    app = _json_header(headers, "x-app-usage")
    if isinstance(app, dict):
        percents.extend(float(app[k]) for k in ("call_count", "total_cputime", "total_time") if k in app)

    account = _json_header(headers, "x-ad-account-usage")
    if isinstance(account, dict):
        if "acc_id_util_pct" in account:
            percents.append(float(account["acc_id_util_pct"]))
        if account.get("reset_time_duration"):
            reset_seconds = float(account["reset_time_duration"])

    throttle = _json_header(headers, "x-fb-ads-insights-throttle")
    if isinstance(throttle, dict):
        percents.extend(float(throttle[k]) for k in ("app_id_util_pct", "acc_id_util_pct") if k in throttle)

    if not percents and not regain_minutes and reset_seconds is None:
        return None
    regain = max(regain_minutes) * 60.0 if regain_minutes else reset_seconds
    return GraphUsage(max_percent=max(percents, default=0.0), regain_seconds=regain)


def _json_header(headers: Mapping[str, str], name: str) -> Any:
    raw = headers.get(name)
    if not raw:
        return None
    try:
        return json.loads(raw)
    except ValueError:
        return None


def graph_error(platform: str, response: httpx.Response, body: Any) -> ConnectorError:
    """Map a Graph error response to the connector error hierarchy (codes only)."""
    error = body.get("error") if isinstance(body, dict) else None
    if not isinstance(error, dict):
        return InvalidRequest(platform, response.status_code, f"HTTP {response.status_code} without error body")
    code = error.get("code")
    subcode = error.get("error_subcode")
    message = str(error.get("message", ""))
    label = platform_label(platform)

    if code in AUTH_CODES:
        return AuthExpired(
            platform, code, message, subcode, user_message=f"{label} access expired — reconnect the account"
        )
    if code in RATE_LIMIT_CODES:
        usage = parse_usage(response.headers)
        retry_after = (usage.regain_seconds if usage else None) or _retry_after(response) or DEFAULT_RATE_LIMIT_WAIT
        return RateLimited(
            platform,
            code,
            message,
            subcode,
            retry_after=retry_after,
            user_message=f"{label} rate limit reached — sync resumes in about {_minutes(retry_after)}",
        )
    if code in PERMISSION_CODES:
        return PermissionDenied(
            platform,
            code,
            message,
            subcode,
            user_message=f"{label} refused access: {message} — check the account's permissions and reconnect",
        )
    if code == MEDIA_NOT_READY_CODE:
        return MediaNotReady(platform, code, message, subcode, retry_after=MEDIA_NOT_READY_WAIT)
    if code in TRANSIENT_CODES or error.get("is_transient") is True:
        return TransientError(platform, code, message, subcode, retry_after=_retry_after(response))
    return InvalidRequest(platform, code, message, subcode)


def _retry_after(response: httpx.Response) -> float | None:
    return parse_retry_after(response.headers.get("Retry-After"))


def _minutes(seconds: float) -> str:
    minutes = max(1, round(seconds / 60))
    return f"{minutes} min"


class GraphConnector(BaseConnector):
    """Base for Graph-based connectors: versioned paths, token handling, errors, paging.

    The token is sent as the documented ``access_token`` parameter (query string for GET, form
    body for POST). ``app_secret`` adds ``appsecret_proof`` so a leaked token alone is useless
    when the app enforces it. The log filter in base.py scrubs tokens from httpx's URL logs.
    """

    default_base_url: ClassVar[str] = GRAPH_BASE_URL
    api_version: ClassVar[str] = GRAPH_VERSION

    def __init__(self, access_token: str, external_id: str, *, app_secret: str | None = None, **kwargs: Any) -> None:
        super().__init__(access_token, external_id, **kwargs)
        self._appsecret_proof = (
            hmac.new(app_secret.encode(), access_token.encode(), hashlib.sha256).hexdigest() if app_secret else None
        )
        self._http.add_secrets(app_secret, self._appsecret_proof)
        self.last_usage: GraphUsage | None = None

    def _credentials(self) -> dict[str, str]:
        creds = {"access_token": self._access_token}
        if self._appsecret_proof:
            creds["appsecret_proof"] = self._appsecret_proof
        return creds

    def _path(self, path: str) -> str:
        path = path.lstrip("/")
        if _VERSIONED.match(path):
            return f"/{path}"  # already versioned (taken from a "next" URL)
        return f"/{self.api_version}/{path}"

    def _get(self, path: str, params: Mapping[str, Any] | None = None) -> Any:
        return self._call("GET", path, params={**(params or {}), **self._credentials()})

    def _post(self, path: str, data: Mapping[str, Any] | None = None) -> Any:
        return self._call("POST", path, data={**(data or {}), **self._credentials()})

    def _call(
        self, method: str, path: str, *, params: Mapping[str, Any] | None = None, data: Mapping[str, Any] | None = None
    ) -> Any:
        response = self._http.request(method, self._path(path), params=params, data=data)
        self.last_usage = parse_usage(response.headers) or self.last_usage
        body = self._http.json_body(response)
        if response.status_code >= 400 or (isinstance(body, dict) and "error" in body):
            error = graph_error(self.platform, response, body)
            error.redact(self._http.secrets)
            raise error
        return body

    def _pages(
        self, path: str, params: Mapping[str, Any], *, max_pages: int = 200
    ) -> Iterator[Sequence[dict[str, Any]]]:
        """Iterate pages of ``data``.

        Stop condition: no ``paging.next``. The next page is requested with the query of Meta's
        ``next`` URL but against OUR base URL and credentials: the absolute URL would bypass a
        configured base_url (proxies, tests) and carries a token in its query string.
        """

        def fetch(cursor: tuple[str, dict[str, str]] | None) -> tuple[list[dict[str, Any]], Any]:
            page_path, page_params = cursor if cursor else (path, dict(params))
            body = self._get(page_path, page_params)
            items = [item for item in body.get("data", []) if isinstance(item, dict)]
            next_url = (body.get("paging") or {}).get("next")
            return items, _split_next(next_url) if next_url else None

        return paginate_pages(fetch, max_pages=max_pages)

    def _paged(self, path: str, params: Mapping[str, Any], *, max_pages: int = 200) -> Iterator[dict[str, Any]]:
        for page in self._pages(path, params, max_pages=max_pages):
            yield from page


def _split_next(next_url: str) -> tuple[str, dict[str, str]]:
    parts = urlsplit(next_url)
    params = {k: v for k, v in parse_qsl(parts.query, keep_blank_values=True) if k not in _CREDENTIAL_KEYS}
    return parts.path, params


def insight_values(body: Mapping[str, Any]) -> dict[str, Any]:
    """``{"data": [{"name": m, "values": [{"value": v}]}]}`` → ``{m: v}`` (lifetime metrics)."""
    result: dict[str, Any] = {}
    data = body.get("data") if isinstance(body, Mapping) else None
    # A metric entry that cannot be read is simply not reported (None downstream), never 0.
    for metric in data if isinstance(data, list) else []:
        if not isinstance(metric, Mapping) or not isinstance(metric.get("name"), str):
            continue
        values = metric.get("values")
        total = metric.get("total_value")
        if isinstance(total, Mapping):
            result[metric["name"]] = total.get("value")
        elif isinstance(values, list) and values and isinstance(values[-1], Mapping):
            result[metric["name"]] = values[-1].get("value")
    return result


def end_time_to_day(end_time: str) -> date:
    """Meta stamps a daily value with the END of its day (next day 07:00 UTC = midnight
    Pacific); the value belongs to the day before."""
    return (parse_iso(end_time) - timedelta(days=1)).astimezone(UTC).date()


def day_window(day: date) -> dict[str, int]:
    start = datetime.combine(day, dtime.min, tzinfo=UTC)
    return {"since": int(start.timestamp()), "until": int((start + timedelta(days=1)).timestamp())}


def range_window(since: date, until: date) -> dict[str, int]:
    start = datetime.combine(since, dtime.min, tzinfo=UTC)
    end = datetime.combine(until + timedelta(days=1), dtime.min, tzinfo=UTC)
    return {"since": int(start.timestamp()), "until": int(end.timestamp())}


def require_success(platform: str, body: Any) -> None:
    if not (isinstance(body, dict) and body.get("success") is True):
        raise InvalidRequest(platform, "no_success", "the platform did not confirm the change")
