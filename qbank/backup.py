"""Backups: the database (SQLite online backup API, or pg_dump/pg_restore for PostgreSQL) and
the uploaded files, in one .tar.gz. Restoring replaces both; the search index is rebuilt after.
"""

from __future__ import annotations

import datetime as dt
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.engine import URL, make_url

FORMAT = 1


class BackupError(Exception):
    pass


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    backend: str
    created_at: str
    files: int


def _pg_env(url: URL) -> tuple[list[str], dict[str, str]]:
    args = ["-h", url.host or "localhost", "-p", str(url.port or 5432), "-U",
            url.username or "postgres"]
    env = dict(os.environ)
    if url.password:
        env["PGPASSWORD"] = url.password
    return args, env


def _run(cmd: list[str], env: dict[str, str]) -> None:
    found = shutil.which(cmd[0])
    if found is None:
        raise BackupError(f"{cmd[0]} is not installed (Debian: postgresql-client)")
    result = subprocess.run([found, *cmd[1:]], env=env, capture_output=True, text=True,
                            check=False)
    if result.returncode != 0:
        raise BackupError(f"{cmd[0]} failed: {result.stderr.strip()[:2000]}")


def create_backup(database_url: str, upload_dir: Path, out: Path) -> BackupInfo:
    url = make_url(database_url)
    out.parent.mkdir(parents=True, exist_ok=True)
    created = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        if url.get_backend_name() == "sqlite":
            src = sqlite3.connect(url.database or "")
            dst = sqlite3.connect(work / "database.sqlite3")
            try:
                src.backup(dst)  # a consistent copy while the app keeps running
            finally:
                dst.close()
                src.close()
            db_name = "database.sqlite3"
        elif url.get_backend_name() == "postgresql":
            args, env = _pg_env(url)
            _run(["pg_dump", *args, "-Fc", "-f", str(work / "database.dump"),
                  url.database or ""], env)
            db_name = "database.dump"
        else:
            raise BackupError(f"unsupported database {url.get_backend_name()}")
        manifest = {"format": FORMAT, "backend": url.get_backend_name(), "created_at": created,
                    "database": db_name}
        tmp_out = out.with_suffix(out.suffix + ".part")
        files = 0
        with tarfile.open(tmp_out, "w:gz") as tar:
            data = json.dumps(manifest).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            tar.addfile(info, io.BytesIO(data))
            tar.add(work / db_name, arcname=db_name)
            if upload_dir.is_dir():
                for path in sorted(upload_dir.rglob("*")):
                    if path.is_file() and not path.name.startswith("."):
                        tar.add(path, arcname=f"uploads/{path.relative_to(upload_dir)}")
                        files += 1
        os.replace(tmp_out, out)
    return BackupInfo(out, url.get_backend_name(), created, files)


def _safe_members(tar: tarfile.TarFile) -> list[tarfile.TarInfo]:
    members = []
    for m in tar.getmembers():
        name = Path(m.name)
        if name.is_absolute() or ".." in name.parts or not (m.isfile() or m.isdir()):
            raise BackupError(f"unsafe entry in backup: {m.name}")
        members.append(m)
    return members


def restore_backup(archive: Path, database_url: str, upload_dir: Path) -> BackupInfo:
    """Replace the database and the uploads with the archive's. Stop the app first."""
    url = make_url(database_url)
    with tempfile.TemporaryDirectory() as tmp, tarfile.open(archive, "r:gz") as tar:
        work = Path(tmp)
        tar.extractall(work, members=_safe_members(tar), filter="data")
        manifest = json.loads((work / "manifest.json").read_text())
        if manifest.get("format") != FORMAT:
            raise BackupError("unknown backup format")
        if manifest["backend"] != url.get_backend_name():
            raise BackupError(f"this backup is of a {manifest['backend']} database; the "
                              f"configured database is {url.get_backend_name()}")
        if url.get_backend_name() == "sqlite":
            src = sqlite3.connect(work / manifest["database"])
            dst = sqlite3.connect(url.database or "")
            try:
                src.backup(dst)
            finally:
                dst.close()
                src.close()
        else:
            args, env = _pg_env(url)
            _run(["pg_restore", *args, "--clean", "--if-exists", "--no-owner", "-d",
                  url.database or "", str(work / manifest["database"])], env)
        uploads = work / "uploads"
        files = 0
        if upload_dir.exists():
            shutil.rmtree(upload_dir)
        if uploads.is_dir():
            shutil.copytree(uploads, upload_dir)
            files = sum(1 for p in upload_dir.rglob("*") if p.is_file())
        return BackupInfo(archive, manifest["backend"], manifest["created_at"], files)
