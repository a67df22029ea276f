"""The exam calendar: third Saturdays, holiday postponement, working days with make-up days."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from qbank.syllabus import calendar as cal

RULES = cal.CalendarRules.from_data(
    yaml.safe_load(
        (Path(__file__).resolve().parents[2] / "content" / "rules" / "calendar.yaml").read_text()
    )
)
D = dt.date


def test_third_saturdays_of_2027() -> None:
    sittings = cal.upcoming_sittings(D(2027, 1, 1), RULES, 6)
    assert [s.scheduled for s in sittings] == [
        D(2027, 1, 16),
        D(2027, 3, 20),
        D(2027, 5, 15),
        D(2027, 7, 17),
        D(2027, 9, 18),
        D(2027, 11, 20),
    ]
    assert all(s.scheduled.weekday() == 5 for s in sittings)
    assert all(15 <= s.scheduled.day <= 21 for s in sittings)


def test_a_sitting_on_a_public_holiday_moves_to_the_next_saturday() -> None:
    # 2023-01-21 was New Year's Eve of the Spring Festival holiday (2023-01-21..27).
    s = cal.make_sitting(D(2023, 1, 21), RULES)
    assert s.postponed and s.date == D(2023, 1, 28)
    assert s.postponed_for == "Spring Festival"
    assert s.registration_deadline == D(2023, 1, 21)  # one week before the actual exam
    assert s.admission_tickets == D(2023, 1, 25)


def test_sittings_not_on_holidays_stay() -> None:
    s = cal.make_sitting(D(2023, 3, 18), RULES)
    assert not s.postponed and s.postponed_for is None and not s.provisional


def test_working_days_skip_holidays_and_count_make_up_saturdays() -> None:
    # After 2023-01-28 (itself a make-up workday): 1-29 was a make-up workday too (Sunday).
    day, provisional = cal.add_working_days(D(2023, 1, 28), 1)
    assert day == D(2023, 1, 29) and not provisional
    # Across the 2023 National Day holiday (9-29..10-6) with make-up days 10-7 and 10-8.
    day, _ = cal.add_working_days(D(2023, 9, 28), 1)
    assert day == D(2023, 10, 7)
    day, _ = cal.add_working_days(D(2023, 9, 28), 3)
    assert day == D(2023, 10, 9)


def test_results_and_certificates_in_working_days() -> None:
    s = cal.make_sitting(D(2023, 1, 21), RULES)  # exam on 2023-01-28
    # 15 working days from 01-28: 01-29 (make-up Sunday), 01-30..02-03 (5), 02-06..10 (5),
    # 02-13..16 (4) → 2023-02-16
    assert s.results == D(2023, 2, 16)
    assert cal.is_workday(D(2023, 1, 29)) and not cal.is_workday(D(2023, 1, 27))


def test_years_without_an_official_calendar_are_marked_provisional() -> None:
    _, last = cal.covered_years()
    after = D(last + 1, 1, 1)
    s = cal.upcoming_sittings(after, RULES, 1)[0]
    assert s.provisional
    assert not cal.is_covered(after)
    assert cal.public_holiday(D(last + 1, 10, 1)) is None  # unknown, not guessed


def test_upcoming_sittings_start_on_or_after_the_day() -> None:
    s = cal.upcoming_sittings(D(2023, 1, 28), RULES, 1)[0]
    assert s.date == D(2023, 1, 28)
    s = cal.upcoming_sittings(D(2023, 1, 29), RULES, 1)[0]
    assert s.date == D(2023, 3, 18)


@pytest.mark.parametrize("month", [2, 4, 6, 8, 10, 12])
def test_no_sittings_in_even_months(month: int) -> None:
    s = cal.upcoming_sittings(D(2024, month, 1), RULES, 1)[0]
    assert s.date.month == month % 12 + 1
