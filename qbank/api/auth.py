"""API: bearer tokens for clients (mobile, mini-program) and the signed-in user's profile."""

from __future__ import annotations

import datetime as dt
from typing import Any

from flask import abort, current_app, request
from flask_login import current_user
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from qbank.accounts import services
from qbank.accounts.permissions import public, signed_in
from qbank.db import db

blp = Blueprint(
    "api_auth", __name__, url_prefix="/api/v1", description="Authentication and the current user"
)


class TokenInSchema(Schema):
    username = fields.String(required=True, validate=validate.Length(min=1, max=64))
    password = fields.String(required=True, validate=validate.Length(min=1, max=200))
    name = fields.String(load_default="api", validate=validate.Length(max=100))


class TokenOutSchema(Schema):
    token = fields.String(required=True)
    expires_at = fields.DateTime(required=True)


class MeSchema(Schema):
    id = fields.Integer(required=True)
    username = fields.String(required=True)
    display_name = fields.String(required=True)
    roles = fields.List(fields.String(), required=True)
    specialty = fields.String(allow_none=True)
    level = fields.String(allow_none=True)


@blp.route("/auth/token", methods=["POST"])
@public
@blp.arguments(TokenInSchema)
@blp.response(201, TokenOutSchema)
def issue_token(data: dict[str, Any]) -> Any:
    """Exchange a user name and password for a bearer token (30 days)."""
    try:
        user = services.authenticate(
            db.session,
            data["username"],
            data["password"],
            max_failures=current_app.config["LOGIN_MAX_FAILURES"],
            lockout=dt.timedelta(seconds=current_app.config["LOGIN_LOCKOUT_SECONDS"]),
        )
    except services.AuthenticationError:
        db.session.commit()  # keep the failure count that drives the lockout
        raise
    token, row = services.issue_api_token(db.session, user, data["name"])
    db.session.commit()
    return {"token": token, "expires_at": row.expires_at}


@blp.route("/auth/token", methods=["DELETE"])
@signed_in
@blp.response(204)
def revoke_token() -> Any:
    """Revoke the bearer token used for this request."""
    header = request.headers.get("Authorization", "")
    if not header.lower().startswith("bearer "):
        abort(400)
    services.revoke_api_token(db.session, header[7:].strip())
    db.session.commit()
    return None


@blp.route("/me")
@signed_in
@blp.response(200, MeSchema)
def me() -> Any:
    """The signed-in user."""
    u = current_user
    return {
        "id": u.id,
        "username": u.username,
        "display_name": u.display_name,
        "roles": sorted(r.value for r in u.roles),
        "specialty": u.specialty_code,
        "level": u.level_code,
    }
