"""Attempts: saves that never lose an answer, the server-kept deadline, idempotent hand-in."""

from __future__ import annotations

import datetime as dt

import pytest

from qbank.db import db
from qbank.errors import NotFoundError, ValidationError
from qbank.practice import sessions
from qbank.practice.models import AttemptStatus
from qbank.practice.presenters import attempt_view
from tests.practice.conftest import NOW


def keys_of(item) -> list[str]:  # type: ignore[no-untyped-def]
    return [o["key"] for o in item.version.options if o.get("correct")]


def test_every_save_is_stored_and_replays_are_harmless(mock) -> None:  # type: ignore[no-untyped-def]
    save = sessions.save_answer(db.session, mock, 1, {"keys": ["B"]}, seq=1, key="k-0001-aaaa",
                                now=NOW)
    assert save.stored and mock.items[0].answer == {"keys": ["B"]}
    again = sessions.save_answer(db.session, mock, 1, {"keys": ["B"]}, seq=1, key="k-0001-aaaa",
                                 now=NOW)
    assert not again.stored and again.seq == 1
    newer = sessions.save_answer(db.session, mock, 1, {"keys": ["C"]}, seq=3, key="k-0003-cccc",
                                 now=NOW)
    late = sessions.save_answer(db.session, mock, 1, {"keys": ["A"]}, seq=2, key="k-0002-bbbb",
                                now=NOW)
    assert newer.stored and not late.stored
    assert mock.items[0].answer == {"keys": ["C"]} and mock.items[0].answer_seq == 3
    sessions.save_answer(db.session, mock, 1, None, seq=4, key="k-0004-dddd", now=NOW)
    assert mock.items[0].answer is None


@pytest.mark.parametrize("answer", [{"keys": ["Z"]}, {"keys": "A"}, {"text": 5}, "A",
                                    {"keys": ["A", "B"]}])
def test_malformed_answers_are_refused(mock, answer) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(ValidationError):
        sessions.save_answer(db.session, mock, 1, answer, seq=1, key="k-bad-00001", now=NOW)
    assert mock.items[0].answer is None


def test_the_deadline_is_kept_on_the_server(mock) -> None:  # type: ignore[no-untyped-def]
    assert sessions.remaining_seconds(mock, NOW + dt.timedelta(minutes=30)) == 90 * 60
    within_grace = mock.deadline_at + dt.timedelta(seconds=3)
    assert sessions.save_answer(db.session, mock, 1, {"keys": ["A"]}, seq=1, key="k-grace-001",
                                now=within_grace).stored
    too_late = mock.deadline_at + dt.timedelta(seconds=30)
    with pytest.raises(sessions.AttemptClosedError):
        sessions.save_answer(db.session, mock, 2, {"keys": ["A"]}, seq=1, key="k-late-0001",
                             now=too_late)
    assert mock.status == AttemptStatus.SUBMITTED and mock.submitted_by_deadline
    assert mock.submitted_at == mock.deadline_at + sessions.GRACE
    assert mock.items[0].answer == {"keys": ["A"]} and mock.items[1].answer is None
    # a retry of a save that was stored before the close is still acknowledged
    assert sessions.save_answer(db.session, mock, 1, {"keys": ["A"]}, seq=1, key="k-grace-001",
                                now=too_late).seq == 1


def test_hand_in_scores_once(mock) -> None:  # type: ignore[no-untyped-def]
    first, multi = mock.items[0], mock.items[3]
    sessions.save_answer(db.session, mock, 1, {"keys": keys_of(first)}, seq=1, key="k-right-01",
                         now=NOW)
    sessions.save_answer(db.session, mock, 4, {"keys": keys_of(multi)[:1]}, seq=1,
                         key="k-subset-1", now=NOW)
    sessions.submit(db.session, mock, NOW + dt.timedelta(minutes=50))
    assert first.auto_score == 1.0 and multi.auto_score == 1.0  # partial credit: half of 2
    score, at = mock.score, mock.submitted_at
    sessions.submit(db.session, mock, NOW + dt.timedelta(minutes=55))
    assert (mock.score, mock.submitted_at) == (score, at)
    with pytest.raises(sessions.AttemptClosedError):
        sessions.save_answer(db.session, mock, 2, {"keys": ["A"]}, seq=1, key="k-after-01",
                             now=NOW + dt.timedelta(minutes=56))


def test_short_answers_get_a_provisional_score_and_self_assessment(mock) -> None:  # type: ignore[no-untyped-def]
    short = mock.items[-1]
    assert short.version.type == "short"
    text = "；".join(p["text"] for p in short.version.rubric)  # every key point, in words
    sessions.save_answer(db.session, mock, short.position, {"text": text}, seq=1,
                         key="k-short-01", now=NOW)
    sessions.submit(db.session, mock, NOW)
    assert short.auto_score == pytest.approx(short.points)
    assert all(m["found"] for m in short.rubric_matches)
    sessions.self_assess(db.session, mock, short.position, 3.5)
    assert short.final_score == 3.5
    with pytest.raises(ValidationError):
        sessions.self_assess(db.session, mock, short.position, 99)


def test_options_are_shuffled_per_attempt_but_stored_by_key(mock) -> None:  # type: ignore[no-untyped-def]
    for item in mock.items:
        keys = sorted(o["key"] for o in item.version.options)
        assert sorted(item.option_order) == keys
    assert any(item.option_order != sorted(item.option_order) for item in mock.items
               if item.version.shuffle and item.option_order)


def test_nothing_secret_is_shown_while_the_exam_runs(mock) -> None:  # type: ignore[no-untyped-def]
    view = attempt_view(mock, NOW)
    text = repr(view)
    for item in mock.items:
        v = item.version
        for secret in [v.explanation, v.reference_answer, *[p["text"] for p in v.rubric]]:
            if secret:
                assert secret not in text
        assert "correct" not in repr(view["items"][item.position - 1])
    sessions.submit(db.session, mock, NOW)
    after = attempt_view(mock, NOW)
    assert after["items"][0]["keys"] and after["items"][0]["explanation"]


def test_a_learner_cannot_open_someone_elses_attempt(mock, make_user) -> None:  # type: ignore[no-untyped-def]
    from qbank.accounts.models import Role

    with pytest.raises(NotFoundError):
        sessions.get_own_attempt(db.session, mock.id, make_user(Role.LEARNER))
