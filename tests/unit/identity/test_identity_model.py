"""Patient identity validation, identity statuses and professional identifiers."""

from __future__ import annotations

import dataclasses
import datetime as dt
from typing import Any

import pytest

from dmp.identity.model import (
    IdentityInput,
    IdentityStatus,
    PatientIdentity,
    Sex,
    fold,
    idnat_ps,
    normalise_name,
    parse_finess,
    parse_rpps,
    validate_identity,
)
from dmp.identity.nir import MatriculeKind, control_key, parse_matricule
from dmp.shared.errors import InvalidInput

TODAY = dt.date(2026, 3, 12)
# 2 62 08 75 032 039 77: a woman born in August 1962 in Paris.
NIR_F_1962_08 = "262087503203977"


def _input(**overrides: Any) -> IdentityInput:
    values: dict[str, Any] = {
        "birth_name": "Martin",
        "first_given_name": "Marie",
        "birth_given_names": "Marie Claire",
        "sex": "F",
        "birth_date": dt.date(1962, 8, 14),
        "birth_place_code": "75056",
    }
    values.update(overrides)
    return IdentityInput(**values)


def _errors(**overrides: Any) -> list[tuple[str, str]]:
    with pytest.raises(InvalidInput) as info:
        validate_identity(_input(**overrides), today=TODAY)
    return [(e.field, e.code) for e in info.value.errors]


def _nir(body: str) -> str:
    return body + f"{control_key(body):02d}"


# --- IdentityStatus ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_insi", "document_checked", "status"),
    [
        (False, False, IdentityStatus.PROV),
        (True, False, IdentityStatus.RECUP),
        (False, True, IdentityStatus.VALI),
        (True, True, IdentityStatus.QUAL),
    ],
)
def test_status_of(from_insi: bool, document_checked: bool, status: IdentityStatus) -> None:
    assert IdentityStatus.of(from_insi=from_insi, document_checked=document_checked) is status
    assert status.from_insi is from_insi
    assert status.document_checked is document_checked


def test_status_values() -> None:
    assert [s.value for s in IdentityStatus] == ["PROV", "RECUP", "VALI", "QUAL"]


# --- validate_identity: success ---------------------------------------------------------------


def test_minimal_valid_identity() -> None:
    identity = validate_identity(
        IdentityInput(
            birth_name="Martin",
            first_given_name="Marie",
            birth_given_names="",
            sex="F",
            birth_date=dt.date(1962, 8, 14),
        ),
        today=TODAY,
    )
    assert identity.birth_name == "Martin"
    assert identity.birth_given_names == ("Marie",)  # defaults to the first given name
    assert identity.birth_place_code is None
    assert identity.matricule is None
    assert identity.used_name is None
    assert identity.status is IdentityStatus.PROV
    assert identity.ins_for_display() is None


def test_full_identity_normalises_and_keeps_traits() -> None:
    identity = validate_identity(
        _input(
            birth_name="  Le   Gall ",
            first_given_name="Anne-Sophie",
            birth_given_names="  Anne-Sophie   Hélène  ",
            used_name="D'Arcy",
            used_given_name="Sophie",
            birth_place_code=" 2a004 ",
            ins_matricule="2 62 08 75 032 039 77",
        ),
        today=TODAY,
    )
    assert identity.birth_name == "Le Gall"
    assert identity.first_given_name == "Anne-Sophie"
    assert identity.birth_given_names == ("Anne-Sophie", "Hélène")
    assert identity.used_name == "D'Arcy"
    assert identity.used_given_name == "Sophie"
    assert identity.birth_place_code == "2A004"
    assert identity.sex is Sex.F
    assert identity.matricule is not None
    assert identity.matricule.value == NIR_F_1962_08
    assert identity.display_name == "Sophie D'Arcy"


def test_display_name_falls_back_to_birth_traits() -> None:
    identity = validate_identity(_input(), today=TODAY)
    assert identity.display_name == "Marie Martin"


