"""Blueprint YAML: parsing, every validation error with its line, round trip, the defaults."""

from __future__ import annotations

from pathlib import Path

import pytest

from qbank.papers.blueprint import (
    LEVELS,
    Blueprint,
    BlueprintError,
    Difficulty,
    SectionRule,
    TypeRule,
    code_matches,
    dump_blueprint,
    load_blueprint,
    parse_blueprint,
)
from qbank.papers.filemode import default_blueprint
from qbank.syllabus.content import Syllabus, parse_syllabus

REPO = Path(__file__).resolve().parents[2]

EXAMPLE = """\
name: 碳交易 中级 默认
specialty: trading          # specialty code
level: intermediate
total_points: 100
cut_score: 60
duration_minutes: 120
types:
  single:   {count: 40, points: 1}
  multiple: {count: 20, points: 2}
  short:    {count: 4,  points: 5}
multiple_scoring: partial
sections:
  - {code: trading.1, min_points: 20, max_points: 30}
  - {code: trading.2, min_points: 25, max_points: 35}
  - {code: trading.3, min_points: 35, max_points: 50}
  - {code: trading.3.3, min_count: 2}
difficulty: {mean_b: [-0.5, 0.5]}
theta_cut: 0.3
levels_allowed: [intermediate]
recency: {exclude_last_papers: 2}
exposure: {max_rate: 0.3}
forms: 1
max_overlap: 0
must_include: []
must_exclude: []
"""


@pytest.fixture(scope="module")
def syllabus() -> Syllabus:
    return parse_syllabus(REPO / "content")


def test_the_documented_example_parses(syllabus: Syllabus) -> None:
    bp = parse_blueprint(EXAMPLE, syllabus=syllabus)
    assert bp.specialty == "trading" and bp.level == "intermediate"
    assert bp.types == (
        TypeRule("single", 40, 1.0),
        TypeRule("multiple", 20, 2.0),
        TypeRule("short", 4, 5.0),
    )
    assert bp.sections[3] == SectionRule("trading.3.3", min_count=2)
    assert bp.difficulty == Difficulty(mean_b=(-0.5, 0.5))
    assert bp.theta_cut == 0.3 and bp.recency == 2 and bp.max_exposure == 0.3
    assert bp.n_items == 64


def test_optional_keys_take_their_defaults() -> None:
    text = "\n".join(
        line
        for line in EXAMPLE.splitlines()
        if not line.startswith(("levels_allowed", "recency", "exposure", "forms", "max_overlap",
                                "must_", "theta_cut", "multiple_scoring", "difficulty"))
    )  # fmt: skip
    bp = parse_blueprint(text)
    assert bp.levels_allowed == ("intermediate",)
    assert bp.recency == 0 and bp.max_exposure is None and bp.forms == 1
    assert bp.multiple_scoring == "partial" and bp.difficulty == Difficulty()


def with_line(text: str, line_no: int, new: str) -> str:
    lines = EXAMPLE.splitlines() if not text else text.splitlines()
    lines[line_no - 1] = new
    return "\n".join(lines) + "\n"


