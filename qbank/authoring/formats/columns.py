"""The spreadsheet vocabulary of Excel and CSV files: the template's columns with their Chinese
headers and accepted synonyms, the words accepted in cells (题型, 适用级别, 难度, 是/否), the
search for the header row, and the rows of the template's 填写说明 sheet. `tabular.py` turns rows
into drafts with it.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass, field

from qbank.authoring.draft import OPTION_KEYS

TEMPLATE_OPTIONS = "ABCDE"
HEADER_SEARCH_ROWS = 10

# field → (template header, synonyms); options are added below
COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "id": ("题号", ("序号", "编号", "试题编号", "题目编号", "试题id", "id", "no")),
    "type": ("题型", ("类型", "试题类型", "题目类型", "题类", "type")),
    "stem": (
        "题干",
        ("试题内容", "题目", "题目内容", "试题", "问题", "题面", "内容", "stem", "question"),
    ),
    "answer": ("答案", ("正确答案", "标准答案", "正确选项", "答案选项", "answer", "key")),
    "points": ("分值", ("分数", "满分", "题分", "得分", "points", "score")),
    "reference_answer": ("参考答案", ("答案要点", "参考答案要点", "reference", "referenceanswer")),
    "rubric": ("评分要点", ("评分标准", "采分点", "得分点", "评分细则", "rubric")),
    "explanation": ("解析", ("答案解析", "试题解析", "题目解析", "解题思路", "explanation")),
    "difficulty": ("难度", ("难度系数", "难易度", "难易程度", "difficulty")),
    "section": ("章节", ("知识点", "所属章节", "所属知识点", "章节编号", "考点", "section")),
    "secondary_sections": (
        "次要章节",
        ("其他章节", "关联章节", "次要知识点", "secondary", "secondarysections"),
    ),
    "levels": ("适用级别", ("级别", "等级", "适用等级", "适用对象", "levels", "level")),
    "source": ("出处", ("来源", "依据", "出题依据", "参考依据", "source")),
    "tags": ("标签", ("关键词", "关键字", "tags", "tag")),
    "enemy_group": ("互斥组", ("互斥", "排斥组", "enemy", "enemygroup")),
    "shuffle": ("选项乱序", ("乱序", "是否乱序", "选项随机", "shuffle")),
}
for _key in OPTION_KEYS:
    COLUMNS[f"option_{_key}"] = (
        f"选项{_key}",
        (_key, f"{_key}选项", f"选项{_key.lower()}", f"option{_key}", f"选择{_key}"),
    )
FIELD_ORDER = [
    "id",
    "type",
    "stem",
    *(f"option_{k}" for k in TEMPLATE_OPTIONS),
    "answer",
    "points",
    "reference_answer",
    "rubric",
    "explanation",
    "difficulty",
    "section",
    "secondary_sections",
    "levels",
    "source",
    "tags",
    "enemy_group",
    "shuffle",
]

TYPE_WORDS = {
    "single": ("单选", "单选题", "单项选择", "单项选择题", "单项", "单", "single"),
    "multiple": ("多选", "多选题", "多项选择", "多项选择题", "多项", "多", "multiple"),
    "short": (
        "简答",
        "简答题",
        "问答",
        "问答题",
        "论述",
        "论述题",
        "主观题",
        "案例分析",
        "案例分析题",
        "short",
        "essay",
    ),
    "choice": ("选择", "选择题", "不定项", "不定项选择", "不定项选择题"),
    "truefalse": ("判断", "判断题", "是非题", "对错题", "truefalse", "true/false", "tf"),
}
TYPE_LABELS = {"single": "单选", "multiple": "多选", "short": "简答"}
LEVEL_WORDS = {
    "junior": ("初级", "初", "junior"),
    "intermediate": ("中级", "中", "intermediate"),
    "senior": ("高级", "高", "senior"),
}
LEVEL_LABELS = {"junior": "初级", "intermediate": "中级", "senior": "高级"}
ALL_LEVELS = ("全部", "所有", "全", "不限", "all")
DIFFICULTY_WORDS = {
    "容易": 1,
    "易": 1,
    "较易": 2,
    "中": 3,
    "中等": 3,
    "适中": 3,
    "一般": 3,
    "较难": 4,
    "难": 5,
    "困难": 5,
}
YES = ("是", "y", "yes", "true", "1", "乱序", "随机", "√", "✓", "对")
NO = ("否", "n", "no", "false", "0", "不乱序", "固定", "不", "×", "✗", "x", "错")
TRUE_WORDS = ("对", "正确", "√", "✓", "t", "true", "是", "y", "yes", "a")
FALSE_WORDS = ("错", "错误", "×", "✗", "x", "f", "false", "否", "n", "no", "b")
TRUE_FALSE_OPTIONS = ("正确", "错误")


def fold(text: str) -> str:
    """Case- and width-insensitive form used to match headers and words."""
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text)).lower()


def _header_key(text: str) -> str:
    text = fold(text)
    text = re.sub(r"\(.*?\)|\[.*?\]|【.*?】|<.*?>", "", text)
    return text.strip("*:：")


_SYNONYMS: dict[str, str] = {}
for _field, (_header, _more) in COLUMNS.items():
    for _word in (_header, *_more):
        _SYNONYMS.setdefault(_header_key(_word), _field)


@dataclass
class Header:
    row: int  # 1-based row number of the header row
    fields: dict[int, str]  # column index → field
    names: dict[str, str]  # field → header text as the file spells it
    duplicates: list[str] = field(default_factory=list)


def find_header(rows: Sequence[Sequence[str]]) -> Header | None:
    """The first of the first 10 rows that names a stem column and at least one other."""
    for i, row in enumerate(rows[:HEADER_SEARCH_ROWS]):
        fields: dict[int, str] = {}
        names: dict[str, str] = {}
        duplicates = []
        for col, cell in enumerate(row):
            key = _SYNONYMS.get(_header_key(cell)) if cell else None
            if key is None:
                continue
            if key in names:
                duplicates.append(cell.strip())
                continue
            fields[col] = key
            names[key] = cell.strip()
        if "stem" in names and len(names) >= 2:
            return Header(i + 1, fields, names, duplicates)
    return None


# -- the template's 填写说明 sheet: one row per column, then three example questions ---------

GUIDE_ROWS: list[tuple[str, str, str, str, str]] = [
    ("题号", "否", "Question ID in your system; kept as the external ID", "任意文字", "mgmt-001"),
    (
        "题型",
        "否",
        "Type; inferred from the answer when empty",
        "单选 单选题 单项选择 / 多选 多选题 多项选择 / 简答 问答 论述 / 判断 (→ 单选 正确/错误)",
        "单选",
    ),
    (
        "题干",
        "是",
        "Stem; Markdown, formulas in $…$",
        "文字",
        "排放量 $E = AD \\times EF$ 中 EF 指：",
    ),
    (
        "选项A…选项E",
        "选择题是",
        "Options; more columns 选项F…选项H allowed; no gaps",
        "文字（也可写作 A、B、C… 列）",
        "排放因子",
    ),
    (
        "答案",
        "选择题是",
        "Key letters; for 简答 the reference answer if 参考答案 is empty",
        "A / A,C / AC / A、C；判断：对 错 √ ×",
        "A,C",
    ),
    ("分值", "否", "Points; default 单选 1, 多选 2, 简答 5", "数字，可带“分”", "2"),
    ("参考答案", "简答是", "Reference answer of a short answer", "文字", "……"),
    (
        "评分要点",
        "否",
        "Key points of a short answer; without them one key point worth the full points is created",
        "每行一条或用；分隔，分数写在括号里",
        "要点一(2分)；要点二(3分)",
    ),
    ("解析", "否", "Explanation shown after answering", "文字", "……"),
    ("难度", "否", "Difficulty 1 (easy) … 5 (hard)", "1-5 或 易 较易 中 较难 难", "3"),
    ("章节", "否", "Syllabus section: code or title", "章节编号或名称", "trading.2.3"),
    (
        "次要章节",
        "否",
        "Other sections the question also tests",
        "用逗号或顿号分隔",
        "management.4.1",
    ),
    (
        "适用级别",
        "否",
        "Levels; empty means all",
        "初级 中级 高级 全部，可多选：初级,中级",
        "初级,中级",
    ),
    (
        "出处",
        "否",
        "Source: regulation, standard, article",
        "文字",
        "《碳排放权交易管理暂行条例》第十四条",
    ),
    ("标签", "否", "Tags", "用逗号或顿号分隔", "配额清缴, 履约"),
    ("互斥组", "否", "Enemy group: never two of a group in one paper", "任意文字", "ets-launch"),
    (
        "选项乱序",
        "否",
        "Shuffle options; 否 when options refer to each other",
        "是 / 否（默认 是）",
        "否",
    ),
]

EXAMPLES: list[list[str | int]] = [
    [
        "ex-s01",
        "单选",
        "温室气体核算中，排放量 $E = AD \\times EF$ 里的 $EF$ 指：",
        "活动数据",
        "排放因子",
        "氧化率",
        "全球增温潜势",
        "",
        "B",
        1,
        "",
        "",
        "EF 是排放因子。",
        2,
        "management.2.1",
        "",
        "全部",
        "GB/T 32150-2015",
        "核算方法",
        "",
        "是",
    ],
    [
        "ex-m01",
        "多选",
        "下列属于《京都议定书》管控的温室气体的有：",
        "CO2",
        "CH4",
        "N2O",
        "氮气",
        "",
        "A,B,C",
        2,
        "",
        "",
        "氮气不是温室气体。",
        2,
        "management.1.1",
        "",
        "初级,中级",
        "《京都议定书》附件A",
        "温室气体种类",
        "",
        "是",
    ],
    [
        "ex-a01",
        "简答",
        "简述全国碳市场配额清缴的基本流程。",
        "",
        "",
        "",
        "",
        "",
        "",
        5,
        "核查、确认排放量，再按时足额清缴配额。",
        "指出排放核查与确认(2分)；说明按时足额清缴配额(3分)",
        "",
        3,
        "trading.2.3",
        "",
        "中级,高级",
        "《碳排放权交易管理暂行条例》",
        "配额清缴",
        "",
        "",
    ],
]
