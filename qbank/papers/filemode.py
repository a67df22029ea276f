"""File mode of paper assembly: what ``qbank assemble --blueprint B.yaml [--pool P.csv]
[--forms N] [--seed S] [--time-limit T] --out forms.json`` needs. Pure: files in, a dict out.

Pool CSV columns: ``id,section,type,points,a,b`` and optionally ``level,enemy,last_used,
exposure`` (UTF-8, with or without BOM, or GBK). ``b`` is ``b1;b2;…`` for polytomous items;
``level`` is ``junior;intermediate`` (or 初级;中级) — empty means every level; ``last_used``
is papers ago (empty: never); ``exposure`` 0..1. Without a pool file the approved starter bank
under ``content/questions`` is used with cold-start parameters (author difficulty → b).
Also here: the 21 default blueprints (`default_blueprint`) written to ``content/blueprints``,
and seeded made-up pools (`synthetic_pool`) for benchmarks, tests and demos.
"""

from __future__ import annotations

import csv
import io
import math
from pathlib import Path
from typing import Any

import numpy as np

from qbank.papers.assemble import ALL_LEVELS, Pool, assemble, level_bits
from qbank.papers.blueprint import (
    LEVEL_ZH,
    LEVELS,
    TYPES,
    Blueprint,
    Difficulty,
    SectionRule,
    TypeRule,
    load_blueprint,
)
from qbank.yamlfile import YamlProblem

REQUIRED = ("id", "section", "type", "points", "a", "b")
OPTIONAL = ("level", "enemy", "last_used", "exposure")
_TYPE_ALIASES = {
    "单选": "single",
    "单选题": "single",
    "多选": "multiple",
    "多选题": "multiple",
    "简答": "short",
    "简答题": "short",
}
# Author difficulty 1..5 → b on the cold-start scale (a = 1), as the calibration engine's
# cold start maps it; used when no calibrated parameters exist.
COLD_START_B = (-1.5, -0.75, 0.0, 0.75, 1.5)
_LEVEL_ALIASES = {**{v: k for k, v in LEVEL_ZH.items()}, **{lv: lv for lv in LEVELS}}


class PoolFileError(Exception):
    """Every problem found in a pool file, each with its line."""

    def __init__(self, problems: list[YamlProblem]) -> None:
        super().__init__("\n".join(str(p) for p in problems))
        self.problems = problems


def _decode(raw: bytes) -> str:
    for encoding in ("utf-8-sig", "gbk"):
        try:
            return raw.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise PoolFileError([YamlProblem("", 0, "the file is neither UTF-8 nor GBK text")])


def read_pool_csv(path: Path | str) -> Pool:
    """Read a pool CSV; raise PoolFileError listing every problem with its line number."""
    p = Path(path)
    try:
        text = _decode(p.read_bytes())
    except PoolFileError as exc:
        raise PoolFileError([YamlProblem(str(p), 0, exc.problems[0].message)]) from None
    return parse_pool_csv(text, str(p))


