"""Authoring, for subject experts and reviewers: question editing, versions, the review workflow,
search, near-duplicate detection, import and export, and the coverage matrix."""
