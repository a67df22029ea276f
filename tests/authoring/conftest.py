"""Factories for authoring tests."""

from __future__ import annotations

from typing import Any

import pytest

from qbank.authoring.draft import OptionDraft, QuestionDraft, QuestionType, RubricPoint


def single(stem: str = "全国碳排放权交易市场于哪一天启动上线交易？", **kw: Any) -> QuestionDraft:
    base: dict[str, Any] = dict(
        type=QuestionType.SINGLE,
        stem=stem,
        options=(
            OptionDraft("A", "2021年7月16日", True),
            OptionDraft("B", "2020年12月31日"),
            OptionDraft("C", "2021年2月1日"),
            OptionDraft("D", "2024年5月1日"),
        ),
        explanation="生态环境部 2021年7月16日 宣布全国碳市场上线交易启动。",
        section="trading.2.2",
        difficulty=2,
        source="生态环境部 2021-07-16 新闻发布",
    )
    base.update(kw)
    return QuestionDraft(**base)


def short(**kw: Any) -> QuestionDraft:
    base: dict[str, Any] = dict(
        type=QuestionType.SHORT,
        stem="简述重点排放单位年度排放报告的核查流程。",
        reference_answer="核查安排、建立技术工作组、文件评审、现场核查、出具结论、告知结果、保存记录。",
        rubric=(RubricPoint("列出文件评审与现场核查", 2), RubricPoint("说明出具并告知核查结论", 3)),
        points=5,
        explanation="见《企业温室气体排放报告核查指南（试行）》。",
        section="management.2.3",
        difficulty=3,
        source="《企业温室气体排放报告核查指南（试行）》（2021年）",
    )
    base.update(kw)
    return QuestionDraft(**base)


@pytest.fixture
def make_single():  # type: ignore[no-untyped-def]
    return single


@pytest.fixture
def make_short():  # type: ignore[no-untyped-def]
    return short
