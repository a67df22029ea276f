"""Scoring answers: choice questions by rule, short answers by key-point matching.

Pure. Multiple-choice rules (the blueprint chooses):
- ``all_or_nothing``: every key and nothing else, else 0;
- ``partial`` (the common Chinese rule, default): every key → full points; a correct subset with
  no wrong option → half the points; any wrong option → 0;
- ``per_option``: no wrong option → points × (keys chosen / keys); any wrong option → 0.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

import rjieba

MULTIPLE_RULES = ("all_or_nothing", "partial", "per_option")
MATCH_THRESHOLD = 0.6


def score_single(selected: Iterable[str], keys: Iterable[str], points: float) -> float:
    chosen, correct = set(selected), set(keys)
    return float(points) if chosen and chosen == correct else 0.0


def score_multiple(selected: Iterable[str], keys: Iterable[str], points: float,
                   rule: str = "partial") -> float:
    chosen, correct = set(selected), set(keys)
    if rule not in MULTIPLE_RULES:
        raise ValueError(f"unknown multiple-choice rule {rule!r}")
    if not chosen or chosen - correct:
        return 0.0
    if chosen == correct:
        return float(points)
    if rule == "all_or_nothing":
        return 0.0
    if rule == "partial":
        return float(points) / 2
    return float(points) * len(chosen) / len(correct)


@dataclass(frozen=True)
class KeyPointMatch:
    text: str
    points: float
    coverage: float  # share of the key point's content words found in the answer
    found: bool


@dataclass(frozen=True)
class RubricScore:
    score: float
    matches: tuple[KeyPointMatch, ...]


_PUNCT = re.compile(r"[\s\W_]+", re.UNICODE)
# Function words that carry no content in a key point.
STOPWORDS = frozenset("的 了 和 与 及 或 是 在 对 为 以 等 并 其 该 应 将 由 于 中 之 把 被 从 到 "
                      "要 能 可 需 须 进行 包括 一个 以及 根据 按照 通过 有关 相关 说明 指出 列出 "
                      "写出 简述 答出 明确 给出".split())


@lru_cache(maxsize=4096)
def content_words(text: str) -> frozenset[str]:
    """Content words of a text: jieba search-mode words without punctuation or stopwords,
    plus every CJK character bigram of each word (so 配额清缴 also matches 清缴配额)."""
    words: set[str] = set()
    for word, _start, _end in rjieba.tokenize(text, mode="search"):
        w = _PUNCT.sub("", word).lower()
        if len(w) < 2 or w in STOPWORDS:
            if w.isdigit() and w:
                words.add(w)
            continue
        words.add(w)
    return frozenset(words)


def _answer_vocabulary(answer: str) -> frozenset[str]:
    words = set(content_words(answer))
    clean = _PUNCT.sub("", answer).lower()
    words |= {clean[i:i + 2] for i in range(len(clean) - 1)}
    return frozenset(words)


def match_rubric(answer: str, rubric: Sequence[tuple[str, float]],
                 threshold: float = MATCH_THRESHOLD) -> RubricScore:
    """Provisional score of a short answer: a key point counts as found when at least
    `threshold` of its content words (or, for short words, their character bigrams) appear."""
    vocabulary = _answer_vocabulary(answer) if answer.strip() else frozenset()
    matches = []
    total = 0.0
    for text, points in rubric:
        wanted = content_words(text)
        if not wanted:
            matches.append(KeyPointMatch(text, points, 0.0, False))
            continue
        hit = sum(1 for w in wanted if w in vocabulary or
                  (len(w) > 2 and all(w[i:i + 2] in vocabulary for i in range(len(w) - 1))))
        coverage = hit / len(wanted)
        found = coverage >= threshold
        total += points if found else 0.0
        matches.append(KeyPointMatch(text, points, coverage, found))
    return RubricScore(total, tuple(matches))
