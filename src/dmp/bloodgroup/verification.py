"""Signed verification token printed as a QR code on the blood-group card.

Anyone can scan a card, so the token carries no medical data and no identity: only the card's
opaque id and its version, authenticated with HMAC-SHA256. Whoever follows the link is shown the
card by the server, which checks that this version is still the current one (a card replaced
since it was printed is reported as outdated); the token itself never expires.

Layout, 36 bytes, base64url without padding (48 characters, no padding since 36 is a multiple
of 3, so each token has exactly one spelling)::

    format (1) | card id (16, UUID bytes) | version (3, big-endian) | HMAC-SHA256 truncated (16)

A 128-bit tag keeps forgery out of reach while the URL stays short enough for a small QR code
(version 6 at error-correction level M for a typical base URL). The key is purpose-bound: the app
passes ``security.keys.derive("bloodgroup:card-token")`` (see ``dmp.shared.crypto.KeyRing``).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import re
import uuid
from urllib.parse import urlsplit

from dmp.shared.errors import N_, NotFound

_FORMAT = b"\x01"
_VERSION_BYTES = 3
_TAG_BYTES = 16
_PAYLOAD_BYTES = len(_FORMAT) + 16 + _VERSION_BYTES
TOKEN_LENGTH = (_PAYLOAD_BYTES + _TAG_BYTES) * 4 // 3  # 48 characters
MAX_VERSION = 2 ** (8 * _VERSION_BYTES) - 1
MIN_KEY_BYTES = 16
# The MAC covers a label too, so a key shared by mistake with another HMAC user cannot make
# that user's signatures valid here.
_LABEL = b"dmp/bloodgroup/card-token\x00"
_TOKEN = re.compile(rf"[A-Za-z0-9_-]{{{TOKEN_LENGTH}}}")


class InvalidToken(NotFound):
    """The token is malformed, altered or signed with another key.

    A :class:`NotFound`: the verification page then answers as for an unknown card, revealing
    nothing about why the token was refused.
    """

    default_code = "invalid-card-token"

    def __init__(self) -> None:
        super().__init__(N_("Ce code de vérification de carte n'est pas valide."))


def sign(card_id: uuid.UUID, version: int, key: bytes) -> str:
    """The URL-safe token for ``version`` of card ``card_id``.

    Raises ``ValueError`` for a version outside ``0..MAX_VERSION`` or a key shorter than
    16 bytes (programming errors, not user input).
    """
    _check_key(key)
    if not 0 <= version <= MAX_VERSION:
        raise ValueError(f"card version must be between 0 and {MAX_VERSION}")
    payload = _FORMAT + card_id.bytes + version.to_bytes(_VERSION_BYTES, "big")
    token = base64.urlsafe_b64encode(payload + _tag(payload, key)).decode("ascii")
    assert len(token) == TOKEN_LENGTH and "=" not in token
    return token


def verify(token: str, key: bytes) -> tuple[uuid.UUID, int]:
    """The ``(card_id, version)`` a token was signed for.

    Raises :class:`InvalidToken` when the token is not exactly what :func:`sign` produces with
    this key. The tag is compared in constant time.
    """
    _check_key(key)
    if not _TOKEN.fullmatch(token):
        raise InvalidToken
    # 48 characters of the base64url alphabet always decode, to exactly 36 bytes.
    raw = base64.urlsafe_b64decode(token)
    payload, tag = raw[:_PAYLOAD_BYTES], raw[_PAYLOAD_BYTES:]
    if not hmac.compare_digest(tag, _tag(payload, key)):
        raise InvalidToken
    # Checked after the tag, so the answer time never depends on unauthenticated content.
    if payload[:1] != _FORMAT:
        raise InvalidToken
    card_id = uuid.UUID(bytes=payload[1:17])
    version = int.from_bytes(payload[17:], "big")
    return card_id, version


def verification_url(base_url: str, token: str) -> str:
    """``https://…/verify/<token>``: the token as the last path segment of ``base_url``.

    ``base_url`` is the app's absolute verification address (http or https, no query or
    fragment); raises ``ValueError`` otherwise, or for a string that is not a token.
    """
    parts = urlsplit(base_url)
    if parts.scheme not in ("https", "http") or not parts.netloc or parts.query or parts.fragment:
        raise ValueError("base_url must be an absolute http(s) URL without query or fragment")
    if not _TOKEN.fullmatch(token):
        raise ValueError("not a card verification token")
    return f"{base_url.rstrip('/')}/{token}"


def _tag(payload: bytes, key: bytes) -> bytes:
    return hmac.new(key, _LABEL + payload, hashlib.sha256).digest()[:_TAG_BYTES]


def _check_key(key: bytes) -> None:
    if len(key) < MIN_KEY_BYTES:
        raise ValueError(f"the signing key must have at least {MIN_KEY_BYTES} bytes")
