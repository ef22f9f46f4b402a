"""``manage.py create_app_role --role smm_app``: the role the application connects as (PostgreSQL).

Run it with the owner's DATABASE_URL (the role that runs migrations and owns the tables), after
`migrate`. Idempotent. The role can log in and read/write rows, but is no superuser, has no
BYPASSRLS and owns nothing, so the row-level security policies apply to it (tenancy/rls.py).
Default privileges cover tables that later migrations (run by the same owner) create.
"""

import os
import re

from django.core.management.base import BaseCommand, CommandError
from django.db import DEFAULT_DB_ALIAS, connections

ROLE_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class Command(BaseCommand):
    help = "Create or update the non-superuser PostgreSQL role the app connects as, with its grants."

    def add_arguments(self, parser):
        parser.add_argument("--role", default="smm_app", help="Role name (default smm_app).")
        parser.add_argument(
            "--password-env",
            default="",
            metavar="VAR",
            help="Environment variable holding the role's password (not on the command line: ps shows it). "
            "Without it the password is left as it is (e.g. trust or peer authentication).",
        )
        parser.add_argument("--schema", default="public")
        parser.add_argument("--database", default=DEFAULT_DB_ALIAS)

    def handle(self, *args, role: str, password_env: str, schema: str, database: str, **options):
        connection = connections[database]
        if connection.vendor != "postgresql":
            raise CommandError("Row-level security and the app role exist only on PostgreSQL.")
        if not ROLE_NAME.match(role) or not ROLE_NAME.match(schema):
            raise CommandError("Use a lowercase identifier for --role and --schema.")
        password = None
        if password_env:
            password = os.environ.get(password_env)
            if not password:
                raise CommandError(f"${password_env} is empty or not set.")
        with connection.cursor() as cursor:
            cursor.execute("SELECT current_user, current_database()")
            owner, dbname = cursor.fetchone()
            if owner == role:
                raise CommandError("Run this as the owner (migration) role, not as the app role itself.")
            attributes = "LOGIN NOSUPERUSER NOBYPASSRLS NOCREATEROLE NOCREATEDB NOREPLICATION"
            cursor.execute(
                f"DO $$ BEGIN CREATE ROLE {role} {attributes}; EXCEPTION WHEN duplicate_object THEN NULL; END $$"
            )
            cursor.execute(f"ALTER ROLE {role} {attributes}")
            if password is not None:
                cursor.execute(f"ALTER ROLE {role} PASSWORD %s", [password])
            statements = [
                f'GRANT CONNECT, TEMPORARY ON DATABASE "{dbname}" TO {role}',
                f"GRANT USAGE ON SCHEMA {schema} TO {role}",
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON ALL TABLES IN SCHEMA {schema} TO {role}",
                f"GRANT USAGE, SELECT, UPDATE ON ALL SEQUENCES IN SCHEMA {schema} TO {role}",
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {schema} '
                f"GRANT SELECT, INSERT, UPDATE, DELETE ON TABLES TO {role}",
                f'ALTER DEFAULT PRIVILEGES FOR ROLE "{owner}" IN SCHEMA {schema} '
                f"GRANT USAGE, SELECT, UPDATE ON SEQUENCES TO {role}",
            ]
            for statement in statements:
                cursor.execute(statement)
            cursor.execute("SELECT rolsuper, rolbypassrls FROM pg_roles WHERE rolname = %s", [role])
            superuser, bypass = cursor.fetchone()
        if superuser or bypass:  # cannot happen after the ALTER above; a guard for future edits
            raise CommandError(f"{role} must be neither superuser nor BYPASSRLS.")
        self.stdout.write(
            self.style.SUCCESS(f"Role {role} ready on {dbname} (schema {schema}, tables owned by {owner}).")
        )
