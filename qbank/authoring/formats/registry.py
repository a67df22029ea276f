"""Every file format qbank reads or writes, by name, with format detection.

The import service calls `parse_file(data, filename)` (or a format's `parse`), shows the
ParseResult as a preview and commits all drafts or none; the export service calls
`export_file(name, drafts)`.
"""

from __future__ import annotations

import io
import re
import zipfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Protocol

from qbank.authoring.draft import Problem, QuestionDraft
from qbank.authoring.formats import (
    aiken,
    csvfile,
    excel,
    gift,
    moodle,
    moodle_export,
    qti,
    qti_export,
)
from qbank.authoring.formats.native import dump_native, parse_native
from qbank.authoring.formats.result import (
    DEFAULT_MAX_BYTES,
    FileProblem,
    ParseResult,
    check_size,
    decode_text,
    failed,
    finish,
)


class Parser(Protocol):
    def __call__(
        self, data: bytes, filename: str = ..., *, max_bytes: int = DEFAULT_MAX_BYTES
    ) -> ParseResult: ...


class Dumper(Protocol):
    def __call__(
        self, drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None
    ) -> bytes: ...


def parse_qbank_yaml(
    data: bytes, filename: str = "upload.yaml", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """qbank's own YAML question file (content/questions/README.md), via native.parse_native."""
    encoding = ""
    try:
        check_size(data, filename, max_bytes)
        text, encoding = decode_text(data, filename)
    except FileProblem as exc:
        return failed("native", exc.problem, encoding)
    try:
        drafts, problems = parse_native(text, filename)
    except (TypeError, ValueError, AttributeError) as exc:  # parse_native lets a few through
        return failed("native", Problem(f"{filename}:1", "", f"wrong kind of value: {exc}"))
    return finish("native", drafts, problems, [], filename=filename, encoding=encoding)


def dump_qbank_yaml(
    drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None
) -> bytes:
    """Lossless. The file-level `section:` is set when every question shares one."""
    sections = {d.section for d in drafts}
    section = next(iter(sections)) if len(sections) == 1 else ""
    return dump_native(list(drafts), section).encode("utf-8")


@dataclass(frozen=True)
class Format:
    name: str
    label: str
    extensions: tuple[str, ...]
    parse: Parser
    dump: Dumper | None = None
    media_type: str = ""
    loses: tuple[str, ...] = field(default=())  # draft fields an export cannot carry


_METADATA = ("levels", "difficulty", "source", "secondary_sections", "enemy_group")
FORMATS: dict[str, Format] = {
    f.name: f
    for f in (
        Format(
            "excel",
            "Excel (.xlsx)",
            (".xlsx", ".xlsm"),
            excel.parse_excel,
            excel.dump_excel,
            excel.MEDIA_TYPE,
        ),
        Format(
            "csv",
            "CSV (UTF-8 / GBK)",
            (".csv",),
            csvfile.parse_csv,
            csvfile.dump_csv,
            csvfile.MEDIA_TYPE,
        ),
        Format(
            "moodle",
            "Moodle XML",
            (".xml",),
            moodle.parse_moodle,
            moodle_export.dump_moodle,
            "application/xml",
            _METADATA,
        ),
        Format(
            "gift",
            "GIFT",
            (".gift", ".gift.txt", ".txt"),
            gift.parse_gift,
            gift.dump_gift,
            gift.MEDIA_TYPE,
            (*_METADATA, "external_id", "points", "tags", "shuffle"),
        ),
        Format(
            "aiken",
            "Aiken",
            (".aiken", ".aiken.txt", ".txt"),
            aiken.parse_aiken,
            aiken.dump_aiken,
            aiken.MEDIA_TYPE,
            (
                *_METADATA,
                "external_id",
                "points",
                "tags",
                "shuffle",
                "explanation",
                "section",
                "multiple and short questions",
            ),
        ),
        Format(
            "qti",
            "IMS QTI 2.1/2.2",
            (".zip", ".xml"),
            qti.parse_qti,
            qti_export.dump_qti,
            qti_export.MEDIA_TYPE,
            (*_METADATA, "tags"),
        ),
        Format(
            "native",
            "qbank YAML",
            (".yaml", ".yml"),
            parse_qbank_yaml,
            dump_qbank_yaml,
            "application/yaml",
        ),
    )
}
EXPORT_EXTENSIONS = {
    "excel": ".xlsx",
    "csv": ".csv",
    "moodle": ".xml",
    "gift": ".gift.txt",
    "aiken": ".aiken.txt",
    "qti": ".zip",
    "native": ".yaml",
}


def _zip_kind(data: bytes) -> str | None:
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as zf:
            names = zf.namelist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError):
        return None
    if any(n.startswith("xl/") for n in names):
        return "excel"
    if any(n.lower().endswith("imsmanifest.xml") for n in names):
        return "qti"
    return None


