"""The `qbank` command line: database, content, users, the demo, and batch tools."""

from __future__ import annotations

import json
import os
import secrets
import sys
from pathlib import Path

import click
from flask import Flask, current_app
from flask.cli import FlaskGroup, with_appcontext

from qbank.accounts.models import Role


def _create_app() -> Flask:
    from qbank import create_app

    return create_app()


@click.group(cls=FlaskGroup, create_app=_create_app, add_version_option=False)
def main() -> None:
    """qbank — question bank and sprint practice for the carbon-reduction certification."""


def _upgrade() -> None:
    from flask_migrate import upgrade

    upgrade()


@click.command("init-db")
@with_appcontext
def init_db() -> None:
    """Create or upgrade the database schema to the latest migration."""
    _upgrade()
    click.echo("Database is up to date.")


def _describe(report: object) -> str:
    created = getattr(report, "created", {})
    updated = getattr(report, "updated", {})
    unchanged = getattr(report, "unchanged", {})

    def fmt(d: dict[str, int]) -> str:
        return ", ".join(f"{n} {k}" for k, n in sorted(d.items())) or "nothing"

    return f"created: {fmt(created)}; updated: {fmt(updated)}; unchanged: {fmt(unchanged)}"


def _load(content_dir: Path) -> object:
    from tqdm import tqdm

    from qbank.contentload import load_content
    from qbank.db import db

    bars: dict[str, tqdm] = {}

    def progress(stage: str, done: int, total: int) -> None:
        bar = bars.get(stage)
        if bar is None:
            bar = bars[stage] = tqdm(total=total, desc=stage, unit="item", leave=False)
        bar.n = done
        bar.refresh()

    try:
        report = load_content(db.session, content_dir, progress)
        db.session.commit()
    except Exception:
        db.session.rollback()
        raise
    finally:
        for bar in bars.values():
            bar.close()
    return report


@click.command("load-content")
@click.option(
    "--content",
    "content_dir",
    type=click.Path(exists=True, file_okay=False, path_type=Path),
    help="The content folder (default: the configured one).",
)
@with_appcontext
def load_content_command(content_dir: Path | None) -> None:
    """Load the syllabus, rules, starter bank and blueprints (idempotent upsert)."""
    from qbank.authoring.bankload import BankContentError
    from qbank.syllabus.content import ContentError

    directory = content_dir or Path(current_app.config["CONTENT_DIR"])
    try:
        report = _load(directory)
    except (ContentError, BankContentError) as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        raise click.ClickException(
            f"{len(exc.problems)} problem(s) in {directory}; nothing was loaded"
        ) from None
    if getattr(report, "changed", True):
        click.echo("Content loaded — " + _describe(report))
    else:
        click.echo("Content is already up to date; nothing changed — " + _describe(report))


@click.command("check-content")
@click.option(
    "--content", "content_dir", type=click.Path(exists=True, file_okay=False, path_type=Path)
)
@with_appcontext
def check_content(content_dir: Path | None) -> None:
    """Validate content/ without touching the database."""
    from qbank.authoring.bankcheck import main as bankcheck

    directory = content_dir or Path(current_app.config["CONTENT_DIR"])
    sys.exit(bankcheck([str(directory)]))


@click.command("create-user")
@click.argument("username")
@click.option(
    "--role",
    "roles",
    multiple=True,
    required=True,
    type=click.Choice([r.value for r in Role]),
    help="Repeat for several roles.",
)
@click.option("--name", "display_name", default="")
@click.option("--password", default=None, help="Omit to be prompted (recommended).")
@click.option("--specialty", default=None)
@click.option("--level", default=None)
@with_appcontext
def create_user(
    username: str,
    roles: tuple[str, ...],
    display_name: str,
    password: str | None,
    specialty: str | None,
    level: str | None,
) -> None:
    """Create a user with the given roles."""
    from qbank.accounts.services import create_user as create
    from qbank.db import db
    from qbank.errors import QbankError
    from qbank.messages import describe

    if password is None:
        password = click.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = create(
            db.session,
            username,
            password,
            display_name=display_name,
            roles=[Role(r) for r in roles],
            specialty=specialty,
            level=level,
        )
    except QbankError as exc:
        db.session.rollback()
        raise click.ClickException(describe(exc)) from None
    db.session.commit()
    click.echo(f"Created {user.username} ({', '.join(sorted(roles))}).")


