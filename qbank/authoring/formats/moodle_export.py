"""Moodle XML export: multichoice and essay questions that Moodle's XML import accepts.

Text goes out as HTML (Markdown rendered with raw HTML off, math as \\(…\\) for Moodle's MathJax
filter). Multiple choice: the keys share 100% and wrong options get -100%, so choosing a wrong
option scores nothing. Essays carry the reference answer and key points in `graderinfo` as grader
notes (rubric.py), which moodle.py reads back. A category record precedes each run of questions
of one section; it is written without a context (`$course$/…`), so Moodle files it under the
category chosen at import. `<idnumber>` carries the external ID, `<defaultgrade>` the points.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from collections.abc import Sequence

from qbank.authoring.draft import Problem, QuestionDraft, QuestionType
from qbank.authoring.formats.htmltext import markdown_to_html
from qbank.authoring.formats.moodle import nearest_fraction
from qbank.authoring.formats.rubric import join_notes
from qbank.authoring.formats.xmlsafe import xml_text

MEDIA_TYPE = "application/xml"


def _text_field(parent: ET.Element, name: str, markdown: str) -> ET.Element:
    node = ET.SubElement(parent, name, {"format": "html"})
    ET.SubElement(node, "text").text = markdown_to_html(xml_text(markdown)) if markdown else ""
    return node


def _plain(parent: ET.Element, name: str, value: str) -> None:
    ET.SubElement(parent, name).text = xml_text(value)


def question_name(draft: QuestionDraft, number: int) -> str:
    """A name for systems that need one: the imported title, the ID, or the stem's start."""
    title = dict(draft.extra).get("title", "")
    if title or draft.external_id:
        return title or draft.external_id
    words = " ".join(draft.stem.split())
    return (words[:40] + "…") if len(words) > 40 else words or f"question {number}"


def _export_question(root: ET.Element, d: QuestionDraft, number: int) -> None:
    short = d.type is QuestionType.SHORT
    q = ET.SubElement(root, "question", {"type": "essay" if short else "multichoice"})
    ET.SubElement(ET.SubElement(q, "name"), "text").text = xml_text(question_name(d, number))
    _text_field(q, "questiontext", d.stem)
    _text_field(q, "generalfeedback", d.explanation)
    _plain(q, "defaultgrade", f"{d.effective_points:.7f}")
    _plain(q, "penalty", "0.0000000" if short else "0.3333333")
    _plain(q, "hidden", "0")
    _plain(q, "idnumber", d.external_id)
    if short:
        for name, value in (
            ("responseformat", "editor"),
            ("responserequired", "1"),
            ("responsefieldlines", "15"),
            ("attachments", "0"),
            ("attachmentsrequired", "0"),
        ):
            _plain(q, name, value)
        _text_field(q, "graderinfo", join_notes(d.reference_answer, None, d.rubric))
        _text_field(q, "responsetemplate", "")
    else:
        _plain(q, "single", "true" if d.type is QuestionType.SINGLE else "false")
        _plain(q, "shuffleanswers", "true" if d.shuffle else "false")
        _plain(q, "answernumbering", "ABCD")
        _plain(q, "showstandardinstruction", "0")
        key_fraction = f"{nearest_fraction(100 / max(len(d.keys), 1)):.7g}"
        wrong = "0" if d.type is QuestionType.SINGLE else "-100"
        for option in d.options:
            fraction = key_fraction if option.correct else wrong
            answer = ET.SubElement(q, "answer", {"fraction": fraction, "format": "html"})
            ET.SubElement(answer, "text").text = markdown_to_html(xml_text(option.text))
            _text_field(answer, "feedback", "")
    if d.tags:
        tags = ET.SubElement(q, "tags")
        for tag in d.tags:
            ET.SubElement(ET.SubElement(tags, "tag"), "text").text = xml_text(tag)


def dump_moodle(drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None) -> bytes:
    """A Moodle XML `<quiz>` file."""
    root = ET.Element("quiz")
    section: str | None = None
    for number, d in enumerate(drafts, 1):
        if d.section and d.section != section:
            category = ET.SubElement(root, "question", {"type": "category"})
            ET.SubElement(ET.SubElement(category, "category"), "text").text = xml_text(d.section)
        section = d.section
        _export_question(root, d, number)
    ET.indent(root)
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n").encode("utf-8")
