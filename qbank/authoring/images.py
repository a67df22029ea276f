"""Images in questions: checked by content (not by the name the browser sends), size-limited,
stored under the instance folder by a random name, served back only by that name."""

from __future__ import annotations

import os
import re
import secrets
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from qbank.authoring.models import QuestionImage
from qbank.errors import NotFoundError, QbankError, ValidationError

SIGNATURES = (
    (b"\x89PNG\r\n\x1a\n", "png", "image/png"),
    (b"\xff\xd8\xff", "jpg", "image/jpeg"),
    (b"GIF87a", "gif", "image/gif"),
    (b"GIF89a", "gif", "image/gif"),
)
NAME_RE = re.compile(r"^[a-f0-9]{32}\.(png|jpg|gif|webp)$")


class StorageError(QbankError):
    status = 507


@dataclass(frozen=True)
class StoredImage:
    name: str
    content_type: str


def sniff(data: bytes) -> tuple[str, str] | None:
    for magic, ext, mime in SIGNATURES:
        if data.startswith(magic):
            return ext, mime
    if data[:4] == b"RIFF" and data[8:12] == b"WEBP":
        return "webp", "image/webp"
    return None


def store_image(
    session: Session,
    folder: Path,
    data: bytes,
    original_name: str,
    max_bytes: int,
    uploader_id: int | None,
) -> StoredImage:
    if not data:
        raise ValidationError("image_empty")
    if len(data) > max_bytes:
        raise ValidationError("image_too_large", limit_kb=max_bytes // 1024)
    kind = sniff(data)
    if kind is None:
        raise ValidationError("image_type", allowed="PNG, JPEG, GIF, WebP")
    ext, mime = kind
    name = f"{secrets.token_hex(16)}.{ext}"
    try:
        folder.mkdir(parents=True, exist_ok=True)
        tmp = folder / f".{name}.part"
        with open(tmp, "wb") as f:
            f.write(data)
            f.flush()
            os.fsync(f.fileno())
        os.replace(tmp, folder / name)
    except OSError as exc:
        raise StorageError("storage_failed", detail=exc.strerror or str(exc)) from exc
    session.add(
        QuestionImage(
            stored_name=name,
            original_name=original_name[:200],
            content_type=mime,
            size=len(data),
            uploaded_by_id=uploader_id,
        )
    )
    session.flush()
    return StoredImage(name, mime)


def image_path(folder: Path, name: str) -> Path:
    if not NAME_RE.match(name):
        raise NotFoundError("image_not_found")
    path = folder / name
    if not path.is_file():
        raise NotFoundError("image_not_found")
    return path
