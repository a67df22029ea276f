"""Moodle XML import (`<quiz>` files from Moodle's question bank export).

Mapping: multichoice → single or multiple by `<single>` (keys: answers with a positive
fraction; partial credit is noted in a warning); truefalse → single with options 正确/错误;
essay → short (`graderinfo` → reference answer, and key points when written as qbank grader
notes); shortanswer → short (accepted answers → reference answer, with a warning). Category
records set the section of the questions after them (the path as written, e.g.
`$course$/碳交易/碳排放权交易流程`; the app resolves its last part). `<idnumber>` → external
ID, `<generalfeedback>` → explanation, `<tags>` → tags, `<defaultgrade>` → points. Any other
question type is an error naming it.

Export: moodle_export.py.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import dataclass, field

from qbank.authoring.draft import (
    OPTION_KEYS,
    OptionDraft,
    Problem,
    QuestionDraft,
    QuestionType,
    RubricPoint,
)
from qbank.authoring.formats.htmltext import html_to_markdown, plain_text
from qbank.authoring.formats.result import (
    DEFAULT_MAX_BYTES,
    FileProblem,
    ParseResult,
    check_size,
    failed,
    finish,
)
from qbank.authoring.formats.rubric import full_mark_rubric, parse_rubric, split_notes
from qbank.authoring.formats.xmlsafe import XmlDoc, child, children, local, parse_xml

# Moodle's grade choices (question_bank::fraction_options_full), in percent
VALID_FRACTIONS = (
    100,
    90,
    83.33333,
    80,
    75,
    70,
    66.66667,
    60,
    50,
    40,
    33.33333,
    30,
    25,
    20,
    16.66667,
    14.28571,
    12.5,
    11.11111,
    10,
    5,
    0,
)
DEFAULT_FEEDBACK = {
    "Your answer is correct.",
    "Your answer is partially correct.",
    "Your answer is incorrect.",
}
TRUE_FALSE = ("正确", "错误")
SUPPORTED = ("multichoice", "truefalse", "essay", "shortanswer")


def is_valid_fraction(value: float) -> bool:
    return any(abs(abs(value) - v) < 0.01 for v in VALID_FRACTIONS)


def nearest_fraction(value: float) -> float:
    best = min(VALID_FRACTIONS, key=lambda v: abs(abs(value) - v))
    return best if value >= 0 else -best


@dataclass
class _Question:
    doc: XmlDoc
    element: ET.Element
    loc: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    dropped: list[str] = field(default_factory=list)
    images: int = 0

    def text(self, element: ET.Element | None, default_format: str = "html") -> str:
        if element is None:
            return ""
        node = child(element, "text")
        raw = "".join(node.itertext()) if node is not None else ""
        fmt = element.get("format", default_format)
        if fmt == "html":
            converted = html_to_markdown(raw)
            self.images += converted.images
            return converted.text
        return plain_text(raw)

    def value(self, name: str) -> str:
        node = child(self.element, name)
        return "".join(node.itertext()).strip() if node is not None else ""

    def error(self, fld: str, message: str) -> None:
        self.errors.append(Problem(self.loc, fld, message))

    def warn(self, fld: str, message: str) -> None:
        self.warnings.append(Problem(self.loc, fld, message))


def _number(q: _Question, raw: str, fld: str) -> float | None:
    try:
        value = float(raw)
    except ValueError:
        q.error(fld, f"'{raw}' is not a number")
        return None
    if value != value or value in (float("inf"), float("-inf")):
        q.error(fld, f"'{raw}' is not a number")
        return None
    return value


def _answers(q: _Question) -> list[tuple[ET.Element, float | None, str, str]]:
    """Each <answer>: element, fraction in percent, text, feedback."""
    out = []
    for i, answer in enumerate(children(q.element, "answer"), 1):
        raw = answer.get("fraction", "0").strip()
        fraction = _number(q, raw, f"answer {i}")
        if fraction is not None and not is_valid_fraction(fraction):
            q.error(
                f"answer {i}",
                f"fraction {raw} (line {q.doc.line(answer)}) is not a Moodle grade; "
                f"use {nearest_fraction(fraction):.7g}",
            )
        out.append((answer, fraction, q.text(answer), q.text(child(answer, "feedback"))))
    return out


def _choice(q: _Question, qtype: str) -> tuple[QuestionType, tuple[OptionDraft, ...], bool]:
    answers = _answers(q)
    if len(answers) > len(OPTION_KEYS):
        q.error("options", f"{len(answers)} answers; qbank allows at most {len(OPTION_KEYS)}")
        answers = answers[: len(OPTION_KEYS)]
    if any(fb for *_, fb in answers):
        q.dropped.append("answer feedback")
    if qtype == "truefalse":
        truth = next((t.lower() == "true" for _, f, t, _ in answers if f and f > 0), None)
        if truth is None:
            q.error("answer", "no answer has a positive fraction")
        options: tuple[OptionDraft, ...] = (
            OptionDraft("A", TRUE_FALSE[0], truth is True),
            OptionDraft("B", TRUE_FALSE[1], truth is False),
        )
        return QuestionType.SINGLE, options, False
    single = q.value("single").lower() in ("true", "1")
    positive = [f for _, f, _, _ in answers if f is not None and f > 0]
    if single:
        best = max(positive, default=0)
        keys = [f is not None and f > 0 and abs(f - best) < 0.01 for _, f, _, _ in answers]
        partial = [
            f"{OPTION_KEYS[i]} {f:.7g}%"
            for i, (_, f, _, _) in enumerate(answers)
            if f is not None and 0 < f < best - 0.01
        ]
        if partial:
            q.warn(
                "answer",
                f"Moodle partial credit not kept ({', '.join(partial)}): "
                "qbank scores these options as wrong",
            )
        if positive and abs(best - 100) > 0.01:
            q.error("answer", f"the best answer is worth {best:g}%; a single-choice key needs 100%")
    else:
        keys = [f is not None and f > 0 for _, f, _, _ in answers]
        total = sum(positive)
        valid = all(f is not None and is_valid_fraction(f) for _, f, _, _ in answers)
        if valid and positive and abs(total - 100) > 0.1:
            q.error("answer", f"the positive fractions add up to {total:g}%, not 100%")
        if len({round(f, 2) for f in positive}) > 1:
            notes = ", ".join(
                f"{OPTION_KEYS[i]} {f:.7g}%" for i, (_, f, _, _) in enumerate(answers) if f
            )
            q.warn(
                "answer",
                f"Moodle partial credit noted ({notes}); qbank weighs every key the same",
            )
    options = tuple(
        OptionDraft(OPTION_KEYS[i], text, key)
        for i, ((_, _, text, _), key) in enumerate(zip(answers, keys, strict=True))
    )
    qtype_out = QuestionType.SINGLE if single else QuestionType.MULTIPLE
    return qtype_out, options, q.value("shuffleanswers").lower() not in ("false", "0")


def _short(q: _Question, qtype: str, points: float) -> tuple[str, tuple[RubricPoint, ...]]:
    if qtype == "essay":
        notes = split_notes(q.text(child(q.element, "graderinfo")))
        reference = notes.reference if notes.reference is not None else notes.before
        if q.text(child(q.element, "responsetemplate")):
            q.dropped.append("response template")
        if notes.rubric:
            parsed = parse_rubric(notes.rubric, points)
            for m in parsed.errors:
                q.error("rubric", m)
            for m in parsed.warnings:
                q.warn("rubric", m)
            return reference, tuple(parsed.points)
    else:
        answers = _answers(q)
        accepted = [(f, t) for _, f, t, _ in answers if f and f > 0 and t.strip() != "*"]
        reference = "；".join(t if f >= 99.99 else f"{t}（{f:g}%）" for f, t in accepted)
        q.warn(
            "reference_answer",
            "Moodle short answer: the accepted answers became the "
            "reference answer; qbank short answers are marked by hand",
        )
        if any(fb for *_, fb in answers):
            q.dropped.append("answer feedback")
    q.warn("rubric", "no rubric: one key point worth the full points was created")
    return reference, full_mark_rubric(points)


def _question(q: _Question, qtype: str, section: str) -> QuestionDraft:
    points = None
    if raw := q.value("defaultgrade"):
        points = _number(q, raw, "defaultgrade")
    options: tuple[OptionDraft, ...] = ()
    reference, shuffle = "", True
    rubric: tuple[RubricPoint, ...] = ()
    if qtype in ("multichoice", "truefalse"):
        kind, options, shuffle = _choice(q, qtype)
    else:
        kind = QuestionType.SHORT
        reference, rubric = _short(q, qtype, points if points else 5.0)
        if points is None and rubric:
            points = sum(p.points for p in rubric)
    for name in ("correctfeedback", "partiallycorrectfeedback", "incorrectfeedback"):
        if q.text(child(q.element, name)) not in DEFAULT_FEEDBACK | {""}:
            q.dropped.append("combined feedback")
            break
    if hints := len(children(q.element, "hint")):
        q.dropped.append(f"{hints} hint{'s' * (hints > 1)}")
    tags = child(q.element, "tags")
    stem = q.text(child(q.element, "questiontext"))
    draft = QuestionDraft(
        type=kind,
        stem=stem,
        options=options,
        explanation=q.text(child(q.element, "generalfeedback")),
        reference_answer=reference,
        rubric=rubric,
        points=points,
        section=section,
        tags=tuple(
            t
            for t in ("".join(x.itertext()).strip() for x in (tags if tags is not None else []))
            if t
        ),
        shuffle=shuffle,
        external_id=q.value("idnumber"),
        location=q.loc,
        extra=(("title", q.value("name")),),
    )
    if q.dropped:
        q.warn("", "Moodle feedback dropped: " + ", ".join(dict.fromkeys(q.dropped)))
    if q.images:
        q.warn("", f"{q.images} image(s) replaced by [图片]: add them again in qbank")
    if any(local(x.tag) == "file" for x in q.element.iter()):
        q.warn("", "embedded files dropped")
    return draft


def parse_moodle(
    data: bytes, filename: str = "upload.xml", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Questions from a Moodle XML file."""
    try:
        check_size(data, filename, max_bytes)
        doc = parse_xml(data, filename)
    except FileProblem as exc:
        return failed("moodle", exc.problem)
    if local(doc.root.tag) != "quiz":
        return failed(
            "moodle",
            Problem(
                f"{filename}:{doc.line(doc.root)}",
                "",
                f"not a Moodle XML file: the root element is <{local(doc.root.tag)}>, not <quiz>",
            ),
        )
    drafts: list[QuestionDraft] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    section = ""
    number = 0
    for element in children(doc.root, "question"):
        qtype = element.get("type", "")
        line = doc.line(element)
        if qtype == "category":
            cat = child(element, "category")
            section = "".join(cat.itertext()).strip() if cat is not None else ""
            continue
        number += 1
        name_el = child(element, "name")
        name = "".join(name_el.itertext()).strip() if name_el is not None else ""
        short_name = name if len(name) <= 60 else name[:57] + "…"
        q = _Question(doc, element, f"question {number} '{short_name}' (line {line})")
        if qtype not in SUPPORTED:
            errors.append(
                Problem(q.loc, "type", f"Moodle question type '{qtype}' is not supported")
            )
            continue
        drafts.append(_question(q, qtype, section))
        errors += q.errors
        warnings += q.warnings
    return finish("moodle", drafts, errors, warnings, filename=filename)
