"""Paper blueprints: the YAML format, its validation with line numbers, and writing it back.

A blueprint says what a paper must contain — how many questions of each type and their
points, point and count ranges per part or section of the syllabus, a difficulty target,
which questions are eligible — and the assembly engine (`qbank.papers.assemble`) picks the
questions. The format is documented in ``docs/blueprints.md``. Pure: text in, frozen data out.
"""

from __future__ import annotations

import json
import math
from collections.abc import Collection, Iterable
from dataclasses import astuple, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from qbank.yamlfile import YamlProblem

LEVELS = ("junior", "intermediate", "senior")
LEVEL_ZH = {"junior": "初级", "intermediate": "中级", "senior": "高级"}
TYPES = ("single", "multiple", "short")
TYPE_ZH = {"single": "单选题", "multiple": "多选题", "short": "简答题"}
TYPE_EN = {"single": "single-choice", "multiple": "multiple-choice", "short": "short-answer"}
SCORING = ("all_or_nothing", "partial", "per_option")
BANDS = ("easy", "medium", "hard")
DEFAULT_BAND_EDGES = (-0.5, 0.5)


@dataclass(frozen=True)
class TypeRule:
    """`count` questions of `type`, each worth `points`."""

    type: str
    count: int
    points: float


@dataclass(frozen=True)
class SectionRule:
    """Point and count ranges for a syllabus code (and everything below it at a dot boundary).

    With `type` set the rule only counts questions of that type.
    """

    code: str
    type: str | None = None
    min_points: float | None = None
    max_points: float | None = None
    min_count: int | None = None
    max_count: int | None = None


@dataclass(frozen=True)
class Difficulty:
    """Mean item location b in `mean_b`, and/or item counts per difficulty band.

    Bands: easy b < band_edges[0] <= medium <= band_edges[1] < hard, b = mean of an item's steps.
    """

    mean_b: tuple[float, float] | None = None
    bands: tuple[tuple[str, int, int], ...] = ()
    band_edges: tuple[float, float] = DEFAULT_BAND_EDGES


@dataclass(frozen=True)
class Blueprint:
    name: str
    specialty: str
    level: str
    total_points: float
    cut_score: float
    duration_minutes: int
    types: tuple[TypeRule, ...]
    multiple_scoring: str = "partial"
    sections: tuple[SectionRule, ...] = ()
    difficulty: Difficulty = field(default_factory=Difficulty)
    theta_cut: float | None = None
    cut_tolerance: float | None = None  # expected score at θ_cut within cut_score ± this
    levels_allowed: tuple[str, ...] = ()
    recency: int = 0  # exclude questions used in the last N papers
    max_exposure: float | None = None  # exclude questions with exposure rate above this
    forms: int = 1
    max_overlap: int = 0
    must_include: tuple[str, ...] = ()
    must_exclude: tuple[str, ...] = ()

    @property
    def n_items(self) -> int:
        return sum(t.count for t in self.types)

    @property
    def allowed_levels(self) -> tuple[str, ...]:
        return self.levels_allowed or (self.level,)


