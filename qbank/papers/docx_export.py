"""The printed documents as Word files (python-docx), for examiners who finish papers in Word.

Fonts: every style names its East Asian font in `w:eastAsia` (宋体 for text, 黑体 for headings,
the faces Chinese Word installations have) and the theme-font attributes (`w:asciiTheme`,
`w:eastAsiaTheme`, …) are removed — they override explicit names, and Word would show the
theme's CJK font instead. Formulas are the linear text of `printmath.tex_runs` with real
sub- and superscripts, editable in Word. Stems keep with their options (`keep_with_next`), and
the footer counts "第 x 页 共 y 页" with PAGE/NUMPAGES fields.
"""

from __future__ import annotations

import io
import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

from docx import Document as new_document
from docx.enum.section import WD_SECTION
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt, RGBColor
from markdown_it import MarkdownIt
from mdit_py_plugins.dollarmath import dollarmath_plugin

from qbank.papers.printing import DOCUMENT_TITLES, Document, PrintablePaper, PrintQuestion, fmt
from qbank.papers.printmath import tex_runs

BODY_FONT, HEADING_FONT, LATIN_FONT = "宋体", "黑体", "Times New Roman"
_IMAGE = re.compile(r"^/images/([a-f0-9]{32}\.(png|jpg|gif))$")
_MD = MarkdownIt("js-default", {"html": False, "linkify": False, "typographer": False})
_MD.enable("table")
_MD.use(dollarmath_plugin, allow_space=True, double_inline=True)


def _set_fonts(rpr: Any, east_asia: str, latin: str = LATIN_FONT) -> None:
    fonts = rpr.find(qn("w:rFonts"))
    if fonts is None:
        fonts = OxmlElement("w:rFonts")
        rpr.insert(0, fonts)
    for attr in list(fonts.attrib):
        if attr.endswith("Theme"):
            del fonts.attrib[attr]
    for key, value in (("ascii", latin), ("hAnsi", latin), ("eastAsia", east_asia), ("cs", latin)):
        fonts.set(qn(f"w:{key}"), value)


def _setup_styles(doc: Any) -> None:
    styles = doc.styles.element
    for fonts in styles.iter(qn("w:rFonts")):  # theme fonts would win over explicit ones
        for attr in list(fonts.attrib):
            if attr.endswith("Theme"):
                del fonts.attrib[attr]
    defaults = styles.find(qn("w:docDefaults"))
    if defaults is not None:
        rpr = defaults.find(f"{qn('w:rPrDefault')}/{qn('w:rPr')}")
        if rpr is not None:
            _set_fonts(rpr, BODY_FONT)
    for style in doc.styles:
        if style.type != 1:  # paragraph styles (character/table styles inherit)
            continue
        heading = style.name.startswith(("Heading", "Title"))
        _set_fonts(style.element.get_or_add_rPr(), HEADING_FONT if heading else BODY_FONT)
        if heading:
            style.font.color.rgb = RGBColor(0, 0, 0)
    normal = doc.styles["Normal"]
    normal.font.size = Pt(10.5)
    normal.paragraph_format.space_after = Pt(2)
    normal.paragraph_format.line_spacing = 1.25


def _field(paragraph: Any, code: str) -> None:
    """A Word field (PAGE, NUMPAGES) showing "1" until Word updates it."""
    run = paragraph.add_run()
    parts: list[Any] = []
    for kind in ("begin", "instr", "separate", "text", "end"):
        if kind == "instr":
            el = OxmlElement("w:instrText")
            el.set(qn("xml:space"), "preserve")
            el.text = f" {code} "
        elif kind == "text":
            el = OxmlElement("w:t")
            el.text = "1"
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        parts.append(el)
    for el in parts:
        run._r.append(el)


def _page_setup(doc: Any, paper: PrintablePaper, title: str, corner: str) -> None:
    section = doc.sections[0]
    section.start_type = WD_SECTION.NEW_PAGE
    section.page_width, section.page_height = Cm(21.0), Cm(29.7)
    section.left_margin = section.right_margin = Cm(1.8)
    section.top_margin, section.bottom_margin = Cm(2.4), Cm(2.0)
    head = section.header.paragraphs[0]
    head.text = f"{corner}\t\t{paper.subtitle} · {title} · {paper.code}"
    for run in head.runs:
        run.font.size = Pt(8.5)
    foot = section.footer.paragraphs[0]
    foot.alignment = WD_ALIGN_PARAGRAPH.CENTER
    foot.add_run("第 ")
    _field(foot, "PAGE")
    foot.add_run(" 页 共 ")
    _field(foot, "NUMPAGES")
    foot.add_run(" 页")


