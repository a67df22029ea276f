"""IMS QTI 2.1 / 2.2 import: one `assessmentItem` file, or a zip content package whose
`imsmanifest.xml` lists the items.

Mapping: `choiceInteraction` → single (response cardinality single) or multiple (cardinality
multiple); keys from `correctResponse`, or, without one, the choices a `mapping` gives a positive
value. `extendedTextInteraction` → short (human scored, `externalScored` or not); its reference
answer and key points come from a `rubricBlock view="scorer"` written as grader notes (see
rubric.py) or from a string `correctResponse`. The `itemBody` XHTML becomes the stem (the
interaction's `prompt` included); a `rubricBlock view="tutor"` becomes the explanation; the item
`identifier` → external ID, `title` → title; points from a `MAXSCORE` outcome or SCORE's
`normalMaximum`. Other interactions are errors naming them; feedback is dropped with a warning.
"""

from __future__ import annotations

import copy
import posixpath
import xml.etree.ElementTree as ET

from qbank.authoring.draft import (
    OPTION_KEYS,
    OptionDraft,
    Problem,
    QuestionDraft,
    QuestionType,
    RubricPoint,
)
from qbank.authoring.formats.htmltext import element_to_markdown
from qbank.authoring.formats.result import (
    DEFAULT_MAX_BYTES,
    FileProblem,
    ParseResult,
    check_size,
    failed,
    finish,
    open_zip,
    read_member,
)
from qbank.authoring.formats.rubric import full_mark_rubric, parse_rubric, split_notes
from qbank.authoring.formats.xmlsafe import XmlDoc, child, children, local, parse_xml

SUPPORTED = ("choiceInteraction", "extendedTextInteraction")
_REMOVED = {
    "rubricBlock",
    "feedbackBlock",
    "feedbackInline",
    "templateBlock",
    "templateInline",
    "printedVariable",
}


class _Item:
    def __init__(self, doc: XmlDoc, path: str, number: int) -> None:
        self.doc = doc
        self.root = doc.root
        self.title = self.root.get("title", "").strip()
        short = self.title if len(self.title) <= 60 else self.title[:57] + "…"
        self.loc = f"question {number} '{short}' ({path}, line {doc.line(self.root)})"
        self.errors: list[Problem] = []
        self.warnings: list[Problem] = []

    def error(self, fld: str, message: str) -> None:
        self.errors.append(Problem(self.loc, fld, message))

    def warn(self, fld: str, message: str) -> None:
        self.warnings.append(Problem(self.loc, fld, message))

    def markdown(self, nodes: list[ET.Element | str]) -> str:
        converted = element_to_markdown(nodes)
        if converted.images:
            self.warn("", f"{converted.images} image(s) replaced by [图片]")
        if "math" in converted.dropped:
            self.warn("", "MathML formulas were turned into plain text")
        return converted.text


def _content(element: ET.Element) -> list[ET.Element | str]:
    """What is inside an element: its text, children and the text after each child."""
    nodes: list[ET.Element | str] = [element.text or ""]
    for sub in element:
        nodes += [sub, sub.tail or ""]
    return nodes


def _detach(parent: ET.Element, element: ET.Element) -> None:
    """Remove an element, keeping the text that follows it."""
    index = list(parent).index(element)
    if element.tail:
        if index:
            before = parent[index - 1]
            before.tail = (before.tail or "") + element.tail
        else:
            parent.text = (parent.text or "") + element.tail
    parent.remove(element)


def _views(element: ET.Element) -> set[str]:
    return set(element.get("view", "").split())


def _float(text: str | None) -> float | None:
    try:
        value = float(text or "")
    except ValueError:
        return None
    return value if value == value and abs(value) != float("inf") else None


def _points(item: _Item) -> float | None:
    """Points from a MAXSCORE outcome's default value, else from SCORE's normalMaximum."""
    found: dict[str, float] = {}
    for outcome in children(item.root, "outcomeDeclaration"):
        name = outcome.get("identifier", "")
        raw: str | None = None
        if name == "MAXSCORE":
            default = child(outcome, "defaultValue")
            value = child(default, "value") if default is not None else None
            raw = (value.text or "").strip() if value is not None else None
        elif name == "SCORE":
            raw = outcome.get("normalMaximum")
        if raw is None:
            continue
        if (points := _float(raw)) is None:
            item.error("points", f"{name} '{raw}' is not a number")
        else:
            found[name] = points
    points = found.get("MAXSCORE", found.get("SCORE"))
    return points if points is not None and points > 0 else None