class BlueprintError(Exception):
    """Every problem found in a blueprint, each with its line."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def code_matches(rule_code: str, section_code: str) -> bool:
    """`trading.2` matches `trading.2` and `trading.2.3`, not `trading.20`."""
    return section_code == rule_code or section_code.startswith(rule_code + ".")


def syllabus_codes(syllabus: Any) -> frozenset[str]:
    """Specialty, part and section codes of a `qbank.syllabus.content.Syllabus`."""
    parts = [p for sp in syllabus.specialties for p in sp.parts]
    return frozenset(
        [sp.code for sp in syllabus.specialties]
        + [p.code for p in parts]
        + [s.code for p in parts for s in p.sections]
    )


# --------------------------------------------------------------------------------------------
# Parsing: compose the YAML into nodes (which carry their line), then validate node by node.

_TOP_KEYS = (
    "name", "specialty", "level", "total_points", "cut_score", "duration_minutes", "types",
    "multiple_scoring", "sections", "difficulty", "theta_cut", "cut_tolerance", "levels_allowed", "recency",
    "exposure", "forms", "max_overlap", "must_include", "must_exclude",
)  # fmt: skip
_REQUIRED = ("name", "specialty", "level", "total_points", "cut_score", "duration_minutes", "types")
_SECTION_KEYS = ("code", "type", "min_points", "max_points", "min_count", "max_count")


def _line(node: yaml.Node) -> int:
    return int(node.start_mark.line) + 1


class _Reader:
    def __init__(self, name: str) -> None:
        self.name = name
        self.problems: list[YamlProblem] = []
        self.section_lines: list[int] = []  # line of each parsed section rule, in order
        self.key_lines: dict[str, int] = {}  # key → its line, for the last mapping read
        self._ctor = yaml.SafeLoader("")

    def error(self, node: yaml.Node | int, message: str) -> None:
        line = node if isinstance(node, int) else _line(node)
        self.problems.append(YamlProblem(self.name, line, message))

    def mapping(self, node: yaml.Node, what: str, keys: Collection[str]) -> dict[str, yaml.Node]:
        """Key → value node; unknown and duplicate keys are errors at the key's line."""
        if not isinstance(node, yaml.MappingNode):
            self.error(node, f"{what} must be a mapping")
            return {}
        out: dict[str, yaml.Node] = {}
        self.key_lines = {}
        for key_node, value_node in node.value:
            key = str(key_node.value) if isinstance(key_node, yaml.ScalarNode) else "?"
            if key in out:
                self.error(key_node, f"duplicate key '{key}' in {what}")
            elif key not in keys:
                self.error(key_node, f"unknown key '{key}' in {what}")
            else:
                out[key] = value_node
                self.key_lines[key] = _line(key_node)
        return out

    def scalar(self, node: yaml.Node) -> Any:
        if not isinstance(node, yaml.ScalarNode):
            return _NotScalar
        return self._ctor.construct_object(node, deep=True)

    def text(self, node: yaml.Node, what: str) -> str | None:
        value = self.scalar(node)
        if not isinstance(value, str) or not value.strip():
            self.error(node, f"{what} must be non-empty text")
            return None
        return value.strip()

    def number(
        self, node: yaml.Node, what: str, lo: float, hi: float, positive: bool = False
    ) -> float | None:
        """A number in [lo, hi] (above 0 when `positive`)."""
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, (int, float)) or math.isnan(value):
            self.error(node, f"{what} must be a number")
            return None
        if positive and value <= 0:
            self.error(node, f"{what} must be above 0")
            return None
        if not lo <= value <= hi:
            self.error(node, f"{what} must be between {_num(lo)} and {_num(hi)}, got {_num(value)}")
            return None
        return float(value)

    def integer(self, node: yaml.Node, what: str, lo: int = 0, hi: int = 10**9) -> int | None:
        value = self.scalar(node)
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(node, f"{what} must be a whole number")
            return None
        if not lo <= value <= hi:
            self.error(node, f"{what} must be between {lo} and {hi}, got {value}")
            return None
        return value

    def sequence(self, node: yaml.Node, what: str) -> list[yaml.Node]:
        if not isinstance(node, yaml.SequenceNode):
            self.error(node, f"{what} must be a list")
            return []
        return list(node.value)

    def pair(self, node: yaml.Node, what: str, lo: float, hi: float) -> tuple[float, float] | None:
        items = self.sequence(node, what)
        if len(items) != 2:
            if isinstance(node, yaml.SequenceNode):
                self.error(node, f"{what} must be [low, high]")
            return None
        a = self.number(items[0], f"{what} low", lo, hi)
        b = self.number(items[1], f"{what} high", lo, hi)
        if a is None or b is None:
            return None
        if a > b:
            self.error(node, f"{what}: low {_num(a)} is above high {_num(b)}")
            return None
        return a, b


