"""Paths to data the tests read; everything lives inside the repository."""

from pathlib import Path

TESTS_DIR = Path(__file__).resolve().parent
REPO_ROOT = TESTS_DIR.parent
# Recorded platform responses (invented data in the platforms' documented shapes; see its README).
PLATFORM_FIXTURES = TESTS_DIR / "fixtures" / "platforms"