class _Writer:
    """Question Markdown into paragraphs of a document (or table cell)."""

    def __init__(self, image_dir: Path) -> None:
        self.image_dir = image_dir

    def write(self, container: Any, text: str, *, prefix: str = "", suffix: str = "",
              indent: float = 0.0, keep: bool = False) -> list[Any]:  # fmt: skip
        tokens = _MD.parse(text or "")
        paragraphs: list[Any] = []
        lists: list[list[int]] = []  # [counter or -1 for bullets]
        pending_prefix = prefix
        for k, tok in enumerate(tokens):
            if tok.type in ("bullet_list_open", "ordered_list_open"):
                lists.append([0 if tok.type.startswith("ordered") else -1])
            elif tok.type in ("bullet_list_close", "ordered_list_close"):
                lists.pop()
            elif tok.type == "list_item_open" and lists:
                lists[-1][0] += 1 if lists[-1][0] >= 0 else 0
            elif tok.type == "inline":
                p = container.add_paragraph()
                p.paragraph_format.left_indent = Cm(indent + 0.6 * len(lists))
                p.paragraph_format.keep_with_next = keep
                mark = ""
                if (
                    lists
                    and tokens[k - 1].type == "paragraph_open"
                    and tokens[k - 2].type == "list_item_open"
                ):
                    mark = f"{lists[-1][0]}. " if lists[-1][0] >= 0 else "• "
                if pending_prefix or mark:
                    p.add_run(pending_prefix + mark)
                    pending_prefix = ""
                self.inline(p, tok.children or [])
                paragraphs.append(p)
            elif tok.type in ("math_block", "math_block_label"):
                p = container.add_paragraph()
                p.alignment = WD_ALIGN_PARAGRAPH.CENTER
                self.math(p, tok.content)
                paragraphs.append(p)
            elif tok.type in ("fence", "code_block"):
                p = container.add_paragraph()
                p.paragraph_format.left_indent = Cm(indent + 0.6)
                p.add_run(tok.content.rstrip("\n")).font.name = "Consolas"
                paragraphs.append(p)
            elif tok.type == "table_open":
                self.table(container, tokens, k)
        if not paragraphs:
            paragraphs.append(container.add_paragraph(prefix))
            paragraphs[-1].paragraph_format.left_indent = Cm(indent)
        if suffix:
            paragraphs[-1].add_run(suffix)
        return paragraphs

    def inline(self, p: Any, children: list[Any]) -> None:
        bold = italic = False
        for child in children:
            if child.type == "text":
                run = p.add_run(child.content)
                run.bold, run.italic = bold or None, italic or None
            elif child.type in ("softbreak", "hardbreak"):
                p.add_run().add_break()
            elif child.type in ("strong_open", "strong_close"):
                bold = child.type == "strong_open"
            elif child.type in ("em_open", "em_close"):
                italic = child.type == "em_open"
            elif child.type == "code_inline":
                p.add_run(child.content).font.name = "Consolas"
            elif child.type in ("math_inline", "math_inline_double"):
                self.math(p, child.content)
            elif child.type == "image":
                self.image(p, child.attrs.get("src", ""), child.content)

    def math(self, p: Any, tex: str) -> None:
        for text, style in tex_runs(tex):
            run = p.add_run(text)
            run.font.subscript = style == "sub" or None
            run.font.superscript = style == "sup" or None

    def image(self, p: Any, src: Any, alt: str) -> None:
        match = _IMAGE.match(str(src))
        path = self.image_dir / match.group(1) if match else None
        if path is not None and path.is_file():
            p.add_run().add_picture(str(path), width=Cm(9))
        else:
            p.add_run(f"[{alt or '图'}]")

    def table(self, container: Any, tokens: list[Any], start: int) -> None:
        rows: list[list[str]] = []
        for tok in tokens[start:]:
            if tok.type == "tr_open":
                rows.append([])
            elif tok.type == "inline" and rows:
                rows[-1].append(tok.content)
            elif tok.type == "table_close":
                break
        if not rows:
            return
        width = max(len(r) for r in rows)
        table = container.add_table(rows=len(rows), cols=width)
        table.style = "Table Grid"
        for r, row in enumerate(rows):
            for c, cell in enumerate(row):
                table.cell(r, c).paragraphs[0].text = ""
                self.inline(table.cell(r, c).paragraphs[0], _MD.parseInline(cell)[0].children or [])


def _heading(doc: Any, text: str, size: float, *, center: bool = True, bold: bool = True) -> Any:
    p = doc.add_paragraph()
    if center:
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = p.add_run(text)
    run.bold = bold
    run.font.size = Pt(size)
    _set_fonts(run._r.get_or_add_rPr(), HEADING_FONT)
    return p