_NotScalar = object()


def parse_blueprint(text: str, name: str = "<blueprint>", syllabus: Any = None) -> Blueprint:
    """Parse and validate a blueprint. Raises BlueprintError listing every problem with its line.

    Parameters
    ----------
    text : str
        The YAML.
    name : str
        File name used in messages.
    syllabus : Syllabus or collection of codes, optional
        When given, every code must exist in it.
    """
    r = _Reader(name)
    try:
        root = yaml.compose(text, Loader=yaml.SafeLoader)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = int(mark.line) + 1 if mark is not None else 0
        detail = getattr(exc, "problem", None) or str(exc)
        raise BlueprintError([YamlProblem(name, line, f"YAML syntax error: {detail}")]) from exc
    if root is None:
        raise BlueprintError([YamlProblem(name, 1, "the blueprint is empty")])
    top = r.mapping(root, "the blueprint", _TOP_KEYS)
    top_lines = r.key_lines
    if not isinstance(root, yaml.MappingNode):
        raise BlueprintError(r.problems)
    for key in _REQUIRED:
        if key not in top:
            r.error(root, f"'{key}' is required")
    known: frozenset[str] | None = None
    if syllabus is not None:
        known = (
            syllabus_codes(syllabus) if hasattr(syllabus, "specialties") else frozenset(syllabus)
        )
    values: dict[str, Any] = {}

    def get(key: str, convert: Any) -> None:
        if key in top:
            value = convert(top[key])
            if value is not None:
                values[key] = value

    get("name", lambda n: r.text(n, "name"))
    get("specialty", lambda n: r.text(n, "specialty"))
    specialty = values.get("specialty")
    if specialty is not None and known is not None and specialty not in known:
        r.error(top["specialty"], f"unknown specialty '{specialty}'")
    get("level", lambda n: _choice(r, n, "level", LEVELS))
    get("total_points", lambda n: r.number(n, "total_points", 1, 10_000))
    get("cut_score", lambda n: r.number(n, "cut_score", 0, 10_000))
    get("duration_minutes", lambda n: r.integer(n, "duration_minutes", 1, 10_000))
    get("types", lambda n: _types(r, n))
    get("multiple_scoring", lambda n: _choice(r, n, "multiple_scoring", SCORING))
    get("theta_cut", lambda n: r.number(n, "theta_cut", -4, 4))
    get("cut_tolerance", lambda n: r.number(n, "cut_tolerance", 0, 10_000))
    get("levels_allowed", lambda n: _levels(r, n))
    get("recency", lambda n: _one_key(r, n, "recency", "exclude_last_papers", r.integer))
    get(
        "exposure",
        lambda n: _one_key(
            r, n, "exposure", "max_rate", lambda v, w: r.number(v, w, 0, 1, positive=True)
        ),
    )
    get("forms", lambda n: r.integer(n, "forms", 1, 50))
    get("max_overlap", lambda n: r.integer(n, "max_overlap", 0, 10_000))
    get("must_include", lambda n: _ids(r, n, "must_include"))
    get("must_exclude", lambda n: _ids(r, n, "must_exclude"))
    get("sections", lambda n: _sections(r, n, specialty, known))
    get("difficulty", lambda n: _difficulty(r, n))
    _cross_checks(r, top_lines, values)
    if r.problems:
        raise BlueprintError(sorted(r.problems, key=lambda p: p.line))
    fields = {("max_exposure" if k == "exposure" else k): v for k, v in values.items()}
    fields.setdefault("levels_allowed", (values["level"],))
    return Blueprint(**fields)


def load_blueprint(path: Path | str, syllabus: Any = None) -> Blueprint:
    p = Path(path)
    return parse_blueprint(p.read_text(encoding="utf-8"), str(p), syllabus)


def _choice(r: _Reader, node: yaml.Node, what: str, allowed: tuple[str, ...]) -> str | None:
    value = r.scalar(node)
    if value not in allowed:
        r.error(node, f"{what} must be one of {', '.join(allowed)}")
        return None
    return str(value)