def _item(doc: XmlDoc, path: str, number: int, drafts: list[QuestionDraft]) -> _Item:
    item = _Item(doc, path, number)
    name = local(doc.root.tag)
    if name != "assessmentItem":
        hint = {
            "qti-assessment-item": " (QTI 3.0 is not supported: export QTI 2.1 or 2.2)",
            "questestinterop": " (QTI 1.2 is not supported: export QTI 2.1 or 2.2)",
        }
        item.error("", f"not a QTI 2.x item: the root element is <{name}>{hint.get(name, '')}")
        return item
    body = child(doc.root, "itemBody")
    interactions = [
        e for e in (body.iter() if body is not None else []) if local(e.tag).endswith("Interaction")
    ]
    unsupported = sorted({local(e.tag) for e in interactions} - set(SUPPORTED))
    if unsupported:
        names = ", ".join(f"'{n}'" for n in unsupported)
        item.error("type", f"QTI interaction {names} is not supported")
        return item
    if len(interactions) != 1 or body is None:
        item.error(
            "type",
            f"the item has {len(interactions)} interactions; qbank reads items with exactly one",
        )
        return item
    interaction = interactions[0]
    responses = {r.get("identifier"): r for r in children(doc.root, "responseDeclaration")}
    response = responses.get(interaction.get("responseIdentifier"))
    notes = {"scorer": "", "tutor": ""}

    dropped_feedback = False
    stem_body = copy.deepcopy(body)
    parents = {c: p for p in stem_body.iter() for c in p}
    for element in list(stem_body.iter()):
        tag = local(element.tag)
        if tag in _REMOVED:
            views = _views(element) & set(notes) if tag == "rubricBlock" else set()
            for view in views:
                notes[view] = item.markdown(_content(element))
            if tag.startswith("feedback"):
                dropped_feedback = True
            if tag != "rubricBlock" or views:  # a candidate's rubric stays in the stem
                _detach(parents[element], element)
        elif tag.endswith("Interaction"):
            prompt = child(element, "prompt")
            holder = ET.Element("div")
            if prompt is not None:
                holder.text, holder[:] = prompt.text, list(prompt)
            holder.tail = element.tail
            parent = parents[element]
            parent[list(parent).index(element)] = holder
    stem = item.markdown(_content(stem_body))
    if dropped_feedback:
        item.warn("", "QTI feedback dropped")

    kind = QuestionType.SHORT
    options: tuple[OptionDraft, ...] = ()
    reference = ""
    rubric: tuple[RubricPoint, ...] = ()
    points = _points(item)
    shuffle = True
    if local(interaction.tag) == "choiceInteraction":
        choices = children(interaction, "simpleChoice")
        if len(choices) > len(OPTION_KEYS):
            item.error(
                "options", f"{len(choices)} choices; qbank allows at most {len(OPTION_KEYS)}"
            )
            choices = choices[: len(OPTION_KEYS)]
        letters = {c.get("identifier", ""): OPTION_KEYS[i] for i, c in enumerate(choices)}
        cardinality = response.get("cardinality", "") if response is not None else ""
        if cardinality not in ("single", "multiple"):
            item.error("type", f"response cardinality '{cardinality}' is not single or multiple")
        kind = QuestionType.MULTIPLE if cardinality == "multiple" else QuestionType.SINGLE
        correct = child(response, "correctResponse") if response is not None else None
        mapping = child(response, "mapping") if response is not None else None
        if correct is not None:
            keys = [(v.text or "").strip() for v in children(correct, "value")]
        elif mapping is not None:
            keys = [
                e.get("mapKey", "")
                for e in children(mapping, "mapEntry")
                if (_float(e.get("mappedValue")) or 0) > 0
            ]
        else:
            keys = []
            item.error("answer", "no correctResponse and no mapping: the key is unknown")
        for key in keys:
            if key not in letters:
                item.error("answer", f"the correct response '{key}' names no choice")
        options = tuple(
            OptionDraft(
                letters[c.get("identifier", "")],
                item.markdown(_content(_without_feedback(c))),
                c.get("identifier", "") in keys,
            )
            for c in choices
        )
        shuffle = interaction.get("shuffle", "false") == "true"
    else:
        split = split_notes(notes["scorer"])
        reference = split.reference if split.reference is not None else split.before
        correct = child(response, "correctResponse") if response is not None else None
        if not reference and correct is not None:
            reference = "\n".join((v.text or "").strip() for v in children(correct, "value"))
        if split.rubric:
            parsed = parse_rubric(split.rubric, points)
            item.errors += [Problem(item.loc, "rubric", e) for e in parsed.errors]
            rubric = tuple(parsed.points)
            points = points if points is not None else sum(p.points for p in rubric) or None
        else:
            rubric = full_mark_rubric(points or 5.0)
            item.warn("rubric", "no rubric: one key point worth the full points was created")
    processing = child(doc.root, "responseProcessing")
    if processing is not None and len(processing):
        item.warn("", "custom response processing ignored: qbank scores by its own rules")
    if feedback := len(children(doc.root, "modalFeedback")):
        item.warn("", f"{feedback} QTI modal feedback(s) dropped")
    if child(doc.root, "templateDeclaration") is not None:
        item.warn("", "template variables ignored: the item is imported as written")
    drafts.append(
        QuestionDraft(
            type=kind,
            stem=stem,
            options=options,
            explanation=notes["tutor"],
            reference_answer=reference,
            rubric=rubric,
            points=points,
            shuffle=shuffle,
            external_id=doc.root.get("identifier", "").strip(),
            section=doc.root.get("label", "").strip(),  # qbank's exports keep the section here
            location=item.loc,
            extra=(("title", item.title),) if item.title else (),
        )
    )
    return item


