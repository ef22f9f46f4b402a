"""System checks: production must not start without an encryption key for credentials."""

from cryptography.fernet import Fernet
from django.core.checks import Error, Tags, register

from integrations.crypto import configured_keys, debug_environment


@register(Tags.security, deploy=False)
def encryption_keys_check(app_configs, **kwargs):
    errors = []
    keys = configured_keys()
    for index, key in enumerate(keys):
        try:
            Fernet(key.encode())
        except (ValueError, TypeError):
            errors.append(
                Error(
                    f"FIELD_ENCRYPTION_KEYS item {index + 1} is not a valid Fernet key.",
                    hint="Generate one with: python -c 'from cryptography.fernet import Fernet; "
                    "print(Fernet.generate_key().decode())'",
                    id="integrations.E002",
                )
            )
    if not keys and not debug_environment():
        errors.append(
            Error(
                "FIELD_ENCRYPTION_KEYS is not set: platform credentials cannot be encrypted.",
                hint="Set FIELD_ENCRYPTION_KEYS to one or more comma-separated Fernet keys (the first encrypts).",
                id="integrations.E001",
            )
        )
    return errors
