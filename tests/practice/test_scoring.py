"""Scoring rules, every multiple-choice rule with its edge cases, and key-point matching."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from qbank.practice.scoring import match_rubric, score_multiple, score_single


@pytest.mark.parametrize(("chosen", "score"), [("B", 1), ("A", 0), ("", 0), ("AB", 0)])
def test_single_is_all_or_nothing(chosen: str, score: float) -> None:
    assert score_single(list(chosen), ["B"], 1) == score


@pytest.mark.parametrize(("rule", "chosen", "score"), [
    ("partial", "ABC", 2), ("partial", "AB", 1), ("partial", "A", 1), ("partial", "ABD", 0),
    ("partial", "D", 0), ("partial", "", 0), ("partial", "ABCD", 0),
    ("all_or_nothing", "ABC", 2), ("all_or_nothing", "AB", 0), ("all_or_nothing", "ABD", 0),
    ("per_option", "ABC", 2), ("per_option", "AB", 4 / 3), ("per_option", "A", 2 / 3),
    ("per_option", "AD", 0), ("per_option", "", 0),
])
def test_multiple_choice_rules(rule: str, chosen: str, score: float) -> None:
    assert score_multiple(list(chosen), list("ABC"), 2, rule) == pytest.approx(score)


def test_unknown_rule_is_an_error() -> None:
    with pytest.raises(ValueError):
        score_multiple(["A"], ["A", "B"], 2, "generous")


@given(st.sets(st.sampled_from("ABCDE")), st.sets(st.sampled_from("ABCDE"), min_size=2),
       st.sampled_from(["partial", "all_or_nothing", "per_option"]))
def test_multiple_scores_stay_in_range(chosen: set[str], keys: set[str], rule: str) -> None:
    score = score_multiple(chosen, keys, 2, rule)
    assert 0 <= score <= 2
    if chosen - keys:
        assert score == 0
    if chosen == keys:
        assert score == 2


def test_key_points_found_in_a_chinese_answer() -> None:
    rubric = [("列出文件评审与现场核查", 2.0), ("说明出具并告知核查结论", 2.0), ("保存核查记录", 1.0)]
    answer = "先进行文件评审，再到企业现场核查，最后出具核查结论并书面告知重点排放单位。"
    result = match_rubric(answer, rubric)
    assert [m.found for m in result.matches] == [True, True, False]
    assert result.score == 4.0
    assert match_rubric("", rubric).score == 0
    assert match_rubric("与本题无关的内容：今天天气晴朗。", rubric).score == 0


def test_word_order_does_not_matter() -> None:
    assert match_rubric("按时清缴配额", [("配额清缴", 1.0)]).matches[0].found