def _answer_lines(doc: Any, n: int) -> None:
    for i in range(n):
        p = doc.add_paragraph("答：" if i == 0 else "")
        p.paragraph_format.left_indent = Cm(0.8)
        p.paragraph_format.space_after = Pt(6)
        borders = OxmlElement("w:pBdr")
        bottom = OxmlElement("w:bottom")
        for key, value in (("val", "dotted"), ("sz", "4"), ("space", "1"), ("color", "999999")):
            bottom.set(qn(f"w:{key}"), value)
        borders.append(bottom)
        p._p.get_or_add_pPr().append(borders)


def _grid(doc: Any, questions: tuple[PrintQuestion, ...], points: bool) -> None:
    for start in range(0, len(questions), 10):
        chunk = questions[start : start + 10]
        labels: list[tuple[str, Callable[[PrintQuestion], str]]] = [
            ("题号", lambda q: str(q.number)),
            ("答案", lambda q: q.answer),
        ]
        if points:
            labels.append(("分值", lambda q: fmt(q.points)))
        table = doc.add_table(rows=len(labels), cols=len(chunk) + 1)
        table.style = "Table Grid"
        table.alignment = WD_TABLE_ALIGNMENT.CENTER
        for r, (label, value) in enumerate(labels):
            table.cell(r, 0).text = label
            for c, q in enumerate(chunk, start=1):
                table.cell(r, c).text = value(q)
        doc.add_paragraph()


def paper_docx(paper: PrintablePaper, kind: Document, image_dir: Path) -> bytes:
    """The examinee paper, answer key or rubric as a .docx file."""
    doc = new_document()
    _setup_styles(doc)
    title = DOCUMENT_TITLES[kind]
    confidential = "绝密★启用前" if kind == Document.PAPER else "绝密★考试结束前"
    corner = ("草稿 · 未发布  " if not paper.published else "") + confidential
    _page_setup(doc, paper, title, corner)
    writer = _Writer(image_dir)
    _heading(doc, paper.title, 16)
    _heading(doc, paper.subtitle, 13)
    if kind != Document.PAPER:
        _heading(doc, title, 12)
    facts = doc.add_paragraph("    ".join(f"{label}：{value}" for label, value in paper.facts))
    facts.alignment = WD_ALIGN_PARAGRAPH.CENTER
    if kind == Document.PAPER:
        doc.add_paragraph("姓名：________________        准考证号：________________")
        _heading(doc, "考生须知", 10.5, center=False)
        for i, line in enumerate(paper.instructions, start=1):
            doc.add_paragraph(f"{i}. {line}")
    elif kind == Document.RUBRIC:
        _heading(doc, "评分规则", 10.5, center=False)
        for i, line in enumerate(paper.scoring_rules, start=1):
            doc.add_paragraph(f"{i}. {line}")
    for group in paper.groups:
        _heading(doc, group.heading, 11, center=False).paragraph_format.keep_with_next = True
        if kind != Document.PAPER and group.type != "short":
            _grid(doc, group.questions, points=kind == Document.RUBRIC)
            continue
        for q in group.questions:
            keep = bool(q.options) or kind != Document.PAPER
            writer.write(
                doc, q.stem, prefix=f"{q.number}. ", suffix=f"（{fmt(q.points)} 分）", keep=keep
            )
            for n, (key, text) in enumerate(q.options, start=1):
                writer.write(doc, text, prefix=f"{key}. ", indent=0.8, keep=n < len(q.options))
            if kind == Document.PAPER and q.type == "short":
                _answer_lines(doc, q.answer_lines)
            if kind == Document.RUBRIC and q.rubric:
                table = doc.add_table(rows=len(q.rubric) + 2, cols=2)
                table.style = "Table Grid"
                table.cell(0, 0).text, table.cell(0, 1).text = "采分点", "分值"
                for r, (text, pts) in enumerate(q.rubric, start=1):
                    writer.inline(
                        table.cell(r, 0).paragraphs[0],
                        _MD.parseInline(f"{r}. {text}")[0].children or [],
                    )
                    table.cell(r, 1).text = fmt(pts)
                table.cell(len(q.rubric) + 1, 0).text = "合计"
                table.cell(len(q.rubric) + 1, 1).text = fmt(q.points)
            if kind != Document.PAPER and q.reference_answer:
                writer.write(doc, q.reference_answer, prefix="参考答案：", indent=0.8)
    end = doc.add_paragraph("— 试卷结束 —" if kind == Document.PAPER else "— 完 —")
    end.alignment = WD_ALIGN_PARAGRAPH.CENTER
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()