def test_first_given_name_comparison_ignores_case_and_accents() -> None:
    identity = validate_identity(
        _input(first_given_name="Hélène", birth_given_names="HELENE Marie"), today=TODAY
    )
    assert identity.birth_given_names == ("HELENE", "Marie")


@pytest.mark.parametrize("name", ["Éloïse", "N'Diaye", "Saint-Exupéry", "De La Tour", "Ñúñez"])
def test_names_with_letters_spaces_hyphens_apostrophes(name: str) -> None:
    identity = validate_identity(_input(birth_name=name), today=TODAY)
    assert identity.birth_name == name


@pytest.mark.parametrize("place", ["75056", "2A004", "2B033", "99134", "97411", "2a004"])
def test_insee_place_codes(place: str) -> None:
    identity = validate_identity(_input(birth_place_code=place), today=TODAY)
    assert identity.birth_place_code == place.upper()


def test_blank_place_is_none() -> None:
    assert validate_identity(_input(birth_place_code="   "), today=TODAY).birth_place_code is None


def test_blank_matricule_is_ignored() -> None:
    assert validate_identity(_input(ins_matricule="  "), today=TODAY).matricule is None


def test_birth_date_today_is_accepted() -> None:
    assert validate_identity(_input(birth_date=TODAY), today=TODAY).birth_date == TODAY


def test_birth_date_1880_is_accepted() -> None:
    day = dt.date(1880, 1, 1)
    assert validate_identity(_input(birth_date=day), today=TODAY).birth_date == day


# --- statuses and INS display -----------------------------------------------------------------


@pytest.mark.parametrize(
    ("from_insi", "document_checked", "status", "shown"),
    [
        (False, False, IdentityStatus.PROV, False),
        (True, False, IdentityStatus.RECUP, False),
        (False, True, IdentityStatus.VALI, False),
        (True, True, IdentityStatus.QUAL, True),
    ],
)
def test_only_qualified_identity_shows_the_ins(
    from_insi: bool, document_checked: bool, status: IdentityStatus, shown: bool
) -> None:
    identity = validate_identity(
        _input(
            ins_matricule=NIR_F_1962_08,
            from_insi=from_insi,
            document_checked=document_checked,
        ),
        today=TODAY,
    )
    assert identity.status is status
    assert identity.matricule is not None
    if shown:
        assert identity.ins_for_display() == identity.matricule
    else:
        assert identity.ins_for_display() is None


def test_ins_for_display_on_a_plain_dataclass() -> None:
    base = PatientIdentity(
        birth_name="Martin",
        first_given_name="Marie",
        birth_given_names=("Marie",),
        sex=Sex.F,
        birth_date=dt.date(1962, 8, 14),
        birth_place_code=None,
        matricule=parse_matricule(NIR_F_1962_08),
    )
    assert base.status is IdentityStatus.PROV
    assert base.ins_for_display() is None
    qualified = dataclasses.replace(base, status=IdentityStatus.QUAL)
    assert qualified.ins_for_display() == base.matricule


def test_from_insi_requires_a_matricule() -> None:
    assert _errors(from_insi=True) == [("ins_matricule", "required")]


# --- validate_identity: errors ----------------------------------------------------------------


@pytest.mark.parametrize("field", ["birth_name", "first_given_name"])
@pytest.mark.parametrize("value", ["", "   "])
def test_required_names(field: str, value: str) -> None:
    assert (field, "required") in _errors(**{field: value})


@pytest.mark.parametrize(
    "name",
    [
        "Martin2",
        "Martin_Dupont",
        "Martin--Dupont",
        "-Martin",
        "Martin'",
        "O''Neil",
        "M@rtin",
        "x" * 101,
    ],
)
def test_name_format(name: str) -> None:
    assert _errors(birth_name=name) == [("birth_name", "name-format")]


def test_name_of_100_letters_is_accepted() -> None:
    name = "x" * 100
    assert validate_identity(_input(birth_name=name), today=TODAY).birth_name == name


