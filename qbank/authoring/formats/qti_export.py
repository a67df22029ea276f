"""IMS QTI 2.1 export: a zip content package (imsmanifest.xml and one item file per question).

Single choice: cardinality single, `match_correct` response processing. Multiple choice:
cardinality multiple with a `mapping` (each key worth points/keys, each wrong choice -points,
bounds 0…points) and `map_response`. Short answer: `extendedTextInteraction`, no response
processing (marked by a person); the reference answer and key points are in a
`rubricBlock view="scorer"` as grader notes, which qti.py reads back. The explanation is in a
`rubricBlock view="tutor"`. A MAXSCORE outcome carries the question's points.
"""

from __future__ import annotations

import io
import re
import xml.etree.ElementTree as ET
import zipfile
from collections.abc import Sequence

from qbank.authoring.draft import Problem, QuestionDraft, QuestionType
from qbank.authoring.formats.htmltext import markdown_to_html
from qbank.authoring.formats.moodle_export import question_name
from qbank.authoring.formats.rubric import format_points, join_notes
from qbank.authoring.formats.xmlsafe import xml_text

MEDIA_TYPE = "application/zip"
QTI_NS = "http://www.imsglobal.org/xsd/imsqti_v2p1"
CP_NS = "http://www.imsglobal.org/xsd/imscp_v1p1"
XSI_NS = "http://www.w3.org/2001/XMLSchema-instance"
ITEM_SCHEMA = f"{QTI_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/imsqti_v2p1.xsd"
CP_SCHEMA = f"{CP_NS} http://www.imsglobal.org/xsd/qti/qtiv2p1/qtiv2p1_imscpv1p2_v1p0.xsd"
TEMPLATES = "http://www.imsglobal.org/question/qti_v2p1/rptemplates/"
# attributes QTI 2.1 allows on its XHTML subset (markdown-it adds style= and start=)
_ATTRIBUTES = {
    "id",
    "class",
    "label",
    "href",
    "type",
    "src",
    "alt",
    "width",
    "height",
    "colspan",
    "rowspan",
    "headers",
    "scope",
    "abbr",
    "axis",
}
_NCNAME = re.compile(r"^[^\W\d][\w.-]*$")
_SAFE_FILE = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")


def _q(name: str) -> str:
    """Elements are built without namespaces; the root declares the default one."""
    return name


def _root(tag: str, namespace: str, schema: str, attrs: dict[str, str]) -> ET.Element:
    return ET.Element(
        tag, {"xmlns": namespace, "xmlns:xsi": XSI_NS, "xsi:schemaLocation": schema, **attrs}
    )


def _xhtml(markdown: str) -> ET.Element:
    """Markdown as QTI XHTML, in a holder element whose children are the blocks."""
    html = markdown_to_html(xml_text(markdown))
    holder = ET.fromstring(f"<div>{html}</div>")  # our own output, well-formed
    for element in holder.iter():
        for name in [a for a in element.attrib if a not in _ATTRIBUTES]:
            del element.attrib[name]
    return holder


def _append_blocks(parent: ET.Element, markdown: str) -> None:
    holder = _xhtml(markdown)
    parent.text = (parent.text or "") + (holder.text or "").strip() or None
    parent.extend(list(holder))


def _append_inline(parent: ET.Element, markdown: str) -> None:
    """One paragraph goes in unwrapped (a choice reads better without <p>)."""
    holder = _xhtml(markdown)
    blocks = list(holder)
    if len(blocks) == 1 and blocks[0].tag == _q("p") and not (holder.text or "").strip():
        holder = blocks[0]
    parent.text = holder.text
    parent.extend(list(holder))


def _value(parent: ET.Element, name: str, values: Sequence[str]) -> None:
    node = ET.SubElement(parent, _q(name))
    for v in values:
        ET.SubElement(node, _q("value")).text = v