def parse_pool_csv(text: str, name: str = "<pool>") -> Pool:
    problems: list[YamlProblem] = []

    def bad(line: int, message: str) -> None:
        problems.append(YamlProblem(name, line, message))

    reader = csv.reader(io.StringIO(text))
    try:
        rows = []
        start = 1
        for record in reader:
            rows.append((start, record))  # the line a record starts on (quoted cells may span)
            start = reader.line_num + 1
    except csv.Error as exc:
        raise PoolFileError([YamlProblem(name, reader.line_num, f"CSV error: {exc}")]) from None
    if not rows:
        raise PoolFileError([YamlProblem(name, 1, "the file is empty")])
    header = [h.strip().lstrip("\ufeff") for h in rows[0][1]]
    for h in header:
        if h not in REQUIRED + OPTIONAL:
            bad(1, f"unknown column '{h}' (columns: {', '.join(REQUIRED + OPTIONAL)})")
    for h in REQUIRED:
        if h not in header:
            bad(1, f"missing column '{h}'")
    if len(set(header)) != len(header):
        bad(1, "a column is named twice")
    if problems:
        raise PoolFileError(problems)
    col = {h: i for i, h in enumerate(header)}
    out: dict[str, list[Any]] = {h: [] for h in REQUIRED + OPTIONAL}
    seen: dict[str, int] = {}
    for line, raw in rows[1:]:
        if not any(cell.strip() for cell in raw):
            continue
        if len(raw) != len(header):
            bad(line, f"expected {len(header)} fields, found {len(raw)}")
            continue
        cell = {h: raw[i].strip() for h, i in col.items()}
        qid = cell["id"]
        if not qid:
            bad(line, "id is empty")
        elif qid in seen:
            bad(line, f"duplicate id '{qid}' (first on line {seen[qid]})")
        else:
            seen[qid] = line
        if not cell["section"]:
            bad(line, "section is empty")
        qtype = _TYPE_ALIASES.get(cell["type"], cell["type"])
        if qtype not in TYPES:
            bad(line, f"type '{cell['type']}' must be one of {', '.join(TYPES)}")
        points = _number(cell["points"], "points", line, bad, positive=True)
        a = _number(cell["a"], "a", line, bad, positive=True)
        steps = []
        for part in cell["b"].split(";") if cell["b"] else []:
            value = _number(part, "b", line, bad)
            if value is not None:
                steps.append(value)
        if not cell["b"]:
            bad(line, "b is empty")
        levels = level_bits(LEVELS)
        if cell.get("level"):
            names = [
                x.strip()
                for x in cell["level"].replace("，", ";").replace(",", ";").split(";")
                if x.strip()
            ]
            unknown = [x for x in names if x not in _LEVEL_ALIASES]
            if unknown:
                bad(
                    line,
                    f"unknown level '{unknown[0]}' (junior, intermediate, senior or 初级, 中级, 高级)",
                )
            else:
                levels = level_bits(_LEVEL_ALIASES[x] for x in names) or level_bits(LEVELS)
        last_used = math.nan
        if cell.get("last_used"):
            value = _number(cell["last_used"], "last_used", line, bad)
            if value is not None and (value < 0 or not float(value).is_integer()):
                bad(line, "last_used must be a whole number of papers (0 or more)")
            elif value is not None:
                last_used = value
        exposure = 0.0
        if cell.get("exposure"):
            value = _number(cell["exposure"], "exposure", line, bad)
            if value is not None and not 0 <= value <= 1:
                bad(line, "exposure must be between 0 and 1")
            elif value is not None:
                exposure = value
        for key, field_value in (
            ("id", qid),
            ("section", cell["section"]),
            ("type", qtype),
            ("points", points),
            ("a", a),
            ("b", steps),
            ("level", levels),
            ("enemy", cell.get("enemy", "")),
            ("last_used", last_used),
            ("exposure", exposure),
        ):
            out[key].append(field_value)
    if problems:
        raise PoolFileError(problems)
    if not out["id"]:
        raise PoolFileError([YamlProblem(name, 1, "the file has no questions")])
    return Pool.build(
        out["id"],
        out["section"],
        out["type"],
        out["points"],
        out["a"],
        out["b"],
        levels=out["level"],
        enemy=out["enemy"],
        last_used=[None if math.isnan(x) else int(x) for x in out["last_used"]],
        exposure=out["exposure"],
    )


def _number(text: str, what: str, line: int, bad: Any, positive: bool = False) -> float | None:
    try:
        value = float(text)
    except ValueError:
        bad(line, f"{what} '{text}' is not a number")
        return None
    if not math.isfinite(value):
        bad(line, f"{what} must be finite")
        return None
    if positive and value <= 0:
        bad(line, f"{what} must be above 0")
        return None
    return value


