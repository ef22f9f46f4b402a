"""Settings → Data export in a real browser: prepare an export, download the ZIP, schedule the
organization's deletion with the typed address and cancel it."""

import json
import zipfile

import pytest

pytestmark = pytest.mark.e2e


def test_owner_exports_downloads_and_cancels_a_deletion(login, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")
    page = login("owner")
    page.goto("/o/zerno/settings/data/")
    assert page.locator("nav a[href='/o/zerno/settings/data/']").count() == 1  # the settings menu link

    page.locator("form[action='/o/zerno/settings/data/exports/'] button").click()
    page.wait_for_load_state()
    link = page.locator("a[href$='/download/']")
    assert link.count() == 1
    with page.expect_download() as info:
        link.click()
    download = info.value
    assert download.suggested_filename.startswith("zerno-export-")
    path = tmp_path / "export.zip"
    download.save_as(path)
    with zipfile.ZipFile(path) as archive:
        manifest = json.loads(archive.read("manifest.json"))
    assert manifest["organization"]["slug"] == "zerno"
    assert manifest["row_counts"]["tenancy.Membership"] == 5

    form = page.locator("form[action='/o/zerno/settings/data/delete/']")
    form.locator("input[name=confirmation]").fill("zerno")
    form.locator("button").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=deletion-pending]").is_visible()
    page.locator("form[action='/o/zerno/settings/data/delete/cancel/'] button").click()
    page.wait_for_load_state()
    assert page.locator("[data-testid=deletion-pending]").count() == 0
    assert page.locator("form[action='/o/zerno/settings/data/delete/']").is_visible()
