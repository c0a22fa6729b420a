"""National identifiers are masked before log handlers see them."""

from __future__ import annotations

import json
import logging

import pytest

from dmp.shared.logging import JsonFormatter, MaskingFilter, TextFormatter, mask_identifiers


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("NIR 262087503203977", "NIR [NIR]"),
        ("NIR 2 62 08 75 032 039 77 reçu", "NIR [NIR] reçu"),
        ("sans clé 2620875032039.", "sans clé [NIR]."),
        ("sans clé 2 62 08 75 032 039 fin", "sans clé [NIR] fin"),
        ("Corse 185052A00412356", "Corse [NIR]"),
        ("Corse 1 85 05 2A 004 123 56", "Corse [NIR]"),
        ("Corse 185052B00412383", "Corse [NIR]"),
        ("minuscules 185052b00412383", "minuscules [NIR]"),
        ("NIA 762087503203977", "NIA [NIR]"),
        ("patient=262087503203977&x=1", "patient=[NIR]&x=1"),
        ("/patients/262087503203977/dossier", "/patients/[NIR]/dossier"),
        ('{"ins": "262087503203977"}', '{"ins": "[NIR]"}'),
        ("RPPS 10003461033", "RPPS [ID]"),
        ("rpps=10003461033;", "rpps=[ID];"),
        ("IdNat_PS 810003461033", "IdNat_PS [ID]"),
        ("deux 262087503203977 et 10003461033", "deux [NIR] et [ID]"),
    ],
)
def test_identifiers_are_masked(text: str, expected: str) -> None:
    assert mask_identifiers(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        "",
        "42 documents, page 3 sur 12",
        "le 12/03/2026 à 14:05",
        "2026-03-12T14:05:00+01:00",
        "durée 1234 ms, statut 200",
        "commande 1234567890",  # 10 digits
        "téléphone 06 12 34 56 78",
        "FINESS 750712184",
        "code postal 75015",
        "version 1.2.250.1.213.1.4.8",
    ],
)
def test_ordinary_numbers_and_dates_are_left_alone(text: str) -> None:
    assert mask_identifiers(text) == text


@pytest.mark.parametrize("text", ["NIR 2.62.08.75.032.039.77", "NIR 2-62-08-75-032-039-77"])
def test_nir_with_dots_or_hyphens_is_masked(text: str) -> None:
    assert mask_identifiers(text) == "NIR [NIR]"


def test_digits_inside_longer_numbers_are_not_partly_masked() -> None:
    text = "reference 1234567890123456789"
    assert mask_identifiers(text) == text


def _record(msg: str, *args: object) -> logging.LogRecord:
    return logging.LogRecord(
        name="dmp.test",
        level=logging.INFO,
        pathname=__file__,
        lineno=1,
        msg=msg,
        args=args or None,
        exc_info=None,
    )


def test_filter_masks_plain_message() -> None:
    record = _record("patient 262087503203977 ouvert")
    assert MaskingFilter().filter(record) is True
    assert record.getMessage() == "patient [NIR] ouvert"


def test_filter_masks_percent_args() -> None:
    record = _record("patient %s vu par %s (%d docs)", "2 62 08 75 032 039 77", "10003461033", 3)
    assert MaskingFilter().filter(record) is True
    assert record.getMessage() == "patient [NIR] vu par [ID] (3 docs)"
    assert record.args is None


def test_filter_masks_mapping_args() -> None:
    record = logging.LogRecord(
        "dmp.test", logging.INFO, __file__, 1, "ins=%(ins)s", ({"ins": "262087503203977"},), None
    )
    assert MaskingFilter().filter(record) is True
    assert record.getMessage() == "ins=[NIR]"


def test_filter_leaves_clean_message_without_args_untouched() -> None:
    record = _record("rien à masquer : 42")
    MaskingFilter().filter(record)
    assert record.msg == "rien à masquer : 42"
    assert record.getMessage() == "rien à masquer : 42"


def test_filter_formats_clean_args() -> None:
    record = _record("page %d sur %d", 3, 12)
    MaskingFilter().filter(record)
    assert record.getMessage() == "page 3 sur 12"


def test_filter_on_a_logger(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("dmp.test.masking")
    masking = MaskingFilter()
    logger.addFilter(masking)
    try:
        with caplog.at_level(logging.INFO, logger="dmp.test.masking"):
            logger.info("identité %s créée", "185052A00412356")
    finally:
        logger.removeFilter(masking)
    assert caplog.messages == ["identité [NIR] créée"]
    assert "185052A00412356" not in caplog.text


def test_formatters_mask_exceptions() -> None:
    try:
        raise ValueError("matricule 262087503203977 refusé")
    except ValueError:
        import sys

        exc_info = sys.exc_info()
    record = logging.LogRecord("dmp.test", logging.ERROR, __file__, 1, "échec", None, exc_info)
    entry = json.loads(JsonFormatter().format(record))
    assert entry["message"] == "échec"
    assert "262087503203977" not in entry["exception"]
    assert "[NIR]" in entry["exception"]
    text = TextFormatter().format(record)
    assert "262087503203977" not in text
    assert "[NIR]" in text
