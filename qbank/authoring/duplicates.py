"""Near-duplicate detection: TF-IDF over character n-grams and cosine similarity.

Character 2–3-grams suit Chinese, which has no spaces; sublinear tf keeps long stems from
dominating. `DuplicateIndex` answers "which questions look like this one" in milliseconds;
`find_near_duplicate_pairs` scans a whole bank in blocks so memory stays bounded.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from scipy import sparse
from sklearn.feature_extraction.text import TfidfVectorizer

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

    def fit(self, texts: Sequence[str]) -> DuplicateIndex:
        self.vectorizer_ = _vectorizer()
        if texts:
            self.matrix_ = self.vectorizer_.fit_transform(texts).tocsr()
        return self

    def query(self, text: str, threshold: float = DEFAULT_THRESHOLD, top: int = 5) -> list[Match]:
        if self.vectorizer_ is None or self.matrix_ is None or not text.strip():
            return []
        vec = self.vectorizer_.transform([text])
        sims = (self.matrix_ @ vec.T).toarray().ravel()
        order = np.argsort(-sims)[:top]
        return [Match(int(i), float(sims[i])) for i in order if sims[i] >= threshold]

    def similarities(self, text: str, others: Sequence[str]) -> np.ndarray:
        """Cosine similarity of `text` to each of `others`, in the fitted vocabulary."""
        if self.vectorizer_ is None or not others:
            return np.zeros(len(others))
        vecs = self.vectorizer_.transform([text, *others])
        return (vecs[1:] @ vecs[0].T).toarray().ravel()


def find_near_duplicate_pairs(
    texts: Sequence[str],
    threshold: float = DEFAULT_THRESHOLD,
    block: int = 2000,
    max_df: float = 1.0,
) -> list[tuple[int, int, float]]:
    """All pairs (i, j, similarity) with i < j and similarity ≥ threshold."""
    if len(texts) < 2:
        return []
    matrix = _vectorizer(max_df).fit_transform(texts).tocsr()
    pairs: list[tuple[int, int, float]] = []
    for start in range(0, matrix.shape[0], block):
        stop = min(start + block, matrix.shape[0])
        sims = (matrix[start:stop] @ matrix.T).tocoo()
        keep = (sims.data >= threshold) & (sims.col > sims.row + start)
        for r, c, v in zip(sims.row[keep], sims.col[keep], sims.data[keep], strict=True):
            pairs.append((int(r + start), int(c), float(v)))
    pairs.sort(key=lambda p: -p[2])
    return pairs


def question_text(stem: str, options: Sequence[str] = ()) -> str:
    """The text compared for duplicates: the stem plus its options."""
    return stem + "\n" + "\n".join(options)
