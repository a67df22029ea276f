"""The starter bank fills every default blueprint twice over: two disjoint forms each, read
from the database by the pool adapter, both meeting the blueprint by the independent checker."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from qbank import create_app
from qbank.db import db
from qbank.papers import blueprints
from qbank.papers.assemble import assemble
from qbank.papers.check import check_forms
from qbank.papers.pool import load_pool

REPO = Path(__file__).resolve().parents[2]
KEYS = sorted(p.stem for p in (REPO / "content" / "blueprints").glob("*.yaml"))


@pytest.fixture(scope="module", params=["sqlite", "postgresql"])
def pools(
    request: pytest.FixtureRequest, database_factories: Any, tmp_path_factory: Any
) -> Iterator[dict[str, Any]]:
    """Every default blueprint with its pool, loaded once per database backend."""
    if request.param == "postgresql" and not os.environ.get("QBANK_TEST_POSTGRES_URL"):
        pytest.skip("PostgreSQL not configured: set QBANK_TEST_POSTGRES_URL (scripts/test does)")
    factory = database_factories[request.param]
    url = factory.create()
    app = create_app(
        {"TESTING": True, "SQLALCHEMY_DATABASE_URI": url, "SECRET_KEY": "t",
         "INSTANCE_PATH": str(tmp_path_factory.mktemp("starter"))}
    )  # fmt: skip
    out = {}
    with app.app_context():
        for record in blueprints.list_blueprints(db.session):
            if record.default_key:
                bp = blueprints.parse_source(db.session, record.source)
                out[record.default_key] = (bp, load_pool(db.session, bp.specialty, bp.level).pool)
        db.session.remove()
        db.engine.dispose()
    yield out
    factory.drop(url)


def test_every_default_blueprint_is_in_the_database(pools: dict[str, Any]) -> None:
    assert sorted(pools) == KEYS and len(KEYS) == 21


@pytest.mark.parametrize("key", KEYS)
def test_starter_bank_fills_the_default_blueprint_twice(pools: dict[str, Any], key: str) -> None:
    bp, pool = pools[key]
    result = assemble(bp, pool, forms=2, seed=0, time_limit=20)
    assert len(result.forms) == 2, [c.message_en for c in result.diagnosis]
    ids = [list(f.ids) for f in result.forms]
    assert not set(ids[0]) & set(ids[1])
    assert check_forms(bp, pool, ids, theta_cut=float(result.theta[0])) == []
