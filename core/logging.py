"""JSON log lines and secret redaction (tokens never reach a log record); configured in settings ``LOGGING``."""

import json
import logging
import re
from datetime import UTC, datetime

_STANDARD = set(vars(logging.makeLogRecord({}))) | {"message", "asctime"}

# Parameter names whose values are credentials wherever they appear: OAuth exchanges (code,
# client_secret, code_verifier), tokens (access, refresh, Meta's fb_exchange_token, VK's id_token)
# and Meta's appsecret_proof.
SECRET_KEYS = (
    "access_token",
    "refresh_token",
    "fb_exchange_token",
    "client_secret",
    "code",
    "code_verifier",
    "id_token",
    "appsecret_proof",
)
_KEYS = "|".join(SECRET_KEYS)
_REDACTED = "***"
_SECRET_PATTERNS = (
    # Query strings and form bodies (also key='value' in reprs): access_token=EAA… → access_token=***
    (re.compile(rf"(?<![\w.-])({_KEYS})=(?:'[^']*'|\"[^\"]*\"|[^&\s\"'#,)\]}}]+)"), rf"\1={_REDACTED}"),
    # JSON and Python dict reprs: "code": "…" / 'code': '…' (numbers, such as Graph's error "code": 190, stay)
    (
        re.compile(rf"""(["'])({_KEYS})\1(\s*:\s*)(?:"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')"""),
        rf'\1\2\1\3"{_REDACTED}"',
    ),
    # Telegram bot tokens (<bot id>:<35 characters>), in /bot<token>/ URL paths or alone.
    (re.compile(r"(?<!\d)(\d{5,}:)[A-Za-z0-9_-]{30,}"), rf"\1{_REDACTED}"),
    # Authorization headers.
    (re.compile(r"\b(Bearer|OAuth)\s+[A-Za-z0-9._~+/=-]{8,}"), rf"\1 {_REDACTED}"),
)


def redact_secrets(text: str) -> str:
    """``text`` with the value of every credential-looking parameter replaced by ``***``."""
    for pattern, replacement in _SECRET_PATTERNS:
        text = pattern.sub(replacement, text)
    return text


class RedactSecretsFilter(logging.Filter):
    """Scrubs credentials from a record before any handler sees it: the message, the traceback
    (exception messages can quote URLs and bodies) and extra fields (django.request's request repr
    carries the query string of an OAuth callback). Attached to the stdout handler for every log,
    and to the httpx/httpcore loggers, which log request URLs."""

    def filter(self, record: logging.LogRecord) -> bool:
        try:
            record.msg = redact_secrets(record.getMessage())
            record.args = None
            if record.exc_info and not record.exc_text:
                record.exc_text = logging.Formatter().formatException(record.exc_info)
            if record.exc_text:
                record.exc_text = redact_secrets(record.exc_text)
            for key, value in list(vars(record).items()):
                if key not in _STANDARD and value is not None and not isinstance(value, int | float | bool):
                    text = str(value)
                    if (redacted := redact_secrets(text)) != text:
                        setattr(record, key, redacted)
        except Exception:  # noqa: S110 - a log call must never fail because of its arguments
            pass
        return True


class JsonFormatter(logging.Formatter):
    """One JSON object per line, so log shippers need no parsing rules."""

    def format(self, record: logging.LogRecord) -> str:
        payload = {
            "ts": datetime.fromtimestamp(record.created, tz=UTC).isoformat(),
            "level": record.levelname,
            "logger": record.name,
            "message": record.getMessage(),
        }
        payload.update({k: v for k, v in vars(record).items() if k not in _STANDARD})
        if record.exc_info or record.exc_text:
            # exc_text: already formatted (and redacted) by RedactSecretsFilter.
            payload["exc"] = record.exc_text or (self.formatException(record.exc_info) if record.exc_info else "")
        return json.dumps(payload, default=str, ensure_ascii=False)
