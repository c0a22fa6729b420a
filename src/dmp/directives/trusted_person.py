"""The designation of a personne de confiance (trusted person), L1111-6.

Any adult may designate an adult relative, a close person or their médecin traitant. The
designation is written and co-signed by the designee (see :mod:`dmp.directives.invitations`),
and revisable or revocable at any time. The app cannot check the age of someone who is not a
patient, so the author must confirm explicitly that the designee is an adult.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from dmp.directives.contact import clean_email, clean_phone, contact_errors
from dmp.directives.model import MAX_NAME, TOO_LONG, TrustedPersonMention
from dmp.shared.errors import N_, FieldError, InvalidInput


class Relationship(enum.StrEnum):
    relative = "relative"  # un parent, un membre de la famille
    close_person = "close-person"  # un proche
    attending_doctor = "attending-doctor"  # le médecin traitant


RELATIONSHIP_LABELS = {
    Relationship.relative: N_("Un membre de ma famille"),
    Relationship.close_person: N_("Un proche"),
    Relationship.attending_doctor: N_("Mon médecin traitant"),
}


@dataclass(frozen=True)
class TrustedPerson:
    surname: str
    first_names: str
    relationship: str  # a Relationship value
    phone: str = ""
    email: str = ""
    relationship_detail: str = ""  # « ma fille », « mon voisin »
    adult_confirmed: bool = False  # « cette personne est majeure »

    @property
    def display_name(self) -> str:
        first = " ".join(self.first_names.split())
        return " ".join(p for p in (first, " ".join(self.surname.split()).upper()) if p)

    def errors(self) -> list[FieldError]:
        errors: list[FieldError] = []
        for field_name, value, message in (
            ("surname", self.surname, N_("Saisissez le nom de famille de cette personne.")),
            ("first_names", self.first_names, N_("Saisissez le prénom de cette personne.")),
        ):
            text = " ".join(value.split())
            if not text:
                errors.append(FieldError(field_name, "required", message))
            elif len(text) > MAX_NAME:
                errors.append(
                    FieldError(
                        field_name,
                        "too-long",
                        TOO_LONG,
                        {"limit": MAX_NAME},
                    )
                )
        if self.relationship not in set(Relationship):
            errors.append(
                FieldError(
                    "relationship",
                    "relationship",
                    N_(
                        "Indiquez qui est cette personne pour vous : un membre de votre famille,"
                        " un proche ou votre médecin traitant."
                    ),
                )
            )
        if len(self.relationship_detail.strip()) > MAX_NAME:
            errors.append(
                FieldError(
                    "relationship_detail",
                    "too-long",
                    TOO_LONG,
                    {"limit": MAX_NAME},
                )
            )
        errors += contact_errors("", self.phone, self.email)
        if not self.adult_confirmed:
            errors.append(
                FieldError(
                    "adult_confirmed",
                    "adult-required",
                    N_(
                        "Confirmez que cette personne est majeure : seul un adulte peut être"
                        " désigné."
                    ),
                )
            )
        return errors

    def validate(self) -> TrustedPerson:
        """The same person with contacts normalised (``+33612345678``, lower-case e-mail)."""
        errors = self.errors()
        if errors:
            raise InvalidInput(errors=errors)
        return TrustedPerson(
            surname=" ".join(self.surname.split()),
            first_names=" ".join(self.first_names.split()),
            relationship=Relationship(self.relationship),
            phone=clean_phone(self.phone) or "",
            email=clean_email(self.email) or "",
            relationship_detail=self.relationship_detail.strip(),
            adult_confirmed=True,
        )

    def mention(self) -> TrustedPersonMention:
        """How the directives name this person."""
        return TrustedPersonMention(name=self.display_name, phone=self.phone, email=self.email)
