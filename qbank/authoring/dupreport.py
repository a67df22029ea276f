"""The bank-wide near-duplicates report for reviewers: every pair of live questions whose
stem and options are at least 85 % similar, computed as a background job."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.authoring.duplicates import find_near_duplicate_pairs, question_text
from qbank.authoring.models import Question, QuestionStatus, QuestionVersion

THRESHOLD = 0.85
KIND = "duplicates-report"


def scan_bank(
    session: Session, progress: Any = None, threshold: float = THRESHOLD, limit: int = 5000
) -> dict[str, Any]:
    rows = session.execute(
        select(Question.id, Question.uid, QuestionVersion.stem, QuestionVersion.options)
        .join(QuestionVersion, QuestionVersion.id == Question.current_version_id)
        .where(Question.status != QuestionStatus.RETIRED.value)
        .order_by(Question.id)
    ).all()
    if progress:
        progress(1, 3, "vectorising")
    texts = [question_text(r[2], [o["text"] for o in r[3]]) for r in rows]
    # n-grams found in more than a fifth of the bank say nothing about duplication
    pairs = find_near_duplicate_pairs(texts, threshold, max_df=0.2 if len(texts) > 50 else 1.0)
    if progress:
        progress(3, 3, "done")
    return {
        "questions": len(rows),
        "threshold": threshold,
        "count": len(pairs),
        "pairs": [
            {
                "a": rows[i][0],
                "a_uid": rows[i][1],
                "b": rows[j][0],
                "b_uid": rows[j][1],
                "similarity": round(sim, 3),
            }
            for i, j, sim in pairs[:limit]
        ],
    }
