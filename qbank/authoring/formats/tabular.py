"""One spreadsheet row ⇄ one draft, for Excel and CSV, with forgiving value syntax (the columns
and accepted words are in `columns.py`).

Problems name the row ("row 12", as the spreadsheet numbers it) and the column header as the
file spells it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from qbank.authoring.draft import (
    DEFAULT_POINTS,
    LEVEL_CODES,
    OPTION_KEYS,
    OptionDraft,
    Problem,
    QuestionDraft,
    QuestionType,
    RubricPoint,
)
from qbank.authoring.formats.columns import (
    ALL_LEVELS,
    COLUMNS,
    DIFFICULTY_WORDS,
    FALSE_WORDS,
    FIELD_ORDER,
    LEVEL_LABELS,
    LEVEL_WORDS,
    NO,
    TEMPLATE_OPTIONS,
    TRUE_FALSE_OPTIONS,
    TRUE_WORDS,
    TYPE_LABELS,
    TYPE_WORDS,
    YES,
    Header,
    fold,
)
from qbank.authoring.formats.rubric import (
    format_rubric,
    full_mark_rubric,
    parse_rubric,
)


@dataclass
class RowResult:
    draft: QuestionDraft | None
    errors: list[Problem]
    warnings: list[Problem]


def _split_list(text: str, spaces: bool = False) -> tuple[str, ...]:
    pattern = r"[,，、;；\n\s]+" if spaces else r"[,，、;；\n]+"
    return tuple(p.strip() for p in re.split(pattern, text) if p.strip())


def _number(text: str) -> float | None:
    folded = fold(text)
    folded = re.sub(r"(分|points?|pts?)$", "", folded)
    try:
        value = float(folded)
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def row_to_draft(cells: dict[str, str], row: int, header: Header) -> RowResult:
    """One spreadsheet row (field → cell text) as a draft, with its problems."""
    loc = f"row {row}"
    errors: list[Problem] = []
    warnings: list[Problem] = []

    def name(key: str) -> str:
        return header.names.get(key, COLUMNS[key][0])

    def bad(key: str, message: str) -> None:
        errors.append(Problem(loc, name(key), message))

    get = cells.get
    kind_text = get("type", "")
    kind = None
    if kind_text:
        word = fold(kind_text)
        kind = next((k for k, words in TYPE_WORDS.items() if word in map(fold, words)), None)
        if kind is None:
            bad("type", f"unknown question type '{kind_text}' (use 单选, 多选, 简答 or 判断)")
            return RowResult(None, errors, warnings)

    options: list[OptionDraft] = []
    gap = ""
    for key in OPTION_KEYS:
        text = get(f"option_{key}", "")
        if not text:
            gap = gap or key
            continue
        if gap:
            bad(f"option_{gap}", f"option {gap} is empty but option {key} is not")
            gap = ""
        options.append(OptionDraft(key, text))
    if kind == "truefalse" and not options:
        options = [OptionDraft("A", TRUE_FALSE_OPTIONS[0]), OptionDraft("B", TRUE_FALSE_OPTIONS[1])]

    answer = get("answer", "")
    keys: list[str] = []
    if kind == "truefalse" and fold(answer) in TRUE_WORDS + FALSE_WORDS:
        keys = ["A" if fold(answer) in TRUE_WORDS else "B"]
    elif answer and (options or kind in ("single", "multiple", "choice")):
        letters = re.sub(r"[,，、;；/\s和及]+", "", unicodedata.normalize("NFKC", answer)).upper()
        if not re.fullmatch(r"[A-Z]+", letters):
            bad("answer", f"'{answer}' is not a list of option letters such as A or A,C")
        else:
            keys = sorted(set(letters))
            missing = [k for k in keys if k not in {o.key for o in options}]
            if missing:
                bad("answer", f"the answer names option {', '.join(missing)}, which is empty")
    if kind in ("choice", "truefalse", None) and (options or keys):
        kind = "multiple" if len(keys) > 1 else "single"
    qtype = QuestionType(kind or "short")
    options = [OptionDraft(o.key, o.text, o.key in keys) for o in options]

    points = None
    if get("points"):
        points = _number(get("points", ""))
        if points is None:
            bad("points", f"'{get('points')}' is not a number")
    reference = get("reference_answer", "")
    if qtype is QuestionType.SHORT and not reference and answer:
        reference = answer
    if qtype is QuestionType.SHORT and answer and get("reference_answer"):
        warnings.append(
            Problem(loc, name("answer"), f"ignored: {name('reference_answer')} is used")
        )
    rubric: tuple[RubricPoint, ...] = ()
    if get("rubric") and qtype is QuestionType.SHORT:
        parsed = parse_rubric(get("rubric", ""), points or DEFAULT_POINTS["short"])
        errors += [Problem(loc, name("rubric"), m) for m in parsed.errors]
        warnings += [Problem(loc, name("rubric"), m) for m in parsed.warnings]
        rubric = tuple(parsed.points)
        if points is None and rubric and not parsed.warnings:
            points = sum(p.points for p in rubric)
    elif get("rubric"):
        warnings.append(Problem(loc, name("rubric"), "ignored: only short answers have key points"))
    elif qtype is QuestionType.SHORT:
        rubric = full_mark_rubric(points or DEFAULT_POINTS["short"])
        warnings.append(
            Problem(
                loc, name("rubric"), "no rubric: one key point worth the full points was created"
            )
        )

    difficulty = None
    if text := get("difficulty", ""):
        number = _number(text)
        if fold(text) in DIFFICULTY_WORDS:
            difficulty = DIFFICULTY_WORDS[fold(text)]
        elif number is not None and number.is_integer():
            difficulty = int(number)
        else:
            bad("difficulty", f"'{text}' is not a difficulty 1-5 (or 易, 较易, 中, 较难, 难)")

    levels: tuple[str, ...] = LEVEL_CODES
    if (text := get("levels", "")) and fold(text) not in ALL_LEVELS:
        found = []
        for part in _split_list(text.replace("/", ","), spaces=True):
            codes = [c for c, ws in LEVEL_WORDS.items() if fold(part) in map(fold, ws)]
            run = re.findall("初级|中级|高级", part)
            if not codes and "".join(run) == part:
                codes = [c for c, label in LEVEL_LABELS.items() if label in run]
            if not codes:
                bad("levels", f"unknown level '{part}' (use 初级, 中级, 高级 or 全部)")
            found += [c for c in codes if c not in found]
        levels = tuple(c for c in LEVEL_CODES if c in found) or LEVEL_CODES

    shuffle = True
    if text := get("shuffle", ""):
        if fold(text) in YES:
            shuffle = True
        elif fold(text) in NO:
            shuffle = False
        else:
            bad("shuffle", f"'{text}' is not 是 or 否")

    draft = QuestionDraft(
        type=qtype,
        stem=get("stem", ""),
        options=tuple(options),
        explanation=get("explanation", ""),
        reference_answer=reference,
        rubric=rubric,
        points=points,
        section=get("section", ""),
        secondary_sections=_split_list(get("secondary_sections", ""), spaces=True),
        levels=levels,
        difficulty=difficulty,
        source=get("source", ""),
        tags=_split_list(get("tags", "")),
        enemy_group=get("enemy_group", ""),
        shuffle=shuffle,
        external_id=get("id", ""),
        location=loc,
    )
    return RowResult(draft, errors, warnings)


def read_rows(rows: Sequence[Sequence[str]], header: Header) -> tuple[list[RowResult], int]:
    """Drafts for the rows under the header; also how many rows were skipped as empty."""
    results = []
    skipped = 0
    for number, row in enumerate(rows[header.row :], header.row + 1):
        cells = {
            header.fields[col]: value
            for col, value in enumerate(row)
            if col in header.fields and value
        }
        if not (set(cells) - {"id"}):
            skipped += 1
            continue
        results.append(row_to_draft(cells, number, header))
    return results, skipped


def field_names(header: Header) -> dict[str, str]:
    """validate_draft's field names → the file's column headers, for its problems."""
    out = {}
    for draft_field, column in (
        ("stem", "stem"),
        ("answer", "answer"),
        ("points", "points"),
        ("reference_answer", "reference_answer"),
        ("rubric", "rubric"),
        ("difficulty", "difficulty"),
        ("levels", "levels"),
        ("section", "section"),
        ("explanation", "explanation"),
        ("source", "source"),
    ):
        out[draft_field] = header.names.get(column, COLUMNS[column][0])
    out["options"] = "选项"
    return out


# -- export ----------------------------------------------------------------------------------


def export_fields(drafts: Sequence[QuestionDraft]) -> list[str]:
    """The template's columns, with 选项F… added when a question has that many options."""
    keys = {o.key for d in drafts for o in d.options}
    extra = [f"option_{k}" for k in OPTION_KEYS if k not in TEMPLATE_OPTIONS and k in keys]
    at = FIELD_ORDER.index("answer")
    return FIELD_ORDER[:at] + extra + FIELD_ORDER[at:]


def draft_to_cells(d: QuestionDraft) -> dict[str, str | float | int]:
    cells: dict[str, str | float | int] = {
        "id": d.external_id,
        "type": TYPE_LABELS[d.type.value],
        "stem": d.stem,
        "answer": "".join(d.keys) if d.type is not QuestionType.SHORT else "",
        "points": d.points if d.points is not None else "",
        "reference_answer": d.reference_answer,
        "rubric": format_rubric(d.rubric),
        "explanation": d.explanation,
        "difficulty": d.difficulty if d.difficulty is not None else "",
        "section": d.section,
        "secondary_sections": ", ".join(d.secondary_sections),
        "levels": "、".join(LEVEL_LABELS.get(v, v) for v in d.levels),
        "source": d.source,
        "tags": ", ".join(d.tags),
        "enemy_group": d.enemy_group,
        "shuffle": "" if d.type is QuestionType.SHORT else ("是" if d.shuffle else "否"),
    }
    if isinstance(cells["points"], float) and cells["points"].is_integer():
        cells["points"] = int(cells["points"])
    for o in d.options:
        cells[f"option_{o.key}"] = o.text
    return cells


def header_row(fields: Sequence[str]) -> list[str]:
    return [COLUMNS[f][0] for f in fields]
