"""The database adapter of paper assembly: approved questions → the engine's `Pool`.

For one specialty and level:

- every approved, non-retired question (its `live_version`) whose canonical section is taught
  in the specialty, with its section mapped to the specialty's own section code (the first one,
  in syllabus order, when the specialty lists the topic twice);
- IRT parameters from `qbank.analytics.parameters.parameters_for` (cold start until
  calibration runs exist);
- `last_used`: how many published papers of the same specialty and level ago the question was
  last on a paper (1 = the latest), and `exposure`: the share of the last `EXPOSURE_WINDOW`
  such papers that used it;
- enemy groups from the version's `enemy_group`.

Papers being reviewed pin versions that may no longer be live (or questions since retired):
`pinned` adds those exact versions, marked inactive when the question is retired, so that the
independent checker sees the paper as it is.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection, Mapping
from dataclasses import dataclass

import numpy as np
from numpy.typing import NDArray
from sqlalchemy import select
from sqlalchemy.orm import Session

from qbank.analytics.parameters import ItemRef, parameters_for
from qbank.authoring.models import Question, QuestionStatus, QuestionVersion
from qbank.papers.assemble import Pool, level_bits
from qbank.papers.models import Paper, PaperItem, PaperStatus
from qbank.syllabus.models import Part, Section

EXPOSURE_WINDOW = 10  # published papers of the series over which exposure is measured


@dataclass(frozen=True)
class BankPool:
    """A `Pool` with the database identity of each entry (pool ids are question uids)."""

    pool: Pool
    question_id: NDArray[np.int64]
    version_id: NDArray[np.int64]
    difficulty: NDArray[np.int64]  # author rating 1..5 (0 when unrated)
    provisional: NDArray[np.bool_]  # parameters from the author rating, not calibrated
    position: Mapping[str, int]  # uid → index
    history: int  # published papers of the series that recency and exposure looked at

    def index_of_question(self, question_id: int) -> int | None:
        hits = np.flatnonzero(self.question_id == question_id)
        return int(hits[0]) if hits.size else None


def section_map(session: Session, specialty: str) -> dict[str, str]:
    """Canonical section code → the specialty's section code teaching it (first in order)."""
    rows = session.execute(
        select(Section.code, Section.canonical_code)
        .join(Part, Part.code == Section.part_code)
        .where(Section.specialty_code == specialty)
        .order_by(Part.number, Section.number)
    ).all()
    out: dict[str, str] = {}
    for code, canonical in rows:
        out.setdefault(canonical, code)
    return out


@dataclass(frozen=True)
class _Row:
    question_id: int
    uid: str
    status: str
    id: int  # the version's
    type: str
    points: float
    difficulty: int | None
    levels: list[str]
    section_code: str
    enemy_group: str


@dataclass(frozen=True)
class Usage:
    last_used: dict[int, int]  # question id → papers ago (1 = the latest)
    exposure: dict[int, float]
    papers: int


def usage(
    session: Session,
    specialty: str,
    level: str,
    *,
    before: dt.datetime | None = None,
    exclude_papers: Collection[int] = (),
) -> Usage:
    """Recency and exposure of questions in the published papers of a specialty and level."""
    stmt = select(Paper.id).where(
        Paper.status == PaperStatus.PUBLISHED.value,
        Paper.specialty_code == specialty,
        Paper.level_code == level,
    )
    if before is not None:
        stmt = stmt.where(Paper.published_at < before)
    if exclude_papers:
        stmt = stmt.where(Paper.id.not_in(list(exclude_papers)))
    papers = list(session.scalars(stmt.order_by(Paper.published_at.desc(), Paper.id.desc())))
    if not papers:
        return Usage({}, {}, 0)
    rank = {pid: i + 1 for i, pid in enumerate(papers)}
    rows = session.execute(
        select(PaperItem.question_id, PaperItem.paper_id).where(PaperItem.paper_id.in_(papers))
    ).all()
    last: dict[int, int] = {}
    uses: dict[int, int] = {}
    window = min(len(papers), EXPOSURE_WINDOW)
    for qid, pid in rows:
        r = rank[pid]
        last[qid] = min(last.get(qid, r), r)
        if r <= window:
            uses[qid] = uses.get(qid, 0) + 1
    return Usage(last, {q: n / window for q, n in uses.items()}, len(papers))


