"""What every importer returns, and the guard rails every importer shares: the size cap, empty
files, text decoding (UTF-8 with or without BOM, UTF-16, GBK/GB18030) and zip-bomb limits.

Nothing here raises on bad input: problems come back as `Problem`s with a location.
"""

from __future__ import annotations

import codecs
import io
import unicodedata
import zipfile
from collections.abc import Mapping
from dataclasses import dataclass, field, replace

from qbank.authoring.draft import Problem, QuestionDraft, validate_draft

MB = 1024 * 1024
DEFAULT_MAX_BYTES = 20 * MB
MAX_ZIP_MEMBERS = 2000
MAX_UNPACKED_BYTES = 200 * MB
MAX_PACKING_RATIO = 200  # uncompressed / compressed, per member, above 1 MB


@dataclass(frozen=True)
class ParseResult:
    """Drafts read from one file. Any error means the file cannot be imported as it is; the
    drafts are still returned so that a preview can list everything at once."""

    format: str
    drafts: list[QuestionDraft] = field(default_factory=list)
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    encoding: str = ""  # the text encoding used, for text formats

    @property
    def ok(self) -> bool:
        return not self.errors


class FileProblem(Exception):
    """Raised inside a parser when the whole file is unreadable; turned into one error."""

    def __init__(self, problem: Problem) -> None:
        super().__init__(str(problem))
        self.problem = problem


def failed(fmt: str, problem: Problem, encoding: str = "") -> ParseResult:
    return ParseResult(fmt, [], [problem], [], encoding)


def check_size(data: bytes, filename: str, max_bytes: int) -> None:
    if len(data) > max_bytes:
        raise FileProblem(
            Problem(
                filename,
                "",
                f"the file is {len(data) / MB:.1f} MB; the limit is {max_bytes / MB:g} MB",
            )
        )
    if not data.strip():
        raise FileProblem(Problem(filename, "", "the file is empty"))


def finish(
    fmt: str,
    drafts: list[QuestionDraft],
    errors: list[Problem],
    warnings: list[Problem],
    *,
    filename: str,
    encoding: str = "",
    field_names: Mapping[str, str] | None = None,
) -> ParseResult:
    """Validate every draft (without the syllabus: the import service resolves sections) and
    add its problems to the errors, named the way the file names its fields."""
    seen = set(errors)
    for draft in drafts:
        for p in validate_draft(draft):
            if field_names and p.field in field_names:
                p = replace(p, field=field_names[p.field])
            if p not in seen:
                seen.add(p)
                errors.append(p)
    if not drafts and not errors:
        errors.append(Problem(filename, "", "the file contains no questions"))
    return ParseResult(fmt, drafts, errors, warnings, encoding)


# -- text ------------------------------------------------------------------------------------

_BOMS = (
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16"),
    (codecs.BOM_UTF16_BE, "utf-16"),
)


def _plausible_chinese(text: str) -> bool:
    """GB18030 decodes almost any byte string; real Chinese text is nearly all GB2312."""
    han = [ch for ch in text if ord(ch) > 0x7F][:20000]
    if not han:
        return True
    rare = 0
    for ch in han:
        try:
            ch.encode("gb2312")
        except UnicodeEncodeError:
            rare += 1
        if unicodedata.category(ch) in ("Co", "Cn", "Cc"):
            return False
    return rare <= max(2, len(han) // 10)


def decode_text(data: bytes, filename: str) -> tuple[str, str]:
    """Text and the encoding it was read with. UTF-8 (BOM or not) and UTF-16 with a BOM first,
    then GBK/GB18030, which Chinese Windows programs save. Raises FileProblem, never guesses
    into mojibake."""
    for bom, name in _BOMS:
        if data.startswith(bom):
            try:
                return _clean_text(data.decode(name)), name
            except UnicodeDecodeError as exc:
                raise _undecodable(filename, data, exc.start, name) from None
    if b"\x00" in data:
        raise FileProblem(Problem(filename, "", "this is a binary file, not text"))
    try:
        return _clean_text(data.decode("utf-8")), "utf-8"
    except UnicodeDecodeError as utf8_error:
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _undecodable(filename, data, utf8_error.start, "utf-8") from None
        if not _plausible_chinese(text):
            raise _undecodable(filename, data, utf8_error.start, "utf-8") from None
        try:
            data.decode("gbk")
            name = "gbk"
        except UnicodeDecodeError:
            name = "gb18030"
        return _clean_text(text), name


def _undecodable(filename: str, data: bytes, offset: int, encoding: str) -> FileProblem:
    line = data[:offset].count(b"\n") + 1
    return FileProblem(
        Problem(
            f"{filename}:{line}",
            "",
            f"the text is neither UTF-8 nor GBK/GB18030 (bad {encoding} byte at line {line}); "
            "save the file as UTF-8",
        )
    )


def _clean_text(text: str) -> str:
    return text.replace("\r\n", "\n").replace("\r", "\n").lstrip("\ufeff")


# -- zip ---------------------------------------------------------------------------------------


def open_zip(data: bytes, filename: str, max_unpacked: int = MAX_UNPACKED_BYTES) -> zipfile.ZipFile:
    """A zip archive checked against zip bombs (member count, total and per-member unpacked
    size as declared; zipfile never reads past a member's declared size)."""
    try:
        zf = zipfile.ZipFile(io.BytesIO(data))
        infos = zf.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, EOFError, OSError) as exc:
        raise FileProblem(Problem(filename, "", f"not a readable zip archive ({exc})")) from None
    if len(infos) > MAX_ZIP_MEMBERS:
        zf.close()
        raise FileProblem(
            Problem(
                filename, "", f"the archive has {len(infos)} files; the limit is {MAX_ZIP_MEMBERS}"
            )
        )
    total = sum(i.file_size for i in infos)
    bomb = [
        i.filename
        for i in infos
        if i.file_size > MB and i.file_size > MAX_PACKING_RATIO * max(i.compress_size, 1)
    ]
    if total > max_unpacked or bomb:
        zf.close()
        raise FileProblem(
            Problem(
                filename,
                "",
                f"the archive unpacks to {total / MB:.0f} MB (limit {max_unpacked / MB:g} MB)"
                if total > max_unpacked
                else f"'{bomb[0]}' is packed suspiciously tightly (a zip bomb?)",
            )
        )
    return zf


def read_member(zf: zipfile.ZipFile, name: str, filename: str) -> bytes:
    try:
        with zf.open(name) as fh:
            return fh.read(MAX_UNPACKED_BYTES + 1)
    except KeyError:
        raise FileProblem(Problem(filename, "", f"'{name}' is missing from the archive")) from None
    except (zipfile.BadZipFile, NotImplementedError, RuntimeError, ValueError, OSError) as exc:
        raise FileProblem(Problem(filename, "", f"cannot unpack '{name}' ({exc})")) from None
