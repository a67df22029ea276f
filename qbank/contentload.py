"""Loading `content/` into the database in dependency order: syllabus and rules, then the
question bank, then the default blueprints. Idempotent; the caller commits."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from sqlalchemy.orm import Session

from qbank.syllabus.content import parse_syllabus
from qbank.syllabus.loader import LoadReport, load_syllabus

Progress = Callable[[str, int, int], None]


def load_content(
    session: Session, content_dir: Path, progress: Progress | None = None
) -> LoadReport:
    """Raises ContentError or BankContentError, listing every problem, before anything is kept
    (the caller rolls back)."""
    from qbank.authoring.bankload import load_bank

    report = load_syllabus(session, parse_syllabus(content_dir))
    session.flush()
    questions_dir = content_dir / "questions"
    if questions_dir.is_dir():
        bank = load_bank(
            session, questions_dir, (lambda i, n: progress("questions", i, n)) if progress else None
        )
        counts = {"created": bank.created, "updated": bank.updated, "unchanged": bank.unchanged}
        report.merge(LoadReport(**{k: {"question": n} for k, n in counts.items() if n}))
    from qbank.papers.blueprints import load_default_blueprints

    report.merge(load_default_blueprints(session, content_dir / "blueprints"))
    return report
