"""Printed documents: PDF (WeasyPrint, Noto CJK embedded, no question split across pages,
printable math) and DOCX (python-docx, East Asian fonts on every style, no theme fonts)."""

from __future__ import annotations

import io
import re
import zlib
from pathlib import Path

import pytest
from docx import Document as open_docx
from docx.oxml.ns import qn
from flask import render_template

from qbank import create_app
from qbank.accounts.models import Role
from qbank.db import db
from qbank.papers import assembling, blueprints
from qbank.papers.models import Paper
from qbank.papers.pdf import html_to_pdf, layout
from qbank.papers.printing import (
    TYPE_TITLES,
    PrintablePaper,
    PrintGroup,
    PrintQuestion,
    printable,
)
from qbank.papers.printmath import print_html, tex_runs

REPO = Path(__file__).resolve().parents[2]


def _streams(pdf: bytes) -> list[bytes]:
    out = []
    for match in re.finditer(rb"stream\r?\n", pdf):
        raw = pdf[match.end() : pdf.find(b"endstream", match.end())]
        try:
            out.append(zlib.decompressobj().decompress(raw))
        except zlib.error:
            out.append(raw)
    return out


def pdf_characters(pdf: bytes) -> set[str]:
    """Every character the PDF's fonts map to Unicode (their ToUnicode CMaps): a text
    extractor's view of which characters the document shows."""
    found: set[str] = set()
    for s in _streams(pdf):
        for block in re.findall(rb"beginbfchar(.*?)endbfchar", s, re.S):
            for _src, dst in re.findall(rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block):
                found |= set(bytes.fromhex(dst.decode()).decode("utf-16-be", "ignore"))
        for block in re.findall(rb"beginbfrange(.*?)endbfrange", s, re.S):
            for a, b, dst in re.findall(
                rb"<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>\s*<([0-9A-Fa-f]+)>", block
            ):
                start = int(dst, 16)
                found |= {chr(start + k) for k in range(int(b, 16) - int(a, 16) + 1)}
    return found


def starter_paper() -> PrintablePaper:
    """A 64-question paper from the starter bank files (monitoring: it has formulas)."""
    from qbank.authoring.bankcheck import read_bank

    files, _ = read_bank(REPO / "content" / "questions")
    drafts = [d for f in files if f.path.name.startswith("monitoring.") for d in f.drafts]
    wanted = {"single": 40, "multiple": 20, "short": 4}
    chosen = []
    for qtype, count in wanted.items():
        of_type = [d for d in drafts if d.type.value == qtype]
        with_math = [d for d in of_type if "$" in d.stem]
        chosen += (with_math + [d for d in of_type if "$" not in d.stem])[:count]
    groups, number = [], 0
    for k, qtype in enumerate(wanted):
        questions = []
        for d in (d for d in chosen if d.type.value == qtype):
            number += 1
            questions.append(
                PrintQuestion(number, d.external_id, qtype, float(d.effective_points), d.stem,
                              tuple((o.key, o.text) for o in d.options),
                              "".join(o.key for o in d.options if o.correct), d.reference_answer,
                              tuple((r.text, float(r.points)) for r in d.rubric), d.explanation)
            )  # fmt: skip
        groups.append(PrintGroup("一二三"[k], qtype, TYPE_TITLES[qtype], "", tuple(questions)))
    return PrintablePaper(7, "碳排放监测 中级", "A", 1, "碳排放监测专业技能", "中级", 120, 100.0,
                          60.0, "partial", False, tuple(groups))  # fmt: skip


@pytest.fixture(scope="module")
def printed(tmp_path_factory: pytest.TempPathFactory):  # type: ignore[no-untyped-def]
    """The examinee paper laid out once (rendering does not touch the database)."""
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": "sqlite://", "SECRET_KEY": "t",
         "INSTANCE_PATH": str(tmp_path_factory.mktemp("print"))}
    )  # fmt: skip
    doc = starter_paper()
    with app.test_request_context():
        html = render_template(
            "papers/print/paper.html", doc=doc, doc_title="试卷", confidential=""
        )
        yield app, doc, layout(html, Path(app.config["UPLOAD_DIR"]))


def test_pdf_embeds_its_chinese_fonts_and_text(printed) -> None:  # type: ignore[no-untyped-def]
    _, doc, pages = printed
    pdf = pages.write_pdf()
    assert pdf.startswith(b"%PDF")
    text = pdf_characters(pdf)
    stem = re.sub(r"\$[^$]*\$|[\s*（）()，。：、“”]", "", doc.questions[1].stem)
    for phrase in (
        "碳排放监测专业技能",
        "中级",
        "考生须知",
        "第页共",
        "单项选择题",
        "草稿未发布",
        stem[:12],
    ):
        assert set(phrase) <= text, phrase
    joined = b"".join(_streams(pdf)) + pdf
    fonts = set(re.findall(rb"/BaseFont\s*/[A-Z]{6}\+([A-Za-z\-]+)", joined))
    assert {b"Noto-Serif-CJK-SC", b"Noto-Sans-CJK-SC-Bold"} <= fonts
    assert b"/FontFile" in joined  # embedded, not referenced
    assert joined.count(b"/Subtype /Image") + joined.count(b"/Subtype/Image") == 0  # math is vector


def test_no_question_is_split_across_pages(printed) -> None:  # type: ignore[no-untyped-def]
    _, doc, pages = printed
    assert len(pages.pages) >= 8
    seen: dict[int, set[int]] = {}
    for number, page in enumerate(pages.pages):
        for box in page._page_box.descendants():
            element = getattr(box, "element", None)
            if element is not None and "question" in (element.get("class") or "").split():
                seen.setdefault(id(element), set()).add(number)
    assert len(seen) == len(doc.questions) == 64
    assert all(len(on) == 1 for on in seen.values())


