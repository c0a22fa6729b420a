"""Matricule INS (NIR/NIA) parsing and control key."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dmp.identity.nir import (
    OID_NIA,
    OID_NIR,
    Matricule,
    MatriculeKind,
    control_key,
    parse_matricule,
)
from dmp.shared.errors import InvalidInput

# Worked example from DOMAIN.md: 2 62 08 75 032 039 -> key 77.
VALID_NIR = "262087503203977"
# Corsica: 2A is read as 19 for the key: 97 - (1850519004123 mod 97) = 56.
CORSICA_2A = "185052A00412356"
# 2B is read as 18: 97 - (1850518004123 mod 97) = 83.
CORSICA_2B = "185052B00412383"


def _error(raw: str) -> InvalidInput:
    with pytest.raises(InvalidInput) as info:
        parse_matricule(raw)
    return info.value


def assert_refused(raw: str, code: str) -> InvalidInput:
    exc = _error(raw)
    assert len(exc.errors) == 1
    assert exc.errors[0].field == "ins_matricule"
    assert exc.errors[0].code == code
    assert exc.code == code
    return exc


# --- control_key ------------------------------------------------------------------------------


def test_control_key_worked_example() -> None:
    assert control_key("2620875032039") == 77


def test_control_key_is_97_minus_mod_97() -> None:
    body = "1234567890123"
    assert control_key(body) == 97 - int(body) % 97


def test_control_key_corsica_2a_reads_as_19() -> None:
    assert 97 - 1850519004123 % 97 == 56
    assert control_key("185052A004123") == 56
    assert control_key("185052A004123") == control_key("1850519004123")


def test_control_key_corsica_2b_reads_as_18() -> None:
    assert 97 - 1850518004123 % 97 == 83
    assert control_key("185052B004123") == 83
    assert control_key("185052B004123") == control_key("1850518004123")


def test_control_key_corsica_lower_case() -> None:
    assert control_key("185052a004123") == 56
    assert control_key("185052b004123") == 83


def test_control_key_range() -> None:
    # A body that is a multiple of 97 gets key 97, never 0.
    body = f"{97 * 10**10:013d}"
    assert int(body) % 97 == 0
    assert control_key(body) == 97


# --- valid matricules -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "raw",
    [
        VALID_NIR,
        "2 62 08 75 032 039 77",
        "2.62.08.75.032.039.77",
        "2-62-08-75-032-039-77",
        "  262087503203977  ",
        "2 62\t08 75 032 039 77",
    ],
)
def test_valid_nir_with_and_without_separators(raw: str) -> None:
    matricule = parse_matricule(raw)
    assert matricule.value == VALID_NIR
    assert matricule.kind is MatriculeKind.NIR
    assert matricule.oid == OID_NIR == "1.2.250.1.213.1.4.8"


def test_parts_and_formatting() -> None:
    matricule = parse_matricule(VALID_NIR)
    assert matricule.sex_digit == "2"
    assert matricule.birth_year_2 == "62"
    assert matricule.birth_month == "08"
    assert matricule.departement == "75"
    assert matricule.formatted() == "2 62 08 75 032 039 77"


@pytest.mark.parametrize("raw", [CORSICA_2A, "1 85 05 2A 004 123 56", "185052a00412356"])
def test_valid_corsica_2a(raw: str) -> None:
    matricule = parse_matricule(raw)
    assert matricule.value == CORSICA_2A
    assert matricule.departement == "2A"
    assert matricule.kind is MatriculeKind.NIR


@pytest.mark.parametrize("raw", [CORSICA_2B, "1 85 05 2B 004 123 83", "185052b00412383"])
def test_valid_corsica_2b(raw: str) -> None:
    matricule = parse_matricule(raw)
    assert matricule.value == CORSICA_2B
    assert matricule.departement == "2B"


def test_corsica_keys_are_not_interchangeable() -> None:
    assert_refused("185052A00412383", "nir-key")
    assert_refused("185052B00412356", "nir-key")


@pytest.mark.parametrize("sex", ["1", "2"])
def test_nir_kind_for_sex_1_and_2(sex: str) -> None:
    body = sex + "620875032039"
    matricule = parse_matricule(body + f"{control_key(body):02d}")
    assert matricule.kind is MatriculeKind.NIR
    assert matricule.oid == OID_NIR


@pytest.mark.parametrize("sex", ["7", "8"])
def test_temporary_number_is_nia(sex: str) -> None:
    body = sex + "620875032039"
    matricule = parse_matricule(body + f"{control_key(body):02d}")
    assert matricule.kind is MatriculeKind.NIA
    assert matricule.oid == OID_NIA == "1.2.250.1.213.1.4.9"


def test_matricule_is_frozen() -> None:
    matricule = parse_matricule(VALID_NIR)
    with pytest.raises(AttributeError):
        matricule.value = "x"  # type: ignore[misc]
    assert matricule == Matricule(VALID_NIR, MatriculeKind.NIR)


# --- invalid matricules -----------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["", "   ", " . - "])
def test_missing(raw: str) -> None:
    assert_refused(raw, "nir-missing")


def test_none_is_missing() -> None:
    assert_refused(None, "nir-missing")  # type: ignore[arg-type]


def test_wrong_key() -> None:
    exc = assert_refused("262087503203978", "nir-key")
    assert "clé" in exc.errors[0].message


def test_wrong_key_with_spaces() -> None:
    assert_refused("2 62 08 75 032 039 76", "nir-key")


@pytest.mark.parametrize(
    "raw",
    [
        "26208750320397",  # 14
        "2620875032039777",  # 16
        "2620875032039",  # 13: key forgotten
        "2 62 08 75 032 039 7",
        "1",
    ],
)
def test_wrong_length(raw: str) -> None:
    exc = assert_refused(raw, "nir-length")
    assert exc.errors[0].params["count"] == len(raw.replace(" ", ""))


@pytest.mark.parametrize(
    "raw",
    [
        "A62087503203977",  # letter in the sex position
        "26X087503203977",  # letter in the year
        "2620875C3203977",  # letter in the commune
        "262087503203A77",  # letter in the order
        "2620875032039A7",  # letter in the key
        "2620A7503203977",  # A at position 5 (not the Corsica slot)
        "26208C503203977",  # only A or B allowed in position 7
        "262087503203_77",
    ],
)
def test_letters_elsewhere(raw: str) -> None:
    exc = assert_refused(raw, "nir-characters")
    assert "2A ou 2B" in exc.errors[0].message


@pytest.mark.parametrize("raw", ["185053A00412356", "185059B00412356"])
def test_corsica_letter_after_wrong_digit(raw: str) -> None:
    exc = assert_refused(raw, "nir-departement")
    assert exc.errors[0].params["value"] == raw[5:7]


@pytest.mark.parametrize("sex", ["0", "3", "4", "5", "6", "9"])
def test_bad_sex_digit(sex: str) -> None:
    body = sex + "620875032039"
    exc = assert_refused(body + f"{control_key(body):02d}", "nir-sex")
    assert exc.errors[0].params["value"] == sex


@pytest.mark.parametrize("month", ["00", "13", "19", "43", "49"])
def test_bad_month(month: str) -> None:
    body = "262" + month + "75032039"
    exc = assert_refused(body + f"{control_key(body):02d}", "nir-month")
    assert exc.errors[0].params["value"] == month


@pytest.mark.parametrize("month", ["01", "12", "20", "42", "50", "99"])
def test_accepted_months_include_pseudo_months(month: str) -> None:
    body = "262" + month + "75032039"
    assert parse_matricule(body + f"{control_key(body):02d}").birth_month == month


def test_departement_00() -> None:
    body = "2620800032039"
    exc = assert_refused(body + f"{control_key(body):02d}", "nir-departement")
    assert exc.errors[0].params["value"] == "00"


def test_order_000() -> None:
    body = "2620875032000"
    assert_refused(body + f"{control_key(body):02d}", "nir-order")


@pytest.mark.parametrize("key", ["00", "98", "99"])
def test_key_out_of_range(key: str) -> None:
    exc = assert_refused("2620875032039" + key, "nir-key")
    assert "01 et 97" in exc.errors[0].message


def test_first_problem_is_reported_with_structure_before_key() -> None:
    # Bad month and (necessarily) wrong key: the month is named, not the key.
    assert_refused("262137503203977", "nir-month")
    # Order 000 and wrong key: the order is named.
    assert_refused("262087503200077", "nir-order")


# --- property ---------------------------------------------------------------------------------

_months = st.one_of(st.integers(1, 12), st.integers(20, 42), st.integers(50, 99)).map(
    lambda m: f"{m:02d}"
)
_departements = st.one_of(
    st.integers(1, 99).map(lambda d: f"{d:02d}"), st.sampled_from(["2A", "2B", "2a", "2b"])
)
_bodies = st.builds(
    lambda sex, year, month, dep, commune, order: (
        f"{sex}{year:02d}{month}{dep}{commune:03d}{order:03d}"
    ),
    st.sampled_from("1278"),
    st.integers(0, 99),
    _months,
    _departements,
    st.integers(0, 999),
    st.integers(1, 999),
)


@settings(max_examples=300, deadline=None, database=None)
@given(body=_bodies, other=st.integers(0, 99))
def test_property_only_the_control_key_parses(body: str, other: int) -> None:
    key = control_key(body)
    assert 1 <= key <= 97
    matricule = parse_matricule(body + f"{key:02d}")
    assert matricule.value == (body + f"{key:02d}").upper()
    expected_kind = MatriculeKind.NIR if body[0] in "12" else MatriculeKind.NIA
    assert matricule.kind is expected_kind
    if other != key:
        exc = _error(body + f"{other:02d}")
        assert exc.errors[0].field == "ins_matricule"
        assert exc.errors[0].code == "nir-key"