@pytest.mark.parametrize("field", ["used_name", "used_given_name"])
def test_optional_names_are_checked_when_given(field: str) -> None:
    assert _errors(**{field: "R2D2"}) == [(field, "name-format")]


def test_first_given_name_format() -> None:
    errors = _errors(first_given_name="Marie1", birth_given_names="Marie1")
    assert ("first_given_name", "name-format") in errors
    assert ("birth_given_names", "name-format") in errors


def test_birth_given_names_format() -> None:
    assert _errors(birth_given_names="Marie Cl4ire") == [("birth_given_names", "name-format")]


def test_birth_given_names_must_start_with_first_given_name() -> None:
    assert _errors(birth_given_names="Claire Marie") == [
        ("birth_given_names", "first-given-name-mismatch")
    ]


@pytest.mark.parametrize("sex", ["", "X", "f", "male", "1"])
def test_sex(sex: str) -> None:
    assert _errors(sex=sex) == [("sex", "sex")]


@pytest.mark.parametrize("sex", ["M", "F", "U"])
def test_sex_values(sex: str) -> None:
    body = {"M": "1", "F": "2", "U": "2"}[sex] + "620875032039"
    identity = validate_identity(_input(sex=sex, ins_matricule=_nir(body)), today=TODAY)
    assert identity.sex is Sex(sex)


def test_birth_date_required() -> None:
    assert _errors(birth_date=None) == [("birth_date", "required")]


def test_birth_date_in_future() -> None:
    assert _errors(birth_date=TODAY + dt.timedelta(days=1)) == [("birth_date", "birth-date-future")]


def test_birth_date_implausible() -> None:
    assert _errors(birth_date=dt.date(1879, 12, 31)) == [("birth_date", "birth-date-past")]


@pytest.mark.parametrize(
    "place", ["7505", "750560", "2C004", "AB123", "75 056", "7505A", "99-134", "2A04"]
)
def test_insee_place_code_format(place: str) -> None:
    assert _errors(birth_place_code=place) == [("birth_place_code", "insee-code")]


def test_invalid_matricule_error_is_reported_on_the_field() -> None:
    assert _errors(ins_matricule="262087503203978") == [("ins_matricule", "nir-key")]


def test_every_problem_is_collected() -> None:
    errors = _errors(
        birth_name="",
        first_given_name="M4rie",
        sex="Z",
        birth_date=None,
        birth_place_code="123",
        ins_matricule="12",
    )
    fields = {field for field, _ in errors}
    assert fields == {
        "birth_name",
        "first_given_name",
        "birth_given_names",
        "sex",
        "birth_date",
        "birth_place_code",
        "ins_matricule",
    }
    assert ("ins_matricule", "nir-length") in errors


# --- coherence of the matricule with the traits -----------------------------------------------


def test_coherent_matricule() -> None:
    identity = validate_identity(_input(ins_matricule=NIR_F_1962_08), today=TODAY)
    assert identity.matricule is not None
    assert identity.matricule.kind is MatriculeKind.NIR


def test_sex_digit_mismatch() -> None:
    assert _errors(sex="M", ins_matricule=NIR_F_1962_08) == [("ins_matricule", "nir-sex-mismatch")]


def test_sex_digit_1_vs_female() -> None:
    assert _errors(sex="F", ins_matricule=_nir("1620875032039")) == [
        ("ins_matricule", "nir-sex-mismatch")
    ]


def test_unknown_sex_is_compatible_with_any_digit() -> None:
    for body in ("1620875032039", "2620875032039"):
        validate_identity(_input(sex="U", ins_matricule=_nir(body)), today=TODAY)


@pytest.mark.parametrize("sex", ["M", "F"])
def test_nia_sex_digit_is_not_compared(sex: str) -> None:
    identity = validate_identity(_input(sex=sex, ins_matricule=_nir("7620875032039")), today=TODAY)
    assert identity.matricule is not None
    assert identity.matricule.kind is MatriculeKind.NIA