def load_pool(
    session: Session,
    specialty: str,
    level: str,
    multiple_scoring: str = "partial",
    *,
    pinned: Mapping[int, int] | None = None,
    before: dt.datetime | None = None,
    exclude_papers: Collection[int] = (),
) -> BankPool:
    """The specialty's approved questions as a pool for papers of `level`.

    Every level's questions are included (the engine's eligibility filter drops the others
    and its diagnosis counts them); `pinned` maps question id → version id of a paper's items.
    `before` and `exclude_papers` restrict the paper history (for checking a paper as it was).
    """
    sections = section_map(session, specialty)
    columns = (
        Question.id,
        Question.uid,
        Question.status,
        QuestionVersion.id,
        QuestionVersion.type,
        QuestionVersion.points,
        QuestionVersion.difficulty,
        QuestionVersion.levels,
        QuestionVersion.section_code,
        QuestionVersion.enemy_group,
    )
    rows = session.execute(
        select(*columns)
        .join(QuestionVersion, QuestionVersion.id == Question.live_version_id)
        .where(
            Question.status != QuestionStatus.RETIRED.value,
            QuestionVersion.section_code.in_(list(sections)),
        )
    ).all()
    pinned = dict(pinned or {})
    chosen = {r[0]: _Row(*r) for r in rows if r[0] not in pinned}
    if pinned:
        extra = session.execute(
            select(*columns)
            .join(QuestionVersion, QuestionVersion.question_id == Question.id)
            .where(QuestionVersion.id.in_(list(pinned.values())))
        ).all()
        for r in extra:
            if pinned.get(r[0]) == r[3]:
                chosen[r[0]] = _Row(*r)
    ids = sorted(chosen)
    versions = [chosen[q] for q in ids]
    params = parameters_for(
        session,
        [
            ItemRef(q, v.type, float(v.points), v.difficulty)
            for q, v in zip(ids, versions, strict=True)
        ],
        multiple_scoring,
    )
    use = usage(session, specialty, level, before=before, exclude_papers=exclude_papers)
    n = len(ids)
    pool = Pool(
        id=np.asarray([chosen[q].uid for q in ids], dtype=np.str_).reshape(n),
        section=np.asarray(
            [sections.get(v.section_code, v.section_code) for v in versions], dtype=np.str_
        ).reshape(n),
        type=np.asarray([v.type for v in versions], dtype=np.str_).reshape(n),
        points=np.asarray([float(v.points) for v in versions], dtype=np.float64).reshape(n),
        a=params.params.a.astype(np.float64),
        b=params.params.b.astype(np.float64) if n else np.zeros((0, 1)),
        levels=np.asarray(
            [level_bits(v.levels or ()) or 7 for v in versions], dtype=np.int64
        ).reshape(n),
        enemy=np.asarray([v.enemy_group or "" for v in versions], dtype=np.str_).reshape(n),
        last_used=np.asarray(
            [float(use.last_used[q]) if q in use.last_used else np.nan for q in ids],
            dtype=np.float64,
        ).reshape(n),
        exposure=np.asarray([use.exposure.get(q, 0.0) for q in ids], dtype=np.float64).reshape(n),
        active=np.asarray(
            [chosen[q].status != QuestionStatus.RETIRED.value for q in ids], dtype=bool
        ).reshape(n),
    )
    return BankPool(
        pool=pool,
        question_id=np.asarray(ids, dtype=np.int64),
        version_id=np.asarray([v.id for v in versions], dtype=np.int64),
        difficulty=np.asarray([v.difficulty or 0 for v in versions], dtype=np.int64),
        provisional=params.provisional.astype(bool),
        position={chosen[q].uid: i for i, q in enumerate(ids)},
        history=use.papers,
    )