# (replaced line number, new text, expected error line, words in the message)
ERRORS = [
    (3, "level: expert", 3, "level must be one of"),
    (4, "total_points: 90", 7, "add up to 100 points, total_points is 90"),
    (5, "cut_score: 120", 5, "cut_score 120 is above total_points 100"),
    (6, "duration_minutes: 0", 6, "between 1 and"),
    (8, "  single:   {count: 40, points: 1, weight: 2}", 8, "unknown key 'weight'"),
    (9, "  multiple: {count: -1, points: 2}", 9, "types.multiple.count"),
    (10, "  essay:    {count: 4,  points: 5}", 10, "unknown key 'essay'"),
    (11, "multiple_scoring: some", 11, "multiple_scoring must be one of"),
    (13, "  - {code: trading.9, min_points: 20, max_points: 30}", 13, "not in the syllabus"),
    (14, "  - {code: management.2, min_points: 25, max_points: 35}", 14, "not in specialty"),
    (
        15,
        "  - {code: trading.3, min_points: 50, max_points: 35}",
        15,
        "min_points 50 > max_points 35",
    ),
    (16, "  - {code: trading.3.3}", 16, "sets no min_points"),
    (16, "  - {min_count: 2}", 16, "needs 'code'"),
    (16, "  - {code: trading.3.3, min_count: 2, type: essay}", 16, "type must be one of"),
    (17, "difficulty: {mean_b: [0.5, -0.5]}", 17, "low 0.5 is above high -0.5"),
    (17, "difficulty: {mean: [0, 1]}", 17, "unknown key 'mean'"),
    (17, "difficulty: {bands: {easy: [8, 4]}}", 17, "min 8 is above max 4"),
    (18, "theta_cut: 9", 18, "theta_cut must be between -4 and 4"),
    (19, "levels_allowed: [expert]", 19, "levels_allowed entries must be one of"),
    (20, "recency: {last: 2}", 20, "unknown key 'last'"),
    (21, "exposure: {max_rate: 1.5}", 21, "between 0 and 1"),
    (21, "exposure: {max_rate: 0}", 21, "must be above 0"),
    (22, "forms: 0", 22, "forms must be between 1 and 50"),
    (23, "max_overlap: -1", 23, "max_overlap must be between 0"),
    (24, "must_include: [a, a]", 24, "'a' listed twice"),
    (25, "colour: blue", 25, "unknown key 'colour'"),
    (1, "name: ''", 1, "name must be non-empty text"),
    (2, "specialty: carbon", 2, "unknown specialty 'carbon'"),
]


@pytest.mark.parametrize(("line_no", "new", "line", "words"), ERRORS)
def test_every_error_names_its_line(
    syllabus: Syllabus, line_no: int, new: str, line: int, words: str
) -> None:
    with pytest.raises(BlueprintError) as err:
        parse_blueprint(with_line("", line_no, new), "bp.yaml", syllabus)
    found = [(p.line, p.message) for p in err.value.problems]
    assert any(p_line == line and words in msg for p_line, msg in found), found
    assert all(p.file == "bp.yaml" for p in err.value.problems)


def test_structural_errors() -> None:
    cases = [
        ("name: [unclosed\n", 2, "YAML syntax error"),
        ("level: junior\n  bad: indent\n", 2, "YAML syntax error"),
        (EXAMPLE.replace(EXAMPLE[EXAMPLE.index("types:"):EXAMPLE.index("multiple_scoring")],
                         "types: []\n"), 7, "types must be a mapping"),
        ("", 1, "empty"),
        ("- a\n- b\n", 1, "must be a mapping"),
        (EXAMPLE.replace("cut_score: 60\n", ""), 1, "'cut_score' is required"),
        (EXAMPLE + "level: senior\n", 26, "duplicate key 'level'"),
        (EXAMPLE.replace("must_exclude: []", "must_exclude: [q1]").replace(
            "must_include: []", "must_include: [q1]"), 25, "in must_include and must_exclude"),
        (EXAMPLE.replace("  - {code: trading.3.3, min_count: 2}",
                         "  - {code: trading.3, min_count: 2}\n  - {code: trading.3, min_count: 3}"),
         17, "repeats the rule on line 16"),
        (EXAMPLE.replace("min_points: 35, max_points: 50", "min_points: 60, max_points: 70"),
         12, "min_points add up to 105 > 100"),
        (EXAMPLE.replace("  - {code: trading.3.3, min_count: 2}",
                         "  - {code: trading.3.3, type: essay, min_count: 2}"), 16, "type must be"),
    ]  # fmt: skip
    for text, line, words in cases:
        with pytest.raises(BlueprintError) as err:
            parse_blueprint(text)
        found = [(p.line, p.message) for p in err.value.problems]
        assert any(p_line == line and words in msg for p_line, msg in found), (words, found)