DEMO_USERS = [
    ("admin", "Admin 管理员", [Role.ADMIN], None, None),
    ("author", "张工（出题专家）", [Role.AUTHOR], None, None),
    ("reviewer", "李工（审题专家）", [Role.REVIEWER], None, None),
    ("examiner", "王老师（组卷）", [Role.EXAMINER], None, None),
    ("learner", "赵同学（学员）", [Role.LEARNER], "trading", "intermediate"),
]


def ensure_demo_users(instance: Path) -> list[tuple[str, str, str]]:
    """Create the demo accounts once, with random passwords kept in the instance folder."""
    from qbank.accounts.services import create_user as create
    from qbank.accounts.services import find_user
    from qbank.db import db

    path = instance / "demo-accounts.json"
    saved: dict[str, str] = json.loads(path.read_text()) if path.exists() else {}
    rows = []
    for username, name, roles, specialty, level in DEMO_USERS:
        if find_user(db.session, username) is None:
            password = saved.get(username) or secrets.token_urlsafe(9)
            create(
                db.session,
                username,
                password,
                display_name=name,
                roles=roles,
                specialty=specialty,
                level=level,
            )
            saved[username] = password
        rows.append(
            (username, ", ".join(r.value for r in roles), saved.get(username, "(set earlier)"))
        )
    db.session.commit()
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as f:
        json.dump(saved, f, indent=1)
    return rows


@click.command("demo")
@click.option("--host", default="127.0.0.1")
@click.option("--port", default=5000, type=int)
@click.option("--no-serve", is_flag=True, help="Set up only; do not start the server.")
@with_appcontext
def demo(host: str, port: int, no_serve: bool) -> None:
    """Set up a demo database (schema, syllabus, starter bank, one account per role) and serve."""
    app = current_app._get_current_object()  # type: ignore[attr-defined]
    click.echo(f"Instance folder: {app.instance_path}")
    _upgrade()
    report = _load(Path(app.config["CONTENT_DIR"]))
    click.echo("Content: " + _describe(report))
    rows = ensure_demo_users(Path(app.instance_path))
    click.echo("\nDemo accounts (user name / roles / password):")
    for username, roles, password in rows:
        click.echo(f"  {username:<10} {roles:<10} {password}")
    if no_serve:
        return
    click.echo(f"\nqbank is running at http://{host}:{port}/  (Ctrl+C to stop)\n")
    from werkzeug.serving import run_simple

    run_simple(host, port, app, threaded=True, use_reloader=False)


@click.command("backup")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path), required=False)
@with_appcontext
def backup_command(out: Path | None) -> None:
    """Back up the database and uploaded files to a .tar.gz (default: instance/backups/)."""
    import datetime as dt

    from qbank.backup import BackupError, create_backup

    app = current_app
    if out is None:
        stamp = dt.datetime.now().strftime("%Y%m%d-%H%M%S")
        out = Path(app.instance_path) / "backups" / f"qbank-{stamp}.tar.gz"
    try:
        info = create_backup(app.config["SQLALCHEMY_DATABASE_URI"],
                             Path(app.config["UPLOAD_DIR"]), out)
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Backup written: {info.path} ({info.backend}, {info.files} uploaded files)")


