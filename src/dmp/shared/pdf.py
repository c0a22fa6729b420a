"""HTML → PDF, the one way every printed page of the service is made (WeasyPrint).

Every template is self-contained (styles inline, images as ``data:`` URLs), so the printer is
allowed no other scheme: nothing typed by a user can make it read a local file or the network,
and a missing resource fails loudly instead of printing an incomplete page. Output is tagged
PDF/UA-1 (structure, language, title) so screen readers can read what we print.
"""

from __future__ import annotations

import logging

_FONT_FALLBACK_NOTICE = "Using fontTools instead of HarfBuzz-Subset"


class _DropFontFallbackNotice(logging.Filter):
    # Debian's HarfBuzz has no subset library: WeasyPrint falls back to fontTools, which works,
    # and says so on every page. The notice is about the host, not about the document.
    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith(_FONT_FALLBACK_NOTICE)


_quietened = False


def _quieten() -> None:
    global _quietened
    if not _quietened:
        logging.getLogger("weasyprint").addFilter(_DropFontFallbackNotice())
        logging.getLogger("fontTools").setLevel(logging.WARNING)  # subsetting chatter
        _quietened = True


def render_pdf(html: str) -> bytes:
    """Print a self-contained HTML page to a tagged PDF."""
    # Imported here: WeasyPrint takes most of a second to import and most requests never print.
    import weasyprint

    _quieten()
    fetcher = weasyprint.URLFetcher(allowed_protocols={"data"}, fail_on_errors=True)
    document = weasyprint.HTML(string=html, url_fetcher=fetcher)
    pdf: bytes = document.write_pdf(pdf_variant="pdf/ua-1")
    return pdf