def test_all_problems_are_reported_at_once(syllabus: Syllabus) -> None:
    text = with_line(with_line("", 3, "level: expert"), 22, "forms: 0")
    with pytest.raises(BlueprintError) as err:
        parse_blueprint(text, syllabus=syllabus)
    assert [p.line for p in err.value.problems] == [3, 22]
    assert "bp" not in str(err.value) and "3:" in str(err.value)


def test_round_trip_of_a_rich_blueprint(syllabus: Syllabus) -> None:
    bp = Blueprint(
        name="碳交易: 特别 [A]",
        specialty="trading",
        level="senior",
        total_points=100.0,
        cut_score=60.0,
        duration_minutes=120,
        types=(TypeRule("single", 40, 1.0), TypeRule("multiple", 20, 2.0), TypeRule("short", 4, 5.0)),
        multiple_scoring="per_option",
        sections=(
            SectionRule("trading.1", min_points=20.0, max_points=40.5),
            SectionRule("trading.2", type="multiple", min_count=4, max_count=9),
        ),
        difficulty=Difficulty(mean_b=(-0.25, 0.5), bands=(("easy", 5, 20), ("hard", 3, 30)),
                              band_edges=(-0.7, 0.7)),
        theta_cut=0.25,
        cut_tolerance=2.0,
        levels_allowed=("intermediate", "senior"),
        recency=3,
        max_exposure=0.25,
        forms=3,
        max_overlap=2,
        must_include=("trading.1.1-s01", "q, 2"),
        must_exclude=("x#1",),
    )  # fmt: skip
    text = dump_blueprint(bp)
    assert parse_blueprint(text, syllabus=syllabus) == bp
    example = parse_blueprint(EXAMPLE, syllabus=syllabus)
    assert parse_blueprint(dump_blueprint(example)) == example


def test_code_matching_is_at_dot_boundaries() -> None:
    assert code_matches("trading.2", "trading.2")
    assert code_matches("trading.2", "trading.2.3")
    assert not code_matches("trading.2", "trading.20")
    assert not code_matches("trading.2", "trading.20.1")
    assert code_matches("trading", "trading.20.1")


def test_the_21_default_blueprints(syllabus: Syllabus) -> None:
    files = sorted((REPO / "content" / "blueprints").glob("*.yaml"))
    assert len(files) == 21
    for spec in syllabus.specialties:
        n_sections = sum(len(p.sections) for p in spec.parts)
        for level in LEVELS:
            bp = load_blueprint(
                REPO / "content" / "blueprints" / f"{spec.code}-{level}.yaml", syllabus
            )
            assert bp == default_blueprint(spec, level)
            assert [(t.count, t.points) for t in bp.types] == [(40, 1), (20, 2), (4, 5)]
            assert bp.multiple_scoring == "partial"
            parts = [s for s in bp.sections if s.min_points is not None]
            assert len(parts) == len(spec.parts)
            # The proportional split lies inside every range, so an integer split exists.
            for part, rule in zip(spec.parts, parts, strict=True):
                share = 100 * len(part.sections) / n_sections
                assert rule.min_points is not None and rule.max_points is not None
                assert rule.min_points <= share <= rule.max_points
            assert (
                sum(r.min_points or 0 for r in parts)
                <= 100
                <= sum(r.max_points or 0 for r in parts)
            )
    lo = {lv: default_blueprint(syllabus.specialties[0], lv).difficulty.mean_b for lv in LEVELS}
    assert lo["junior"] is not None and lo["intermediate"] is not None and lo["senior"] is not None
    assert lo["junior"][1] <= lo["intermediate"][1] <= lo["senior"][1]
    assert lo["junior"][0] <= lo["intermediate"][0] <= lo["senior"][0]
