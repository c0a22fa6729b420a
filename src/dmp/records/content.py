"""What a document's bytes really are: sniffed type, size limit, SHA-256 — checked while the
upload streams, before anything is stored."""

from __future__ import annotations

import codecs
import hashlib
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field

from dmp.shared.errors import N_, InvalidInput

PDF = "application/pdf"
JPEG = "image/jpeg"
PNG = "image/png"
TEXT = "text/plain"
CDA = "text/xml"  # a CDA R2 document (IHE XDS mimeType for CDA)
ACCEPTED = (PDF, CDA, JPEG, PNG, TEXT)
FILE_TYPE_REFUSED = N_(
    "Ce type de fichier n'est pas accepté : envoyez un PDF, une image JPEG ou PNG, un texte ou"
    " un document CDA."
)
SNIFF_SIZE = 4096  # bytes looked at to recognise the type

# formatCode (JDV_J60) for the unstructured formats; a CDA names its own model.
DEFAULT_FORMAT = {
    PDF: "urn:ihe:iti:xds-sd:pdf:2008",
    TEXT: "urn:ihe:iti:xds-sd:text:2008",
    JPEG: "urn:ihe:iti-fr:xds-sd:jpeg:2010",
    # JDV_J60 has no PNG entry: out-of-profile documents use this code.
    PNG: "urn:asipSante:modelesHorsProfils:2011",
    CDA: "urn:asipSante:modelesHorsProfils:2011",
}
ALIASES = {
    "application/x-pdf": PDF,
    "image/jpg": JPEG,
    "image/pjpeg": JPEG,
    "application/xml": CDA,
    "application/hl7-v3+xml": CDA,
    "application/cda+xml": CDA,
}


def normalise_mime(value: str | None) -> str:
    mime = (value or "").split(";")[0].strip().lower()
    return ALIASES.get(mime, mime)


def sniff(head: bytes) -> str | None:
    """The type the first bytes show, or None when they match none of the accepted types
    (plain text is decided on the whole content, see :class:`Inspector`)."""
    if head.startswith(b"%PDF-"):
        return PDF
    if head.startswith(b"\xff\xd8\xff"):
        return JPEG
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return PNG
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    if text.startswith(b"<") and b"ClinicalDocument" in head and b"urn:hl7-org:v3" in head:
        return CDA
    return None


@dataclass
class Inspector:
    """Wraps an upload stream: counts, hashes, enforces the limit and the declared type.

    Raises :class:`InvalidInput` (field ``file``) as soon as a rule is broken, which aborts
    the blob write before anything is kept.
    """

    declared: str
    limit: int
    size: int = 0
    sha256: str = ""
    _decoder: codecs.IncrementalDecoder = field(
        default_factory=lambda: codecs.getincrementaldecoder("utf-8")()
    )

    def _fail(self, code: str, message: str, **params: object) -> InvalidInput:
        return InvalidInput.single("file", code, message, **params)

    def stream(self, chunks: Iterable[bytes]) -> Iterator[bytes]:
        digest = hashlib.sha256()
        # The type is sniffed on the first SNIFF_SIZE bytes, whatever the size of the chunks
        # the upload arrives in (a network stream may well start with a few bytes only).
        head = bytearray()
        sniffed = False
        for chunk in chunks:
            if not chunk:
                continue
            self.size += len(chunk)
            if self.size > self.limit:
                raise self._fail(
                    "file-too-large",
                    N_("Ce fichier dépasse %(mb)s Mo."),
                    mb=self.limit // (1024 * 1024),
                )
            if not sniffed:
                head.extend(chunk)
                if len(head) < SNIFF_SIZE:
                    continue
                self._check_type(bytes(head))
                sniffed = True
                chunk = bytes(head)
            yield self._pass(chunk, digest)
        if not sniffed:
            if not head:
                raise self._fail("file-empty", N_("Le fichier est vide."))
            self._check_type(bytes(head))
            yield self._pass(bytes(head), digest)
        if self.declared == TEXT:
            self._check_text(b"", final=True)
        self.sha256 = digest.hexdigest()

    def _pass(self, chunk: bytes, digest: hashlib._Hash) -> bytes:
        if self.declared == TEXT:
            self._check_text(chunk, final=False)
        digest.update(chunk)
        return chunk

    def _check_type(self, head: bytes) -> None:
        if self.declared not in ACCEPTED:
            raise self._fail("file-type", FILE_TYPE_REFUSED)
        found = sniff(head[:SNIFF_SIZE])
        expected = None if self.declared == TEXT else self.declared
        if found != expected:
            raise self._fail(
                "file-type-mismatch",
                N_("Le contenu du fichier ne correspond pas à son type déclaré."),
            )

    def _check_text(self, chunk: bytes, *, final: bool) -> None:
        try:
            text = self._decoder.decode(chunk, final=final)
        except UnicodeDecodeError as exc:
            raise self._fail(
                "file-type-mismatch",
                N_("Le contenu du fichier ne correspond pas à son type déclaré."),
            ) from exc
        if "\x00" in text:
            raise self._fail(
                "file-type-mismatch",
                N_("Le contenu du fichier ne correspond pas à son type déclaré."),
            )