def _one_key(r: _Reader, node: yaml.Node, what: str, key: str, convert: Any) -> Any:
    found = r.mapping(node, what, (key,))
    if key not in found:
        if isinstance(node, yaml.MappingNode):
            r.error(node, f"{what} needs '{key}'")
        return None
    return convert(found[key], f"{what}.{key}")


def _levels(r: _Reader, node: yaml.Node) -> tuple[str, ...] | None:
    items = r.sequence(node, "levels_allowed")
    out = []
    for item in items:
        value = _choice(r, item, "levels_allowed entries", LEVELS)
        if value is not None and value not in out:
            out.append(value)
    if not out:
        if isinstance(node, yaml.SequenceNode) and not items:
            r.error(node, "levels_allowed must list at least one level")
        return None
    return tuple(out)


def _ids(r: _Reader, node: yaml.Node, what: str) -> tuple[str, ...] | None:
    out: list[str] = []
    for item in r.sequence(node, what):
        value = r.scalar(item)
        if isinstance(value, bool) or not isinstance(value, (str, int)) or not str(value).strip():
            r.error(item, f"{what} entries must be question ids")
            continue
        if str(value) in out:
            r.error(item, f"{what}: '{value}' listed twice")
            continue
        out.append(str(value).strip())
    return tuple(out)


def _types(r: _Reader, node: yaml.Node) -> tuple[TypeRule, ...] | None:
    found = r.mapping(node, "types", TYPES)
    rules = []
    for code in TYPES:
        if code not in found:
            continue
        spec = r.mapping(found[code], f"types.{code}", ("count", "points"))
        count = (
            r.integer(spec["count"], f"types.{code}.count", 0, 1000) if "count" in spec else None
        )
        points = (
            r.number(spec["points"], f"types.{code}.points", 0, 1000, positive=True)
            if "points" in spec
            else None
        )
        for key in ("count", "points"):
            if key not in spec and isinstance(found[code], yaml.MappingNode):
                r.error(found[code], f"types.{code} needs '{key}'")
        if count is not None and points is not None:
            rules.append(TypeRule(code, count, points))
    if isinstance(node, yaml.MappingNode) and not found:
        r.error(node, "types must list at least one question type")
    return tuple(rules)


def _sections(
    r: _Reader, node: yaml.Node, specialty: str | None, known: frozenset[str] | None
) -> tuple[SectionRule, ...]:
    rules: list[SectionRule] = []
    seen: dict[tuple[str, str | None], int] = {}
    for item in r.sequence(node, "sections"):
        spec = r.mapping(item, "a section rule", _SECTION_KEYS)
        code = r.text(spec["code"], "code") if "code" in spec else None
        if isinstance(item, yaml.MappingNode) and "code" not in spec:
            r.error(item, "a section rule needs 'code'")
        if code is None:
            continue
        if specialty is not None and not code_matches(specialty, code):
            r.error(spec["code"], f"code '{code}' is not in specialty '{specialty}'")
        elif known is not None and code not in known:
            r.error(spec["code"], f"code '{code}' is not in the syllabus")
        type_code = _choice(r, spec["type"], "type", TYPES) if "type" in spec else None
        nums: dict[str, Any] = {}
        for key in _SECTION_KEYS[2:]:
            if key in spec:
                read = r.number if key.endswith("points") else r.integer
                nums[key] = read(spec[key], key, 0, 10_000)
        if not nums:
            r.error(
                item, f"section rule '{code}' sets no min_points, max_points, min_count, max_count"
            )
        for what in ("points", "count"):
            lo, hi = nums.get(f"min_{what}"), nums.get(f"max_{what}")
            if lo is not None and hi is not None and lo > hi:
                r.error(
                    item, f"section rule '{code}': min_{what} {_num(lo)} > max_{what} {_num(hi)}"
                )
        if (code, type_code) in seen:
            r.error(item, f"section rule '{code}' repeats the rule on line {seen[code, type_code]}")
        seen[code, type_code] = _line(item)
        rules.append(SectionRule(code, type_code, *(nums.get(k) for k in _SECTION_KEYS[2:])))
        r.section_lines.append(_line(item))
    return tuple(rules)


