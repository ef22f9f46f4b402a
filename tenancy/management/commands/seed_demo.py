"""Creates (or refreshes) the demo organization «Зерно» with one user per role. Idempotent."""

import importlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from tenancy import rls
from tenancy.models import Membership, Organization
from tenancy.roles import Role

DEMO_SLUG = "zerno"
DEMO_PASSWORD = "zerno-demo-2026"  # noqa: S105 - printed for the local demo; override with --password
DEMO_USERS = {
    Role.OWNER: ("owner@zerno.demo", "Алина", "Гарипова"),
    Role.ADMIN: ("admin@zerno.demo", "Тимур", "Хасанов"),
    Role.MARKETER: ("marketer@zerno.demo", "Дарья", "Смирнова"),
    Role.ANALYST: ("analyst@zerno.demo", "Ильдар", "Валиев"),
    Role.CLIENT: ("client@zerno.demo", "Руслан", "Закиров"),
}
# Data order (docs/ARCHITECTURE.md, Layers as they are): each app may ship `<app>/demo.py` with
# `seed(*, organization, users)`.
DEMO_APPS = ["integrations", "strategy", "content", "moderation", "ads", "links", "analytics"]


class Command(BaseCommand):
    help = "Create or refresh the demo organization «Зерно» (coffee chain, Kazan) and print the demo logins."

    def add_arguments(self, parser):
        parser.add_argument("--password", default=None, help="Password for every demo user.")
        parser.add_argument("--skip-apps", action="store_true", help="Only the organization and users.")

    @rls.unscoped_session("seed_demo: creates the demo organization, its users and data")
    def handle(self, *args, password=None, skip_apps=False, **options):
        if not settings.DEBUG and not password:
            raise CommandError("With DEBUG off pass --password explicitly: the default demo password is public.")
        password = password or DEMO_PASSWORD
        with transaction.atomic():
            org, users = self._organization_and_users(password)
        if not skip_apps:
            for app in DEMO_APPS:
                try:
                    module = importlib.import_module(f"{app}.demo")
                except ModuleNotFoundError as exc:
                    if exc.name != f"{app}.demo":
                        raise
                    continue
                with transaction.atomic():
                    module.seed(organization=org, users=users)
                self.stdout.write(f"  seeded {app}")
        self.stdout.write(self.style.SUCCESS(f"Demo organization «{org.name}» ready at /o/{org.slug}/"))
        self.stdout.write("Demo logins (email / password):")
        for role, user in users.items():
            self.stdout.write(f"  {role:<9} {user.email} / {password}")

    def _organization_and_users(self, password: str):
        org, _ = Organization.objects.update_or_create(
            slug=DEMO_SLUG,
            defaults={"name": "Зерно", "timezone": "Europe/Moscow", "currency": "RUB", "language": "ru"},
        )
        User = get_user_model()
        users = {}
        for role, (email, first, last) in DEMO_USERS.items():
            user, _ = User.objects.get_or_create(username=email, defaults={"email": email})
            user.email, user.first_name, user.last_name = email, first, last
            user.set_password(password)
            user.save()
            Membership.objects.update_or_create(organization=org, user=user, defaults={"role": role})
            users[str(role)] = user
        return org, users
