"""GIFT import and export (Moodle's plain-text question format).

Imported: `//` comments, `::title::`, `[html]`/`[markdown]`/`[plain]`/`[moodle]` format markers,
`$CATEGORY:` (the section of the questions after it), the escapes `\\~ \\= \\# \\{ \\} \\: \\n \\\\`,
multiple choice (`=` key, `~` distractor), multiple response (`~%50%`), essay `{}`, short answer
`{=a =b}` (accepted answers → reference answer, with a warning), true/false `{T}` `{TRUE}` `{F}`
`{FALSE}` (→ single choice 正确/错误), `####` general feedback → explanation. Per-answer `#feedback`
is dropped with a warning. Numerical `{#…}` and matching `->` questions are errors with their line.

Export writes `[markdown]` text; multiple choice as `~%w%` weights (wrong options -100%); an essay's
reference answer and key points go into its general feedback as grader notes (see rubric.py).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
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
from qbank.authoring.formats.moodle import TRUE_FALSE, is_valid_fraction, nearest_fraction
from qbank.authoring.formats.moodle_export import question_name
from qbank.authoring.formats.result import (
    DEFAULT_MAX_BYTES,
    FileProblem,
    ParseResult,
    check_size,
    decode_text,
    failed,
    finish,
)
from qbank.authoring.formats.rubric import full_mark_rubric, join_notes, parse_rubric, split_notes

MEDIA_TYPE = "text/plain; charset=utf-8"
_ESCAPES = {
    "\\": "\ue000",
    ":": "\ue001",
    "#": "\ue002",
    "=": "\ue003",
    "{": "\ue004",
    "}": "\ue005",
    "~": "\ue006",
    "n": "\ue007",
}
_RESTORE = {v: ("\n" if k == "n" else k) for k, v in _ESCAPES.items()}
_FORMAT = re.compile(r"^\s*\[(html|moodle|plain|markdown)\]", re.I)
_WEIGHT = re.compile(r"^%(-?\d+(?:\.\d+)?)%")
_TRUE_FALSE = re.compile(r"^(T|TRUE|F|FALSE)(?=\s*(#|$))", re.I)


def _protect(text: str) -> str:
    return re.sub(r"\\([\\:#={}~n])", lambda m: _ESCAPES[m.group(1)], text)


def _restore(text: str) -> str:
    return "".join(_RESTORE.get(ch, ch) for ch in text)


@dataclass
class _Block:
    line: int
    text: str
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    images: int = 0


def _blocks(text: str) -> list[_Block]:
    blocks: list[_Block] = []
    current: list[str] = []
    start = 0
    for number, line in enumerate(text.split("\n"), 1):
        if line.lstrip().startswith("//"):
            continue
        if not line.strip():
            if current:
                blocks.append(_Block(start, "\n".join(current)))
                current = []
            continue
        if not current:
            start = number
        current.append(line)
    if current:
        blocks.append(_Block(start, "\n".join(current)))
    return blocks


def _text(block: _Block, raw: str, fmt: str) -> tuple[str, str]:
    """Text (protected) in its format → Markdown; also the format it used."""
    if m := _FORMAT.match(raw):
        fmt, raw = m.group(1).lower(), raw[m.end() :]
    raw = _restore(raw)
    if fmt == "html":
        converted = html_to_markdown(raw)
        block.images += converted.images
        return converted.text, fmt
    return plain_text(raw), fmt


def _split_feedback(answer: str) -> tuple[str, str]:
    text, _, feedback = answer.partition("#")
    return text, feedback.strip()


def _answers(block: _Block, body: str, fmt: str, loc: str) -> list[tuple[bool, float, str, str]]:
    """(marked '=', weight %, text, feedback) for each answer of an answer block."""
    out = []
    for part in re.split(r"(?=[=~])", body):
        part = part.strip()
        if not part:
            continue
        if part[0] not in "=~":
            block.errors.append(
                Problem(loc, "answer", f"text before the first answer: '{part[:20]}'")
            )
            continue
        marked, rest = part[0] == "=", part[1:].strip()
        weight = 100.0 if marked else 0.0
        if m := _WEIGHT.match(rest):
            weight, rest = float(m.group(1)), rest[m.end() :]
            if not is_valid_fraction(weight):
                block.errors.append(
                    Problem(
                        loc,
                        "answer",
                        f"weight %{m.group(1)}% is not a Moodle "
                        f"grade; use %{nearest_fraction(weight):.7g}%",
                    )
                )
        text, feedback = _split_feedback(rest)
        out.append((marked, weight, _text(block, text, fmt)[0], feedback))
    return out


def _question(block: _Block, filename: str, section: str) -> QuestionDraft | None:
    loc = f"{filename}:{block.line}"
    text = _protect(block.text.strip())
    title = ""
    if text.startswith("::"):
        end = text.find("::", 2)
        if end < 0:
            block.errors.append(Problem(loc, "title", "'::' title without its closing '::'"))
            return None
        title, text = _restore(text[2:end]).strip(), text[end + 2 :]
    named = f" '{title}'" if title else ""
    open_at = text.find("{")
    if open_at < 0:
        block.errors.append(Problem(loc, "", f"question{named} has no answer block {{…}}"))
        return None
    close_at = text.find("}", open_at)
    if close_at < 0:
        block.errors.append(Problem(loc, "", f"question{named}: '{{' without a closing '}}'"))
        return None
    after = text[close_at + 1 :]
    stray = ""
    if re.search(r"\w", _restore(after)):  # Moodle's missing-word format
        stem, fmt = _text(block, text[:open_at] + "_____" + after, "moodle")
    else:
        stem, fmt = _text(block, text[:open_at], "moodle")
        stray = _restore(after).strip()
    body = text[open_at + 1 : close_at]
    body, _, general_raw = body.rpartition("####") if "####" in body else (body, "", "")
    general = _text(block, general_raw, fmt)[0] if general_raw.strip() else ""
    body = body.strip()

    def unsupported(kind: str) -> None:
        block.errors.append(
            Problem(loc, "type", f"question{named}: GIFT {kind} questions are not supported")
        )

    if body.startswith("#"):
        unsupported("numerical ({#…})")
        return None
    if "->" in body:
        unsupported("matching (->)")
        return None
    if stray:
        block.warnings.append(Problem(loc, "", f"stray text after the answers ignored: '{stray}'"))
    kind = QuestionType.SHORT
    options: tuple[OptionDraft, ...] = ()
    reference = ""
    rubric: tuple[RubricPoint, ...] = ()
    explanation = general
    points = None
    shuffle = True
    dropped = False
    if m := _TRUE_FALSE.match(body):
        truth = m.group(1).upper().startswith("T")
        kind, shuffle = QuestionType.SINGLE, False
        options = (
            OptionDraft("A", TRUE_FALSE[0], truth),
            OptionDraft("B", TRUE_FALSE[1], not truth),
        )
        dropped = bool(body[m.end() :].strip("# \n"))
    elif "~" in body:
        answers = _answers(block, body, fmt, loc)
        if len(answers) > len(OPTION_KEYS):
            block.errors.append(Problem(loc, "options", f"{len(answers)} answers; at most 8"))
            answers = answers[: len(OPTION_KEYS)]
        keys = [w > 0 for _, w, _, _ in answers]
        # as Moodle: an '=' answer makes it single choice, only weighted '~' answers multiple
        single = any(marked for marked, *_ in answers)
        kind = QuestionType.SINGLE if single else QuestionType.MULTIPLE
        if single and any(0 < w < 100 for _, w, _, _ in answers):
            keys = [w >= 100 for _, w, _, _ in answers]
            block.warnings.append(
                Problem(
                    loc, "answer", "partial credit not kept: qbank scores those options as wrong"
                )
            )
        options = tuple(
            OptionDraft(OPTION_KEYS[i], t, k)
            for i, ((_, _, t, _), k) in enumerate(zip(answers, keys, strict=True))
        )
        dropped = any(fb for *_, fb in answers)
    elif body:
        answers = _answers(block, body, fmt, loc)
        accepted = [(w, t) for _, w, t, _ in answers if w > 0 and t != "*"]
        reference = "；".join(t if w >= 99.99 else f"{t}（{w:g}%）" for w, t in accepted)
        block.warnings.append(
            Problem(
                loc,
                "reference_answer",
                "GIFT short answer: the accepted answers became the reference answer",
            )
        )
        dropped = any(fb for *_, fb in answers)
    else:
        notes = split_notes(general)
        if notes.reference is not None:
            explanation, reference = notes.before, notes.reference
        if notes.rubric:
            parsed = parse_rubric(notes.rubric, None)
            block.errors += [Problem(loc, "rubric", e) for e in parsed.errors]
            rubric = tuple(parsed.points)
            points = sum(p.points for p in rubric) or None
    if kind is QuestionType.SHORT and not rubric:
        rubric = full_mark_rubric(5.0)
        block.warnings.append(
            Problem(loc, "rubric", "no rubric: one key point worth the full points was created")
        )
    if dropped:
        block.warnings.append(Problem(loc, "", "GIFT answer feedback dropped"))
    if block.images:
        block.warnings.append(Problem(loc, "", f"{block.images} image(s) replaced by [图片]"))
    return QuestionDraft(
        type=kind,
        stem=stem,
        options=options,
        explanation=explanation,
        reference_answer=reference,
        rubric=rubric,
        points=points,
        section=section,
        shuffle=shuffle,
        location=loc,
        extra=(("title", title),) if title else (),
    )


def parse_gift(
    data: bytes, filename: str = "upload.gift.txt", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Questions from a GIFT text file (UTF-8, or GBK/GB18030)."""
    encoding = ""
    try:
        check_size(data, filename, max_bytes)
        text, encoding = decode_text(data, filename)
    except FileProblem as exc:
        return failed("gift", exc.problem, encoding)
    drafts: list[QuestionDraft] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    section = ""
    for block in _blocks(text):
        if block.text.lstrip().startswith("$CATEGORY:"):
            first, _, rest = block.text.lstrip().partition("\n")
            section = first.split(":", 1)[1].strip()
            if not rest.strip():
                continue
            block = _Block(block.line + 1, rest)
        draft = _question(block, filename, section)
        if draft is not None:
            drafts.append(draft)
        errors += block.errors
        warnings += block.warnings
    return finish("gift", drafts, errors, warnings, filename=filename, encoding=encoding)


