"""Question file formats: one module per format, each a pure `parse_*` into `QuestionDraft`s
(with located problems) and, where the format can carry our questions, a `dump_*` back."""
