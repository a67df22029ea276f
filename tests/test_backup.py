"""`qbank backup` / `qbank restore` round trip on SQLite and PostgreSQL, uploads included."""

from __future__ import annotations

import io
import tarfile
from pathlib import Path

import pytest
from flask import Flask
from sqlalchemy import func, select

from qbank.accounts.models import Role, User
from qbank.backup import BackupError, restore_backup
from qbank.db import db


def test_round_trip(app: Flask, make_user, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    make_user(Role.AUTHOR, username="before.backup")
    uploads = Path(app.config["UPLOAD_DIR"]) / "images"
    uploads.mkdir(parents=True)
    (uploads / "a.png").write_bytes(b"\x89PNG\r\n\x1a\n...")
    archive = tmp_path / "b.tar.gz"
    runner = app.test_cli_runner()
    result = runner.invoke(args=["backup", str(archive)])
    assert result.exit_code == 0, result.output
    assert "1 uploaded files" in result.output
    # things change after the backup …
    make_user(Role.AUTHOR, username="after.backup")
    (uploads / "a.png").unlink()
    db.session.remove()
    result = runner.invoke(args=["restore", "--yes", str(archive)])
    assert result.exit_code == 0, result.output
    # … and the restore brings back exactly the backed-up state
    names = set(db.session.scalars(select(User.username)))
    assert "before.backup" in names and "after.backup" not in names
    assert (uploads / "a.png").read_bytes().startswith(b"\x89PNG")
    assert db.session.scalar(select(func.count()).select_from(User)) >= 1


def test_hostile_archives_are_refused(app: Flask, tmp_path: Path) -> None:
    bad = tmp_path / "evil.tar.gz"
    with tarfile.open(bad, "w:gz") as tar:
        data = b"x"
        info = tarfile.TarInfo("../../etc/evil")
        info.size = 1
        tar.addfile(info, io.BytesIO(data))
    with pytest.raises(BackupError, match="unsafe"):
        restore_backup(bad, app.config["SQLALCHEMY_DATABASE_URI"], tmp_path / "up")