def detect_format(filename: str, data: bytes) -> str | None:
    """The format name for a file, from its content first and its name second; None when
    neither tells."""
    name = filename.lower()
    if data.startswith(b"PK\x03\x04"):
        return _zip_kind(data) or ("excel" if name.endswith((".xlsx", ".xlsm")) else None)
    if data.startswith(b"\xd0\xcf\x11\xe0") or name.endswith((".xlsx", ".xlsm", ".xls")):
        return "excel"  # parse_excel explains what is wrong with it
    head = data[:4096].decode("utf-8", "ignore") or data[:4096].decode("gb18030", "ignore")
    if head.lstrip("\ufeff \t\r\n").startswith("<"):
        if re.search(r"<quiz[\s>]", head):
            return "moodle"
        if re.search(r"assessmentItem|qti-assessment-item|questestinterop", head):
            return "qti"
        if name.endswith(".xml"):
            return "moodle"  # its error names the root element it found
    for fmt in ("csv", "native", "gift", "aiken"):
        if any(name.endswith(ext) for ext in FORMATS[fmt].extensions if ext != ".txt"):
            return fmt
    if re.search(r"^(questions|section)\s*:", head, re.M):
        return "native"
    if re.search(r"^\s*(ANSWER|答案)\s*[:：]", head, re.M) and re.search(
        r"^\s*[A-Z]\s*[.)．）]", head, re.M
    ):
        return "aiken"
    if re.search(r"\{[^{}]*\}", head) and re.search(r"::|[=~]|\{\s*\}", head):
        return "gift"
    if re.search(r"题干|试题内容|题目", head) and re.search(r"[,\t]", head):
        return "csv"
    return None


def parse_file(
    data: bytes,
    filename: str,
    fmt: str | None = None,
    *,
    max_bytes: int = DEFAULT_MAX_BYTES,
) -> ParseResult:
    """Parse with the named (or detected) format. Never raises: even a bug in a parser comes
    back as an error, so that the app refuses the file instead of failing."""
    name = fmt or detect_format(filename, data)
    if name is None or name not in FORMATS:
        known = ", ".join(FORMATS)
        return failed(
            fmt or "unknown",
            Problem(
                filename, "", f"unknown file format{f' {fmt!r}' if fmt else ''}: use one of {known}"
            ),
        )
    try:
        return FORMATS[name].parse(data, filename, max_bytes=max_bytes)
    except Exception as exc:  # a safety net, not control flow: parsers return their errors
        return failed(
            name, Problem(filename, "", f"the file could not be read ({type(exc).__name__})")
        )


@dataclass(frozen=True)
class ExportResult:
    data: bytes
    filename: str
    media_type: str
    warnings: list[Problem] = field(default_factory=list)


def export_file(
    fmt: str, drafts: Sequence[QuestionDraft], basename: str = "questions"
) -> ExportResult:
    """Write drafts in a format; warnings say what did not fit (e.g. Aiken skips non-single)."""
    spec = FORMATS[fmt]
    if spec.dump is None:  # pragma: no cover - every format exports today
        raise ValueError(f"{fmt} cannot be exported")
    warnings: list[Problem] = []
    data = spec.dump(drafts, warnings)
    return ExportResult(data, basename + EXPORT_EXTENSIONS[fmt], spec.media_type, warnings)
