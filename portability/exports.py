"""Export of all of an organization's data as a ZIP: JSON lines per tenant table (plus the
organization row) and CSV files of the main daily facts, with a manifest of row counts.

Rows are streamed (`iterator(chunk_size=...)`) into a temporary file, so a large organization never
sits in memory; on PostgreSQL the whole read runs in one REPEATABLE READ READ ONLY transaction, so
every table comes from the same snapshot. Secret columns are never read (see `tables.py`).
"""

import base64
import csv
import io
import json
import logging
import secrets
import tempfile
import zipfile
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.apps import apps
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.files import File
from django.core.files.storage import default_storage
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connection, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import Conflict, DomainError
from tenancy.access import Access
from tenancy.models import Membership, Organization, TenantModel
from tenancy.roles import Perm
from tenancy.scoping import get_for_organization
from tenancy.services import audit_log_record

from .models import ExportStatus, OrganizationExport
from .tables import exported_fields, exported_models

logger = logging.getLogger(__name__)

CHUNK_SIZE = 2000
FORMAT_VERSION = 1
# Exports still "queued"/"being prepared" this long after the request were lost with their worker.
STALE_AFTER = timedelta(hours=6)
# Concurrent exports one organization may have in flight (each reads every table).
MAX_IN_FLIGHT = 2


@dataclass(frozen=True)
class FactCsv:
    filename: str
    model: str  # "app_label.Model"


FACT_CSVS = (
    FactCsv("account_metrics_daily.csv", "analytics.AccountMetricDaily"),
    FactCsv("post_metrics_daily.csv", "analytics.PostMetricDaily"),
    FactCsv("ad_stats_daily.csv", "ads.AdStatDaily"),
    FactCsv("inbox_items.csv", "moderation.InboxItem"),
)
# For a foreign key to one of these models, the CSV adds these columns of the target row.
FK_LABEL_COLUMNS = {
    "integrations.SocialAccount": ("platform", "display_name"),
    "ads.AdCampaign": ("name",),
    "analytics.SocialPost": ("external_id",),
}
USER_FIELDS = ("id", "email", "first_name", "last_name")
ORGANIZATION_FIELDS = ("id", "name", "slug", "timezone", "currency", "language", "created_at")


class _Encoder(DjangoJSONEncoder):
    """Exact values: full-precision timestamps (DjangoJSONEncoder cuts them to milliseconds),
    decimals as strings, binary columns (a report's PDF) as base64."""

    def default(self, o):
        if isinstance(o, datetime):
            return o.isoformat()
        if isinstance(o, bytes | memoryview):
            return {"base64": base64.b64encode(bytes(o)).decode("ascii")}
        return super().default(o)


def _ttl() -> timedelta:
    return timedelta(hours=settings.ORGANIZATION_EXPORT_TTL_HOURS)


# --- requests, downloads, expiry ---------------------------------------------------------------


@transaction.atomic
def export_request(*, access: Access) -> OrganizationExport:
    """Queues a new export of the whole organization (owner/admin)."""
    access.require(Perm.MANAGE_ORGANIZATION)
    in_flight = OrganizationExport.objects.for_organization(access.organization).filter(
        status__in=[ExportStatus.PENDING, ExportStatus.RUNNING], created_at__gt=timezone.now() - STALE_AFTER
    )
    if in_flight.count() >= MAX_IN_FLIGHT:
        raise Conflict(_("An export is already being prepared. Wait until it is ready."))
    export = OrganizationExport.objects.create(organization=access.organization, requested_by=access.user)
    audit_log_record(access=access, action="export.request", obj=export)
    from .tasks import build_export  # here, not at the top: tasks.py imports this module (a real cycle)

    organization_id, export_id = access.organization.pk, export.pk
    transaction.on_commit(lambda: build_export.delay(organization_id, export_id))
    return export


def export_get(*, access: Access, export_id) -> OrganizationExport:
    access.require(Perm.MANAGE_ORGANIZATION)
    return get_for_organization(OrganizationExport, access.organization, export_id, message=_("Export not found."))


class ExportExpired(DomainError):
    status_code = 410
    code = "expired"


