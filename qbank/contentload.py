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
    report = load_syllabus(session, parse_syllabus(content_dir))
    return report
