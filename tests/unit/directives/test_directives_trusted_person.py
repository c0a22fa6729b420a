"""Designation of a personne de confiance (L1111-6) and the co-signature invitation codes."""

from __future__ import annotations

import dataclasses
import datetime as dt
import re
from typing import Any

import pytest

from dmp.accounts.model import CODE_ALPHABET
from dmp.directives.invitations import (
    INVITATION_MESSAGES,
    INVITATION_VALIDITY,
    InvitationCheck,
    check_invitation,
    hash_invitation_code,
    new_invitation,
)
from dmp.directives.model import TrustedPersonMention
from dmp.directives.trusted_person import Relationship, TrustedPerson
from dmp.shared.errors import InvalidInput

NOW = dt.datetime(2026, 3, 12, 9, tzinfo=dt.UTC)
KEY = b"k" * 32
PAUL = TrustedPerson(
    surname=" martin ",
    first_names="Paul",
    relationship="relative",
    phone="06 12 34 56 78",
    email=" Paul.Martin@Example.FR ",
    relationship_detail="mon frère",
    adult_confirmed=True,
)


def paul(**overrides: Any) -> TrustedPerson:
    return dataclasses.replace(PAUL, **overrides)


class TestTrustedPerson:
    def test_valid_designation_is_normalised(self) -> None:
        person = PAUL.validate()
        assert person.surname == "martin"
        assert person.display_name == "Paul MARTIN"
        assert person.phone == "+33612345678"
        assert person.email == "paul.martin@example.fr"
        assert person.relationship is Relationship.relative

    def test_one_contact_is_enough(self) -> None:
        assert paul(email="").errors() == []
        assert paul(phone="").validate().phone == ""

    @pytest.mark.parametrize(
        ("overrides", "field", "code", "message"),
        [
            pytest.param(
                {"surname": ""},
                "surname",
                "required",
                "Saisissez le nom de famille de cette personne.",
                id="surname",
            ),
            pytest.param(
                {"first_names": " "},
                "first_names",
                "required",
                "Saisissez le prénom de cette personne.",
                id="first name",
            ),
            pytest.param(
                {"surname": "M" * 101},
                "surname",
                "too-long",
                "Ce texte est trop long : %(limit)s caractères au plus.",
                id="surname too long",
            ),
            pytest.param(
                {"relationship": "neighbour"},
                "relationship",
                "relationship",
                "Indiquez qui est cette personne pour vous : un membre de votre famille, un proche"
                " ou votre médecin traitant.",
                id="relationship",
            ),
            pytest.param(
                {"phone": "", "email": ""},
                "contact",
                "contact-required",
                "Indiquez un numéro de téléphone ou une adresse e-mail pour joindre cette"
                " personne.",
                id="no contact",
            ),
            pytest.param(
                {"phone": "12"},
                "phone",
                "phone-format",
                "Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.",
                id="phone",
            ),
            pytest.param(
                {"email": "paul at example"},
                "email",
                "email-format",
                "Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.",
                id="email",
            ),
            pytest.param(
                {"adult_confirmed": False},
                "adult_confirmed",
                "adult-required",
                "Confirmez que cette personne est majeure : seul un adulte peut être désigné.",
                id="adult",
            ),
        ],
    )
    def test_each_rule(
        self, overrides: dict[str, Any], field: str, code: str, message: str
    ) -> None:
        with pytest.raises(InvalidInput) as caught:
            paul(**overrides).validate()
        assert [(e.field, e.code, e.message) for e in caught.value.errors] == [
            (field, code, message)
        ]

    @pytest.mark.parametrize("relationship", list(Relationship))
    def test_relative_close_person_or_attending_doctor(self, relationship: Relationship) -> None:
        assert paul(relationship=relationship.value).errors() == []

    def test_mention_in_the_directives(self) -> None:
        assert PAUL.validate().mention() == TrustedPersonMention(
            "Paul MARTIN", phone="+33612345678", email="paul.martin@example.fr"
        )


