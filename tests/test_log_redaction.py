"""Credentials never reach a log line: the redaction helper, the filter on the stdout handler,
and the quiet httpx/httpcore loggers (finding M1)."""

import io
import json
import logging
import sys

import pytest

from core.logging import JsonFormatter, RedactSecretsFilter, redact_secrets
from integrations.connectors.base import ConnectorError, redact_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "GET https://graph.facebook.com/v25.0/oauth/access_token?client_id=1&client_secret=s3&code=AQB-x "
            '"HTTP/1.1 200 OK"',
            "GET https://graph.facebook.com/v25.0/oauth/access_token?client_id=1&client_secret=***&code=*** "
            '"HTTP/1.1 200 OK"',
        ),
        (
            "grant_type=fb_exchange_token&fb_exchange_token=EAAshort&refresh_token=r1&access_token=a1",
            "grant_type=fb_exchange_token&fb_exchange_token=***&refresh_token=***&access_token=***",
        ),
        (
            '{"access_token": "EAAlong", "token_type": "bearer", "error": {"code": 190}}',
            '{"access_token": "***", "token_type": "bearer", "error": {"code": 190}}',
        ),
        ("{'refresh_token': 'vk2.a.R', 'code': 'c0de'}", "{'refresh_token': \"***\", 'code': \"***\"}"),
        ("TokenSet(access_token='abc', refresh_token='def')", "TokenSet(access_token=***, refresh_token=***)"),
        (
            "POST https://api.telegram.org/bot7012345678:AAF-ZernoBotSecretToken_abcdefghijk/getMe",
            "POST https://api.telegram.org/bot7012345678:***/getMe",
        ),
        ("Authorization: Bearer smm_ab12cd34_secretpart", "Authorization: Bearer ***"),
        # Look-alikes stay: other keys ending in "code", numbers after "code", plain prose.
        ("error_code=5&status_code=200&postcode=420000", "error_code=5&status_code=200&postcode=420000"),
        ("the code is wrong", "the code is wrong"),
    ],
)
def test_redact_secrets(text, expected):
    assert redact_secrets(text) == expected


def test_connector_error_redaction_also_scrubs_parameters():
    error = ConnectorError("facebook", 190, "Bad token in https://x/v25.0/me?access_token=EAAxyz&fields=id")

    error.redact(["unrelated"])

    assert error.message == "Bad token in https://x/v25.0/me?access_token=***&fields=id"
    assert redact_text("known EAAxyz", ["EAAxyz"]) == "known ***"


def emit(record: logging.LogRecord) -> dict:
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    handler.addFilter(RedactSecretsFilter())
    handler.handle(record)
    return json.loads(stream.getvalue())


def test_filter_scrubs_message_arguments_extras_and_traceback():
    try:
        raise ValueError("exchange failed: client_secret=app-secret-1&code=auth-code-2")
    except ValueError:
        record = logging.LogRecord(
            "django.request",
            logging.WARNING,
            __file__,
            1,
            "Bad Request: %s",
            ("/integrations/oauth/vk/callback/?code=auth-code-2&state=s",),
            exc_info=sys.exc_info(),
        )
    record.request = "<WSGIRequest: GET '/integrations/oauth/vk/callback/?code=auth-code-2&state=s'>"
    record.status_code = 400

    line = emit(record)

    assert line["message"] == "Bad Request: /integrations/oauth/vk/callback/?code=***&state=s"
    assert line["request"] == "<WSGIRequest: GET '/integrations/oauth/vk/callback/?code=***&state=s'>"
    assert line["status_code"] == 400
    assert "ValueError: exchange failed: client_secret=***&code=***" in line["exc"]
    assert "app-secret-1" not in json.dumps(line)
    assert "auth-code-2" not in json.dumps(line)


def test_filter_never_breaks_a_log_call_with_bad_arguments():
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "%d items", ("not a number",), None)

    assert RedactSecretsFilter().filter(record) is True


def test_settings_quiet_httpx_and_filter_the_stdout_handler(settings):
    assert settings.LOGGING["loggers"]["httpx"] == {"level": "WARNING"}
    assert settings.LOGGING["loggers"]["httpcore"] == {"level": "WARNING"}
    assert settings.LOGGING["handlers"]["stdout"]["filters"] == ["redact_secrets"]
    assert logging.getLogger("httpx").getEffectiveLevel() == logging.WARNING
    assert logging.getLogger("httpcore.http11").getEffectiveLevel() == logging.WARNING
    root_filters = [f for h in logging.getLogger().handlers for f in h.filters]
    assert any(isinstance(f, RedactSecretsFilter) for f in root_filters)
