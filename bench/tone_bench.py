"""Tone classifier benchmark: accuracy on the held-out test set and throughput per 1,000 comments.

    python bench/tone_bench.py [--comments 1000] [--batch 200] [--lexicon]

Prints the evaluation report (accuracy, per-class precision/recall, confusion matrix) of the
shipped model on moderation/tone/data/test.csv, then classifies ``--comments`` comments (the
training and test texts repeated, in batches of ``--batch`` like the Celery task) and prints the
seconds per 1,000 comments. No database and no network needed.
"""

from __future__ import annotations

import argparse
import itertools
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "smm_platform.settings")

from moderation import tone
from moderation.tone.training import TEST_CSV, TRAIN_CSV, evaluate, read_rows


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--comments", type=int, default=1000)
    parser.add_argument("--batch", type=int, default=200)
    parser.add_argument("--lexicon", action="store_true", help="benchmark the lexicon fallback")
    args = parser.parse_args()
    if args.lexicon:
        tone.use_backend(tone.LexiconBackend())
    tone.classify(["warm-up"])  # model load is not part of the throughput
    print(f"model {tone.model_version()}")
    for line in evaluate(read_rows(TEST_CSV), tone.classify).lines():
        print(line)
    pool = [text for text, _ in read_rows(TRAIN_CSV) + read_rows(TEST_CSV)]
    texts = list(itertools.islice(itertools.cycle(pool), args.comments))
    started = time.perf_counter()
    labelled = 0
    for i in range(0, len(texts), args.batch):
        labelled += len(tone.classify(texts[i : i + args.batch]))
    elapsed = time.perf_counter() - started
    assert labelled == len(texts)
    print(f"{labelled} comments in {elapsed:.1f} s: {elapsed * 1000 / max(labelled, 1):.1f} s per 1,000 comments")
    print(f"cpu count {os.cpu_count()}, load average {os.getloadavg()[0]:.1f}")


if __name__ == "__main__":
    main()
