"""The independent checker finds every kind of blueprint violation."""

from __future__ import annotations

from dataclasses import replace

import pytest

from qbank.papers.assemble import LEVEL_BITS, Pool
from qbank.papers.blueprint import Blueprint, Difficulty, SectionRule, TypeRule
from qbank.papers.check import check_form, check_forms


@pytest.fixture
def pool() -> Pool:
    return Pool.build(
        id=["s1", "s2", "s3", "s4", "m1", "m2", "x1", "o1"],
        section=["t.1.1", "t.1.2", "t.2.1", "t.20.1", "t.1.1", "t.2.2", "t.2.1", "other.1.1"],
        type=["single"] * 4 + ["multiple"] * 2 + ["short", "single"],
        points=[1, 1, 1, 1, 2, 2, 5, 1],
        a=[1.0] * 8,
        b=[-1.0, 0.0, 1.0, 0.5, [-0.5, 0.5], [0.0, 1.0], 0.0, 0.0],
        levels=[["junior", "intermediate"]] * 8,
        enemy=[None, "g", "g", None, None, None, None, None],
        last_used=[None, None, None, 3, None, None, None, None],
        exposure=[0.1] * 8,
    )


def bp(**changes: object) -> Blueprint:
    base = Blueprint(
        "t", "t", "intermediate", 5.0, 3.0, 30,
        (TypeRule("single", 1, 1.0), TypeRule("multiple", 2, 2.0)),
        sections=(SectionRule("t.1", min_points=3.0), SectionRule("t.2", max_count=1)),
        difficulty=Difficulty(mean_b=(-1.0, 1.0)),
        recency=2, max_exposure=0.5,
    )  # fmt: skip
    return replace(base, **changes)  # type: ignore[arg-type]


def codes(found: list) -> list[str]:  # type: ignore[type-arg]
    return sorted(v.code for v in found)


def test_a_good_form_passes(pool: Pool) -> None:
    assert check_form(bp(), pool, ["s1", "m1", "m2"]) == []


def test_counts_points_and_sections(pool: Pool) -> None:
    assert codes(check_form(bp(), pool, ["s1", "s2", "m1"])) == [
        "total_points", "type_count", "type_count",
    ]  # fmt: skip
    # t.2 matches t.2.1 but not t.20.1 (dot boundary)
    assert codes(check_form(bp(), pool, ["s4", "m1", "m2"])) == ["section_points"]
    assert "section_count" in codes(check_form(bp(), pool, ["s3", "m1", "m2"]))


def test_eligibility_rules(pool: Pool) -> None:
    assert codes(check_form(bp(), pool, ["o1", "m1", "m2"])) == ["section_points", "specialty"]
    assert "type" in codes(check_form(bp(), pool, ["x1", "m1", "m2"]))
    assert codes(check_form(bp(recency=3), pool, ["s1", "m1", "m2", "s4"]))[-1] == "type_count"
    assert "recency" in codes(check_form(bp(recency=3), pool, ["s4", "m1", "m2"]))
    assert "exposure" in codes(check_form(bp(max_exposure=0.05), pool, ["s1", "m1", "m2"]))
    assert "level" in codes(check_form(bp(levels_allowed=("senior",)), pool, ["s1", "m1", "m2"]))
    assert "must_exclude" in codes(check_form(bp(must_exclude=("s1",)), pool, ["s1", "m1", "m2"]))
    assert "must_include" in codes(check_form(bp(must_include=("s2",)), pool, ["s1", "m1", "m2"]))
    retired = replace(pool, active=pool.active & (pool.id != "s1"))
    assert "retired" in codes(check_form(bp(), retired, ["s1", "m1", "m2"]))
    wrong_points = replace(pool, points=pool.points + (pool.id == "s1"))
    assert "points" in codes(check_form(bp(), wrong_points, ["s1", "m1", "m2"]))
    low = replace(pool, levels=pool.levels * 0 + LEVEL_BITS["junior"])
    assert "level" in codes(check_form(bp(), low, ["s1", "m1", "m2"]))


def test_ids_enemies_difficulty(pool: Pool) -> None:
    assert "unknown_id" in codes(check_form(bp(), pool, ["zz", "m1", "m2"]))
    assert "duplicate" in codes(check_form(bp(), pool, ["s1", "s1", "m1", "m2"]))
    two = bp(types=(TypeRule("single", 2, 1.0), TypeRule("multiple", 1, 2.0)), total_points=4.0)
    assert "enemy" in codes(check_form(two, pool, ["s2", "s3", "m1"]))
    assert "mean_b" in codes(
        check_form(bp(difficulty=Difficulty(mean_b=(0.4, 1.0))), pool, ["s1", "m1", "m2"])
    )
    bands = Difficulty(bands=(("easy", 2, 3),))
    assert "band" in codes(check_form(bp(difficulty=bands), pool, ["s1", "m1", "m2"]))


def test_overlap_between_forms(pool: Pool) -> None:
    forms = [["s1", "m1", "m2"], ["s1", "m1", "m2"]]
    found = check_forms(bp(max_overlap=1), pool, forms)
    assert [(v.code, v.details["shared"]) for v in found] == [("overlap", ["m1", "m2", "s1"])]
    assert check_forms(bp(max_overlap=1, must_include=("m1", "m2")), pool, forms) == []
    assert check_forms(bp(max_overlap=3), pool, forms) == []
    per_form = check_forms(bp(), pool, [["s1", "m1", "m2"], ["s1", "m1"]])
    assert {(v.code, v.form) for v in per_form} >= {("type_count", 1), ("overlap", None)}


def test_expected_score_at_the_cut(pool: Pool) -> None:
    strict = bp(cut_tolerance=0.01, theta_cut=0.0)
    found = check_form(strict, pool, ["s1", "m1", "m2"])
    assert [v.code for v in found] == ["expected_at_cut"]
    assert check_form(bp(cut_tolerance=5.0, theta_cut=0.0), pool, ["s1", "m1", "m2"]) == []