@click.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--yes", is_flag=True, help="Do not ask for confirmation.")
@with_appcontext
def restore_command(archive: Path, yes: bool) -> None:
    """Replace the database and uploaded files with a backup (stop the app first)."""
    from qbank.backup import BackupError, restore_backup
    from qbank.db import db

    if not yes:
        click.confirm("This replaces the current database and uploads. Continue?", abort=True)
    db.engine.dispose()
    try:
        info = restore_backup(archive, current_app.config["SQLALCHEMY_DATABASE_URI"],
                              Path(current_app.config["UPLOAD_DIR"]))
    except BackupError as exc:
        raise click.ClickException(str(exc)) from None
    click.echo(f"Restored the backup of {info.created_at} ({info.files} uploaded files). "
               "Rebuild the search index with `qbank reindex`.")


@click.command("assemble")
@click.option(
    "--blueprint",
    "blueprint_path",
    required=True,
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A blueprint YAML file (docs/blueprints.md).",
)
@click.option(
    "--pool",
    "pool_path",
    type=click.Path(exists=True, dir_okay=False, path_type=Path),
    help="A pool CSV; default: the database's approved questions.",
)
@click.option(
    "--forms", type=click.IntRange(1, 50), help="Parallel forms (default: the blueprint's)."
)
@click.option("--seed", default=0, type=click.IntRange(0, 2**31 - 1))
@click.option("--time-limit", default=10.0, type=click.FloatRange(0.1, 3600), help="Seconds.")
@click.option("--out", required=True, type=click.Path(dir_okay=False, allow_dash=True))
@click.option("--lang", default="both", type=click.Choice(["zh", "en", "both"]))
@with_appcontext
def assemble_command(
    blueprint_path: Path,
    pool_path: Path | None,
    forms: int | None,
    seed: int,
    time_limit: float,
    out: str,
    lang: str,
) -> None:
    """Assemble papers to a blueprint and write forms.json (exit 1 when infeasible)."""
    from qbank.db import db
    from qbank.papers.blueprint import BlueprintError
    from qbank.papers.commands import assemble_report
    from qbank.papers.filemode import PoolFileError

    try:
        report = assemble_report(
            db.session,
            blueprint_path,
            pool_path,
            forms=forms,
            seed=seed,
            time_limit=time_limit,
            lang=lang,
        )
    except (BlueprintError, PoolFileError) as exc:
        for p in exc.problems:
            click.echo(str(p), err=True)
        raise click.ClickException(f"{len(exc.problems)} problem(s); nothing assembled") from None
    text = json.dumps(report, ensure_ascii=False, indent=1)
    if out == "-":
        click.echo(text)
    else:
        Path(out).write_text(text + "\n", encoding="utf-8")
    click.echo(
        f"{report['status']}: {len(report['forms'])} form(s) in {report['seconds']} s", err=True
    )
    for line in report["diagnosis"]:
        click.echo(f"  - {line}", err=True)
    if not report["forms"]:
        sys.exit(1)


@click.command("coverage")
@click.option("--specialty", default=None, help="One specialty (default: all).")
@click.option("--level", default=None, type=click.Choice(["junior", "intermediate", "senior"]))
@click.option("--forms", default=2, type=click.IntRange(1, 10), help="Disjoint forms to fill.")
@click.option("--lang", default="zh", type=click.Choice(["zh", "en"]))
@with_appcontext
def coverage_command(specialty: str | None, level: str | None, forms: int, lang: str) -> None:
    """Approved questions per part and type against the default blueprints (exit 1 when
    something blocks assembling the papers)."""
    from qbank.db import db
    from qbank.papers.commands import print_coverage

    blocked = print_coverage(
        db.session, click.echo, specialty=specialty, level=level, forms=forms, lang=lang
    )
    sys.exit(1 if blocked else 0)


def register(app: Flask) -> None:
    from qbank.authoring.commands import COMMANDS as AUTHORING_COMMANDS

    for command in AUTHORING_COMMANDS:
        app.cli.add_command(command)
    for command in (
        init_db,
        load_content_command,
        check_content,
        create_user,
        demo,
        backup_command,
        restore_command,
        assemble_command,
        coverage_command,
    ):
        app.cli.add_command(command)
