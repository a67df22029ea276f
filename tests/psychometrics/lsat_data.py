"""LSAT sections 6 and 7 (Bock & Lieberman, 1970): the 32 response patterns of 5 items with
their frequencies (1,000 examinees each), patterns in binary order (item 1 most significant).

Sources checked: LSAT-6 counts as in the OpenBUGS "LSAT" example and in ltm's factor.scores
listing of `ltm(LSAT ~ z1)`; their item p-values (.924 .709 .553 .763 .870) and score
distribution (3 20 85 237 357 298) match ltm's `descript(LSAT)`. LSAT-7 counts as distributed
with R's mirt (`LSAT7`); their p-values (.828 .658 .772 .606 .843) match mirt's
`itemstats(expand.table(LSAT7))` in the mirt reference manual.
"""

from __future__ import annotations

import itertools

import numpy as np

PATTERNS = np.array(list(itertools.product([0, 1], repeat=5)), dtype=float)
LSAT6 = np.array(
    [
        3,
        6,
        2,
        11,
        1,
        1,
        3,
        4,
        1,
        8,
        0,
        16,
        0,
        3,
        2,
        15,
        10,
        29,
        14,
        81,
        3,
        28,
        15,
        80,
        16,
        56,
        21,
        173,
        11,
        61,
        28,
        298,
    ],
    dtype=float,
)
LSAT7 = np.array(
    [
        12,
        19,
        1,
        7,
        3,
        19,
        3,
        17,
        10,
        5,
        3,
        7,
        7,
        23,
        8,
        28,
        7,
        39,
        11,
        34,
        14,
        51,
        15,
        90,
        6,
        25,
        7,
        35,
        18,
        136,
        32,
        308,
    ],
    dtype=float,
)
