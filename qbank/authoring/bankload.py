"""Loading the starter bank of `content/questions/` as approved questions.

Idempotent upsert keyed on the stable question ID: an unchanged question is left alone; an edited
one gets a new approved version (the previous version stays for papers and attempts that used it).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, selectinload

from qbank.authoring.bankcheck import read_bank
from qbank.authoring.bulk import NewQuestion, bulk_create
from qbank.authoring.draft import Problem
from qbank.authoring.models import Question, QuestionOrigin, QuestionStatus
from qbank.authoring.questions import (
    content_hash,
    record,
    resolve_draft,
    section_resolver,
    update_question,
    version_values,
)
from qbank.db import utcnow


@dataclass
class BankLoadReport:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


class BankContentError(Exception):
    def __init__(self, problems: list[Problem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _approve_current(question: Question) -> None:
    version = question.current_version
    assert version is not None
    version.approved_at = version.approved_at or utcnow()
    question.live_version = version
    question.status = QuestionStatus.APPROVED.value


def load_bank(
    session: Session, questions_dir: Path, progress: Callable[[int, int], None] | None = None
) -> BankLoadReport:
    """Upsert every question file. Raises BankContentError (nothing loaded) on any problem."""
    files, problems = read_bank(questions_dir)
    resolver = section_resolver(session)
    drafts = [d for f in files for d in f.drafts]
    for d in drafts:
        problems += resolve_draft(d, resolver)[1]
        if not d.external_id:
            problems.append(Problem(d.location, "id", "a stable id is required"))
    if problems:
        raise BankContentError(problems)
    existing = {
        q.uid: q
        for q in session.scalars(
            select(Question)
            .where(Question.uid.in_([d.external_id for d in drafts]))
            .options(selectinload(Question.live_version), selectinload(Question.current_version))
        )
    }
    report = BankLoadReport()
    new = [
        NewQuestion(
            resolve_draft(d, resolver)[0],
            d.external_id,
            QuestionOrigin.CONTENT,
            QuestionStatus.APPROVED,
            comment="starter bank",
        )
        for d in drafts
        if d.external_id not in existing
    ]
    bulk_create(session, new, action="load")
    report.created = len(new)
    for i, draft in enumerate(drafts):
        question = existing.get(draft.external_id)
        if question is None:
            continue
        if question.status == QuestionStatus.RETIRED:
            report.unchanged += 1  # retired by a reviewer: a reload does not bring it back
        else:
            resolved, _ = resolve_draft(draft, resolver)
            digest = content_hash(version_values(resolved, resolved.section))
            live = question.live_version
            if (
                live is not None
                and live.content_hash == digest
                and question.status == QuestionStatus.APPROVED
            ):
                report.unchanged += 1
            else:
                before = question.status
                update_question(
                    session,
                    question,
                    draft,
                    None,
                    resolver=resolver,
                    check_access=False,
                    comment="starter bank",
                    flush=False,
                )
                _approve_current(question)
                record(session, question, None, "load", comment="starter bank", from_status=before)
                report.updated += 1
        if (i + 1) % 250 == 0:
            session.flush()
        if progress:
            progress(i + 1, len(drafts))
    session.flush()
    return report
