"""Analytics, for examiners and reviewers: classical item analysis and IRT calibration runs on the
bank's real responses, item flags fed back to authors, and reports with plots."""
