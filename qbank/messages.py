"""User-facing wording of domain error codes, translated. Services raise codes (no Flask there);
the web layer shows these sentences."""

from __future__ import annotations

from typing import Any

from flask_babel import lazy_gettext as _l

from qbank.errors import QbankError

MESSAGES: dict[str, Any] = {
    "password_too_short": _l("The password must have at least %(minimum)s characters."),
    "password_is_username": _l("The password must not be the user name."),
    "invalid_username": _l("User names have 3-64 characters: letters, digits, and . _ @ - only."),
    "username_taken": _l("This user name is already taken."),
    "unknown_specialty": _l("Unknown specialty."),
    "unknown_level": _l("Unknown level."),
    "track_required": _l("Choose your specialty and level."),
    "cannot_drop_own_admin": _l("You cannot remove your own administrator role."),
    "cannot_disable_self": _l("You cannot disable your own account."),
    "wrong_password": _l("The current password is not correct."),
    "bad_credentials": _l("Wrong user name or password."),
    "account_locked": _l("Too many failed attempts: this account is locked for a few minutes."),
    "account_disabled": _l("This account has been disabled."),
    "user_not_found": _l("No such user."),
    "invalid_date": _l("Dates are written YYYY-MM-DD."),
    "invalid_eligibility_input": _l("Please check the form: %(detail)s"),
}


def describe(error: QbankError) -> str:
    template = MESSAGES.get(error.message)
    if template is None:
        return error.message
    try:
        return str(template) % error.details if "%(" in str(template) else str(template)
    except (KeyError, TypeError, ValueError):
        return str(template)