@transaction.atomic
def export_open_for_download(*, access: Access, export_id) -> tuple[OrganizationExport, File]:
    """The export and its opened file; 404 for another organization's, 410 once it expired."""
    export = export_get(access=access, export_id=export_id)
    if not export.is_downloadable:
        if export.status in (ExportStatus.PENDING, ExportStatus.RUNNING):
            raise Conflict(_("This export is not ready yet."))
        raise ExportExpired(_("This export is no longer available. Request a new one."))
    if not export.file.name:  # a downloadable export has its file
        raise ExportExpired(_("This export is no longer available. Request a new one."))
    audit_log_record(access=access, action="export.download", obj=export)
    return export, default_storage.open(export.file.name, "rb")


def download_filename(export: OrganizationExport) -> str:
    return f"{export.organization.slug}-export-{timezone.localtime(export.created_at):%Y%m%d-%H%M}.zip"


def exports_expire(*, now: datetime | None = None) -> int:
    """Deletes the files of expired exports and fails exports lost with their worker (all
    organizations: a maintenance task). Returns how many exports it closed."""
    now = now or timezone.now()
    closed = 0
    expired = OrganizationExport.objects.unscoped().filter(status=ExportStatus.READY, expires_at__lte=now)
    for export in expired.iterator(chunk_size=500):
        if export.file.name:
            default_storage.delete(export.file.name)
        OrganizationExport.objects.for_organization(export.organization_id).filter(pk=export.pk).update(
            status=ExportStatus.EXPIRED, file=""
        )
        closed += 1
    closed += (
        OrganizationExport.objects.unscoped()
        .filter(status__in=[ExportStatus.PENDING, ExportStatus.RUNNING], created_at__lte=now - STALE_AFTER)
        .update(status=ExportStatus.FAILED, error="The export did not finish in time.", finished_at=now)
    )
    return closed


# --- building the file -------------------------------------------------------------------------


def _claim(organization_id: int, export_id: int) -> OrganizationExport | None:
    with transaction.atomic():
        export = (
            OrganizationExport.objects.for_organization(organization_id)
            .select_for_update()
            .filter(pk=export_id)
            .first()
        )
        # Delivered twice or after the cleanup: nothing to do. A redelivered "running" export (its
        # worker died) is built again from scratch.
        if export is None or export.status not in (ExportStatus.PENDING, ExportStatus.RUNNING):
            return None
        export.status = ExportStatus.RUNNING
        export.save(update_fields=["status"])
        return export


def export_build(*, organization_id: int, export_id: int) -> OrganizationExport | None:
    """Builds the ZIP of an export claimed from "queued"; idempotent (returns None if not claimable)."""
    export = _claim(organization_id, export_id)
    if export is None:
        return None
    organization = Organization.objects.get(pk=organization_id)
    try:
        with tempfile.TemporaryFile() as tmp:
            counts = write_export_zip(organization, tmp)
            size = tmp.tell()
            tmp.seek(0)
            name = default_storage.save(f"exports/{organization_id}/{secrets.token_urlsafe(24)}.zip", File(tmp))
    except Exception as exc:
        logger.exception("organization export failed", extra={"organization_id": organization_id})
        OrganizationExport.objects.for_organization(organization_id).filter(pk=export_id).update(
            status=ExportStatus.FAILED, error=type(exc).__name__, finished_at=timezone.now()
        )
        raise
    now = timezone.now()
    export.status, export.file, export.size_bytes = ExportStatus.READY, name, size
    export.row_counts, export.finished_at, export.expires_at = counts, now, now + _ttl()
    export.save(update_fields=["status", "file", "size_bytes", "row_counts", "finished_at", "expires_at"])
    logger.info(
        "organization export ready",
        extra={"organization_id": organization_id, "export_id": export_id, "bytes": size},
    )
    return export


def write_export_zip(organization: Organization, fileobj) -> dict[str, int]:
    """Writes the ZIP to `fileobj`; returns the row count per table (and per CSV file)."""
    counts: dict[str, int] = {}
    with zipfile.ZipFile(fileobj, "w", compression=zipfile.ZIP_DEFLATED) as archive, _snapshot():
        counts["tenancy.Organization"] = _write_jsonl(
            archive, "tables/tenancy.Organization.jsonl", [_organization_row(organization)]
        )
        counts["auth.User"] = _write_jsonl(archive, "tables/auth.User.jsonl", _member_users(organization))
        for model in exported_models():
            label = model._meta.label
            fields = exported_fields(model)
            queryset = model._default_manager.for_organization(organization).order_by("pk")
            rows = _rows(queryset, fields)
            counts[label] = _write_jsonl(archive, f"tables/{label}.jsonl", rows)
        for spec in FACT_CSVS:
            counts[f"csv/{spec.filename}"] = _write_fact_csv(archive, organization, spec)
        manifest = {
            "format_version": FORMAT_VERSION,
            "organization": {"id": organization.pk, "slug": organization.slug, "name": organization.name},
            "generated_at": timezone.now().isoformat(),
            "row_counts": counts,
            "notes": "Secrets (encrypted platform credentials, token hashes, OAuth state) are not exported.",
        }
        archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=2))
    return counts


