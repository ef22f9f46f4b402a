"""The repository carries everything it needs: no file points at the folder beside the working copy
where the project's design notes and recorded data used to live."""

import re
import subprocess

import pytest

from tests.paths import REPO_ROOT

# Spelled in pieces so this file does not match itself.
_SHARED = "sha" + "red"
OUTSIDE_REFERENCE = re.compile(
    rf"\.\./{_SHARED}\b"  # the sibling folder, relative
    rf"|/work/{_SHARED}\b"  # the absolute path on the team's machines
    rf"|[\"']{_SHARED}[\"']"  # a path built from parts
    rf"|\b{_SHARED} folder\b",  # prose sending readers there
    re.IGNORECASE,
)


def project_files() -> list[str]:
    """Tracked files plus new ones not yet committed (ignored files such as .venv are left out)."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=REPO_ROOT,
        capture_output=True,
        check=True,
    ).stdout.decode()
    return [name for name in listed.split("\0") if name and (REPO_ROOT / name).is_file()]


def outside_references(names: list[str]) -> list[str]:
    found = []
    for name in names:
        try:
            text = (REPO_ROOT / name).read_text(encoding="utf-8")
        except UnicodeDecodeError:  # compiled catalogs, images
            continue
        found.extend(
            f"{name}:{number}: {line.strip()}"
            for number, line in enumerate(text.splitlines(), start=1)
            if OUTSIDE_REFERENCE.search(line)
        )
    return found


def test_no_project_file_refers_to_the_outside_shared_folder():
    names = project_files()
    assert "README.md" in names  # the listing works and covers docs too
    assert ".ci/run" in names
    assert not any(name.startswith(".venv/") for name in names)

    assert outside_references(names) == []


@pytest.mark.parametrize(
    ("line", "matches"),
    [
        (f"See `../{_SHARED}/DESIGN.md`.", True),
        (f'FIXTURES = Path("/work/{_SHARED}/fixtures/platforms")', True),
        (f'REPO_ROOT.parent / "{_SHARED}" / "fixtures"', True),
        (f"in the project's {_SHARED} folder", True),
        ("a Redis token bucket shared by all workers", False),
        ("from celery import shared_task", False),
    ],
)
def test_the_pattern_catches_each_way_of_pointing_outside(line, matches):
    assert bool(OUTSIDE_REFERENCE.search(line)) is matches