def test_answer_key_and_rubric(printed) -> None:  # type: ignore[no-untyped-def]
    app, doc, _ = printed
    with app.test_request_context():
        key = render_template(
            "papers/print/key.html", doc=doc, doc_title="参考答案", confidential=""
        )
        rubric = render_template(
            "papers/print/rubric.html", doc=doc, doc_title="评分标准", confidential=""
        )
    key_chars = pdf_characters(html_to_pdf(key, Path(app.config["UPLOAD_DIR"])))
    assert set("参考答案") <= key_chars and set(doc.questions[0].answer) <= key_chars
    short = next(q for q in doc.questions if q.type == "short")
    rubric_chars = pdf_characters(html_to_pdf(rubric, Path(app.config["UPLOAD_DIR"])))
    assert set("评分标准采分点") <= rubric_chars
    assert set(re.sub(r"[\s$]", "", short.rubric[0][0])[:10]) <= rubric_chars


@pytest.fixture
def paper(app, make_user) -> Paper:  # type: ignore[no-untyped-def]
    record = blueprints.default_blueprint_for(db.session, "monitoring", "intermediate")
    outcome = assembling.assemble_papers(db.session, record, make_user(Role.EXAMINER))
    db.session.commit()
    return outcome.papers[0]


def test_downloads_of_a_paper(app, login, paper) -> None:  # type: ignore[no-untyped-def]
    assert login(Role.EXAMINER).get(f"/papers/{paper.id}/export/key.pdf").status_code == 404
    client = login(Role.REVIEWER)
    response = client.get(f"/papers/{paper.id}/export/key.pdf")  # the short one: quick
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert "filename*=UTF-8''P" in response.headers["Content-Disposition"]
    assert response.data.startswith(b"%PDF")
    short = next(q for q in printable(db.session, paper).questions if q.type == "short")
    plain = re.sub(r"\$[^$]*\$|[\s*（）()，。：、“”]", "", short.stem)
    assert set(plain[:10]) <= pdf_characters(response.data)  # the pinned version's text
    assert client.get(f"/papers/{paper.id}/export/secret.pdf").status_code == 404


def test_docx_sets_east_asian_fonts_and_page_numbers(app, login, paper) -> None:  # type: ignore[no-untyped-def]
    client = login(Role.REVIEWER)
    response = client.get(f"/papers/{paper.id}/export/paper.docx")
    assert response.status_code == 200 and response.mimetype.endswith("wordprocessingml.document")
    document = open_docx(io.BytesIO(response.data))
    normal = document.styles["Normal"].element.rPr.rFonts
    assert normal.get(qn("w:eastAsia")) == "宋体" and normal.get(qn("w:ascii")) == "Times New Roman"
    styles_xml = document.styles.element
    assert not [
        attr
        for fonts in styles_xml.iter(qn("w:rFonts"))
        for attr in fonts.attrib
        if attr.endswith("Theme")
    ]
    defaults = styles_xml.find(
        f"{qn('w:docDefaults')}/{qn('w:rPrDefault')}/{qn('w:rPr')}/{qn('w:rFonts')}"
    )
    assert defaults.get(qn("w:eastAsia")) == "宋体"
    body = "\n".join(p.text for p in document.paragraphs)
    doc = printable(db.session, paper)
    assert "碳排放监测专业技能（中级）" in body and "考生须知" in body
    assert re.sub(r"\$[^$]*\$", "", doc.questions[0].stem)[:8] in re.sub(r"\s", " ", body)
    footer = document.sections[0].footer.paragraphs[0]._p.xml
    assert "PAGE" in footer and "NUMPAGES" in footer and "第" in footer and "共" in footer
    heading = next(i for i, p in enumerate(document.paragraphs) if p.text.startswith("一、"))
    stem = document.paragraphs[heading + 1]
    assert stem.text.startswith("1. ")
    assert stem.paragraph_format.keep_with_next  # the options stay with their stem


def test_math_prints_as_svg_and_as_text_runs() -> None:
    html = str(print_html(r"排放量 $E = AD \times EF$ 计算"))
    assert 'src="data:image/svg+xml;base64,' in html and "<math" not in html
    cjk = str(print_html(r"$V_{标} = V_{工} \times \frac{P_{工}}{P_{标}}$"))
    assert "data:image/svg+xml" in cjk
    # mathtext cannot set this one (from the starter bank): the linear form is printed instead
    fallback = str(print_html(r"$\sqrt{\sum (u_i x_i)^2} \le \sum u_i x_i \le u_{max} \sum x_i$"))
    assert (
        '<span class="tex">' in fallback
        and "√(Σ (u<sub>i</sub> x<sub>i</sub>)<sup>2</sup>)" in fallback
        and "≤" in fallback
    )
    assert tex_runs(r"C_{ar} \times \frac{44}{12} \approx 4{,}333") == [
        ("C", ""), ("ar", "sub"), (" × 44/12 ≈ 4,333", ""),
    ]  # fmt: skip
    assert tex_runs(r"\sqrt{6.25 + 36}") == [("√(6.25 + 36)", "")]
    assert tex_runs(r"CO_2e") == [("CO", ""), ("2", "sub"), ("e", "")]
    unsafe = str(print_html("<img src=x onerror=alert(1)> ![x](http://evil.example/a.png)"))
    assert "onerror" not in unsafe.replace("&lt;img src=x onerror", "")
