"""Reading untrusted XML: defusedxml with DTDs and entities refused, element line numbers kept
for error messages, Chinese legacy encodings (GBK, GB18030, GB2312, Big5) decoded first because
expat does not know them; writing XML text without the control characters XML 1.0 forbids."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from typing import Any

from defusedxml import DefusedXmlException
from defusedxml.ElementTree import DefusedXMLParser

from qbank.authoring.draft import Problem
from qbank.authoring.formats.result import FileProblem

_DECL = re.compile(rb"^\s*<\?xml[^>]*?encoding\s*=\s*[\"']([A-Za-z0-9_.:-]+)[\"']")
_EXPAT_ENCODINGS = {
    "utf-8",
    "utf8",
    "utf-16",
    "utf16",
    "us-ascii",
    "ascii",
    "iso-8859-1",
    "latin-1",
    "latin1",
}
MAX_DEPTH = 100
_INVALID_XML_CHARS = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def xml_text(text: str) -> str:
    """Text that can be written into XML 1.0."""
    return _INVALID_XML_CHARS.sub("", text)


@dataclass(frozen=True)
class XmlDoc:
    root: ET.Element
    lines: dict[int, int]

    def line(self, element: ET.Element) -> int:
        return self.lines.get(id(element), 0)


class _LineTarget:
    """A tree builder that remembers the line of every start tag."""

    def __init__(self, filename: str) -> None:
        self.builder = ET.TreeBuilder()
        self.lines: dict[int, int] = {}
        self.expat: Any = None
        self.filename = filename
        self.depth = 0

    def start(self, tag: str, attrs: dict[str, str]) -> ET.Element:
        line = self.expat.CurrentLineNumber if self.expat else 0
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise FileProblem(
                Problem(f"{self.filename}:{line}", "", f"XML nested deeper than {MAX_DEPTH} levels")
            )
        element = self.builder.start(tag, attrs)
        self.lines[id(element)] = line
        return element

    def end(self, tag: str) -> ET.Element:
        self.depth -= 1
        return self.builder.end(tag)

    def data(self, data: str) -> None:
        self.builder.data(data)

    def close(self) -> ET.Element:
        return self.builder.close()


def _transcode(data: bytes, filename: str) -> bytes:
    match = _DECL.match(data[:300])
    if not match:
        return data
    name = match.group(1).decode("ascii").lower()
    if name in _EXPAT_ENCODINGS:
        return data
    try:
        text = data.decode(name)
    except LookupError:
        raise FileProblem(
            Problem(f"{filename}:1", "", f"unknown XML encoding '{match.group(1).decode()}'")
        ) from None
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise FileProblem(
            Problem(f"{filename}:{line}", "", f"the text is not valid {name} (line {line})")
        ) from None
    declaration = re.match(r"^\s*<\?xml[^>]*\?>", text)
    if declaration:
        fixed = re.sub(r"encoding\s*=\s*[\"'][^\"']*[\"']", 'encoding="UTF-8"', declaration.group())
        text = fixed + text[declaration.end() :]
    return text.encode("utf-8")


def parse_xml(data: bytes, filename: str) -> XmlDoc:
    """Parse untrusted XML. Raises FileProblem with the line of the first error."""
    data = _transcode(data, filename)
    target = _LineTarget(filename)
    parser = DefusedXMLParser(target=target, forbid_dtd=True)
    target.expat = parser.parser
    try:
        parser.feed(data)
        root = parser.close()
    except ET.ParseError as exc:
        line, column = exc.position
        reason = str(exc).split(":")[0]
        raise FileProblem(
            Problem(
                f"{filename}:{line}",
                "",
                f"malformed XML: {reason} (line {line}, column {column + 1})",
            )
        ) from None
    except DefusedXmlException:
        line = target.expat.CurrentLineNumber
        raise FileProblem(
            Problem(
                f"{filename}:{line}",
                "",
                "XML document type declarations and entities (<!DOCTYPE …>, <!ENTITY …>) "
                "are not accepted",
            )
        ) from None
    except (ValueError, LookupError, RecursionError) as exc:
        raise FileProblem(Problem(filename, "", f"unreadable XML ({exc})")) from None
    return XmlDoc(root, target.lines)


def local(tag: object) -> str:
    """The tag without its namespace."""
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def children(element: ET.Element, name: str) -> list[ET.Element]:
    return [c for c in element if local(c.tag) == name]


def child(element: ET.Element, name: str) -> ET.Element | None:
    for c in element:
        if local(c.tag) == name:
            return c
    return None