def _without_feedback(choice: ET.Element) -> ET.Element:
    choice = copy.deepcopy(choice)
    parents = {c: p for p in choice.iter() for c in p}
    for element in list(choice.iter()):
        if local(element.tag) in _REMOVED:
            _detach(parents[element], element)
    return choice


def _package(data: bytes, filename: str) -> list[tuple[str, bytes]]:
    """(path, bytes) of each item the manifest lists."""
    with open_zip(data, filename) as zf:
        names = zf.namelist()
        manifests = sorted(
            (n for n in names if posixpath.basename(n).lower() == "imsmanifest.xml"), key=len
        )
        if not manifests:
            raise FileProblem(
                Problem(
                    filename, "", "the zip has no imsmanifest.xml: it is not a QTI content package"
                )
            )
        base = posixpath.dirname(manifests[0])
        manifest = parse_xml(read_member(zf, manifests[0], filename), manifests[0])
        items = []
        for resource in manifest.root.iter():
            if local(resource.tag) != "resource":
                continue
            if not resource.get("type", "").startswith("imsqti_item_xmlv2p"):
                continue
            href = posixpath.normpath(posixpath.join(base, resource.get("href", "")))
            items.append((href, read_member(zf, href, filename)))
        if not items:
            raise FileProblem(Problem(filename, "", "the manifest lists no QTI 2.x items"))
        return items


def parse_qti(
    data: bytes, filename: str = "upload.zip", *, max_bytes: int = DEFAULT_MAX_BYTES
) -> ParseResult:
    """Questions from a QTI 2.1/2.2 item file or content package (zip)."""
    try:
        check_size(data, filename, max_bytes)
        files = _package(data, filename) if data[:4] == b"PK\x03\x04" else [(filename, data)]
    except FileProblem as exc:
        return failed("qti", exc.problem)
    drafts: list[QuestionDraft] = []
    errors: list[Problem] = []
    warnings: list[Problem] = []
    for number, (path, content) in enumerate(files, 1):
        try:
            doc = parse_xml(content, path)
        except FileProblem as exc:
            errors.append(exc.problem)
            continue
        item = _item(doc, path, number, drafts)
        errors += item.errors
        warnings += item.warnings
    return finish("qti", drafts, errors, warnings, filename=filename)
