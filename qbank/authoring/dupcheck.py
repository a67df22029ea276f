"""Near-duplicates of a text against the whole bank, fast enough to run while an expert types.

The TF-IDF index is fitted once per process (lazily) on every question's text; questions changed
since the fit are compared directly, so results stay exact without refitting on every save.
"""

from __future__ import annotations

import datetime as dt
import threading
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.authoring.duplicates import DEFAULT_THRESHOLD, DuplicateIndex, question_text
from qbank.authoring.models import Question, QuestionStatus, QuestionVersion
from qbank.db import utcnow


@dataclass(frozen=True)
class DuplicateMatch:
    question_id: int
    uid: str
    similarity: float


class _Fitted:
    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.index: DuplicateIndex | None = None
        self.ids: list[int] = []
        self.fitted_at: dt.datetime | None = None
        self.key: str = ""


_CACHE: dict[str, _Fitted] = {}


def _texts():  # type: ignore[no-untyped-def]
    return select(Question.id, QuestionVersion.stem, QuestionVersion.options, Question.status).join(
        QuestionVersion, QuestionVersion.id == Question.current_version_id
    )


def _text(row: tuple) -> str:  # type: ignore[type-arg]
    return question_text(row[1], [o["text"] for o in row[2]])


def version_text(version: QuestionVersion) -> str:
    """The text compared for duplicates: stem and options, as in the starter-bank check."""
    return question_text(version.stem, [o["text"] for o in version.options])


def _cache_for(key: str) -> _Fitted:
    return _CACHE.setdefault(key, _Fitted())


def find_duplicates(
    session: Session,
    text: str,
    *,
    cache_key: str,
    exclude_id: int | None = None,
    threshold: float = DEFAULT_THRESHOLD,
    top: int = 5,
) -> list[DuplicateMatch]:
    """The most similar questions (not retired) at or above `threshold`."""
    if len(text.strip()) < 8:
        return []
    fitted = _cache_for(cache_key)
    with fitted.lock:
        if fitted.index is None:
            rows = session.execute(
                _texts()
                .where(Question.status != QuestionStatus.RETIRED.value)
                .order_by(Question.id)
            ).all()
            fitted.ids = [r[0] for r in rows]
            fitted.index = DuplicateIndex().fit([_text(r) for r in rows])
            fitted.fitted_at = utcnow()
        index, ids, since = fitted.index, fitted.ids, fitted.fitted_at
    scores: dict[int, float] = {}
    for m in index.query(text, threshold=threshold, top=top + 1):
        scores[ids[m.index]] = m.similarity
    changed = session.execute(_texts().where(Question.updated_at >= since)).all()
    if changed:
        sims = index.similarities(text, [_text(r) for r in changed])
        for row, sim in zip(changed, sims, strict=True):
            if row[3] == QuestionStatus.RETIRED.value or sim < threshold:
                scores.pop(row[0], None)
            else:
                scores[row[0]] = float(sim)
    if exclude_id is not None:
        scores.pop(exclude_id, None)
    best = sorted(scores.items(), key=lambda kv: -kv[1])[:top]
    uids = dict(
        session.execute(
            select(Question.id, Question.uid).where(Question.id.in_([b[0] for b in best]))
        ).all()
    )
    return [DuplicateMatch(qid, uids.get(qid, ""), sim) for qid, sim in best]


def forget(cache_key: str) -> None:
    """Drop the fitted index (after bulk loads): the next query refits."""
    _CACHE.pop(cache_key, None)
