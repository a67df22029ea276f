"""Checks of the starter bank in `content/questions/`: required fields, rubric sums, keys, stable
unique IDs, per-section minimums and near-duplicates. Pure: files in, problems out."""

from __future__ import annotations

import sys
from collections import Counter, defaultdict
from dataclasses import dataclass
from pathlib import Path

from qbank.authoring.draft import Problem, QuestionDraft, QuestionType, validate_draft
from qbank.authoring.duplicates import find_near_duplicate_pairs, question_text
from qbank.authoring.formats.native import parse_native
from qbank.syllabus.content import Syllabus, parse_syllabus

MINIMUM_PER_SECTION = {QuestionType.SINGLE: 3, QuestionType.MULTIPLE: 2, QuestionType.SHORT: 1}
DUPLICATE_THRESHOLD = 0.85


@dataclass(frozen=True)
class BankFile:
    path: Path
    drafts: tuple[QuestionDraft, ...]


def read_bank(questions_dir: Path) -> tuple[list[BankFile], list[Problem]]:
    files, problems = [], []
    for path in sorted(questions_dir.glob("*.yaml")):
        drafts, found = parse_native(path.read_text(encoding="utf-8"), str(path))
        files.append(BankFile(path, tuple(drafts)))
        problems += found
    return files, problems


def check_bank(syllabus: Syllabus, files: list[BankFile]) -> list[Problem]:
    sections = {s.code: s for s in syllabus.sections()}
    canonical = {code for code, s in sections.items() if s.same_as is None}
    problems: list[Problem] = []
    ids: dict[str, str] = {}
    counts: dict[str, Counter[QuestionType]] = defaultdict(Counter)
    for f in files:
        if f.path.stem not in canonical:
            problems.append(Problem(str(f.path), "", "file name must be a canonical section code"))
        for d in f.drafts:
            problems += validate_draft(d, sections.keys(), require_metadata=True)
            if not d.external_id:
                problems.append(Problem(d.location, "id", "a stable id is required"))
            elif d.external_id in ids:
                problems.append(
                    Problem(
                        d.location,
                        "id",
                        f"id '{d.external_id}' already used at {ids[d.external_id]}",
                    )
                )
            else:
                ids[d.external_id] = d.location
            if d.section in sections:
                code = sections[d.section].same_as or d.section
                if code != f.path.stem:
                    problems.append(
                        Problem(
                            d.location, "section", f"section {d.section} belongs in {code}.yaml"
                        )
                    )
                counts[code][d.type] += 1
            if d.type is QuestionType.SINGLE and len(d.options) != 4:
                problems.append(Problem(d.location, "options", "single choice needs 4 options"))
            if d.type is QuestionType.MULTIPLE and not 4 <= len(d.options) <= 5:
                problems.append(Problem(d.location, "options", "multiple choice needs 4-5 options"))
    for code in sorted(canonical):
        for qtype, minimum in MINIMUM_PER_SECTION.items():
            have = counts[code][qtype]
            if have < minimum:
                problems.append(
                    Problem(
                        code,
                        qtype.value,
                        f"{have} {qtype.value} question(s), at least {minimum} needed",
                    )
                )
    drafts = [d for f in files for d in f.drafts]
    texts = [question_text(d.stem, [o.text for o in d.options]) for d in drafts]
    for i, j, sim in find_near_duplicate_pairs(texts, DUPLICATE_THRESHOLD):
        problems.append(
            Problem(
                drafts[i].location,
                "stem",
                f"near-duplicate of {drafts[j].location} (similarity {sim:.2f})",
            )
        )
    return problems


def main(argv: list[str] | None = None) -> int:
    args = argv if argv is not None else sys.argv[1:]
    content = Path(args[0]) if args else Path("content")
    syllabus = parse_syllabus(content)
    files, problems = read_bank(content / "questions")
    problems += check_bank(syllabus, files)
    for p in problems:
        print(p)
    total = Counter(d.type.value for f in files for d in f.drafts)
    print(f"{sum(total.values())} questions ({dict(total)}), {len(problems)} problem(s)")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
