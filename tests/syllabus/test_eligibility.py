"""Eligibility: one case per condition of the notice for each level, plus the boundaries."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import yaml

from qbank.syllabus.eligibility import (
    Candidate,
    Education,
    EligibilityRules,
    check_eligibility,
    full_years,
)

RULES_FILE = Path(__file__).resolve().parents[2] / "content" / "rules" / "eligibility.yaml"
CUTOFF = dt.date(2022, 12, 31)
E = Education


@pytest.fixture(scope="module")
def rules() -> EligibilityRules:
    return EligibilityRules.from_data(yaml.safe_load(RULES_FILE.read_text(encoding="utf-8")))


def matched(candidate: Candidate, rules: EligibilityRules) -> dict[str, set[str]]:
    return {o.level: {r.id for r in o.matched} for o in check_eligibility(candidate, rules)}


# (rule that must match, candidate that meets exactly that condition)
CASES = [
    ("junior.1", Candidate(E.NONE, years_in_field=3)),
    ("junior.2", Candidate(E.SECONDARY, years_in_field=2)),
    ("junior.3", Candidate(E.SECONDARY, years_in_field=1)),
    ("junior.4", Candidate(E.NONE, student=True)),
    ("junior.5", Candidate(E.NONE, certificates={"other_junior": None})),
    ("intermediate.1", Candidate(E.SECONDARY, years_in_field=3)),
    ("intermediate.2", Candidate(E.COLLEGE, years_in_field=2)),
    ("intermediate.3", Candidate(E.BACHELOR, years_in_field=1)),
    ("intermediate.4", Candidate(E.POSTGRADUATE)),
    ("intermediate.5", Candidate(E.COLLEGE, related_major=True)),
    ("intermediate.6", Candidate(E.NONE, years_in_field=1, certificates={"carbon_junior": None})),
    ("intermediate.7", Candidate(E.NONE, certificates={"other_intermediate": None})),
    ("senior.1", Candidate(E.SECONDARY, years_in_field=4)),
    ("senior.2", Candidate(E.COLLEGE, years_in_field=3)),
    ("senior.3", Candidate(E.BACHELOR, years_in_field=2)),
    ("senior.4", Candidate(E.POSTGRADUATE, years_in_field=2)),
    ("senior.5", Candidate(E.COLLEGE, related_major=True, years_in_field=1)),
    ("senior.6", Candidate(E.NONE, years_in_field=1, certificates={"carbon_intermediate": None})),
    ("senior.7", Candidate(E.NONE, certificates={"other_senior": dt.date(2021, 6, 1)})),
]


@pytest.mark.parametrize(("rule_id", "candidate"), CASES, ids=[c[0] for c in CASES])
def test_each_condition_of_the_notice(
    rule_id: str, candidate: Candidate, rules: EligibilityRules
) -> None:
    level = rule_id.split(".")[0]
    assert rule_id in matched(candidate, rules)[level]


def test_every_rule_of_the_data_has_a_case(rules: EligibilityRules) -> None:
    assert {r.id for rs in rules.levels.values() for r in rs} == {c[0] for c in CASES}


@pytest.mark.parametrize(
    ("rule_id", "candidate"),
    [
        ("junior.1", Candidate(E.NONE, years_in_field=2.9)),
        ("junior.2", Candidate(E.NONE, years_in_field=2)),  # no secondary education
        ("junior.4", Candidate(E.BACHELOR)),  # not a student
        ("intermediate.1", Candidate(E.SECONDARY, years_in_field=3, continuous=False)),
        ("intermediate.3", Candidate(E.COLLEGE, years_in_field=1)),  # 大专 is below 本科
        ("intermediate.5", Candidate(E.SECONDARY, related_major=True)),
        (
            "intermediate.6",
            Candidate(E.NONE, years_in_field=0.5, certificates={"carbon_junior": None}),
        ),
        ("senior.4", Candidate(E.POSTGRADUATE, years_in_field=1.5)),
        ("senior.7", Candidate(E.NONE, certificates={"other_senior": dt.date(2022, 6, 1)})),
        ("senior.7", Candidate(E.NONE, certificates={"other_senior": None})),  # date unknown
    ],
)
def test_near_misses_do_not_qualify(
    rule_id: str, candidate: Candidate, rules: EligibilityRules
) -> None:
    assert rule_id not in matched(candidate, rules)[rule_id.split(".")[0]]


def test_years_counted_to_the_cutoff_day_inclusive(rules: EligibilityRules) -> None:
    exactly = Candidate(E.NONE, started_on=dt.date(2020, 1, 1))  # 3 full years by 2022-12-31
    one_day_short = Candidate(E.NONE, started_on=dt.date(2020, 1, 2))
    assert "junior.1" in matched(exactly, rules)["junior"]
    assert matched(one_day_short, rules)["junior"] == set()


def test_years_at_the_threshold_count(rules: EligibilityRules) -> None:
    assert matched(Candidate(E.SECONDARY, years_in_field=2.0), rules)["junior"] == {
        "junior.2",
        "junior.3",
    }
    assert matched(Candidate(E.SECONDARY, years_in_field=1.99), rules)["junior"] == {"junior.3"}


def test_certificate_held_exactly_one_year_at_the_cutoff(rules: EligibilityRules) -> None:
    on_time = Candidate(E.NONE, certificates={"other_senior": dt.date(2022, 1, 1)})
    late = Candidate(E.NONE, certificates={"other_senior": dt.date(2022, 1, 2)})
    assert matched(on_time, rules)["senior"] == {"senior.7"}
    assert matched(late, rules)["senior"] == set()


def test_a_later_cutoff_setting_changes_the_answer() -> None:
    data = yaml.safe_load(RULES_FILE.read_text(encoding="utf-8"))
    later = EligibilityRules.from_data(data, cutoff=dt.date(2023, 12, 31))
    late = Candidate(E.NONE, certificates={"other_senior": dt.date(2022, 1, 2)})
    assert matched(late, later)["senior"] == {"senior.7"}
    assert later.cutoff == dt.date(2023, 12, 31)
    assert EligibilityRules.from_data(data).cutoff == CUTOFF


def test_nobody_without_any_qualification_is_eligible(rules: EligibilityRules) -> None:
    outcomes = check_eligibility(Candidate(E.NONE), rules)
    assert [o.eligible for o in outcomes] == [False, False, False]
    assert all(o.outcomes for o in outcomes)


def test_full_years_handles_leap_days() -> None:
    assert full_years(dt.date(2020, 2, 29), dt.date(2021, 2, 28)) == pytest.approx(1.0)
    assert full_years(dt.date(2019, 3, 1), dt.date(2022, 3, 1)) == 3.0
    assert full_years(dt.date(2023, 1, 1), dt.date(2022, 1, 1)) == 0.0
