"""Password policy and argon2id hashing."""

from __future__ import annotations

import datetime as dt

import pytest

from dmp.accounts.passwords import (
    MAX_LENGTH,
    MIN_LENGTH,
    PASSPHRASE_LENGTH,
    PasswordHasher,
    PersonalData,
    check_password,
    common_passwords,
    require_acceptable,
)
from dmp.shared.errors import InvalidInput

PERSON = PersonalData(
    email="jeanne.dupont@example.fr",
    names=("Jeanne", "Dupont-Moreau"),
    birth_date=dt.date(1990, 3, 15),
)


def codes(password: str, personal: PersonalData | None = None) -> list[str]:
    return [error.code for error in check_password(password, personal)]


# --- the list ---------------------------------------------------------------------------------


def test_common_list_is_loaded_lower_case_without_comments() -> None:
    common = common_passwords()
    assert len(common) > 20_000
    for known in ("password", "azertyuiop", "p@ssw0rd", "motdepasse", "soleil"):
        assert known in common
    assert not any(entry.startswith("#") for entry in common)


# --- acceptable passwords ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "cheval agrafe batterie correcte",  # passphrase: no composition rule
        "cheval-agrafe-batterie",
        "tortue volante bleue",
        "Xq7!mRw2#pLz",  # 12 characters, 4 kinds
        "Vu8kz3mqptrw",  # 12 characters, 3 kinds (lower, upper, digit)
        "vu8kz3mqp#rw",  # lower, digit, other
        "VU8KZ3MQP#RW",  # upper, digit, other
        "a" + "bcdefghij" * 14,  # exactly 127 characters
    ],
)
def test_acceptable(password: str) -> None:
    assert check_password(password) == []
    assert check_password(password, PERSON) == []
    require_acceptable(password, PERSON)


def test_min_length_boundary() -> None:
    assert codes("Xq7!mRw2#pL") == ["password-too-short"]
    assert codes("Xq7!mRw2#pLz") == []
    assert MIN_LENGTH == 12


def test_max_length_boundary() -> None:
    assert MAX_LENGTH == 128
    ok = ("Trois petits chats " * 7)[:MAX_LENGTH]
    assert len(ok) == MAX_LENGTH
    assert codes(ok) == []
    assert codes(ok + "x") == ["password-too-long"]


def test_too_long_is_refused() -> None:
    errors = check_password("cheval agrafe " * 20)
    assert [e.code for e in errors] == ["password-too-long"]
    assert errors[0].params == {"max": 128}
    assert errors[0].field == "password"


def test_too_short_is_refused_with_minimum() -> None:
    errors = check_password("Court1!")
    assert [e.code for e in errors] == ["password-too-short"]
    assert errors[0].params == {"min": 12}


def test_empty_is_too_short() -> None:
    assert codes("") == ["password-too-short"]


# --- composition ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "vukzmqptrwxy",  # lower only
        "vukzmqptrwxyhgf",  # 15 characters, still under the passphrase length
        "Vukzmqptrwxy",  # two kinds
        "vukz3mqptrwx",  # two kinds
        "vukz mqptrwx",  # two kinds (space counts as other)
    ],
)
def test_short_passwords_need_three_kinds(password: str) -> None:
    errors = check_password(password)
    assert [e.code for e in errors] == ["password-composition"]
    assert errors[0].params == {"passphrase": PASSPHRASE_LENGTH}


def test_passphrase_boundary() -> None:
    assert PASSPHRASE_LENGTH == 16
    assert codes("vukzmqptrwxyhgf") == ["password-composition"]  # 15
    assert codes("vukzmqptrwxyhgfd") == []  # 16


# --- common passwords -------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Azertyuiop123!",  # digits and symbols added around a common password
        "AZERTYUIOP2024",
        "azertyuiop!!!!",
        "P@ssw0rd1234",  # leet substitution undone, digits added
        "!!P@ssw0rd!!",
        "Motdepasse2024!",
        "MotDePasse!!!!",
        "m0td3p4ss3!!",
        "123Marseille!",
        "Chocolat1234!",
        "Iloveyou2024!",
        "Mot-De-Passe",  # separators removed
        "Mot De Passe",
    ],
)
def test_common_passwords_and_variants_are_refused(password: str) -> None:
    assert "password-common" in codes(password)


@pytest.mark.parametrize(
    "password", ["Mot de passe 2024!", "Mot-de-passe-2024", "S.o.l.e.i.l.2024!"]
)
def test_common_password_with_separators_and_suffix_is_refused(password: str) -> None:
    assert "password-common" in codes(password)


def test_common_refusal_message_field() -> None:
    errors = check_password("Azertyuiop123!")
    assert errors[0].field == "password"
    assert errors[0].code == "password-common"