def cold_start_steps(qtype: str, difficulty: int, points: float, scoring: str) -> list[float]:
    """Provisional steps from the author's difficulty (a = 1): b = COLD_START_B[d − 1].

    Dichotomous items get b; partial-credit multiple choice (0/1/2) steps b ± 0.5;
    per-option scoring four steps; short answers one step per point spread over b ± 1.
    """
    b = COLD_START_B[min(max(difficulty, 1), 5) - 1]
    if qtype == "multiple" and scoring == "partial":
        return [b - 0.5, b + 0.5]
    if qtype == "multiple" and scoring == "per_option":
        return list(np.linspace(b - 0.75, b + 0.75, 4))
    if qtype == "short":
        k = max(round(points), 1)
        return list(np.linspace(b - 1.0, b + 1.0, k)) if k > 1 else [b]
    return [b]


def pool_from_content(content_dir: Path | str, blueprint: Blueprint) -> Pool:
    """The starter bank's questions for the blueprint's specialty, with cold-start parameters.

    Reads ``content/questions/<canonical section>.yaml`` (format: content/questions/README.md);
    a specialty section with ``same_as`` draws the canonical section's questions. Files that
    do not parse are skipped here — ``qbank check-content`` reports them.
    """
    from qbank.syllabus.content import parse_syllabus
    from qbank.yamlfile import YamlSyntaxError, load_yaml_file

    root = Path(content_dir)
    syllabus = parse_syllabus(root)
    default_points = {"single": 1.0, "multiple": 2.0, "short": 5.0}
    rows: list[tuple[Any, ...]] = []
    for spec in syllabus.specialties:
        if spec.code != blueprint.specialty:
            continue
        for section in (s for part in spec.parts for s in part.sections):
            path = root / "questions" / f"{section.same_as or section.code}.yaml"
            try:
                doc = load_yaml_file(path) if path.exists() else None
            except YamlSyntaxError:
                doc = None
            for q in (doc or {}).get("questions") or [] if isinstance(doc, dict) else []:
                qtype = str(q.get("type", "")) if isinstance(q, dict) else ""
                if qtype not in TYPES or not q.get("id"):
                    continue
                points = float(q.get("points") or default_points[qtype])
                difficulty = q.get("difficulty") if isinstance(q.get("difficulty"), int) else 3
                steps = cold_start_steps(qtype, difficulty, points, blueprint.multiple_scoring)
                levels = tuple(str(x) for x in q.get("levels") or LEVELS if str(x) in LEVELS)
                enemy = str(q.get("enemy") or "")
                rows.append((str(q["id"]), section.code, qtype, points, 1.0, steps, levels, enemy))
    col = [[r[k] for r in rows] for k in range(8)]
    ids, sections, types, points_, a, b = col[:6]
    return Pool.build(ids, sections, types, points_, a, b, levels=col[6], enemy=col[7])


# The 21 default blueprints of content/blueprints/<specialty>-<level>.yaml


DEFAULT_TYPES = (
    TypeRule("single", 40, 1.0),
    TypeRule("multiple", 20, 2.0),
    TypeRule("short", 4, 5.0),
)
# Target mean b by level on the cold-start scale (difficulty 1..5 ↔ b −1.5..1.5): junior papers
# centre on easier questions, senior on harder ones; intermediate straddles 0.
# Senior starts at −0.25, not 0: the starter bank's difficulties are the authors' ratings, and
# two disjoint senior papers cannot reach a mean of 0 from them. Revisit after calibration.
DEFAULT_MEAN_B = {"junior": (-0.6, 0.0), "intermediate": (-0.3, 0.3), "senior": (-0.25, 0.6)}


def short_name(title: str) -> str:
    """碳交易专业技能 → 碳交易."""
    return title.removesuffix("专业技能")