def test_year_mismatch() -> None:
    assert _errors(birth_date=dt.date(1963, 8, 14), ins_matricule=NIR_F_1962_08) == [
        ("ins_matricule", "nir-year-mismatch")
    ]


def test_year_compared_on_two_digits() -> None:
    # Born in 2000: the year digits are "00".
    identity = validate_identity(
        _input(birth_date=dt.date(2000, 8, 1), ins_matricule=_nir("2000875032039")), today=TODAY
    )
    assert identity.matricule is not None


def test_month_mismatch() -> None:
    assert _errors(birth_date=dt.date(1962, 9, 14), ins_matricule=NIR_F_1962_08) == [
        ("ins_matricule", "nir-month-mismatch")
    ]


@pytest.mark.parametrize("month", ["20", "42", "50", "99"])
def test_pseudo_month_is_not_compared(month: str) -> None:
    validate_identity(
        _input(birth_date=dt.date(1962, 3, 1), ins_matricule=_nir("262" + month + "75032039")),
        today=TODAY,
    )


def test_all_coherence_errors_together() -> None:
    assert _errors(sex="M", birth_date=dt.date(1963, 9, 1), ins_matricule=NIR_F_1962_08) == [
        ("ins_matricule", "nir-sex-mismatch"),
        ("ins_matricule", "nir-year-mismatch"),
        ("ins_matricule", "nir-month-mismatch"),
    ]


def test_no_coherence_check_when_sex_invalid() -> None:
    assert _errors(sex="Z", birth_date=dt.date(1963, 9, 1), ins_matricule=NIR_F_1962_08) == [
        ("sex", "sex")
    ]


# --- helpers ----------------------------------------------------------------------------------


def test_normalise_name() -> None:
    assert normalise_name("  Jean   Pierre  ") == "Jean Pierre"
    assert normalise_name("") == ""
    assert normalise_name(None) == ""  # type: ignore[arg-type]


def test_fold() -> None:
    assert fold(" Hélène  Ève-Çà ") == "HELENE EVE-CA"
    assert fold("Maëlle") == fold("MAELLE")


# --- professionals ----------------------------------------------------------------------------


@pytest.mark.parametrize("raw", ["10003461033", "1000 3461 033", " 10003461033 ", "99999999999"])
def test_parse_rpps_accepts_11_digits_without_check_digit(raw: str) -> None:
    # 10003461033 is the ANS example; it fails Luhn, so no Luhn check may be enforced.
    assert parse_rpps(raw) == raw.replace(" ", "")


@pytest.mark.parametrize(
    "raw", ["", "1000346103", "100034610333", "1000346103A", "810003461033", "10003-461033"]
)
def test_parse_rpps_refuses(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_rpps(raw)
    assert info.value.errors[0].field == "rpps"
    assert info.value.errors[0].code == "rpps-format"


def test_parse_rpps_none() -> None:
    with pytest.raises(InvalidInput):
        parse_rpps(None)  # type: ignore[arg-type]


def test_idnat_ps() -> None:
    assert idnat_ps("10003461033") == "810003461033"
    assert idnat_ps("1000 3461 033") == "810003461033"


def test_idnat_ps_refuses_bad_rpps() -> None:
    with pytest.raises(InvalidInput):
        idnat_ps("123")


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("750712184", "750712184"),
        ("75 071 218 4", "750712184"),
        ("2A0000123", "2A0000123"),
        ("2b0000123", "2B0000123"),
        ("970000001", "970000001"),
    ],
)
def test_parse_finess(raw: str, expected: str) -> None:
    assert parse_finess(raw) == expected


@pytest.mark.parametrize(
    "raw", ["", "75071218", "7507121845", "2C0000123", "75071218X", "A50712184"]
)
def test_parse_finess_refuses(raw: str) -> None:
    with pytest.raises(InvalidInput) as info:
        parse_finess(raw)
    assert info.value.errors[0].field == "finess"
    assert info.value.errors[0].code == "finess-format"
