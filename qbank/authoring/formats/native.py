"""qbank's own question format: the YAML files of `content/questions/` (documented in
content/questions/README.md). Lossless: dump → parse gives the same drafts."""

from __future__ import annotations

from typing import Any

import yaml

from qbank.authoring.draft import OptionDraft, Problem, QuestionDraft, QuestionType, RubricPoint
from qbank.yamlfile import LineMap, YamlSyntaxError, line_of, load_yaml_text

KNOWN_KEYS = {
    "id",
    "type",
    "section",
    "secondary_sections",
    "levels",
    "difficulty",
    "stem",
    "options",
    "answer",
    "shuffle",
    "points",
    "reference_answer",
    "rubric",
    "explanation",
    "source",
    "tags",
    "enemy",
}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, (dict, list)):
        raise TypeError("expected text")
    return str(value).strip()


def _str_list(value: Any) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(v.strip() for v in value.replace("，", ",").split(",") if v.strip())
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    raise TypeError("expected a list")


def _answer_keys(value: Any) -> set[str]:
    if value is None:
        return set()
    if isinstance(value, list):
        return {str(v).strip().upper() for v in value}
    return {ch for ch in str(value).upper() if ch.isalpha()}


def _parse_question(
    q: Any, name: str, default_section: str, problems: list[Problem]
) -> QuestionDraft | None:
    line = line_of(q)
    loc = f"{name}:{line}"
    if not isinstance(q, dict):
        problems.append(Problem(loc, "", "each question must be a mapping"))
        return None
    for key in q:
        if key not in KNOWN_KEYS:
            problems.append(Problem(loc, key, f"unknown field '{key}'"))
    try:
        qtype = QuestionType(str(q.get("type", "")).strip())
    except ValueError:
        problems.append(
            Problem(loc, "type", f"type must be single, multiple or short, got '{q.get('type')}'")
        )
        return None
    try:
        keys = _answer_keys(q.get("answer"))
        options: list[OptionDraft] = []
        raw_options = q.get("options")
        if raw_options is not None and not isinstance(raw_options, dict):
            problems.append(Problem(loc, "options", "options must map letters to text"))
            raw_options = {}
        for key, text in (raw_options or {}).items():
            letter = str(key).strip().upper()
            options.append(OptionDraft(letter, _text(text), letter in keys))
        unknown = keys - {o.key for o in options}
        if unknown and qtype is not QuestionType.SHORT:
            problems.append(
                Problem(loc, "answer", f"answer names no option: {', '.join(sorted(unknown))}")
            )
        rubric = []
        for item in q.get("rubric") or []:
            if not isinstance(item, dict):
                problems.append(Problem(loc, "rubric", "each key point needs 'point' and 'points'"))
                continue
            extra = sorted(set(item) - {"point", "points"})
            if extra:
                problems.append(
                    Problem(
                        f"{name}:{line_of(item, line)}",
                        "rubric",
                        f"unexpected key(s) {', '.join(extra)} in a key point: is there an ASCII comma "
                        "in unquoted text? Quote the text",
                    )
                )
            try:
                pts = float(item.get("points"))
            except (TypeError, ValueError):
                problems.append(
                    Problem(
                        f"{name}:{line_of(item, line)}",
                        "rubric",
                        "key point points must be a number",
                    )
                )
                pts = 0.0
            rubric.append(RubricPoint(_text(item.get("point")), pts))
        points = q.get("points")
        difficulty = q.get("difficulty")
        if difficulty is not None and (
            isinstance(difficulty, bool) or not isinstance(difficulty, int)
        ):
            problems.append(Problem(loc, "difficulty", "difficulty must be a whole number 1-5"))
            difficulty = None
        if points is not None and (
            isinstance(points, bool) or not isinstance(points, (int, float))
        ):
            problems.append(Problem(loc, "points", "points must be a number"))
            points = None
        shuffle = q.get("shuffle", True)
        if not isinstance(shuffle, bool):
            problems.append(Problem(loc, "shuffle", "shuffle must be true or false"))
            shuffle = True
        return QuestionDraft(
            type=qtype,
            stem=_text(q.get("stem")),
            options=tuple(options),
            explanation=_text(q.get("explanation")),
            reference_answer=_text(q.get("reference_answer")),
            rubric=tuple(rubric),
            points=float(points) if points is not None else None,
            section=_text(q.get("section")) or default_section,
            secondary_sections=_str_list(q.get("secondary_sections")),
            levels=_str_list(q.get("levels"))
            if q.get("levels") is not None
            else ("junior", "intermediate", "senior"),
            difficulty=difficulty,
            source=_text(q.get("source")),
            tags=_str_list(q.get("tags")),
            enemy_group=_text(q.get("enemy")),
            shuffle=shuffle,
            external_id=_text(q.get("id")),
            location=loc,
        )
    except TypeError as exc:
        problems.append(Problem(loc, "", f"wrong kind of value: {exc}"))
        return None