def default_blueprint(specialty: Any, level: str) -> Blueprint:
    """The default paper of a `SpecialtySpec` at `level`.

    Each part gets points in proportion to its number of sections, ± max(5, 20 %) rounded
    outwards, so the ranges always contain the proportional split (hence a feasible integer
    split: the 40 one-point questions can fill any remainder); every section has at least
    one question so the whole syllabus is examined — except a section that repeats a topic the
    specialty already lists (碳资产管理 lists 配额总量设定与分配 twice): it shares that section's
    questions, so counting it separately could never be met.
    """
    n_sections = sum(len(p.sections) for p in specialty.parts)
    rules: list[SectionRule] = []
    for part in specialty.parts:
        share = 100.0 * len(part.sections) / n_sections
        tol = max(5.0, 0.2 * share)
        low, high = max(0, math.floor(share - tol)), min(100, math.ceil(share + tol))
        rules.append(SectionRule(part.code, min_points=float(low), max_points=float(high)))
    seen: set[str] = set()
    for s in (s for p in specialty.parts for s in p.sections):
        topic = s.same_as or s.code
        if topic not in seen:
            rules.append(SectionRule(s.code, min_count=1))
        seen.add(topic)
    name = f"{short_name(specialty.title)} {LEVEL_ZH[level]} 默认"
    return Blueprint(
        name, specialty.code, level, 100.0, 60.0, 120, DEFAULT_TYPES, "partial", tuple(rules),
        Difficulty(mean_b=DEFAULT_MEAN_B[level]), levels_allowed=(level,), recency=2,
        max_exposure=0.3,
    )  # fmt: skip


# Made-up specialties and pools, for benchmarks, tests and demos


def synthetic_specialty(code: str = "synth", parts: int = 7, sections_per_part: int = 5) -> Any:
    """A made-up specialty (a `SpecialtySpec`) for benchmarks, tests and demos."""
    from qbank.syllabus.content import PartSpec, SectionSpec, SpecialtySpec

    part_specs = tuple(
        PartSpec(
            f"{code}.{p}",
            p,
            f"第{p}部分",
            f"Part {p}",
            f"第{p}部分",
            p,
            tuple(
                SectionSpec(f"{code}.{p}.{s}", s, f"{p}.{s}", f"{p}.{s}", f"{p}.{s}", None)
                for s in range(1, sections_per_part + 1)
            ),
        )
        for p in range(1, parts + 1)
    )
    return SpecialtySpec(code, 99, f"{code}专业技能", code, (), part_specs)