class _snapshot:
    """One consistent snapshot for the whole read where the database allows it."""

    def __enter__(self):
        self._atomic = transaction.atomic()
        outermost = not connection.in_atomic_block
        self._atomic.__enter__()
        if outermost and connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ READ ONLY")
        return self

    def __exit__(self, *exc):
        return self._atomic.__exit__(*exc)


def _organization_row(organization: Organization) -> dict:
    return {name: getattr(organization, name) for name in ORGANIZATION_FIELDS}


def _member_users(organization: Organization) -> Iterable[dict]:
    """The members' names and emails, so `user_id` columns resolve (never passwords or logins)."""
    users = (
        get_user_model()
        .objects.filter(pk__in=Membership.objects.for_organization(organization).values("user_id"))
        .order_by("pk")
    )
    by_name = {f.name: f for f in users.model._meta.concrete_fields}
    return _rows(users, [by_name[name] for name in USER_FIELDS])


def _rows(queryset: models.QuerySet, fields: list[models.Field]) -> Iterable[dict]:
    names = [f.attname for f in fields]
    for values in queryset.values_list(*names).iterator(chunk_size=CHUNK_SIZE):
        yield dict(zip(names, values, strict=True))


def _write_jsonl(archive: zipfile.ZipFile, name: str, rows: Iterable[dict]) -> int:
    count = 0
    with archive.open(name, "w", force_zip64=True) as raw, io.TextIOWrapper(raw, encoding="utf-8") as out:
        for row in rows:
            out.write(json.dumps(row, cls=_Encoder, ensure_ascii=False))
            out.write("\n")
            count += 1
    return count


def csv_value(value) -> str:
    """How a value is written in the CSV files: empty for "not reported", ISO dates, exact decimals."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime | date):
        return value.isoformat()
    if isinstance(value, Decimal):
        return format(value, "f")
    return str(value)


def _label_lookup(organization: Organization, field: models.ForeignKey) -> tuple[tuple[str, ...], dict]:
    """For a foreign key, the extra column names and {target id: their values} for the organization."""
    target = field.related_model
    columns = FK_LABEL_COLUMNS.get(target._meta.label, ())
    if not columns:
        return (), {}
    lookup = {}
    if not issubclass(target, TenantModel):  # the labelled targets are all tenant tables
        return (), {}
    rows = target.objects.for_organization(organization).values_list("pk", *columns)
    for pk, *values in rows.iterator(chunk_size=CHUNK_SIZE):
        lookup[pk] = values
    return tuple(f"{field.name}_{c}" for c in columns), lookup


def _write_fact_csv(archive: zipfile.ZipFile, organization: Organization, spec: FactCsv) -> int:
    model = apps.get_model(spec.model)
    fields = [f for f in exported_fields(model) if f.name != "organization"]
    header: list[str] = []
    lookups: dict[str, tuple[dict, int]] = {}  # fk attname -> ({target id: values}, number of columns)
    for field in fields:
        header.append(field.attname)
        if isinstance(field, models.ForeignKey):
            extra, lookup = _label_lookup(organization, field)
            if extra:
                lookups[field.attname] = (lookup, len(extra))
                header.extend(extra)
    count = 0
    with archive.open(f"csv/{spec.filename}", "w", force_zip64=True) as raw:
        out = io.TextIOWrapper(raw, encoding="utf-8", newline="")
        writer = csv.writer(out)
        writer.writerow(header)
        queryset = model._default_manager.for_organization(organization).order_by("pk")
        for values in queryset.values_list(*[f.attname for f in fields]).iterator(chunk_size=CHUNK_SIZE):
            row = []
            for field, value in zip(fields, values, strict=True):
                row.append(csv_value(value))
                if field.attname in lookups:
                    lookup, width = lookups[field.attname]
                    row.extend(csv_value(v) for v in lookup.get(value, [None] * width))
            writer.writerow(row)
            count += 1
        out.flush()
        out.detach()
    return count
