"""``manage.py sync_account <id> --days N``: backfill one account now, in this process."""

from django.core.management.base import BaseCommand, CommandError

from integrations.models import SocialAccount, SyncRun
from integrations.sync import PLANS, SyncRetry, account_sync
from tenancy import rls


class Command(BaseCommand):
    help = "Sync one connected account now (e.g. a backfill of the last N days)."

    def add_arguments(self, parser):
        parser.add_argument("account_id", type=int)
        parser.add_argument("--days", type=int, default=30, help="Trailing days of daily metrics (default 30).")
        parser.add_argument("--plan", default="full", choices=sorted(PLANS))

    @rls.unscoped_session("operator command: sync one account by id")
    def handle(self, *args, account_id: int, days: int, plan: str, **options):
        if days < 1 or days > 3650:
            raise CommandError("--days must be between 1 and 3650")
        # An operator command: crosses organizations explicitly by account id.
        if not SocialAccount.objects.unscoped().filter(pk=account_id).exists():
            raise CommandError(f"No account with id {account_id}")
        try:
            outcome = account_sync(account_id=account_id, plan=plan, days=days)
        except SyncRetry as exc:
            raise CommandError(f"The platform asked to wait {exc.retry_after:.0f} s: {exc}") from None
        self.stdout.write(f"{outcome.status}: {len(outcome.runs)} steps")
        for run in SyncRun.objects.unscoped().filter(pk__in=outcome.runs).order_by("pk"):
            line = f"  {run.kind:<16} {run.status:<8} fetched={run.rows_fetched} written={run.rows_written}"
            if run.error:
                line += f"  ({run.error})"
            self.stdout.write(line)
        if outcome.message:
            self.stdout.write(outcome.message)
