"""Creating and editing questions: drafts become versions, edits of approved questions become new
versions, content hashes make repeated loads idempotent.

Services flush, never commit; the acting user is a parameter.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from dataclasses import replace
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.accounts.models import Role, User
from qbank.authoring.draft import (
    OptionDraft,
    Problem,
    QuestionDraft,
    QuestionType,
    RubricPoint,
    validate_draft,
)
from qbank.authoring.models import (
    Question,
    QuestionOrigin,
    QuestionStatus,
    QuestionTag,
    QuestionVersion,
    ReviewEvent,
    levels_to_mask,
)
from qbank.authoring.sections import SectionResolver, SectionRow
from qbank.db import utcnow
from qbank.errors import NotFoundError, PermissionDeniedError, ValidationError
from qbank.syllabus.models import Part, Section

VERSION_FIELDS = (
    "type",
    "stem",
    "options",
    "shuffle",
    "points",
    "reference_answer",
    "rubric",
    "explanation",
    "section_code",
    "secondary_sections",
    "levels",
    "difficulty",
    "source",
    "tags",
    "enemy_group",
)


def section_resolver(session: Session) -> SectionResolver:
    rows = session.execute(
        select(
            Section.code, Section.canonical_code, Section.title, Section.title_en, Part.title
        ).join(Part, Part.code == Section.part_code)
    ).all()
    return SectionResolver(SectionRow(*r) for r in rows)


def version_values(draft: QuestionDraft, section_code: str) -> dict[str, Any]:
    """The stored form of a draft whose section is already resolved to a canonical code."""
    return {
        "type": draft.type.value,
        "stem": draft.stem.strip(),
        "options": [
            {"key": o.key, "text": o.text.strip(), "correct": o.correct} for o in draft.options
        ],
        "shuffle": draft.shuffle,
        "points": float(draft.effective_points),
        "reference_answer": draft.reference_answer.strip(),
        "rubric": [{"text": p.text.strip(), "points": float(p.points)} for p in draft.rubric],
        "explanation": draft.explanation.strip(),
        "section_code": section_code,
        "secondary_sections": list(draft.secondary_sections),
        "levels": sorted(set(draft.levels), key=["junior", "intermediate", "senior"].index),
        "difficulty": draft.difficulty,
        "source": draft.source.strip(),
        "tags": sorted({t.strip() for t in draft.tags if t.strip()}),
        "enemy_group": draft.enemy_group.strip(),
    }


def search_text(values: dict[str, Any]) -> str:
    """All searchable text of a version, one field per line (stem first)."""
    parts = [values["stem"]]
    parts += [f"{o['key']}. {o['text']}" for o in values["options"]]
    parts += [values["reference_answer"]] + [p["text"] for p in values["rubric"]]
    parts += [values["explanation"], values["source"], " ".join(values["tags"])]
    return "\n".join(p for p in parts if p)


def content_hash(values: dict[str, Any]) -> str:
    canonical = json.dumps(
        {k: values[k] for k in VERSION_FIELDS}, ensure_ascii=False, sort_keys=True
    )
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def draft_from_version(version: QuestionVersion, uid: str = "") -> QuestionDraft:
    return QuestionDraft(
        type=QuestionType(version.type),
        stem=version.stem,
        options=tuple(
            OptionDraft(o["key"], o["text"], bool(o.get("correct"))) for o in version.options
        ),
        explanation=version.explanation,
        reference_answer=version.reference_answer,
        rubric=tuple(RubricPoint(p["text"], float(p["points"])) for p in version.rubric),
        points=version.points,
        section=version.section_code,
        secondary_sections=tuple(version.secondary_sections),
        levels=tuple(version.levels),
        difficulty=version.difficulty,
        source=version.source,
        tags=tuple(version.tags),
        enemy_group=version.enemy_group,
        shuffle=version.shuffle,
        external_id=uid,
    )


def resolve_draft(
    draft: QuestionDraft, resolver: SectionResolver
) -> tuple[QuestionDraft, list[Problem]]:
    """Map section names to canonical codes and validate. Returns the draft and its problems."""
    section = resolver.resolve(draft.section) if draft.section else None
    secondary: list[str] = []
    problems: list[Problem] = []
    for name in draft.secondary_sections:
        code = resolver.resolve(name)
        if code is None:
            problems.append(
                Problem(
                    draft.location,
                    "secondary_sections",
                    f"section '{name}' does not exist in the syllabus",
                )
            )
        elif code != section and code not in secondary:
            secondary.append(code)
    resolved = replace(draft, section=section or draft.section, secondary_sections=tuple(secondary))
    return resolved, validate_draft(resolved, resolver.canonical_codes) + problems


def new_uid() -> str:
    return "Q" + secrets.token_hex(5).upper()


def _apply_filters(question: Question, values: dict[str, Any]) -> None:
    question.type = values["type"]
    question.section_code = values["section_code"]
    question.levels_mask = levels_to_mask(values["levels"])
    question.difficulty = values["difficulty"]
    question.enemy_group = values["enemy_group"] or None
    question.search_text = search_text(values)
    wanted = set(values["tags"])
    question.tag_rows = [t for t in question.tag_rows if t.tag in wanted] + [
        QuestionTag(tag=t) for t in sorted(wanted - {t.tag for t in question.tag_rows})
    ]


def record(
    session: Session,
    question: Question,
    actor: User | None,
    action: str,
    comment: str = "",
    from_status: str = "",
    to_status: str = "",
) -> None:
    session.add(
        ReviewEvent(
            question=question,
            version=question.current_version,
            actor_id=actor.id if actor else None,
            action=action,
            comment=comment,
            from_status=from_status,
            to_status=to_status or question.status,
            at=utcnow(),
        )
    )


def create_question(
    session: Session,
    draft: QuestionDraft,
    actor: User | None,
    *,
    origin: QuestionOrigin = QuestionOrigin.EDITOR,
    uid: str | None = None,
    resolver: SectionResolver | None = None,
    flush: bool = True,
    check_uid: bool = True,
) -> Question:
    """A new question in draft status with its first version. Bulk callers pass `flush=False`
    and `check_uid=False` (having checked IDs in one query) and flush in batches."""
    resolver = resolver or section_resolver(session)
    resolved, problems = resolve_draft(draft, resolver)
    if problems:
        raise ValidationError("invalid_question", problems=[str(p) for p in problems])
    values = version_values(resolved, resolved.section)
    uid = uid or draft.external_id or new_uid()
    if check_uid and session.scalar(select(Question.id).where(Question.uid == uid)) is not None:
        raise ValidationError("question_id_taken", uid=uid)
    now = utcnow()
    question = Question(
        uid=uid,
        type=values["type"],
        status=QuestionStatus.DRAFT.value,
        origin=origin.value,
        author_id=actor.id if actor else None,
        section_code=values["section_code"],
        created_at=now,
        updated_at=now,
        review_comment="",
    )
    _apply_filters(question, values)
    version = QuestionVersion(
        number=1,
        created_by_id=actor.id if actor else None,
        content_hash=content_hash(values),
        created_at=now,
        **values,
    )
    question.versions.append(version)
    question.current_version = version
    session.add(question)
    record(session, question, actor, "create", to_status=question.status)
    if flush:
        session.flush()
    return question


def can_edit(question: Question, actor: User) -> bool:
    if question.status == QuestionStatus.RETIRED:
        return False
    if actor.has_role(Role.REVIEWER):  # reviewers (and admins) may correct anyone's question
        return True
    return actor.has_role(Role.AUTHOR) and question.author_id == actor.id


def update_question(
    session: Session,
    question: Question,
    draft: QuestionDraft,
    actor: User | None,
    *,
    resolver: SectionResolver | None = None,
    check_access: bool = True,
    comment: str = "",
    flush: bool = True,
) -> bool:
    """Apply an edit. Returns False when nothing changed.

    An approved (frozen) current version is never changed: the edit becomes version n+1 in
    draft status, and the approved version stays live until the new one is approved.
    A submitted question is locked: it must be returned or withdrawn first."""
    if check_access and (actor is None or not can_edit(question, actor)):
        raise PermissionDeniedError("cannot_edit_question")
    if question.status == QuestionStatus.SUBMITTED and check_access:
        raise ValidationError("question_under_review")
    resolver = resolver or section_resolver(session)
    resolved, problems = resolve_draft(draft, resolver)
    if problems:
        raise ValidationError("invalid_question", problems=[str(p) for p in problems])
    if resolved.type.value != question.type:
        raise ValidationError("question_type_fixed")
    values = version_values(resolved, resolved.section)
    digest = content_hash(values)
    current = question.current_version
    if current is not None and current.content_hash == digest:
        return False
    before = question.status
    if current is None or current.is_frozen:
        number = (max((v.number for v in question.versions), default=0)) + 1
        version = QuestionVersion(
            number=number,
            created_by_id=actor.id if actor else None,
            content_hash=digest,
            created_at=utcnow(),
            **values,
        )
        question.versions.append(version)
        question.current_version = version
        if before in (QuestionStatus.APPROVED, QuestionStatus.RETURNED):
            question.status = QuestionStatus.DRAFT.value
    else:
        for name, value in values.items():
            setattr(current, name, value)
        current.content_hash = digest
        current.created_by_id = actor.id if actor else current.created_by_id
        if before == QuestionStatus.RETURNED:
            question.status = QuestionStatus.DRAFT.value
    _apply_filters(question, values)
    question.updated_at = utcnow()
    record(session, question, actor, "edit", comment=comment, from_status=before)
    if flush:
        session.flush()
    return True


def get_question(session: Session, question_id: int) -> Question:
    question = session.get(Question, question_id)
    if question is None:
        raise NotFoundError("question_not_found", question_id=question_id)
    return question


def get_by_uid(session: Session, uid: str) -> Question:
    question = session.scalar(select(Question).where(Question.uid == uid))
    if question is None:
        raise NotFoundError("question_not_found", uid=uid)
    return question