def synthetic_pool(
    n: int,
    *,
    specialty: str = "synth",
    parts: int = 7,
    sections_per_part: int = 5,
    seed: int = 0,
    type_shares: tuple[float, float, float] = (0.6, 0.3, 0.1),
    cold_start: bool = False,
) -> Pool:
    """A seeded pool: 2PL single/multiple choice, 5-step GPCM short answers (0..5).

    a ~ lognormal(0, 0.3), b ~ N(0, 1) (with `cold_start`: a = 1 and b from the author scale
    {−1.5, −0.75, 0, 0.75, 1.5}); 70 % of questions suit every level, 20 % intermediate and
    senior, 10 % junior and intermediate; 3 % retired; exposure ~ Beta(1, 12) (about 3 %
    above 0.3); 10 % used in one of the last five papers; about 5 % in enemy groups of 2–4.
    """
    rng = np.random.default_rng(seed)
    n_sec = parts * sections_per_part
    sec = rng.integers(0, n_sec, n)
    section = np.array(
        [
            f"{specialty}.{s // sections_per_part + 1}.{s % sections_per_part + 1}"
            for s in range(n_sec)
        ]
    )[sec]
    t = rng.choice(3, size=n, p=np.asarray(type_shares) / sum(type_shares))
    types = np.array(["single", "multiple", "short"])[t]
    points = np.array([1.0, 2.0, 5.0])[t]
    if cold_start:
        a = np.ones(n)
        loc = np.array([-1.5, -0.75, 0.0, 0.75, 1.5])[
            rng.choice(5, n, p=[0.1, 0.3, 0.35, 0.2, 0.05])
        ]
    else:
        a = rng.lognormal(0.0, 0.3, n)
        loc = rng.normal(0.0, 1.0, n)
    b = np.full((n, 5), np.nan)
    b[:, 0] = loc
    short = t == 2
    b[short] = loc[short, None] + np.linspace(-1.0, 1.0, 5)[None, :]
    if not short.any():
        b = b[:, :1]
    u = rng.random(n)
    levels = np.where(
        u < 0.7,
        ALL_LEVELS,
        np.where(
            u < 0.9, level_bits(("intermediate", "senior")), level_bits(("junior", "intermediate"))
        ),
    ).astype(np.int64)
    last_used = np.where(rng.random(n) < 0.1, rng.integers(1, 6, n).astype(np.float64), np.nan)
    exposure = rng.beta(1.0, 12.0, n)
    active = rng.random(n) >= 0.03
    enemy = np.full(n, "", dtype=object)
    members = rng.permutation(n)[: n // 20]
    i = g = 0
    while i < members.shape[0] - 1:
        size = int(rng.integers(2, 5))
        enemy[members[i : i + size]] = f"e{g}"
        i += size
        g += 1
    return Pool(
        id=np.array([f"q{i:06d}" for i in range(n)]),
        section=section.astype(np.str_),
        type=types.astype(np.str_),
        points=points,
        a=a,
        b=b,
        levels=levels,
        enemy=enemy.astype(np.str_),
        last_used=last_used,
        exposure=exposure,
        active=active,
    )


def assemble_files(
    blueprint_path: Path | str,
    pool_path: Path | str | None = None,
    forms: int | None = None,
    seed: int = 0,
    time_limit: float = 10.0,
    *,
    content_dir: Path | str | None = None,
    lang: str = "both",
) -> dict[str, Any]:
    """Assemble from files and return the JSON-ready report.

    ``{"status": "optimal"|"feasible"|"infeasible", "seconds", "gap", "theta_cut",
    "forms": [{"items", "points", "information_at_cut", "expected_score"}], "diagnosis"}``.
    A run stopped by the clock with a paper reports ``feasible`` (its gap says how close);
    one stopped without a paper reports ``infeasible`` with a diagnosis saying that
    infeasibility was *not* proven. `lang` picks the diagnosis language: zh, en or both.
    Raises BlueprintError / PoolFileError for bad input files.
    """
    bp_path = Path(blueprint_path)
    syllabus = None
    root = Path(content_dir) if content_dir is not None else bp_path.resolve().parent.parent
    if (root / "syllabus").is_dir():
        from qbank.syllabus.content import parse_syllabus

        syllabus = parse_syllabus(root)
    bp = load_blueprint(bp_path, syllabus)
    pool = read_pool_csv(pool_path) if pool_path is not None else pool_from_content(root, bp)
    titles = None
    if syllabus is not None:
        titles = {p.code: (p.title, p.title_en) for sp in syllabus.specialties for p in sp.parts}
        titles.update((s.code, (s.title, s.title_en)) for s in syllabus.sections())
    result = assemble(
        bp, pool, forms=forms, seed=seed, time_limit=time_limit, syllabus_titles=titles
    )
    status = result.status
    diagnosis = [_say(c.message_zh, c.message_en, lang) for c in result.diagnosis]
    if status == "time_limit":
        if result.forms:
            status = "feasible"
        else:
            status = "infeasible"
            diagnosis.append(
                _say(
                    f"在 {time_limit:g} 秒内未找到满足蓝图的试卷（并未证明不可行），请延长时间限制",
                    f"no paper meeting the blueprint was found within {time_limit:g} s "
                    "(infeasibility not proven); allow more time",
                    lang,
                )
            )
    theta = float(result.theta[0]) if result.theta.size else None
    return {
        "status": status,
        "seconds": round(result.seconds, 3),
        "gap": None if result.gap is None else float(result.gap),
        "theta_cut": theta,
        "forms": [
            {
                "items": list(f.ids),
                "points": _plain(f.points),
                "information_at_cut": float(f.information[0]),
                "expected_score": None if f.expected_score is None else float(f.expected_score[0]),
            }
            for f in result.forms
        ],
        "diagnosis": diagnosis,
    }


def _say(zh: str, en: str, lang: str) -> str:
    return zh if lang == "zh" else en if lang == "en" else f"{zh} / {en}"


def _plain(x: float) -> float | int:
    return int(x) if float(x).is_integer() else float(x)
