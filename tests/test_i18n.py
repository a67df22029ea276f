"""Chinese by default, English on request, and no untranslated text in the Chinese interface."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from babel.messages.mofile import read_mo
from babel.messages.pofile import read_po

REPO = Path(__file__).resolve().parents[1]
PO = REPO / "qbank" / "translations" / "zh_Hans_CN" / "LC_MESSAGES" / "messages.po"
MO = PO.with_suffix(".mo")


def test_pages_are_chinese_by_default(client) -> None:  # type: ignore[no-untyped-def]
    page = client.get("/syllabus").get_data(as_text=True)
    assert '<html lang="zh-CN">' in page
    assert "考试大纲" in page and "级别与收费" in page
    assert "Levels and fees" not in page


def test_english_switch(client) -> None:  # type: ignore[no-untyped-def]
    response = client.get("/lang/en?next=/syllabus")
    assert response.status_code == 302 and response.headers["Location"] == "/syllabus"
    page = client.get("/syllabus").get_data(as_text=True)
    assert '<html lang="en">' in page and "Levels and fees" in page
    assert "Carbon Trading" in page  # the syllabus itself has English titles
    client.get("/lang/zh_Hans_CN")
    assert "级别与收费" in client.get("/syllabus").get_data(as_text=True)


def test_language_switch_never_redirects_off_site(client) -> None:  # type: ignore[no-untyped-def]
    for target in ("https://evil.example/", "//evil.example/x", "javascript:alert(1)"):
        response = client.get("/lang/en", query_string={"next": target})
        assert response.headers["Location"] == "/"


def test_every_message_is_translated_to_chinese(tmp_path: Path) -> None:
    pot = tmp_path / "messages.pot"
    subprocess.run(
        [
            sys.executable,
            "-m",
            "babel.messages.frontend",
            "extract",
            "-F",
            str(REPO / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "lazy_gettext",
            "-k",
            "N_",
            "--no-location",
            "-o",
            str(pot),
            str(REPO),
        ],
        check=True,
        capture_output=True,
        cwd=REPO,
    )
    with pot.open("rb") as f:
        wanted = {m.id for m in read_po(f) if m.id}
    with PO.open("rb") as f:
        catalog = read_po(f)
    def done(m):  # type: ignore[no-untyped-def]
        forms = [m.string] if isinstance(m.string, str) else list(m.string)
        return all(forms) and "fuzzy" not in m.flags

    translated = {m.id for m in catalog if m.id and done(m)}
    missing = sorted(str(m) for m in wanted - translated)
    assert missing == [], "run scripts/i18n and translate: " + "; ".join(missing[:10])


def test_compiled_catalog_matches_the_po() -> None:
    def norm(value):  # type: ignore[no-untyped-def]
        return value if isinstance(value, str) else tuple(value)

    with PO.open("rb") as f:
        po = {norm(m.id): norm(m.string) for m in read_po(f) if m.id}
    with MO.open("rb") as f:
        mo = {norm(m.id): norm(m.string) for m in read_mo(f) if m.id}
    assert po == mo, "the .mo is stale: run scripts/i18n"
