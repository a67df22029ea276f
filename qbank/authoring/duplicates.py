"""Near-duplicate detection: TF-IDF over character n-grams and cosine similarity.

Character 2–3-grams suit Chinese, which has no spaces; sublinear tf keeps long stems from
dominating. `DuplicateIndex` answers "which questions look like this one" in milliseconds;
`find_near_duplicate_pairs` scans a whole bank with sparse-dot-topn, which keeps only the few
best matches of each row above the threshold instead of materialising every product.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer
from sparse_dot_topn import sp_matmul_topn

DEFAULT_THRESHOLD = 0.8


@dataclass(frozen=True)
class Match:
    index: int  # position in the fitted corpus
    similarity: float


def _vectorizer(max_df: float = 1.0) -> TfidfVectorizer:
    return TfidfVectorizer(
        analyzer="char_wb", ngram_range=(2, 3), sublinear_tf=True, max_df=max_df, dtype=np.float32
    )


class DuplicateIndex:
    """Fit once on the bank; `query` a new text against it."""

    def __init__(self) -> None:
        self.vectorizer_: TfidfVectorizer | None = None
        self.matrix_: sparse.csr_matrix | None = None
        self.columns_: sparse.csr_matrix | None = None  # the transpose, for fast one-row products

    def fit(self, texts: Sequence[str]) -> DuplicateIndex:
        self.vectorizer_ = _vectorizer()
        if texts:
            self.matrix_ = self.vectorizer_.fit_transform(texts).tocsr()
            self.columns_ = self.matrix_.T.tocsr()
        return self

    def query(self, text: str, threshold: float = DEFAULT_THRESHOLD, top: int = 5) -> list[Match]:
        if self.vectorizer_ is None or self.columns_ is None or not text.strip():
            return []
        row = (self.vectorizer_.transform([text]) @ self.columns_).tocsr()
        keep = row.data >= threshold
        found = sorted(zip(row.indices[keep], row.data[keep], strict=True), key=lambda p: -p[1])
        return [Match(int(i), float(v)) for i, v in found[:top]]

    def similarities(self, text: str, others: Sequence[str]) -> np.ndarray:
        """Cosine similarity of `text` to each of `others`, in the fitted vocabulary."""
        if self.vectorizer_ is None or not others:
            return np.zeros(len(others))
        vecs = self.vectorizer_.transform([text, *others])
        return (vecs[1:] @ vecs[0].T).toarray().ravel()


def find_near_duplicate_pairs(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    top_n: int = 10,
    max_df: float = 1.0,
    n_threads: int = 2,
) -> list[tuple[int, int, float]]:
    """All pairs (i, j, similarity) with i < j and similarity ≥ threshold, most similar first
    (at most `top_n` partners per question)."""
    if len(texts) < 2:
        return []
    matrix = _vectorizer(max_df).fit_transform(texts).tocsr()
    product = sp_matmul_topn(
        matrix, matrix.T.tocsr(), top_n=top_n + 1, threshold=threshold, n_threads=n_threads
    ).tocoo()
    keep = product.col > product.row
    pairs = [
        (int(r), int(c), float(v))
        for r, c, v in zip(product.row[keep], product.col[keep], product.data[keep], strict=True)
    ]
    pairs.sort(key=lambda p: -p[2])
    return pairs


def question_text(stem: str, options: Sequence[str] = ()) -> str:
    """The text compared for duplicates: the stem plus its options."""
    return stem + "\n" + "\n".join(options)
