"""Resolving what a question file or a form calls its section to a canonical section code.

Imports may name a section by code (any specialty's code: `trading.2.2` resolves to its canonical
`management.4.1`) or by its Chinese or English title. Pure: built from plain rows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True)
class SectionRow:
    code: str
    canonical_code: str
    title: str
    title_en: str
    part_title: str = ""


def _norm(text: str) -> str:
    return re.sub(r"[\s（）()·\-—_:：,，、。.]+", "", text).lower()


class SectionResolver:
    def __init__(self, rows: Iterable[SectionRow]) -> None:
        self.rows = list(rows)
        self.by_code = {r.code: r for r in self.rows}
        self.by_title: dict[str, set[str]] = {}
        for r in self.rows:
            for t in (r.title, r.title_en):
                if t:
                    self.by_title.setdefault(_norm(t), set()).add(r.canonical_code)

        self.canonical_codes: frozenset[str] = frozenset(r.canonical_code for r in self.rows)

    def resolve(self, value: str) -> str | None:
        """The canonical code for a code or title, or None when unknown or ambiguous."""
        value = value.strip()
        if not value:
            return None
        code = value.split()[0]
        if code in self.by_code:
            return self.by_code[code].canonical_code
        found = self.by_title.get(_norm(value))
        if found and len(found) == 1:
            return next(iter(found))
        # "trading.2.3 碳排放权交易流程" or a title with a part prefix such as "第二部分/…"
        for sep in ("/", "|", ">", "›"):
            if sep in value:
                return self.resolve(value.split(sep)[-1])
        return None

    def codes_under(self, prefix: str) -> set[str]:
        """Canonical codes of every section at or below `prefix` at a dot boundary
        (`trading.2` covers `trading.2.3`, not `trading.20.1`)."""
        return {
            r.canonical_code
            for r in self.rows
            if r.code == prefix or r.code.startswith(prefix + ".")
        }
