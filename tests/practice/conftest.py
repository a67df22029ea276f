"""Practice fixtures: a small form drawn straight from the starter bank (no solver needed)."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from qbank.accounts.models import Role
from qbank.authoring.models import Question, QuestionStatus
from qbank.db import db
from qbank.practice.models import AttemptKind
from qbank.practice.sessions import FormItem, start_attempt

NOW = dt.datetime(2027, 1, 10, 8, 0, tzinfo=dt.UTC)
POINTS = {"single": 1.0, "multiple": 2.0, "short": 5.0}


def small_form(n_single: int = 3, n_multiple: int = 2, n_short: int = 1) -> list[FormItem]:
    form = []
    for qtype, n in (("single", n_single), ("multiple", n_multiple), ("short", n_short)):
        rows = db.session.scalars(select(Question).where(
            Question.type == qtype, Question.status == QuestionStatus.APPROVED.value)
            .order_by(Question.id).limit(n)).all()
        form += [FormItem(q.id, q.live_version_id, q.section_code, POINTS[qtype]) for q in rows]
    return form


@pytest.fixture
def learner(make_user):  # type: ignore[no-untyped-def]
    return make_user(Role.LEARNER)


@pytest.fixture
def mock(app, learner):  # type: ignore[no-untyped-def]
    attempt = start_attempt(db.session, learner, small_form(), kind=AttemptKind.MOCK,
                            specialty="trading", level="intermediate", now=NOW,
                            duration=dt.timedelta(minutes=120), seed=7, title="test mock")
    db.session.commit()
    return attempt
