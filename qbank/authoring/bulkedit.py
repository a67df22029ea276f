"""Bulk actions on a selection of questions: workflow transitions, re-tagging, moving to another
section. Each question is checked on its own; the ones not allowed are reported, not failed."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from sqlalchemy.orm import Session

from qbank.accounts.models import User
from qbank.authoring import questions as qs
from qbank.authoring import workflow
from qbank.authoring.models import Question
from qbank.authoring.workflow import BulkResult
from qbank.errors import PermissionDeniedError, ValidationError

EDIT_ACTIONS = ("add_tags", "remove_tags", "move_section")


def apply(
    session: Session,
    questions: Sequence[Question],
    action: str,
    actor: User,
    *,
    comment: str = "",
    tags: str = "",
    section: str = "",
) -> BulkResult:
    if action in {a.value for a in workflow.Action}:
        return workflow.bulk_transition(session, questions, workflow.Action(action), actor, comment)
    if action not in EDIT_ACTIONS:
        raise ValidationError("unknown_bulk_action", action=action)
    tag_list = tuple(t.strip() for t in tags.replace("，", ",").split(",") if t.strip())
    if action in ("add_tags", "remove_tags") and not tag_list:
        raise ValidationError("tags_required", field="tags")
    resolver = qs.section_resolver(session)
    target = resolver.resolve(section) if action == "move_section" else None
    if action == "move_section" and target is None:
        raise ValidationError("unknown_section", field="section", value=section)
    done, skipped = [], []
    for q in questions:
        if not qs.can_edit(q, actor):
            skipped.append((q.id, "cannot_edit_question"))
            continue
        if q.status == "submitted":
            skipped.append((q.id, "question_under_review"))
            continue
        assert q.current_version is not None
        draft = qs.draft_from_version(q.current_version, q.uid)
        if action == "add_tags":
            draft = replace(draft, tags=tuple(dict.fromkeys(draft.tags + tag_list)))
        elif action == "remove_tags":
            draft = replace(draft, tags=tuple(t for t in draft.tags if t not in tag_list))
        else:
            assert target is not None
            draft = replace(
                draft,
                section=target,
                secondary_sections=tuple(s for s in draft.secondary_sections if s != target),
            )
        try:
            changed = qs.update_question(
                session, q, draft, actor, resolver=resolver, comment=comment or action, flush=False
            )
        except (ValidationError, PermissionDeniedError) as exc:
            skipped.append((q.id, exc.message))
            continue
        if changed:
            done.append(q.id)
        else:
            skipped.append((q.id, "nothing_changed"))
    session.flush()
    return BulkResult(tuple(done), tuple(skipped))