def test_short_common_password_reports_composition_and_common() -> None:
    assert codes("azertyuiop12") == ["password-composition", "password-common"]


# --- personal data ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "Jeanne.dupont-Xylo",  # whole e-mail local part
        "Kxylo-jeanne-42",  # a part of the e-mail local part / first name
        "Xylophone!DUPONT",  # a name, any case
        "Moreau-Xylophone7",  # part of a compound name
        "Xylophone-j3anne",  # leet form of a name
    ],
)
def test_personal_names_and_email_are_refused(password: str) -> None:
    assert codes(password, PERSON) == ["password-personal"]


@pytest.mark.parametrize(
    "password",
    [
        "Xylophone15031990",  # ddmmyyyy
        "Xylophone19900315",  # yyyymmdd
        "Xylophone-150390",  # ddmmyy
        "Xylo15/03/1990!",  # dd/mm/yyyy
    ],
)
def test_birth_date_is_refused(password: str) -> None:
    assert codes(password, PersonalData(birth_date=dt.date(1990, 3, 15))) == ["password-personal"]


def test_email_local_part_with_digits_is_refused() -> None:
    personal = PersonalData(email="jdupont75@example.fr")
    assert codes("Xylophone-jdupont75", personal) == ["password-personal"]


def test_short_personal_tokens_are_ignored() -> None:
    personal = PersonalData(email="li@example.fr", names=("Bo", "Lou"))
    assert codes("Bolili-Xylophone7", personal) == []


def test_personal_data_is_optional() -> None:
    assert codes("Xylophone!DUPONT") == []
    assert codes("Xylophone!DUPONT", PersonalData()) == []


# --- repetitive -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "password",
    [
        "aaaaaaaaaaaaaaaa",
        "abababababababab",
        "AbAbAbAbAbAbAbAb",  # case does not add kinds of characters here
        "1212121212121212",
        "abcdabcdabcdabcd",  # four distinct characters
    ],
)
def test_repetitive_is_refused(password: str) -> None:
    assert codes(password) == ["password-repetitive"]


def test_five_distinct_characters_are_not_repetitive() -> None:
    assert "password-repetitive" not in codes("abcdeabcdeabcdea")


def test_require_acceptable_raises_all_errors() -> None:
    with pytest.raises(InvalidInput) as info:
        require_acceptable("azertyuiop12")
    assert [e.code for e in info.value.errors] == ["password-composition", "password-common"]


# --- hashing ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hasher() -> PasswordHasher:
    return PasswordHasher(time_cost=1, memory_kib=8, parallelism=1)


def test_hash_and_verify(hasher: PasswordHasher) -> None:
    stored = hasher.hash("cheval agrafe batterie correcte")
    assert stored.startswith("$argon2id$")
    assert "cheval" not in stored
    assert hasher.verify(stored, "cheval agrafe batterie correcte")
    assert not hasher.verify(stored, "cheval agrafe batterie correctE")
    assert not hasher.verify(stored, "")


def test_hashes_are_salted(hasher: PasswordHasher) -> None:
    assert hasher.hash("même mot de passe") != hasher.hash("même mot de passe")


def test_non_ascii_password(hasher: PasswordHasher) -> None:
    stored = hasher.hash("éléphant à l’école 🐘")
    assert hasher.verify(stored, "éléphant à l’école 🐘")
    assert not hasher.verify(stored, "elephant a l'ecole")


@pytest.mark.parametrize("stored", [None, ""])
def test_verify_without_hash_is_false(hasher: PasswordHasher, stored: str | None) -> None:
    assert hasher.verify(stored, "dmp-dummy-password-for-constant-time") is False
    assert hasher.verify(stored, "anything") is False


@pytest.mark.parametrize("stored", ["not-a-hash", "$argon2id$v=19$m=8,t=1,p=1$broken", "$2b$12$x"])
def test_verify_garbage_hash_is_false(hasher: PasswordHasher, stored: str) -> None:
    assert hasher.verify(stored, "anything") is False


def test_needs_rehash(hasher: PasswordHasher) -> None:
    stored = hasher.hash("cheval agrafe batterie correcte")
    assert hasher.needs_rehash(stored) is False
    stronger = PasswordHasher(time_cost=2, memory_kib=8, parallelism=1)
    assert stronger.needs_rehash(stored) is True
    assert PasswordHasher(time_cost=1, memory_kib=16, parallelism=1).needs_rehash(stored)
    assert PasswordHasher(time_cost=1, memory_kib=16, parallelism=2).needs_rehash(stored)
    # A hash made with other parameters still verifies.
    assert stronger.verify(stored, "cheval agrafe batterie correcte")
    assert stronger.needs_rehash(stronger.hash("x" * 12)) is False
