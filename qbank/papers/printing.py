"""A paper as a printed document: the examinee paper (试卷), the answer key (参考答案) and the
scoring rubric (评分标准, with the 采分点 of each short answer). Printed documents are in
Chinese whatever the interface language: they are the exam's own papers.

`printable` reads the pinned question versions into `PrintablePaper`, which both the PDF
(`pdf.py`, through the templates in `templates/papers/print/`) and the DOCX writer
(`docx_export.py`) lay out.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from enum import StrEnum

from sqlalchemy.orm import Session

from qbank.papers.assemble import SPECIALTY_ZH
from qbank.papers.assembling import paper_blueprint
from qbank.papers.blueprint import LEVEL_ZH
from qbank.papers.models import Paper
from qbank.syllabus.models import Level, Specialty

CN_NUMERALS = "一二三四五六七八九十"
TYPE_TITLES = {"single": "单项选择题", "multiple": "多项选择题", "short": "简答题"}
TYPE_HINTS = {
    "single": "每题的备选项中，只有 1 个最符合题意",
    "multiple": "每题的备选项中，有 2 个或 2 个以上符合题意",
    "short": "请在答题区域内作答，写明要点",
}
MULTIPLE_RULES = {
    "all_or_nothing": "多项选择题全部选对得满分；错选、少选或多选均不得分。",
    "partial": "多项选择题全部选对得满分；少选且所选选项均正确得该题一半分；有错选不得分。",
    "per_option": "多项选择题按选项计分：每个选项判断正确得相应分值。",
}


class Document(StrEnum):
    PAPER = "paper"  # the examinee paper
    KEY = "key"  # answer key
    RUBRIC = "rubric"  # scoring rubric


DOCUMENT_TITLES = {Document.PAPER: "试卷", Document.KEY: "参考答案", Document.RUBRIC: "评分标准"}


@dataclass(frozen=True)
class PrintQuestion:
    number: int
    uid: str
    type: str
    points: float
    stem: str  # Markdown
    options: tuple[tuple[str, str], ...]  # (key, Markdown)
    answer: str  # "A", "ACD"; "" for short answers
    reference_answer: str
    rubric: tuple[tuple[str, float], ...]
    explanation: str

    @property
    def answer_lines(self) -> int:
        """Ruled lines left for a short answer: about one and a half per point."""
        return max(4, round(self.points * 1.6))


@dataclass(frozen=True)
class PrintGroup:
    numeral: str  # 一, 二, 三
    type: str
    title: str
    hint: str
    questions: tuple[PrintQuestion, ...]

    @property
    def count(self) -> int:
        return len(self.questions)

    @property
    def points_each(self) -> float | None:
        values = {q.points for q in self.questions}
        return values.pop() if len(values) == 1 else None

    @property
    def total(self) -> float:
        return sum(q.points for q in self.questions)

    @property
    def heading(self) -> str:
        each = self.points_each
        rule = f"每题 {fmt(each)} 分，" if each is not None else ""
        return f"{self.numeral}、{self.title}（共 {self.count} 题，{rule}共 {fmt(self.total)} 分。{self.hint}）"


@dataclass(frozen=True)
class PrintablePaper:
    paper_id: int
    name: str
    form_letter: str
    forms: int
    specialty: str  # 碳交易专业技能
    level: str  # 中级
    duration_minutes: int
    total_points: float
    cut_score: float
    multiple_scoring: str
    published: bool
    groups: tuple[PrintGroup, ...]

    @property
    def title(self) -> str:
        return "碳减排领域专业技能岗位人才考试"

    @property
    def subtitle(self) -> str:
        form = f"（{self.form_letter}卷）" if self.forms > 1 else ""
        return f"{self.specialty}（{self.level}）{form}"

    @property
    def code(self) -> str:
        return f"P{self.paper_id:05d}{self.form_letter if self.forms > 1 else ''}"

    @property
    def questions(self) -> tuple[PrintQuestion, ...]:
        return tuple(q for g in self.groups for q in g.questions)

    @property
    def facts(self) -> tuple[tuple[str, str], ...]:
        return (
            ("专业", self.specialty),
            ("级别", self.level),
            ("考试时间", f"{self.duration_minutes} 分钟"),
            ("满分", f"{fmt(self.total_points)} 分"),
            ("及格", f"{fmt(self.cut_score)} 分"),
            ("试卷编号", self.code),
        )

    @property
    def instructions(self) -> tuple[str, ...]:
        return (
            f"本试卷满分 {fmt(self.total_points)} 分，{fmt(self.cut_score)} 分及格，"
            f"考试时间 {self.duration_minutes} 分钟。",
            "答题前请将姓名、准考证号填写在规定位置。",
            "单项选择题每题只有 1 个正确答案；多项选择题每题有 2 个或 2 个以上正确答案。"
            + MULTIPLE_RULES.get(self.multiple_scoring, ""),
            "简答题请在题后的答题区域内作答，超出区域的答案无效。",
            "考试结束后，试卷与草稿纸一并交回。",
        )

    @property
    def scoring_rules(self) -> tuple[str, ...]:
        return (
            "单项选择题选对得该题全部分数，错选或不选不得分。",
            MULTIPLE_RULES.get(self.multiple_scoring, ""),
            "简答题按采分点给分：答出一个采分点即得该点分数，意思相同、表述不同者同样给分；"
            "各采分点分数之和为该题满分。",
        )


def fmt(value: float | None) -> str:
    if value is None:
        return ""
    return str(int(value)) if float(value).is_integer() else f"{value:g}"


def printable(session: Session, paper: Paper) -> PrintablePaper:
    """The paper's pinned versions in paper order, grouped by type."""
    bp = paper_blueprint(paper)
    specialty = session.get(Specialty, paper.specialty_code)
    level = session.get(Level, paper.level_code)
    by_type: dict[str, list[PrintQuestion]] = {}
    for item in paper.items:
        v = item.version
        by_type.setdefault(item.type, []).append(
            PrintQuestion(
                number=item.position,
                uid=item.question.uid,
                type=item.type,
                points=float(item.points),
                stem=v.stem,
                options=tuple((o["key"], o["text"]) for o in v.options),
                answer="".join(o["key"] for o in v.options if o.get("correct")),
                reference_answer=v.reference_answer,
                rubric=tuple((p["text"], float(p["points"])) for p in v.rubric),
                explanation=v.explanation,
            )
        )
    order: list[str] = [t for t in ("single", "multiple", "short") if t in by_type]
    order += [t for t in by_type if t not in order]
    numbers = iter(range(1, len(paper.items) + 1))  # continuous over the groups
    by_type = {t: [replace(q, number=next(numbers)) for q in by_type[t]] for t in order}
    groups = tuple(
        PrintGroup(CN_NUMERALS[k] if k < 10 else str(k + 1), t, TYPE_TITLES.get(t, t),
                   TYPE_HINTS.get(t, ""), tuple(by_type[t]))
        for k, t in enumerate(order)
    )  # fmt: skip
    return PrintablePaper(
        paper_id=paper.id,
        name=paper.name,
        form_letter=paper.form_letter,
        forms=paper.forms_in_batch,
        specialty=specialty.title if specialty else SPECIALTY_ZH.get(paper.specialty_code, ""),
        level=level.title if level else LEVEL_ZH.get(paper.level_code, paper.level_code),
        duration_minutes=paper.duration_minutes,
        total_points=paper.total_points,
        cut_score=paper.cut_score,
        multiple_scoring=bp.multiple_scoring,
        published=paper.is_published,
        groups=groups,
    )


def download_name(doc: PrintablePaper, kind: Document, extension: str) -> str:
    return f"{doc.code}-{DOCUMENT_TITLES[kind]}.{extension}"
