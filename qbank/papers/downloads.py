"""The three printed documents as file downloads, shared by the pages and the API (web layer:
renders the print templates)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from flask import Response, current_app, render_template
from sqlalchemy.orm import Session

from qbank.errors import NotFoundError
from qbank.papers.models import Paper
from qbank.papers.printing import DOCUMENT_TITLES, Document, download_name, printable

MEDIA = {
    "pdf": "application/pdf",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
}
KINDS = tuple(d.value for d in Document)


@dataclass(frozen=True)
class Download:
    data: bytes
    filename: str  # Chinese, e.g. P00012-试卷.pdf
    ascii_filename: str
    mimetype: str


def _image_dir() -> Path:
    return Path(current_app.config["UPLOAD_DIR"]) / "images"


def render_document(session: Session, paper: Paper, kind: str, fmt: str) -> Download:
    if kind not in KINDS or fmt not in MEDIA:
        raise NotFoundError("export_not_found", kind=kind, fmt=fmt)
    doc = printable(session, paper)
    document = Document(kind)
    if fmt == "pdf":
        from qbank.papers.pdf import html_to_pdf

        html = render_template(
            f"papers/print/{kind}.html",
            doc=doc,
            doc_title=DOCUMENT_TITLES[document],
            confidential="绝密★启用前" if document == Document.PAPER else "绝密★考试结束前",
        )
        data = html_to_pdf(html, _image_dir())
    else:
        from qbank.papers.docx_export import paper_docx

        data = paper_docx(doc, document, _image_dir())
    return Download(data, download_name(doc, document, fmt), f"{doc.code}-{kind}.{fmt}", MEDIA[fmt])


def as_response(download: Download) -> Response:
    response = Response(download.data, mimetype=download.mimetype)
    response.headers["Content-Disposition"] = (
        f'attachment; filename="{download.ascii_filename}"; '
        f"filename*=UTF-8''{quote(download.filename)}"
    )
    return response
