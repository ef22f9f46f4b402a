"""Credentials are encrypted at rest, rotate with MultiFernet, and never leak."""

import io
import json
import logging

import pytest
from cryptography.fernet import Fernet
from django.core.management import call_command
from django.db import connection

from integrations import crypto
from integrations.checks import encryption_keys_check
from integrations.models import SocialAccount
from tests.integrations.factories import SocialAccountFactory

pytestmark = pytest.mark.django_db

TOKEN = "vk1.a.Zerno-Secret-Access-Token-0123456789"
REFRESH = "vk1.r.Zerno-Secret-Refresh-Token-9876543210"


@pytest.fixture
def keys(settings):
    first, second = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    settings.FIELD_ENCRYPTION_KEYS = [first]
    return first, second


def test_token_is_unreadable_in_the_database_and_in_a_dump(org, keys):
    account = SocialAccountFactory(organization=org, credentials={"access_token": TOKEN, "refresh_token": REFRESH})
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM integrations_socialaccount WHERE id = %s", [account.pk])
        raw_row = repr(cursor.fetchall())
    out = io.StringIO()
    call_command("dumpdata", "integrations", stdout=out)
    for secret in (TOKEN, REFRESH, "Zerno-Secret"):
        assert secret not in raw_row
        assert secret not in out.getvalue()
    assert SocialAccount.objects.get(pk=account.pk).credentials == {"access_token": TOKEN, "refresh_token": REFRESH}


def test_token_never_in_repr_or_logs(org, keys, caplog):
    account = SocialAccountFactory(organization=org, credentials={"access_token": TOKEN})
    caplog.set_level(logging.DEBUG)
    logging.getLogger("integrations").info("account %r / %s", account, account)
    assert TOKEN not in caplog.text
    assert TOKEN not in repr(account)


def test_rotation_re_encrypts_with_the_first_key(org, keys, settings):
    old, new = keys
    account = SocialAccountFactory(organization=org, credentials={"access_token": TOKEN})
    before = SocialAccount.objects.get(pk=account.pk).credentials_ciphertext

    settings.FIELD_ENCRYPTION_KEYS = [new, old]  # new key first, old still decrypts
    out = io.StringIO()
    call_command("rotate_encryption_key", stdout=out)

    after = SocialAccount.objects.get(pk=account.pk).credentials_ciphertext
    assert "Re-encrypted credentials of 1 account(s)." in out.getvalue()
    assert after != before
    assert json.loads(Fernet(new.encode()).decrypt(after.encode())) == {"access_token": TOKEN}
    settings.FIELD_ENCRYPTION_KEYS = [new]  # the old key can now be removed
    assert SocialAccount.objects.get(pk=account.pk).credentials == {"access_token": TOKEN}


def test_wrong_key_is_a_clear_error(org, keys, settings):
    account = SocialAccountFactory(organization=org, credentials={"access_token": TOKEN})
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    with pytest.raises(crypto.CredentialsUnreadable):
        SocialAccount.objects.get(pk=account.pk).credentials  # noqa: B018


def test_development_key_is_derived_from_secret_key_only_in_debug(settings, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = []
    monkeypatch.setenv("DEBUG", "true")
    token = crypto.encrypt_json({"a": 1})
    assert Fernet(crypto.development_key(settings.SECRET_KEY)).decrypt(token.encode()) == b'{"a":1}'
    monkeypatch.setenv("DEBUG", "false")
    with pytest.raises(RuntimeError):
        crypto.encrypt_json({"a": 1})


def test_system_check_refuses_production_without_a_key(settings, monkeypatch):
    settings.FIELD_ENCRYPTION_KEYS = []
    monkeypatch.setenv("DEBUG", "false")
    assert [e.id for e in encryption_keys_check(None)] == ["integrations.E001"]
    settings.FIELD_ENCRYPTION_KEYS = ["not-a-key"]
    assert [e.id for e in encryption_keys_check(None)] == ["integrations.E002"]
    settings.FIELD_ENCRYPTION_KEYS = [Fernet.generate_key().decode()]
    assert encryption_keys_check(None) == []
