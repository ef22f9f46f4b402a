"""Rebuilds the daily rollups (analytics/rollups.py): every organization or one, every day or a range.

    manage.py rebuild_rollups [--org <slug>] [--start YYYY-MM-DD --end YYYY-MM-DD]

Without a range the organization's rollups are rebuilt whole and marked complete (the KPI engine
then reads them); with a range only those days are summed again. Safe to run at any time: each
organization is rebuilt in one transaction, under the lock the refresh tasks take.
"""

import datetime as dt
import time

from django.core.management.base import BaseCommand, CommandError

from analytics import rollups
from tenancy import rls
from tenancy.models import Organization


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise CommandError(f"not a date (YYYY-MM-DD): {value!r}") from exc


class Command(BaseCommand):
    help = "Rebuild the daily rollups the KPI engine reads."

    def add_arguments(self, parser) -> None:
        parser.add_argument("--org", help="organization slug (default: every organization)")
        parser.add_argument("--start", type=_date, help="first day (with --end: only these days)")
        parser.add_argument("--end", type=_date, help="last day")

    def handle(self, *args, **options) -> None:
        start, end = options["start"], options["end"]
        if (start is None) != (end is None):
            raise CommandError("give both --start and --end, or neither")
        if start and end and start > end:
            raise CommandError("--start is after --end")
        organizations = Organization.objects.order_by("pk")
        if options["org"]:
            organizations = organizations.filter(slug=options["org"])
            if not organizations.exists():
                raise CommandError(f"no organization {options['org']!r}")
        began = time.perf_counter()
        count = 0
        for organization in organizations.iterator():
            with rls.organization_session(organization.pk):
                rollups.rebuild(organization, start, end)
            count += 1
        self.stdout.write(f"rebuilt rollups of {count} organization(s) in {time.perf_counter() - began:.1f} s")