class TestInvitation:
    def test_code_shape_and_storage(self) -> None:
        invitation = new_invitation(key=KEY, now=NOW)
        assert re.fullmatch(f"[{CODE_ALPHABET}]{{4}}-[{CODE_ALPHABET}]{{4}}", invitation.code)
        assert not set("ILOU") & set(invitation.code)
        assert invitation.code not in invitation.code_hash
        assert invitation.code_hash == hash_invitation_code(invitation.code, key=KEY)
        assert invitation.expires_at == NOW + dt.timedelta(days=30) == NOW + INVITATION_VALIDITY

    def test_codes_are_random(self) -> None:
        assert len({new_invitation(key=KEY, now=NOW).code for _ in range(50)}) == 50

    def test_the_digest_depends_on_the_server_key(self) -> None:
        assert hash_invitation_code("ABCD-EFGH", key=KEY) != hash_invitation_code(
            "ABCD-EFGH", key=b"x" * 32
        )

    def test_valid_code_as_typed_by_a_person(self) -> None:
        invitation = new_invitation(key=KEY, now=NOW)
        typed = " " + invitation.code.lower().replace("-", " ") + " "
        assert (
            check_invitation(
                typed,
                invitation.code_hash,
                invitation.expires_at,
                NOW + dt.timedelta(days=3),
                key=KEY,
            )
            is InvitationCheck.valid
        )

    def test_confusable_letters_are_read_as_digits(self) -> None:
        stored = hash_invitation_code("0113-4567", key=KEY)
        assert check_invitation("oIl3-4567", stored, NOW + INVITATION_VALIDITY, NOW, key=KEY) == (
            InvitationCheck.valid
        )

    def test_wrong_code(self) -> None:
        invitation = new_invitation(key=KEY, now=NOW)
        wrong = "ZZZZ-ZZZZ" if invitation.code != "ZZZZ-ZZZZ" else "YYYY-YYYY"
        assert (
            check_invitation(wrong, invitation.code_hash, invitation.expires_at, NOW, key=KEY)
            is InvitationCheck.wrong_code
        )
        assert (
            check_invitation(
                invitation.code, invitation.code_hash, invitation.expires_at, NOW, key=b"x" * 32
            )
            is InvitationCheck.wrong_code
        )

    def test_expired(self) -> None:
        invitation = new_invitation(key=KEY, now=NOW, valid_for=dt.timedelta(days=2))
        check = [
            check_invitation(
                invitation.code, invitation.code_hash, invitation.expires_at, moment, key=KEY
            )
            for moment in (
                NOW + dt.timedelta(days=2) - dt.timedelta(seconds=1),
                NOW + dt.timedelta(days=2),
            )
        ]
        assert check == [InvitationCheck.valid, InvitationCheck.expired]

    def test_single_use(self) -> None:
        invitation = new_invitation(key=KEY, now=NOW)
        used_at = NOW + dt.timedelta(hours=1)
        assert (
            check_invitation(
                invitation.code,
                invitation.code_hash,
                invitation.expires_at,
                NOW + dt.timedelta(hours=2),
                key=KEY,
                used_at=used_at,
            )
            is InvitationCheck.used
        )

    def test_a_wrong_code_learns_nothing_about_the_invitation(self) -> None:
        invitation = new_invitation(key=KEY, now=NOW)
        late = invitation.expires_at + dt.timedelta(days=1)
        assert (
            check_invitation(
                "0000-0000", invitation.code_hash, invitation.expires_at, late, key=KEY, used_at=NOW
            )
            is InvitationCheck.wrong_code
        )

    def test_every_refusal_has_a_message(self) -> None:
        assert set(INVITATION_MESSAGES) == set(InvitationCheck) - {InvitationCheck.valid}

    def test_aware_times_and_a_positive_validity(self) -> None:
        with pytest.raises(ValueError, match="timezone-aware"):
            new_invitation(key=KEY, now=dt.datetime(2026, 3, 12))  # noqa: DTZ001
        with pytest.raises(ValueError, match="positive"):
            new_invitation(key=KEY, now=NOW, valid_for=dt.timedelta(0))
