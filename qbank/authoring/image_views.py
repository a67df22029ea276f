"""Image upload for the editor and image serving for every page that shows questions."""

from __future__ import annotations

from pathlib import Path

from flask import Blueprint, current_app, jsonify, request, send_file, url_for
from flask_login import current_user

from qbank.accounts.models import Role
from qbank.accounts.permissions import roles_required, signed_in
from qbank.authoring.images import image_path, sniff, store_image
from qbank.db import db
from qbank.error_pages import returns_json
from qbank.errors import ValidationError

bp = Blueprint("images", __name__, url_prefix="/images")


def _folder() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "images"


@bp.post("")
@roles_required(Role.AUTHOR, Role.REVIEWER)
@returns_json
def upload():  # type: ignore[no-untyped-def]
    file = request.files.get("image")
    if file is None:
        raise ValidationError("image_empty")
    data = file.read(current_app.config["IMAGE_MAX_BYTES"] + 1)
    stored = store_image(
        db.session,
        _folder(),
        data,
        file.filename or "",
        current_app.config["IMAGE_MAX_BYTES"],
        current_user.id,
    )
    db.session.commit()
    return jsonify(url=url_for("images.show", name=stored.name)), 201


@bp.get("/<name>")
@signed_in
def show(name: str):  # type: ignore[no-untyped-def]
    path = image_path(_folder(), name)
    kind = sniff(path.read_bytes()[:16])
    response = send_file(
        path, mimetype=kind[1] if kind else "application/octet-stream", max_age=86400
    )
    response.headers["Content-Disposition"] = "inline"
    return response
