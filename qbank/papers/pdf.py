"""HTML → PDF with WeasyPrint, fetching nothing from the network.

The print templates (`templates/papers/print/`) carry their own CSS: Noto CJK fonts (Debian's
fonts-noto-cjk), `@page` margins with the running header and "第 x 页 共 y 页" footer, and
`break-inside: avoid` on every question so no option is separated from its stem. Formulas
arrive as data: SVG images (`printmath`); question images are read from the upload folder.
Any other URL in question text is refused rather than fetched.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import urlsplit

from weasyprint import HTML
from weasyprint.document import Document
from weasyprint.urls import URLFetcher, URLFetcherResponse

BASE_URL = "http://qbank.invalid/"
_IMAGE = re.compile(r"^/images/([a-f0-9]{32}\.(png|jpg|gif|webp))$")
_MIME = {"png": "image/png", "jpg": "image/jpeg", "gif": "image/gif", "webp": "image/webp"}


class LocalFetcher(URLFetcher):  # type: ignore[misc]
    """data: URLs and the app's own question images; nothing else."""

    def __init__(self, image_dir: Path) -> None:
        super().__init__(allowed_protocols=("data", "http"), timeout=1)
        self.image_dir = image_dir

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        if url.startswith("data:"):
            return super().fetch(url, headers)
        parts = urlsplit(url)
        match = _IMAGE.match(parts.path) if parts.netloc == "qbank.invalid" else None
        if match is None:
            raise ValueError("only the question bank's own images are printed")
        path = self.image_dir / match.group(1)
        if not path.is_file():
            raise ValueError("image not found")
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": _MIME[match.group(2)]})


def layout(html: str, image_dir: Path) -> Document:
    """The laid-out pages (tests look at where each question landed)."""
    return HTML(string=html, base_url=BASE_URL, url_fetcher=LocalFetcher(image_dir)).render()


def html_to_pdf(html: str, image_dir: Path) -> bytes:
    """The PDF of a print template's HTML."""
    pdf = layout(html, image_dir).write_pdf()
    assert pdf is not None
    return bytes(pdf)