def _difficulty(r: _Reader, node: yaml.Node) -> Difficulty | None:
    found = r.mapping(node, "difficulty", ("mean_b", "bands", "band_edges"))
    mean_b = r.pair(found["mean_b"], "difficulty.mean_b", -4, 4) if "mean_b" in found else None
    edges = DEFAULT_BAND_EDGES
    if "band_edges" in found:
        pair = r.pair(found["band_edges"], "difficulty.band_edges", -4, 4)
        if pair is not None:
            edges = pair
    bands: list[tuple[str, int, int]] = []
    if "bands" in found:
        spec = r.mapping(found["bands"], "difficulty.bands", BANDS)
        for band in BANDS:
            if band not in spec:
                continue
            items = r.sequence(spec[band], f"difficulty.bands.{band}")
            if len(items) != 2:
                if items:
                    r.error(spec[band], f"difficulty.bands.{band} must be [min, max] item counts")
                continue
            lo = r.integer(items[0], f"difficulty.bands.{band} min")
            hi = r.integer(items[1], f"difficulty.bands.{band} max")
            if lo is not None and hi is not None:
                if lo > hi:
                    r.error(spec[band], f"difficulty.bands.{band}: min {lo} is above max {hi}")
                else:
                    bands.append((band, lo, hi))
    if isinstance(node, yaml.MappingNode) and "mean_b" not in found and "bands" not in found:
        r.error(node, "difficulty needs mean_b or bands")
    return Difficulty(mean_b, tuple(bands), edges)


def _cross_checks(r: _Reader, top: dict[str, int], v: dict[str, Any]) -> None:
    """Rules that involve several keys; errors point at the line of the key concerned."""
    types: tuple[TypeRule, ...] = v.get("types", ())
    total, cut = v.get("total_points"), v.get("cut_score")
    n_items = sum(t.count for t in types) if "types" in v else None
    added = sum(t.count * t.points for t in types)
    if "types" in v and total is not None and abs(added - total) > 1e-9:
        r.error(
            top["types"], f"types add up to {_num(added)} points, total_points is {_num(total)}"
        )
    if total is not None and cut is not None and cut > total:
        r.error(top["cut_score"], f"cut_score {_num(cut)} is above total_points {_num(total)}")
    rules: tuple[SectionRule, ...] = v.get("sections", ())
    for rule, line in zip(rules, r.section_lines, strict=True):
        if rule.type is not None and "types" in v and all(t.type != rule.type for t in types):
            r.error(line, f"section rule '{rule.code}': the paper has no '{rule.type}' questions")
        if total is not None and (rule.min_points or 0) > total:
            r.error(line, f"section rule '{rule.code}': min_points is above total_points")
        if n_items is not None and (rule.min_count or 0) > n_items:
            r.error(line, f"section rule '{rule.code}': min_count is above the {n_items} questions")
    # Minimums of codes that do not nest must fit in the paper together.
    plain = [s for s in rules if s.type is None]
    outer = [
        s
        for s in plain
        if not any(o.code != s.code and code_matches(o.code, s.code) for o in plain)
    ]
    need_points = sum(s.min_points or 0 for s in outer)
    if total is not None and need_points > total + 1e-9:
        r.error(
            top["sections"],
            f"the sections' min_points add up to {_num(need_points)} > {_num(total)}",
        )
    need_count = sum(s.min_count or 0 for s in outer)
    if n_items is not None and need_count > n_items:
        r.error(top["sections"], f"the sections' min_count add up to {need_count} > {n_items}")
    bands = v["difficulty"].bands if "difficulty" in v else ()
    fits = sum(b[1] for b in bands) <= (n_items or 0) <= sum(b[2] for b in bands)
    if n_items is not None and len(bands) == len(BANDS) and not fits:
        r.error(top["difficulty"], f"difficulty bands cannot add up to {n_items} questions")
    both = set(v.get("must_include", ())) & set(v.get("must_exclude", ()))
    if both:
        r.error(top["must_exclude"], f"in must_include and must_exclude: {', '.join(sorted(both))}")


