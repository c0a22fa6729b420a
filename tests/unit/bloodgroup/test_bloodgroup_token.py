"""The card's verification token: opaque, short, and refused when altered in any way."""

from __future__ import annotations

import base64
import hashlib
import hmac
import uuid
from collections.abc import Callable

import pytest

from dmp.bloodgroup.verification import (
    MAX_VERSION,
    TOKEN_LENGTH,
    InvalidToken,
    sign,
    verification_url,
    verify,
)
from dmp.shared.errors import NotFound

KEY = hashlib.sha256(b"test key for blood-group card tokens").digest()
OTHER_KEY = hashlib.sha256(b"another key").digest()
CARD = uuid.UUID("6f1c2a4e-8b1d-4c3e-9f20-1a2b3c4d5e6f")
ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def test_round_trip() -> None:
    token = sign(CARD, 3, KEY)
    assert verify(token, KEY) == (CARD, 3)


@pytest.mark.parametrize("version", [0, 1, 255, 256, MAX_VERSION])
def test_every_version_round_trips(version: int) -> None:
    assert verify(sign(CARD, version, KEY), KEY) == (CARD, version)


def test_token_is_short_url_safe_and_deterministic() -> None:
    token = sign(CARD, 3, KEY)
    assert len(token) == TOKEN_LENGTH == 48
    assert set(token) <= set(ALPHABET)
    assert sign(CARD, 3, KEY) == token  # the same card prints the same code
    assert sign(CARD, 4, KEY) != token


def test_token_holds_only_the_card_id_and_version() -> None:
    raw = base64.urlsafe_b64decode(sign(CARD, 258, KEY))
    # format byte | card id | version | 16-byte tag: nothing else to read in it.
    assert raw[0] == 1
    assert raw[1:17] == CARD.bytes
    assert raw[17:20] == (258).to_bytes(3, "big")
    assert len(raw[20:]) == 16


@pytest.mark.parametrize("version", [-1, MAX_VERSION + 1])
def test_version_out_of_range_is_a_programming_error(version: int) -> None:
    with pytest.raises(ValueError, match="version"):
        sign(CARD, version, KEY)


@pytest.mark.parametrize("key", [b"", b"short", b"x" * 15])
def test_short_keys_are_refused(key: bytes) -> None:
    with pytest.raises(ValueError, match="key"):
        sign(CARD, 1, key)
    with pytest.raises(ValueError, match="key"):
        verify(sign(CARD, 1, KEY), key)


def test_every_single_character_change_is_refused() -> None:
    token = sign(CARD, 3, KEY)
    for position, char in enumerate(token):
        for replacement in {ALPHABET[(ALPHABET.index(char) + 1) % 64], "A", "_"} - {char}:
            tampered = token[:position] + replacement + token[position + 1 :]
            with pytest.raises(InvalidToken):
                verify(tampered, KEY)


def _forge(card_id: uuid.UUID, version: int, tag_from: str, fmt: bytes = b"\x01") -> str:
    tag = base64.urlsafe_b64decode(tag_from)[20:]
    return base64.urlsafe_b64encode(fmt + card_id.bytes + version.to_bytes(3, "big") + tag).decode()


def test_another_card_id_with_the_old_tag_is_refused() -> None:
    token = sign(CARD, 3, KEY)
    with pytest.raises(InvalidToken):
        verify(_forge(uuid.uuid4(), 3, token), KEY)


def test_another_version_with_the_old_tag_is_refused() -> None:
    token = sign(CARD, 3, KEY)
    with pytest.raises(InvalidToken):
        verify(_forge(CARD, 4, token), KEY)


def test_another_format_is_refused_even_when_correctly_signed() -> None:
    payload = b"\x02" + CARD.bytes + (3).to_bytes(3, "big")
    tag = hmac.new(KEY, b"dmp/bloodgroup/card-token\x00" + payload, hashlib.sha256).digest()
    token = base64.urlsafe_b64encode(payload + tag[:16]).decode()
    with pytest.raises(InvalidToken):
        verify(token, KEY)


def test_a_bare_hmac_of_the_payload_is_not_a_valid_tag() -> None:
    # The tag covers a purpose label: an HMAC made with the same key for another use does not fit.
    payload = b"\x01" + CARD.bytes + (3).to_bytes(3, "big")
    tag = hmac.new(KEY, payload, hashlib.sha256).digest()[:16]
    with pytest.raises(InvalidToken):
        verify(base64.urlsafe_b64encode(payload + tag).decode(), KEY)


def test_wrong_key_is_refused() -> None:
    with pytest.raises(InvalidToken):
        verify(sign(CARD, 3, KEY), OTHER_KEY)


@pytest.mark.parametrize(
    "mangle",
    [
        pytest.param(lambda t: t[:-1], id="one char short"),
        pytest.param(lambda t: t[:47], id="47 chars"),
        pytest.param(lambda t: t[:24], id="half"),
        pytest.param(lambda t: t[:-4], id="whole base64 group short"),
        pytest.param(lambda t: t + "A", id="one char long"),
        pytest.param(lambda t: t + "AAAA", id="whole base64 group long"),
        pytest.param(lambda t: t + "==", id="padding"),
        pytest.param(lambda t: " " + t, id="leading space"),
        pytest.param(lambda t: t + "\n", id="trailing newline"),
        pytest.param(lambda t: t.replace("-", "+").replace("_", "/"), id="standard base64"),
        pytest.param(lambda t: t[:10] + "é" + t[11:], id="non ascii"),
        pytest.param(lambda t: "", id="empty"),
        pytest.param(lambda t: "garbage", id="garbage"),
        pytest.param(lambda t: "A" * 48, id="right length garbage"),
        pytest.param(lambda t: "!" * 48, id="right length bad alphabet"),
    ],
)
def test_malformed_tokens_are_refused(mangle: Callable[[str], str]) -> None:
    token = sign(CARD, 7, KEY)
    with pytest.raises(InvalidToken):
        verify(mangle(token), KEY)


def test_refusal_is_a_not_found_that_says_nothing_about_why() -> None:
    with pytest.raises(InvalidToken) as info:
        verify("garbage", KEY)
    assert isinstance(info.value, NotFound)
    assert info.value.status == 404
    assert info.value.code == "invalid-card-token"
    assert info.value.message == "Ce code de vérification de carte n'est pas valide."


# --- URL ----------------------------------------------------------------------------------------


def test_verification_url() -> None:
    token = sign(CARD, 3, KEY)
    expected = f"https://dmp.example.fr/carte/verifier/{token}"
    assert verification_url("https://dmp.example.fr/carte/verifier", token) == expected
    assert verification_url("https://dmp.example.fr/carte/verifier/", token) == expected
    assert verification_url("http://localhost:8000/v", token) == f"http://localhost:8000/v/{token}"


@pytest.mark.parametrize(
    "base",
    [
        "/carte/verifier",
        "dmp.example.fr/carte",
        "javascript:alert(1)",
        "ftp://dmp.example.fr/v",
        "https://dmp.example.fr/v?x=1",
        "https://dmp.example.fr/v#top",
        "https:///v",
    ],
)
def test_verification_url_needs_an_absolute_http_base(base: str) -> None:
    with pytest.raises(ValueError, match="base_url"):
        verification_url(base, sign(CARD, 3, KEY))


def test_verification_url_only_takes_tokens() -> None:
    with pytest.raises(ValueError, match="token"):
        verification_url("https://dmp.example.fr/v", "../admin")
