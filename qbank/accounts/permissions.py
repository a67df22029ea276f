"""Every view declares who may open it. The decorators record the rule on the view function
(`view.qbank_access`) so that a test can walk the URL map and check every route for every role.

- `@public`: anyone, signed in or not;
- `@signed_in`: any signed-in user;
- `@roles_required(Role.AUTHOR, ...)`: users holding one of the roles; admins pass everywhere.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any, TypeVar

from flask import abort, redirect, request, url_for
from flask_login import current_user

from qbank.accounts.models import Role

F = TypeVar("F", bound=Callable[..., Any])
PUBLIC = "public"
SIGNED_IN = "signed_in"


def _mark(view: Callable[..., Any], access: tuple[str, ...]) -> None:
    view.qbank_access = access  # type: ignore[attr-defined]


def public(view: F) -> F:
    _mark(view, (PUBLIC,))
    return view


def _deny_anonymous() -> Any:
    if request.path.startswith("/api/"):
        abort(401)
    return redirect(url_for("accounts.login", next=request.full_path.rstrip("?")))


def signed_in(view: F) -> F:
    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if not current_user.is_authenticated:
            return _deny_anonymous()
        return view(*args, **kwargs)

    _mark(wrapper, (SIGNED_IN,))
    return wrapper  # type: ignore[return-value]


def roles_required(*roles: Role) -> Callable[[F], F]:
    allowed = tuple(Role(r).value for r in roles)

    def decorate(view: F) -> F:
        @functools.wraps(view)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            if not current_user.is_authenticated:
                return _deny_anonymous()
            if not current_user.has_role(*roles):
                abort(403)
            return view(*args, **kwargs)

        _mark(wrapper, allowed)
        return wrapper  # type: ignore[return-value]

    return decorate


def may_access(access: tuple[str, ...], roles: frozenset[Role] | None) -> bool:
    """Whether a user with `roles` (None: anonymous) may open a view marked `access`."""
    if PUBLIC in access:
        return True
    if roles is None:
        return False
    if SIGNED_IN in access or Role.ADMIN in roles:
        return True
    return any(r.value in access for r in roles)