def parse_native(text: str, name: str = "<upload>") -> tuple[list[QuestionDraft], list[Problem]]:
    """Parse one question file. Returns drafts and problems (file:line, field, message)."""
    try:
        doc = load_yaml_text(text, name)
    except YamlSyntaxError as exc:
        p = exc.problem
        return [], [Problem(f"{p.file}:{p.line}", "", p.message)]
    if isinstance(doc, list):
        doc = LineMap(questions=doc)
    if not isinstance(doc, dict) or not isinstance(doc.get("questions"), list):
        return [], [Problem(f"{name}:1", "questions", "expected a mapping with a 'questions' list")]
    problems: list[Problem] = []
    section = doc.get("section")
    if section is not None and not isinstance(section, (str, int, float)):
        return [], [Problem(f"{name}:{line_of(doc, 1)}", "section", "section must be a code")]
    default_section = _text(section)
    drafts = []
    for q in doc["questions"]:
        d = _parse_question(q, name, default_section, problems)
        if d is not None:
            drafts.append(d)
    return drafts, problems


class _Dumper(yaml.SafeDumper):
    pass


def _str_presenter(dumper: yaml.SafeDumper, data: str) -> yaml.ScalarNode:
    if "\n" in data:
        return dumper.represent_scalar("tag:yaml.org,2002:str", data, style="|")
    return dumper.represent_scalar("tag:yaml.org,2002:str", data)


_Dumper.add_representer(str, _str_presenter)


def draft_to_mapping(d: QuestionDraft, default_section: str = "") -> dict[str, Any]:
    out: dict[str, Any] = {}
    if d.external_id:
        out["id"] = d.external_id
    out["type"] = d.type.value
    if d.section and d.section != default_section:
        out["section"] = d.section
    if d.secondary_sections:
        out["secondary_sections"] = list(d.secondary_sections)
    out["levels"] = list(d.levels)
    if d.difficulty is not None:
        out["difficulty"] = d.difficulty
    out["stem"] = d.stem + ("\n" if "\n" in d.stem else "")
    if d.options:
        out["options"] = {o.key: o.text for o in d.options}
        out["answer"] = "".join(d.keys)
        if not d.shuffle:
            out["shuffle"] = False
    if d.type is QuestionType.SHORT:
        if d.points is not None:
            out["points"] = int(d.points) if float(d.points).is_integer() else d.points
        out["reference_answer"] = d.reference_answer
        out["rubric"] = [
            {"point": p.text, "points": int(p.points) if float(p.points).is_integer() else p.points}
            for p in d.rubric
        ]
    elif d.points is not None:
        out["points"] = d.points
    if d.explanation:
        out["explanation"] = d.explanation
    if d.source:
        out["source"] = d.source
    if d.tags:
        out["tags"] = list(d.tags)
    if d.enemy_group:
        out["enemy"] = d.enemy_group
    return out


def dump_native(drafts: list[QuestionDraft], section: str = "") -> str:
    doc: dict[str, Any] = {}
    if section:
        doc["section"] = section
    doc["questions"] = [draft_to_mapping(d, section) for d in drafts]
    return yaml.dump(doc, Dumper=_Dumper, allow_unicode=True, sort_keys=False, width=100)