# --------------------------------------------------------------------------------------------
# Writing


def _num(value: float) -> str:
    if isinstance(value, float) and (math.isinf(value) or math.isnan(value)):
        return str(value)
    return str(int(value)) if float(value).is_integer() else repr(float(value))


def _str(value: str) -> str:
    """Plain when YAML reads it back as the same string (also inside [...] or {...}), else
    JSON-quoted, which is valid YAML."""
    try:
        risky = any(c in value for c in ",[]{}#&*!|>'\"%@`") or ": " in value
        if value and not risky and yaml.safe_load(value) == value:
            return value
    except yaml.YAMLError:
        pass
    return json.dumps(value, ensure_ascii=False)


def _flow(pairs: Iterable[tuple[str, Any]]) -> str:
    parts = []
    for key, value in pairs:
        if value is None:
            continue
        parts.append(f"{key}: {_num(value) if isinstance(value, (int, float)) else _str(value)}")
    return "{" + ", ".join(parts) + "}"


def dump_blueprint(bp: Blueprint) -> str:
    """The blueprint as YAML in the documented layout; `parse_blueprint` reads it back equal."""
    lines = [
        f"name: {_str(bp.name)}",
        f"specialty: {bp.specialty}",
        f"level: {bp.level}",
        f"total_points: {_num(bp.total_points)}",
        f"cut_score: {_num(bp.cut_score)}",
        f"duration_minutes: {bp.duration_minutes}",
        "types:",
    ]
    width = max((len(t.type) for t in bp.types), default=0) + 1
    lines += [
        f"  {(t.type + ':').ljust(width)} {{count: {t.count}, points: {_num(t.points)}}}"
        for t in bp.types
    ]
    lines.append(f"multiple_scoring: {bp.multiple_scoring}")
    if bp.sections:
        lines.append("sections:")
        lines += [f"  - {_flow(zip(_SECTION_KEYS, astuple(s), strict=True))}" for s in bp.sections]
    d = bp.difficulty
    if d.mean_b is not None or d.bands:
        parts = []
        if d.mean_b is not None:
            parts.append(f"mean_b: [{_num(d.mean_b[0])}, {_num(d.mean_b[1])}]")
        if d.bands:
            parts.append(
                "bands: {" + ", ".join(f"{b}: [{lo}, {hi}]" for b, lo, hi in d.bands) + "}"
            )
        if d.band_edges != DEFAULT_BAND_EDGES:
            parts.append(f"band_edges: [{_num(d.band_edges[0])}, {_num(d.band_edges[1])}]")
        lines.append("difficulty: {" + ", ".join(parts) + "}")
    if bp.theta_cut is not None:
        lines.append(f"theta_cut: {_num(bp.theta_cut)}")
    if bp.cut_tolerance is not None:
        lines.append(f"cut_tolerance: {_num(bp.cut_tolerance)}")
    lines.append(f"levels_allowed: [{', '.join(bp.allowed_levels)}]")
    lines.append(f"recency: {{exclude_last_papers: {bp.recency}}}")
    if bp.max_exposure is not None:
        lines.append(f"exposure: {{max_rate: {_num(bp.max_exposure)}}}")
    lines.append(f"forms: {bp.forms}")
    lines.append(f"max_overlap: {bp.max_overlap}")
    lines.append(f"must_include: [{', '.join(_str(i) for i in bp.must_include)}]")
    lines.append(f"must_exclude: [{', '.join(_str(i) for i in bp.must_exclude)}]")
    return "\n".join(lines) + "\n"
