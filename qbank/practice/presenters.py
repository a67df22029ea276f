"""What an attempt shows: the exam view (never keys, rubrics or explanations while it runs) and
the review view after hand-in. Plain dicts for the page and the API."""

from __future__ import annotations

import datetime as dt
from typing import Any

from qbank.practice.models import Attempt, AttemptItem, AttemptStatus
from qbank.practice.sessions import remaining_seconds


def exam_item(item: AttemptItem) -> dict[str, Any]:
    v = item.version
    options = {o["key"]: o["text"] for o in v.options}
    return {
        "position": item.position,
        "type": v.type,
        "points": item.points,
        "stem": v.stem,
        "options": [{"key": k, "text": options[k]} for k in item.option_order],
        "answer": item.answer,
        "seq": item.answer_seq,
        "flagged": item.flagged,
        "section": item.section_code,
    }


def review_item(item: AttemptItem, reveal: bool = True) -> dict[str, Any]:
    out = exam_item(item)
    v = item.version
    if reveal:
        out.update({
            "keys": [o["key"] for o in v.options if o.get("correct")],
            "explanation": v.explanation,
            "source": v.source,
            "reference_answer": v.reference_answer,
            "rubric": v.rubric,
            "rubric_matches": item.rubric_matches,
        })
    out.update({"auto_score": item.auto_score, "self_score": item.self_score,
                "graded_score": item.graded_score, "score": item.final_score,
                "seconds_spent": round(item.seconds_spent, 1),
                "question_id": item.question_id})
    return out


def attempt_view(attempt: Attempt, now: dt.datetime) -> dict[str, Any]:
    running = attempt.status == AttemptStatus.IN_PROGRESS
    base = {
        "id": attempt.id, "kind": attempt.kind, "status": attempt.status,
        "title": attempt.title, "specialty": attempt.specialty_code,
        "level": attempt.level_code, "started_at": attempt.started_at,
        "deadline_at": attempt.deadline_at, "server_time": now,
        "remaining_seconds": remaining_seconds(attempt, now) if running else None,
        "max_score": attempt.max_score, "pass_points": attempt.pass_points,
    }
    if running:
        base["items"] = [exam_item(i) for i in attempt.items]
        return base
    base.update({
        "submitted_at": attempt.submitted_at, "score": attempt.score,
        "passed": attempt.passed, "needs_grading": attempt.needs_grading,
        "submitted_by_deadline": attempt.submitted_by_deadline,
        "items": [review_item(i) for i in attempt.items],
    })
    return base
