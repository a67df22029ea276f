"""Question file formats: one module per format, each a pure `parse_*` into `QuestionDraft`s
(with located problems) and, where the format can carry our questions, a `dump_*` back.

Bytes in, dataclasses out: no Flask, no database. `registry.FORMATS` lists them (Excel, CSV,
Moodle XML, GIFT, Aiken, QTI 2.1/2.2, qbank YAML); `registry.parse_file` detects and parses,
`registry.export_file` writes. Every parser returns a `ParseResult` (drafts, errors, warnings)
and never raises on bad input: size caps, zip-bomb limits, refused XML DTDs and entities, and
encoding detection live in `result.py` and `xmlsafe.py`. docs/formats.md describes each format.
"""
