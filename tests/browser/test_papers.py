"""An examiner assembles a paper from a default blueprint, reviews it, publishes it and
downloads the PDF — in Chromium at a desktop viewport."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import Page, expect

from qbank.accounts.models import Role
from qbank.db import db
from qbank.papers.blueprints import default_blueprint_for
from tests.conftest import PASSWORD


def test_examiner_assembles_publishes_and_downloads(
    page: Page, live_server: str, make_user
) -> None:  # type: ignore[no-untyped-def]
    examiner = make_user(Role.EXAMINER, display_name="王老师")
    blueprint = default_blueprint_for(db.session, "trading", "intermediate")
    assert blueprint is not None
    page.set_viewport_size({"width": 1280, "height": 900})

    page.goto(live_server + "/login")
    page.fill("#username", examiner.username)
    page.fill("#password", PASSWORD)
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".tools .who")).to_have_text("王老师")

    page.locator('.mainnav a[href="/papers"]').click()
    page.locator('a[href="/papers/assemble"]').first.click()
    page.select_option("#blueprint", str(blueprint.id))
    page.locator("form[data-busy] button[type=submit]").click()

    expect(page).to_have_url(re.compile(r"/papers/\d+$"), timeout=30_000)
    expect(page.locator("h1")).to_contain_text("碳交易 中级 默认")
    expect(page.locator("#coverage .unmet")).to_have_count(0)
    expect(page.locator("#coverage .met").first).to_be_visible()
    expect(page.locator("figure.chart svg")).to_have_count(2)
    expect(page.locator("table.items tbody tr")).to_have_count(64)

    page.once("dialog", lambda dialog: dialog.accept())  # "Publish this paper? …"
    page.locator('form[action$="/publish"] button[type=submit]').click()
    expect(page.locator("h1 .paper-status-published")).to_be_visible()
    expect(page.locator('form[action$="/publish"]')).to_have_count(0)

    with page.expect_download() as info:
        page.locator('a[href$="/export/paper.pdf"]').click()
    download = info.value
    assert re.fullmatch(r"P\d{5}-试卷\.pdf", download.suggested_filename)
    assert Path(download.path()).read_bytes().startswith(b"%PDF")