def _item(d: QuestionDraft, identifier: str, number: int) -> ET.Element:
    points = d.effective_points
    root = _root(
        "assessmentItem",
        QTI_NS,
        ITEM_SCHEMA,
        {
            "identifier": identifier,
            "title": xml_text(question_name(d, number)),
            "adaptive": "false",
            "timeDependent": "false",
            # QTI has no field for a syllabus section: qbank keeps it in the item's label
            **({"label": xml_text(d.section)} if d.section else {}),
        },
    )
    short = d.type is QuestionType.SHORT
    response = ET.SubElement(
        root,
        _q("responseDeclaration"),
        {
            "identifier": "RESPONSE",
            "cardinality": "multiple" if d.type is QuestionType.MULTIPLE else "single",
            "baseType": "string" if short else "identifier",
        },
    )
    if not short:
        _value(response, "correctResponse", d.keys)
    if d.type is QuestionType.MULTIPLE:
        mapping = ET.SubElement(
            response,
            _q("mapping"),
            {"lowerBound": "0", "upperBound": format_points(points), "defaultValue": "0"},
        )
        share = format_points(points / max(len(d.keys), 1))
        for o in d.options:
            ET.SubElement(
                mapping,
                _q("mapEntry"),
                {"mapKey": o.key, "mappedValue": share if o.correct else format_points(-points)},
            )
    score = ET.SubElement(
        root,
        _q("outcomeDeclaration"),
        {"identifier": "SCORE", "cardinality": "single", "baseType": "float"},
    )
    _value(score, "defaultValue", ["0"])
    maxscore = ET.SubElement(
        root,
        _q("outcomeDeclaration"),
        {"identifier": "MAXSCORE", "cardinality": "single", "baseType": "float"},
    )
    default = ET.SubElement(maxscore, _q("defaultValue"))
    ET.SubElement(default, _q("value")).text = format_points(points)

    body = ET.SubElement(root, _q("itemBody"))
    if short:
        scorer = ET.SubElement(body, _q("rubricBlock"), {"view": "scorer"})
        _append_blocks(scorer, join_notes("", d.reference_answer, d.rubric))
    if d.explanation:
        tutor = ET.SubElement(body, _q("rubricBlock"), {"view": "tutor"})
        _append_blocks(tutor, d.explanation)
    _append_blocks(body, d.stem)
    if short:
        ET.SubElement(body, _q("extendedTextInteraction"), {"responseIdentifier": "RESPONSE"})
    else:
        interaction = ET.SubElement(
            body,
            _q("choiceInteraction"),
            {
                "responseIdentifier": "RESPONSE",
                "shuffle": "true" if d.shuffle else "false",
                "maxChoices": "1" if d.type is QuestionType.SINGLE else "0",
            },
        )
        for o in d.options:
            _append_inline(
                ET.SubElement(interaction, _q("simpleChoice"), {"identifier": o.key}), o.text
            )
        template = "match_correct" if d.type is QuestionType.SINGLE else "map_response"
        ET.SubElement(root, _q("responseProcessing"), {"template": TEMPLATES + template})
    return root


_STRUCTURE = {
    "assessmentItem",
    "responseDeclaration",
    "correctResponse",
    "mapping",
    "outcomeDeclaration",
    "defaultValue",
    "itemBody",
    "rubricBlock",
    "choiceInteraction",
    "manifest",
    "metadata",
    "resources",
    "resource",
}


def _indent(element: ET.Element, level: int = 0) -> None:
    """Indent the item's structure but never inside text blocks, where whitespace is content."""
    if element.tag not in _STRUCTURE or not len(element):
        return
    pad = "\n" + "  " * (level + 1)
    if not (element.text or "").strip():
        element.text = pad
    for sub in element:
        _indent(sub, level + 1)
        if not (sub.tail or "").strip():
            sub.tail = pad
    if not (element[-1].tail or "").strip():
        element[-1].tail = "\n" + "  " * level


def _xml(root: ET.Element) -> bytes:
    _indent(root)
    text = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="UTF-8"?>\n' + text + "\n").encode("utf-8")


def _identifiers(drafts: Sequence[QuestionDraft]) -> list[tuple[str, str]]:
    """(identifier, file name) per draft: the external ID when it is a valid QTI identifier."""
    used: set[str] = set()
    out = []
    for number, d in enumerate(drafts, 1):
        ident = d.external_id if _NCNAME.match(d.external_id) else f"item-{number}"
        while ident in used:
            ident = f"{ident}-{number}"
        used.add(ident)
        out.append((ident, f"items/{ident if _SAFE_FILE.match(ident) else f'item-{number}'}.xml"))
    return out


def dump_qti(drafts: Sequence[QuestionDraft], warnings: list[Problem] | None = None) -> bytes:
    """A QTI 2.1 content package (zip)."""
    manifest = _root("manifest", CP_NS, CP_SCHEMA, {"identifier": "qbank-export"})
    metadata = ET.SubElement(manifest, "metadata")
    ET.SubElement(metadata, "schema").text = "QTIv2.1 Package"
    ET.SubElement(metadata, "schemaversion").text = "1.0.0"
    ET.SubElement(manifest, "organizations")
    resources = ET.SubElement(manifest, "resources")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as zf:
        for number, (d, (ident, path)) in enumerate(
            zip(drafts, _identifiers(drafts), strict=True), 1
        ):
            zf.writestr(path, _xml(_item(d, ident, number)))
            resource = ET.SubElement(
                resources,
                "resource",
                {"identifier": f"RES-{ident}", "type": "imsqti_item_xmlv2p1", "href": path},
            )
            ET.SubElement(resource, "file", {"href": path})
        zf.writestr("imsmanifest.xml", _xml(manifest))
    return out.getvalue()
