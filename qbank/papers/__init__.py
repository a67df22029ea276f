"""Papers, for examiners: blueprints, optimal assembly over the pure solver, paper review,
publishing, and PDF/DOCX export."""
