"""Key points (评分要点) written as text, and the grader notes that carry a reference answer and
its key points through formats that have no place for them.

Key-point syntax (Excel/CSV 评分要点, and the lists in grader notes), forgiving on purpose:

- One key point per line; a one-line cell may separate points with `；` or `;`.
- Points in brackets at the end or the start: `要点一(2分)`, `要点一（2 分）`, `要点一[2]`,
  `【2分】要点一`, `[2]要点一`, `要点一 (1.5 points)` (a leading `(1)` is numbering, not points); or a bare `2分` after a space, colon or dash:
  `要点一：2分`, `要点一 — 2分`.
- Leading numbering is ignored: `1.`, `1、`, `(1)`, `（1）`, `①`, `-`, `•`.
- When no point carries a number, the question's points are shared equally (with a warning);
  when only some do, that is an error.

Grader notes (Moodle essay `graderinfo`, the general feedback of a GIFT essay, a QTI scorer
`rubricBlock`) are Markdown: optional explanation, then `**参考答案**` and the reference answer,
then `**评分要点**` and a numbered list of key points in the syntax above.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from qbank.authoring.draft import RubricPoint

REFERENCE_HEADING = "参考答案"
RUBRIC_HEADING = "评分要点"
FULL_MARK_POINT = "答出参考答案的要点"

_NUM = r"(\d+(?:\.\d+)?)"
_UNIT = r"(?:分|points?|pts?|marks?)"
_TRAILING_BRACKET = re.compile(rf"[(\[【]\s*{_NUM}\s*{_UNIT}?\s*[)\]】]\s*[。.]?$", re.I)
_TRAILING_BARE = re.compile(rf"(?:^|[\s:：,，、—–-]+){_NUM}\s*{_UNIT}\s*[。.]?$", re.I)
_LEADING_BRACKET = re.compile(
    rf"^(?:[\[【]\s*{_NUM}\s*{_UNIT}?\s*[\]】]|\(\s*{_NUM}\s*{_UNIT}\s*\))\s*", re.I
)
_NUMBERING = re.compile(r"^(?:\d+\s*[.、)](?!\d)|[(]\s*\d+\s*[)]|[①-⑳]|[-*•·]\s)\s*")
_HEADING = re.compile(
    r"^\s*(?:\*\*|__)?\s*(参考答案|评分要点)\s*[:：]?\s*(?:\*\*|__)?\s*[:：]?\s*$"
)


_FOLD = str.maketrans("０１２３４５６７８９（）［］：，．", "0123456789()[]:,.")


def _fold(text: str) -> str:
    """Full-width digits and punctuation as ASCII, one character for one (offsets still hold)."""
    return text.translate(_FOLD)


@dataclass
class RubricParse:
    points: list[RubricPoint] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def _items(text: str) -> list[str]:
    text = text.replace("\r\n", "\n").strip()
    lines = [ln.strip() for ln in text.split("\n") if ln.strip()]
    if len(lines) == 1:
        lines = [p.strip() for p in re.split(r"[；;]", lines[0]) if p.strip()]
    return lines


def _split_points(item: str) -> tuple[str, float | None]:
    folded = _fold(item)
    body = item
    if m := _NUMBERING.match(folded):
        body, folded = body[m.end() :], folded[m.end() :]
    for pattern in (_TRAILING_BRACKET, _TRAILING_BARE):
        if m := pattern.search(folded):
            return body[: m.start()].strip(" ：:，,—–-"), float(m.group(1))
    if m := _LEADING_BRACKET.match(folded):
        return body[m.end() :].strip(), float(m.group(1))
    return body.strip(), None


def parse_rubric(text: str, total: float | None) -> RubricParse:
    """Key points from text; `total` (the question's points) is shared when no point has any."""
    out = RubricParse()
    parsed = [_split_points(item) for item in _items(text)]
    if not parsed:
        return out
    missing = [t for t, p in parsed if p is None]
    if missing and len(missing) < len(parsed):
        out.errors.append(f"key point '{missing[0][:30]}' has no points; write them like 要点(2分)")
        return out
    if missing:
        if total is None:
            out.errors.append(
                "the key points have no points; write them like 要点一(2分)；要点二(3分)"
            )
            return out
        share = round(total / len(parsed), 2)
        values = [share] * (len(parsed) - 1) + [round(total - share * (len(parsed) - 1), 2)]
        out.warnings.append(
            f"the key points have no points: the {total:g} points were shared equally"
        )
        parsed = [(t, v) for (t, _), v in zip(parsed, values, strict=True)]
    for text_, pts in parsed:
        if not text_:
            out.errors.append("a key point has points but no text")
        out.points.append(RubricPoint(text_, float(pts or 0)))
    return out


def format_points(value: float) -> str:
    return f"{value:.6f}".rstrip("0").rstrip(".")


def format_rubric(
    points: tuple[RubricPoint, ...] | list[RubricPoint], numbered: bool = False
) -> str:
    """Key points one per line, each ending in （N分）; parse_rubric reads them back."""
    lines = []
    for i, p in enumerate(points, 1):
        text = " ".join(p.text.split("\n"))
        lines.append(f"{i}. " * numbered + f"{text}（{format_points(p.points)}分）")
    return "\n".join(lines)


def full_mark_rubric(points: float) -> tuple[RubricPoint, ...]:
    return (RubricPoint(FULL_MARK_POINT, points),)


@dataclass(frozen=True)
class GraderNotes:
    before: str  # text before any heading (an explanation, or the reference answer itself)
    reference: str | None  # the text under 参考答案, None without that heading
    rubric: str | None  # the text under 评分要点, None without that heading


def split_notes(markdown: str) -> GraderNotes:
    parts: dict[str, list[str]] = {"": [], REFERENCE_HEADING: [], RUBRIC_HEADING: []}
    seen: set[str] = set()
    current = ""
    for line in markdown.split("\n"):
        m = _HEADING.match(line)
        if m and m.group(1) not in seen:
            current = m.group(1)
            seen.add(current)
            continue
        parts[current].append(line)

    def text(key: str) -> str:
        return "\n".join(parts[key]).strip()

    return GraderNotes(
        text(""),
        text(REFERENCE_HEADING) if REFERENCE_HEADING in seen else None,
        text(RUBRIC_HEADING) if RUBRIC_HEADING in seen else None,
    )


def join_notes(
    before: str, reference: str | None, rubric: tuple[RubricPoint, ...] | list[RubricPoint]
) -> str:
    """Markdown grader notes: `before`, then the reference answer and key points under headings."""
    blocks = [before.strip()] if before.strip() else []
    if reference is not None:
        blocks.append(f"**{REFERENCE_HEADING}**\n\n{reference.strip()}")
    if rubric:
        blocks.append(f"**{RUBRIC_HEADING}**\n\n{format_rubric(rubric, numbered=True)}")
    return "\n\n".join(blocks)
