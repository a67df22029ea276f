"""The certification itself: specialties, levels, parts and sections of the syllabus, exam rules,
the exam calendar and the eligibility self-check. Everyone, anonymous visitors included, reads it."""
