"""The exam calendar: sittings on the third Saturday of odd months, postponed past Chinese public
holidays, with the dates derived from each sitting.

Working days follow the official State Council holiday and make-up-workday arrangements through
the `chinese_calendar` package. That calendar is published year by year (usually in November or
December for the next year); for a year the package does not cover yet, working days fall back to
Monday–Friday and every date computed from them is marked provisional.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator, Mapping
from dataclasses import dataclass
from typing import Any

import chinese_calendar

WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


@dataclass(frozen=True)
class CalendarRules:
    exam_months: tuple[int, ...]
    weekday: int  # Monday = 0
    nth: int  # 3 → the third such weekday of the month
    postpone_on_public_holiday: bool
    registration_closes_days_before: int
    admission_ticket_days_before: int
    results_working_days_after: int
    certificate_working_days_after: int

    @classmethod
    def from_data(cls, data: Mapping[str, Any]) -> CalendarRules:
        return cls(
            exam_months=tuple(int(m) for m in data["exam_months"]),
            weekday=WEEKDAYS.index(str(data["exam_weekday"]).lower()),
            nth=int(data["exam_week_of_month"]),
            postpone_on_public_holiday=bool(data.get("postpone_on_public_holiday", True)),
            registration_closes_days_before=int(data["registration_closes_days_before"]),
            admission_ticket_days_before=int(data["admission_ticket_days_before"]),
            results_working_days_after=int(data["results_working_days_after"]),
            certificate_working_days_after=int(data["certificate_working_days_after"]),
        )


@dataclass(frozen=True)
class Sitting:
    date: dt.date  # the day of the exam
    scheduled: dt.date  # the nth weekday before any postponement
    postponed_for: str | None  # the holiday that moved it, in the library's English name
    registration_deadline: dt.date
    admission_tickets: dt.date
    results: dt.date
    certificates: dt.date
    provisional: bool  # some date rests on a year whose holidays are not published yet

    @property
    def postponed(self) -> bool:
        return self.date != self.scheduled


def covered_years() -> tuple[int, int]:
    """First and last year the installed holiday calendar covers."""
    years = sorted({d.year for d in chinese_calendar.constants.holidays})
    return years[0], years[-1]


def is_covered(day: dt.date) -> bool:
    first, last = covered_years()
    return first <= day.year <= last


def is_workday(day: dt.date) -> bool:
    if is_covered(day):
        return bool(chinese_calendar.is_workday(day))
    return day.weekday() < 5


def public_holiday(day: dt.date) -> str | None:
    """The statutory holiday `day` falls in (e.g. 'Spring Festival'), or None.

    Ordinary weekends are not public holidays; make-up workdays are not either."""
    if not is_covered(day):
        return None
    on_holiday, name = chinese_calendar.get_holiday_detail(day)
    return str(name) if on_holiday and name else None


def add_working_days(start: dt.date, n: int) -> tuple[dt.date, bool]:
    """The n-th working day after `start`; also whether any day counted was outside the
    covered years (so the answer is provisional)."""
    day, counted, provisional = start, 0, False
    while counted < n:
        day += dt.timedelta(days=1)
        provisional = provisional or not is_covered(day)
        if is_workday(day):
            counted += 1
    return day, provisional


def nth_weekday(year: int, month: int, weekday: int, nth: int) -> dt.date:
    first = dt.date(year, month, 1)
    offset = (weekday - first.weekday()) % 7
    return first + dt.timedelta(days=offset + 7 * (nth - 1))


def make_sitting(scheduled: dt.date, rules: CalendarRules) -> Sitting:
    day, reason = scheduled, None
    provisional = not is_covered(day)
    if rules.postpone_on_public_holiday:
        # 考试逢节假日顺延: move week by week to the next such weekday that is no holiday.
        while (name := public_holiday(day)) is not None:
            reason = reason or name
            day += dt.timedelta(days=7)
        provisional = provisional or not is_covered(day)
    results, p1 = add_working_days(day, rules.results_working_days_after)
    certificates, p2 = add_working_days(day, rules.certificate_working_days_after)
    return Sitting(
        date=day,
        scheduled=scheduled,
        postponed_for=reason,
        registration_deadline=day - dt.timedelta(days=rules.registration_closes_days_before),
        admission_tickets=day - dt.timedelta(days=rules.admission_ticket_days_before),
        results=results,
        certificates=certificates,
        provisional=provisional or p1 or p2,
    )


def iter_sittings(start: dt.date, rules: CalendarRules) -> Iterator[Sitting]:
    """Sittings whose exam day is on or after `start`, in order, without end."""
    year, month = start.year, start.month
    while True:
        if month in rules.exam_months:
            sitting = make_sitting(nth_weekday(year, month, rules.weekday, rules.nth), rules)
            if sitting.date >= start:
                yield sitting
        month += 1
        if month > 12:
            year, month = year + 1, 1


def upcoming_sittings(start: dt.date, rules: CalendarRules, count: int = 6) -> list[Sitting]:
    it = iter_sittings(start, rules)
    return [next(it) for _ in range(count)]
