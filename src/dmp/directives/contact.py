"""Phone numbers and e-mail addresses of the people named in directives (trusted person)."""

from __future__ import annotations

import re

from email_validator import EmailNotValidError, validate_email

from dmp.shared.errors import N_, FieldError

_PHONE = re.compile(r"^\+?[0-9]{9,15}$")
PHONE_FORMAT = N_("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78.")
EMAIL_FORMAT = N_("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr.")


def clean_phone(value: str) -> str | None:
    """``06 12 34 56 78`` → ``+33612345678``; None when it is not a phone number."""
    phone = re.sub(r"[\s.\-()]", "", value or "")
    if phone.startswith("0") and len(phone) == 10:
        phone = "+33" + phone[1:]
    return phone if _PHONE.match(phone) else None


def clean_email(value: str) -> str | None:
    try:
        return validate_email(
            (value or "").strip(), check_deliverability=False, test_environment=True
        ).normalized.lower()
    except EmailNotValidError:
        return None


def contact_errors(prefix: str, phone: str, email: str) -> list[FieldError]:
    """At least one way to reach the person, each one well formed.

    Field names are ``<prefix>.phone`` and so on, or bare ``phone`` when ``prefix`` is empty.
    """

    def name(field_name: str) -> str:
        return f"{prefix}.{field_name}" if prefix else field_name

    errors: list[FieldError] = []
    if not phone.strip() and not email.strip():
        errors.append(
            FieldError(
                name("contact"),
                "contact-required",
                N_(
                    "Indiquez un numéro de téléphone ou une adresse e-mail pour joindre cette"
                    " personne."
                ),
            )
        )
    if phone.strip() and clean_phone(phone) is None:
        errors.append(FieldError(name("phone"), "phone-format", PHONE_FORMAT))
    if email.strip() and clean_email(email) is None:
        errors.append(FieldError(name("email"), "email-format", EMAIL_FORMAT))
    return errors
