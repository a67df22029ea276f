"""Property-based fuzzing of the whole JSON API from its own OpenAPI document (schemathesis
strategies driven by hypothesis): no input, signed in with every role or signed out, makes the
server answer 500."""

from __future__ import annotations

from typing import Any

import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from qbank.accounts.models import Role
from qbank.accounts.services import issue_api_token
from qbank.db import db

EXAMPLES_PER_OPERATION = 12


def test_no_input_makes_the_api_fail(app: Any, make_user: Any) -> None:
    from schemathesis.checks import not_a_server_error

    user = make_user(Role.AUTHOR, Role.REVIEWER, Role.EXAMINER, Role.LEARNER)
    token, _ = issue_api_token(db.session, user)
    db.session.commit()
    bearer = {"Authorization": f"Bearer {token}"}
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app)
    operations = [result.ok() for result in schema.get_all_operations()]
    assert len(operations) >= 10
    failures: list[str] = []
    for operation in operations:

        @settings(
            max_examples=EXAMPLES_PER_OPERATION,
            deadline=None,
            database=None,
            derandomize=True,
            suppress_health_check=list(HealthCheck),
        )
        @given(case=operation.as_strategy(), signed_in=st.booleans())
        def check(case: Any, signed_in: bool) -> None:
            response = case.call(headers=bearer if signed_in else None)
            if response.status_code >= 500:
                failures.append(f"{case.method} {case.formatted_path} → {response.status_code}")
            case.validate_response(response, checks=[not_a_server_error])

        try:
            check()
        except Exception as exc:
            failures.append(f"{operation.method.upper()} {operation.path}: {exc}"[:500])
        db.session.rollback()
    assert failures == []
