"""`qbank import` and `qbank export`: the bank's file formats from the command line."""

from __future__ import annotations

import sys
from pathlib import Path

import click
from flask.cli import with_appcontext

from qbank.authoring.formats.registry import FORMATS

FORMAT_NAMES = sorted(FORMATS)


def _actor(username: str | None):  # type: ignore[no-untyped-def]
    from qbank.accounts.services import find_user
    from qbank.db import db

    if username is None:
        return None
    user = find_user(db.session, username)
    if user is None:
        raise click.ClickException(f"no user {username}")
    return user


@click.command("import")
@click.argument("file", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), help="Default: detected.")
@click.option("--dry-run", is_flag=True, help="Check and list problems; import nothing.")
@click.option("--as-user", "username", help="Author of the imported questions.")
@click.option("--submit", is_flag=True, help="Submit the questions for review.")
@click.option(
    "--section",
    "default_section",
    default="",
    help="Section (code or title) for questions whose file names none.",
)
@with_appcontext
def import_command(
    file: Path,
    fmt: str | None,
    dry_run: bool,
    username: str | None,
    submit: bool,
    default_section: str,
) -> None:
    """Import a question file: every problem listed by line or row; all or nothing."""
    from tqdm import tqdm

    from qbank.authoring.importing import commit_import, preview_import
    from qbank.db import db
    from qbank.errors import QbankError

    actor = _actor(username)
    bar = tqdm(total=3, desc="check", leave=False)

    def progress(done: int, total: int, message: str) -> None:
        bar.n = done
        bar.set_postfix_str(message)
        bar.refresh()

    preview = preview_import(
        db.session,
        file.read_bytes(),
        file.name,
        fmt,
        actor=actor,
        max_bytes=200 * 1024 * 1024,
        progress=progress,
        default_section=default_section,
    )
    bar.close()
    for p in preview.errors:
        click.echo(f"error   {p.location} [{p.field}] {p.message}", err=True)
    for p in preview.warnings:
        click.echo(f"warning {p.location} [{p.field}] {p.message}", err=True)
    for d in preview.duplicates:
        click.echo(f"similar {d['location']} ≈ {d['similar_to']} ({d['similarity']:.0%})", err=True)
    click.echo(
        f"{file.name}: {len(preview.drafts)} question(s) in {preview.format}; "
        f"{preview.creates} new, {preview.updates} to update, {preview.unchanged} "
        f"unchanged; {len(preview.errors)} error(s), {len(preview.warnings)} warning(s)"
    )
    if preview.errors or not preview.drafts:
        db.session.rollback()
        click.echo("Nothing imported.", err=True)
        sys.exit(1)
    if dry_run:
        db.session.rollback()
        click.echo("Dry run: nothing imported.")
        return
    try:
        counts = commit_import(db.session, preview, actor, submit=submit)
    except QbankError as exc:
        db.session.rollback()
        raise click.ClickException(exc.message) from None
    db.session.commit()
    click.echo(f"Imported: {counts['created']} new, {counts['updated']} updated.")


@click.command("export")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@click.option("--format", "fmt", type=click.Choice(FORMAT_NAMES), required=True)
@click.option("--section", default="", help="A specialty, part or section code.")
@click.option(
    "--status",
    "statuses",
    multiple=True,
    type=click.Choice(["draft", "submitted", "approved", "returned", "retired"]),
)
@click.option("--type", "types", multiple=True, type=click.Choice(["single", "multiple", "short"]))
@click.option("--level", default="", type=click.Choice(["", "junior", "intermediate", "senior"]))
@click.option("--tag", default="")
@click.option("--text", default="", help="Only questions containing every word of this text.")
@with_appcontext
def export_command(
    out: Path,
    fmt: str,
    section: str,
    statuses: tuple[str, ...],
    types: tuple[str, ...],
    level: str,
    tag: str,
    text: str,
) -> None:
    """Export a filtered selection of the bank."""
    from qbank.authoring.importing import export_questions
    from qbank.authoring.listing import QuestionFilter, filter_statement
    from qbank.authoring.questions import section_resolver
    from qbank.db import db

    f = QuestionFilter(
        text=text, section=section, statuses=statuses, types=types, level=level, tag=tag
    )
    questions = list(db.session.scalars(filter_statement(f, section_resolver(db.session))))
    result = export_questions(db.session, questions, fmt, out.stem)
    out.write_bytes(result.data)
    for w in result.warnings:
        click.echo(f"warning {w.location} {w.message}", err=True)
    click.echo(f"Exported {len(questions)} question(s) to {out} ({fmt}).")


COMMANDS = (import_command, export_command)
