"""Accuracy, per-class precision/recall, confusion matrix and throughput on the held-out test set."""

from django.core.management.base import BaseCommand

from moderation import tone
from moderation.tone.training import TEST_CSV, evaluate, read_rows


class Command(BaseCommand):
    help = "Evaluate the tone classifier on moderation/tone/data/test.csv (never used for training)."

    def add_arguments(self, parser):
        parser.add_argument("--lexicon", action="store_true", help="Evaluate the lexicon fallback instead.")

    def handle(self, *args, **options):
        if options["lexicon"]:
            tone.use_backend(tone.LexiconBackend())
        try:
            tone.classify(["warm-up"])  # load the model outside the timed part
            report = evaluate(read_rows(TEST_CSV), tone.classify)
            self.stdout.write(f"model {tone.model_version()}")
            for line in report.lines():
                self.stdout.write(line)
        finally:
            tone.use_backend(None)
