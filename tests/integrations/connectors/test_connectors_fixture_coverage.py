"""Every recorded fixture is exercised by a test, so a new fixture cannot go untested."""

import re
from pathlib import Path

TEST_DIR = Path(__file__).parent
PLATFORMS = ("vk", "telegram", "instagram", "facebook", "meta_ads")
_ALTERNATIVES = "|".join(PLATFORMS)
_REFERENCE = re.compile(rf"""["'](?P<name>(?:{_ALTERNATIVES})/[\w.]+\.json)["']""")


def referenced_fixtures() -> set[str]:
    """Fixture names ("vk/wall.get.json") quoted in the connector test modules and their shared helpers."""
    names: set[str] = set()
    for test_file in TEST_DIR.glob("*.py"):
        if test_file.name == Path(__file__).name:
            continue
        names.update(m.group("name") for m in _REFERENCE.finditer(test_file.read_text(encoding="utf-8")))
    return names


def fixture_files(fixtures_dir: Path) -> set[str]:
    return {p.relative_to(fixtures_dir).as_posix() for p in fixtures_dir.rglob("*.json")}


def test_every_fixture_file_is_used_by_a_test(fixtures_dir):
    on_disk = fixture_files(fixtures_dir)
    assert len(on_disk) > 100  # the fixture set is present, not an empty folder

    untested = sorted(on_disk - referenced_fixtures())

    assert untested == [], f"fixtures without a test: {untested}"


def test_every_referenced_fixture_exists(fixtures_dir):
    missing = sorted(referenced_fixtures() - fixture_files(fixtures_dir))

    assert missing == [], f"tests name fixtures that do not exist: {missing}"


def test_every_fixture_has_a_documented_status(fixtures_dir, documented_statuses):
    undocumented = sorted(fixture_files(fixtures_dir) - set(documented_statuses))

    assert undocumented == [], f"fixtures missing from the README tables: {undocumented}"


def test_only_known_platform_folders(fixtures_dir):
    folders = {p.name for p in fixtures_dir.iterdir() if p.is_dir()}

    assert folders == set(PLATFORMS)