# -- export ----------------------------------------------------------------------------------


def escape_gift(text: str) -> str:
    text = text.replace("\\", "\\\\")
    text = re.sub(r"([~=#{}:])", r"\\\1", text)
    return text.replace("\r\n", "\n").replace("\n", "\\n")


def _export(d: QuestionDraft, number: int) -> str:
    head = f"::{escape_gift(question_name(d, number))}::[markdown]{escape_gift(d.stem)}{{"
    lines = [head]
    if d.type is QuestionType.SHORT:
        notes = join_notes(d.explanation, d.reference_answer, d.rubric)
        if notes:
            lines.append(f"####{escape_gift(notes)}")
    else:
        n_keys = max(len(d.keys), 1)
        for o in d.options:
            if d.type is QuestionType.SINGLE:
                lines.append(f"{'=' if o.correct else '~'}{escape_gift(o.text)}")
            else:
                weight = f"{nearest_fraction(100 / n_keys):.7g}" if o.correct else "-100"
                lines.append(f"~%{weight}%{escape_gift(o.text)}")
        if d.explanation:
            lines.append(f"####{escape_gift(d.explanation)}")
    return "\n\t".join(lines) + "\n}"


def dump_gift(drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None) -> bytes:
    """GIFT text (UTF-8) with a `$CATEGORY:` line per section."""
    out = ["// qbank export (GIFT)"]
    section: str | None = None
    for number, d in enumerate(drafts, 1):
        if d.section and d.section != section:
            out.append(f"$CATEGORY: {d.section}")
        section = d.section
        out.append(_export(d, number))
    return ("\n\n".join(out) + "\n").encode("utf-8")
