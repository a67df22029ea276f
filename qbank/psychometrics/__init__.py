"""Psychometrics: item response theory, classical item analysis, ability estimation, pass
probability, adaptive selection and optimal test assembly. Pure numpy/scipy: no Flask, no
SQLAlchemy, no other qbank module — small enough to publish on its own."""
