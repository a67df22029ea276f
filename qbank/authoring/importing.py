"""Importing question files: a preview that lists every problem by file, row or line, then an
all-or-nothing commit in one transaction. The upload waits between the two steps under the
instance folder, tied to the user who sent it; the commit parses it again (deterministic).

Rows that carry an ID (题号, idnumber, id) matching a question in the bank update it (a new
version, if the content changed); the others become new questions.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import secrets
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.authoring import questions as qs
from qbank.authoring.bulk import NewQuestion, bulk_create
from qbank.authoring.draft import Problem, QuestionDraft
from qbank.authoring.duplicates import DuplicateIndex, question_text
from qbank.authoring.formats.registry import FORMATS, parse_file
from qbank.authoring.models import Question, QuestionOrigin, QuestionStatus, QuestionVersion
from qbank.errors import NotFoundError, ValidationError

DUPLICATE_WARNING = 0.85
TOKEN_BYTES = 16

Progress = Callable[[int, int, str], None]


@dataclass
class ImportPreview:
    filename: str
    format: str
    encoding: str
    drafts: list[QuestionDraft]
    errors: list[Problem]
    warnings: list[Problem]
    creates: int = 0
    updates: int = 0
    unchanged: int = 0
    type_counts: dict[str, int] = field(default_factory=dict)
    duplicates: list[dict[str, Any]] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and bool(self.drafts)

    def summary(self) -> dict[str, Any]:
        """JSON-ready: what the preview page and `qbank import --dry-run` show."""
        return {
            "filename": self.filename,
            "format": self.format,
            "encoding": self.encoding,
            "questions": len(self.drafts),
            "creates": self.creates,
            "updates": self.updates,
            "unchanged": self.unchanged,
            "types": self.type_counts,
            "ok": self.ok,
            "errors": [_problem(p) for p in self.errors],
            "warnings": [_problem(p) for p in self.warnings],
            "duplicates": self.duplicates,
        }


def _problem(p: Problem) -> dict[str, str]:
    return {"location": p.location, "field": p.field, "message": p.message}


def _dedupe(problems: list[Problem]) -> list[Problem]:
    return list(dict.fromkeys(problems))


def preview_import(
    session: Session,
    data: bytes,
    filename: str,
    fmt: str | None = None,
    *,
    actor: User | None = None,
    max_bytes: int = 20 * 1024 * 1024,
    progress: Progress | None = None,
    default_section: str = "",
) -> ImportPreview:
    """Parse, resolve sections, validate and compare with the bank. Changes nothing.
    `default_section` is given to questions whose file names no section (Aiken, GIFT…)."""
    if fmt is not None and fmt not in FORMATS:
        raise ValidationError("unknown_format", format=fmt)
    if progress:
        progress(0, 3, "parse")
    parsed = parse_file(data, filename, fmt, max_bytes=max_bytes)
    errors, warnings = list(parsed.errors), list(parsed.warnings)
    resolver = qs.section_resolver(session)
    drafts: list[QuestionDraft] = []
    total = len(parsed.drafts)
    for i, draft in enumerate(parsed.drafts):
        if default_section and not draft.section:
            draft = replace(draft, section=default_section)
        resolved, problems = qs.resolve_draft(draft, resolver)
        errors += problems
        drafts.append(resolved)
        if progress and (i % 500 == 0):
            progress(1, 3, f"check {i}/{total}")
    errors = _dedupe(errors)
    preview = ImportPreview(
        filename,
        parsed.format,
        parsed.encoding,
        drafts,
        errors,
        warnings,
        type_counts=dict(Counter(d.type.value for d in drafts)),
    )
    ids = Counter(d.external_id for d in drafts if d.external_id)
    for d in drafts:
        if d.external_id and ids[d.external_id] > 1:
            preview.errors.append(
                Problem(d.location, "id", f"ID {d.external_id} appears more than once")
            )
    preview.errors = _dedupe(preview.errors)
    existing = _existing(session, [d.external_id for d in drafts if d.external_id])
    for d in drafts:
        q = existing.get(d.external_id) if d.external_id else None
        if q is None:
            preview.creates += 1
            continue
        if actor is not None and not qs.can_edit(q, actor):
            preview.errors.append(
                Problem(d.location, "id", f"question {q.uid} exists and you may not edit it")
            )
        elif q.status == QuestionStatus.SUBMITTED:
            preview.errors.append(Problem(d.location, "id", f"question {q.uid} is under review"))
        elif q.current_version is not None and _same(q.current_version, d):
            preview.unchanged += 1
        else:
            preview.updates += 1
    if progress:
        progress(2, 3, "duplicates")
    preview.duplicates = _near_duplicates(session, drafts, existing)
    if progress:
        progress(3, 3, "done")
    return preview


def _existing(session: Session, uids: list[str]) -> dict[str, Question]:
    out: dict[str, Question] = {}
    for start in range(0, len(uids), 900):  # stay under SQLite's parameter limit
        chunk = uids[start : start + 900]
        out.update(
            {q.uid: q for q in session.scalars(select(Question).where(Question.uid.in_(chunk)))}
        )
    return out


def _same(version: QuestionVersion, draft: QuestionDraft) -> bool:
    values = qs.version_values(draft, draft.section)
    return version.content_hash == qs.content_hash(values)


def _near_duplicates(
    session: Session, drafts: list[QuestionDraft], existing: dict[str, Question], limit: int = 200
) -> list[dict[str, Any]]:
    """Rows that look like a question already in the bank (not the one they update)."""
    rows = session.execute(
        select(Question.id, Question.uid, QuestionVersion.stem, QuestionVersion.options)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.status != QuestionStatus.RETIRED.value)
    ).all()
    if not rows or not drafts:
        return []
    index = DuplicateIndex().fit([question_text(r[2], [o["text"] for o in r[3]]) for r in rows])
    assert index.matrix_ is not None and index.vectorizer_ is not None
    queries = index.vectorizer_.transform(
        [question_text(d.stem, [o.text for o in d.options]) for d in drafts]
    )
    sims = (queries @ index.matrix_.T).tocsr()
    found: list[dict[str, Any]] = []
    for i, d in enumerate(drafts):
        row = sims.getrow(i)
        if row.nnz == 0:
            continue
        j = int(row.indices[row.data.argmax()])
        best = float(row.data.max())
        uid = rows[j][1]
        if best >= DUPLICATE_WARNING and uid != d.external_id:
            found.append(
                {
                    "location": d.location,
                    "similar_to": uid,
                    "question_id": rows[j][0],
                    "similarity": round(best, 3),
                }
            )
            if len(found) >= limit:
                break
    return found


def commit_import(
    session: Session, preview: ImportPreview, actor: User | None, *, submit: bool = False
) -> dict[str, int]:
    """Create and update everything in the preview, or nothing (the caller's transaction)."""
    if not preview.ok:
        raise ValidationError("import_has_errors", errors=len(preview.errors))
    existing = _existing(session, [d.external_id for d in preview.drafts if d.external_id])
    status = QuestionStatus.SUBMITTED if submit else QuestionStatus.DRAFT
    new = [
        NewQuestion(
            replace(d, location=""),
            d.external_id or qs.new_uid(),
            QuestionOrigin.IMPORT,
            status,
            actor.id if actor else None,
            comment=f"import {preview.filename}"[:200],
        )
        for d in preview.drafts
        if not (d.external_id and d.external_id in existing)
    ]
    bulk_create(session, new, actor.id if actor else None, action="import")
    updated = 0
    for d in preview.drafts:
        q = existing.get(d.external_id) if d.external_id else None
        if q is not None and qs.update_question(
            session,
            q,
            d,
            actor,
            check_access=actor is not None,
            comment=f"import {preview.filename}"[:200],
            flush=False,
        ):
            updated += 1
    session.flush()
    return {"created": len(new), "updated": updated}


# --- the upload between preview and commit --------------------------------------------------


def stash_upload(
    folder: Path, data: bytes, filename: str, fmt: str | None, user_id: int | None
) -> str:
    folder.mkdir(parents=True, exist_ok=True)
    token = secrets.token_urlsafe(TOKEN_BYTES)
    tmp = folder / f".{token}.part"
    tmp.write_bytes(data)
    os.replace(tmp, folder / f"{token}.bin")
    meta = {
        "filename": filename[:200],
        "format": fmt,
        "user_id": user_id,
        "sha256": hashlib.sha256(data).hexdigest(),
    }
    (folder / f"{token}.json").write_text(json.dumps(meta), encoding="utf-8")
    return token


def load_upload(folder: Path, token: str, user_id: int | None) -> tuple[bytes, dict[str, Any]]:
    if not token.replace("-", "").replace("_", "").isalnum() or len(token) > 64:
        raise NotFoundError("import_not_found")
    meta_path, data_path = folder / f"{token}.json", folder / f"{token}.bin"
    if not meta_path.is_file() or not data_path.is_file():
        raise NotFoundError("import_not_found")
    meta = json.loads(meta_path.read_text(encoding="utf-8"))
    if meta.get("user_id") != user_id:
        raise NotFoundError("import_not_found")
    data = data_path.read_bytes()
    if hashlib.sha256(data).hexdigest() != meta["sha256"]:
        raise NotFoundError("import_not_found")
    return data, meta


def discard_upload(folder: Path, token: str) -> None:
    for suffix in (".bin", ".json"):
        with contextlib.suppress(FileNotFoundError):
            (folder / f"{token}{suffix}").unlink()


def export_questions(
    session: Session, questions: list[Question], fmt: str, basename: str = "questions"
) -> Any:
    from qbank.authoring.formats.registry import export_file

    if fmt not in FORMATS or FORMATS[fmt].dump is None:
        raise ValidationError("unknown_format", format=fmt)
    drafts = [
        qs.draft_from_version(q.current_version, q.uid)
        for q in questions
        if q.current_version is not None
    ]
    return export_file(fmt, drafts, basename)
