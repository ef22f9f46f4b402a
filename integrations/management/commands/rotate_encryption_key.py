"""``manage.py rotate_encryption_key``: re-encrypt every stored credential and webhook signing secret with
the FIRST key of FIELD_ENCRYPTION_KEYS. Rotation: prepend the new key, run this, then drop the old key."""

from django.core.management.base import BaseCommand, CommandError

from integrations.crypto import CredentialsUnreadable
from integrations.services import credentials_rotate_all
from webhooks.services import secrets_rotate_all


class Command(BaseCommand):
    help = "Re-encrypt all platform credentials and webhook secrets with the first key of FIELD_ENCRYPTION_KEYS."

    def handle(self, *args, **options):
        try:
            count = credentials_rotate_all()
            endpoints = secrets_rotate_all()
        except CredentialsUnreadable as exc:
            raise CommandError(f"{exc}. Keep the old key in FIELD_ENCRYPTION_KEYS until rotation is done.") from None
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted credentials of {count} account(s)."))
        self.stdout.write(self.style.SUCCESS(f"Re-encrypted signing secrets of {endpoints} webhook endpoint(s)."))
