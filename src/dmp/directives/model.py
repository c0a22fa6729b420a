"""A directives anticipées document, as laid out by the official model, and its validation.

Sources (DOMAIN.md §6):

* L1111-11: any adult may write them; they state wishes on continuing, limiting, stopping or
  refusing treatments; revisable and revocable at any time.
* R1111-17: written, dated and signed; the author is identified by surname, first names, date
  and place of birth; a protected adult needs the authorisation of the judge or the family
  council; an author who cannot write has two witnesses (one may be the personne de confiance)
  attest, stating their name and capacity.
* R1111-18 and the arrêté du 3 août 2016 (official model): the wishes part has two versions,
  one for a person who has a serious illness or is at the end of life (« modèle A ») and one for a
  person who thinks they are in good health (« modèle B »); both ask about the situations
  foreseen, the treatments, and deep continuous sedation until death.

Choice fields hold the raw value a form posted (a ``str``); the enums list the accepted values,
and :meth:`AdvanceDirectives.validate` refuses anything else with a field error.
"""

from __future__ import annotations

import datetime as dt
import enum
from dataclasses import dataclass

from dmp.directives.contact import contact_errors
from dmp.linked.model import is_minor
from dmp.shared.errors import N_, FieldError, InvalidInput
from dmp.shared.i18n import DISPLAY_TZ

MAX_NAME = 100
MAX_SHORT_TEXT = 200
MAX_TEXT = 4000
ADULT_AGE = 18
REQUIRED = N_("Ce champ est obligatoire.")
NOT_STATED = N_("Non renseigné.")
TOO_LONG = N_("Ce texte est trop long : %(limit)s caractères au plus.")


class Situation(enum.StrEnum):
    """Which version of the official model's wishes part applies."""

    serious_illness = "serious-illness"  # « je suis atteint d'une maladie grave / en fin de vie »
    healthy = "healthy"  # « je pense être en bonne santé / pas atteint d'une maladie grave »


class Treatment(enum.StrEnum):
    """The examples of life-sustaining treatments the official model names."""

    cardiopulmonary_resuscitation = "cardiopulmonary-resuscitation"
    mechanical_ventilation = "mechanical-ventilation"
    dialysis = "dialysis"
    artificial_nutrition_hydration = "artificial-nutrition-hydration"
    surgery = "surgery"
    transfusion = "transfusion"


class TreatmentChoice(enum.StrEnum):
    continue_ = "continue"  # undertake it, or go on with it
    limit = "limit"
    stop = "stop"
    refuse = "refuse"


class SedationWish(enum.StrEnum):
    """Deep continuous sedation until death (sédation profonde et continue, L1110-5-2)."""

    yes = "yes"
    no = "no"
    no_opinion = "no-opinion"


class SignatureKind(enum.StrEnum):
    typed = "typed"  # the author typed their name, after re-authenticating
    drawn = "drawn"  # the author drew a signature; the drawing is stored apart (``drawing_ref``)


class Authority(enum.StrEnum):
    """Who authorised a protected adult to write directives (R1111-17)."""

    judge = "judge"
    family_council = "family-council"


SITUATION_LABELS = {
    Situation.serious_illness: N_(
        "Je suis atteint(e) d'une maladie grave ou je suis en fin de vie"
    ),
    Situation.healthy: N_(
        "Je pense être en bonne santé : je ne suis pas atteint(e) d'une maladie grave"
    ),
}
TREATMENT_LABELS = {
    Treatment.cardiopulmonary_resuscitation: N_("Réanimation cardio-respiratoire"),
    Treatment.mechanical_ventilation: N_(
        "Assistance respiratoire (intubation, ventilation mécanique)"
    ),
    Treatment.dialysis: N_("Dialyse rénale"),
    Treatment.artificial_nutrition_hydration: N_("Alimentation et hydratation artificielles"),
    Treatment.surgery: N_("Intervention chirurgicale"),
    Treatment.transfusion: N_("Transfusion sanguine"),
}
CHOICE_LABELS = {
    TreatmentChoice.continue_: N_("Entreprendre ou poursuivre"),
    TreatmentChoice.limit: N_("Limiter"),
    TreatmentChoice.stop: N_("Arrêter"),
    TreatmentChoice.refuse: N_("Refuser"),
}
SEDATION_LABELS = {
    SedationWish.yes: N_("Oui, je souhaite une sédation profonde et continue jusqu'à mon décès."),
    SedationWish.no: N_("Non, je ne souhaite pas de sédation profonde et continue."),
    SedationWish.no_opinion: N_("Je ne me prononce pas."),
}
AUTHORITY_LABELS = {
    Authority.judge: N_("Le juge"),
    Authority.family_council: N_("Le conseil de famille"),
}


@dataclass(frozen=True)
class Author:
    """Identity required by R1111-17: surname, first names, date and place of birth."""

    surname: str
    first_names: str
    birth_date: dt.date | None
    birth_place: str

    @property
    def display_name(self) -> str:
        """``Marie Claire MARTIN``: first names, then the surname in capitals."""
        return " ".join(p for p in (_clean(self.first_names), _clean(self.surname).upper()) if p)


@dataclass(frozen=True)
class TreatmentWish:
    treatment: str  # a Treatment value
    choice: str  # a TreatmentChoice value


@dataclass(frozen=True)
class TrustedPersonMention:
    """The personne de confiance as named in the directives (the designation is separate)."""

    name: str
    phone: str = ""
    email: str = ""


@dataclass(frozen=True)
class Witness:
    name: str
    capacity: str  # qualité: relationship to the author or profession (« ami », « infirmière »)
    is_trusted_person: bool = False


@dataclass(frozen=True)
class Signature:
    kind: str  # a SignatureKind value
    typed_name: str = ""
    drawing_ref: str | None = None  # where the drawn image is stored (PNG or SVG path data)


@dataclass(frozen=True)
class ProtectedAdultAuthorisation:
    """Present only when the author is under a legal protection measure with representation."""

    authorised: bool
    authority: str  # an Authority value
    reference: str  # date, court or minutes of the decision


@dataclass(frozen=True)
class AdvanceDirectives:
    """One version of a person's directives anticipées, as written and signed."""

    author: Author
    situation: str  # a Situation value: which version of the wishes part applies
    foreseen_situations: str = ""  # situations I may face, keeping me artificially alive or not
    treatments: tuple[TreatmentWish, ...] = ()
    other_treatments: str = ""
    sedation: str | None = None  # a SedationWish value; None when not answered
    other_wishes: str = ""  # place of end of life, spiritual wishes, people to tell…
    trusted_person: TrustedPersonMention | None = None
    author_can_write: bool = True
    witnesses: tuple[Witness, ...] = ()
    protected_adult_authorisation: ProtectedAdultAuthorisation | None = None
    place: str = ""  # « fait à … »
    signed_at: dt.datetime | None = None
    signature: Signature | None = None

    @property
    def has_wishes(self) -> bool:
        """At least one wish is expressed: an empty directives document means nothing."""
        return bool(
            self.treatments
            or self.sedation in (SedationWish.yes, SedationWish.no)
            or any(
                _clean(text)
                for text in (self.foreseen_situations, self.other_treatments, self.other_wishes)
            )
        )

    def errors(self, *, now: dt.datetime) -> list[FieldError]:
        """Every problem at once, so a form can show them all."""
        _require_aware(now, "now")
        if self.signed_at is not None:
            _require_aware(self.signed_at, "signed_at")
        errors = _author_errors(self.author, self.signed_at or now, now)
        if self.situation not in set(Situation):
            errors.append(
                FieldError(
                    "situation",
                    "situation",
                    N_(
                        "Indiquez si vous êtes atteint(e) d'une maladie grave ou si vous pensez"
                        " être en bonne santé."
                    ),
                )
            )
        errors += _treatment_errors(self.treatments)
        if self.sedation is not None and self.sedation not in set(SedationWish):
            errors.append(
                FieldError(
                    "sedation",
                    "sedation-choice",
                    N_("Pour la sédation, répondez oui, non, ou « je ne me prononce pas »."),
                )
            )
        for name in ("foreseen_situations", "other_treatments", "other_wishes"):
            errors += _text_errors(name, getattr(self, name), MAX_TEXT, required=False)
        if not self.has_wishes:
            errors.append(
                FieldError(
                    "wishes",
                    "empty",
                    N_(
                        "Vos directives sont vides : exprimez au moins une volonté (sur un"
                        " traitement, la sédation, ou dans un des textes libres)."
                    ),
                )
            )
        if self.trusted_person is not None:
            errors += _text_errors(
                "trusted_person.name",
                self.trusted_person.name,
                MAX_NAME,
                message=N_("Indiquez le nom et le prénom de votre personne de confiance."),
            )
            errors += contact_errors(
                "trusted_person", self.trusted_person.phone, self.trusted_person.email
            )
        errors += _witness_errors(self.witnesses, can_write=self.author_can_write)
        if self.protected_adult_authorisation is not None:
            errors += _authorisation_errors(self.protected_adult_authorisation)
        errors += _signature_errors(self, now)
        return errors

    def validate(self, *, now: dt.datetime) -> None:
        """Raise one :class:`InvalidInput` listing every problem, or return quietly."""
        errors = self.errors(now=now)
        if errors:
            raise InvalidInput(errors=errors)


def _clean(value: str | None) -> str:
    return " ".join((value or "").split())


def _require_aware(moment: dt.datetime, name: str) -> None:
    if moment.tzinfo is None:
        raise ValueError(f"{name} must be timezone-aware")


def _text_errors(
    field_name: str,
    value: str | None,
    limit: int,
    *,
    required: bool = True,
    message: str = REQUIRED,
) -> list[FieldError]:
    text = (value or "").strip()
    if not text:
        return [FieldError(field_name, "required", message)] if required else []
    if len(text) > limit:
        return [
            FieldError(
                field_name,
                "too-long",
                TOO_LONG,
                {"limit": limit},
            )
        ]
    return []


def _author_errors(author: Author, signed_at: dt.datetime, now: dt.datetime) -> list[FieldError]:
    errors = _text_errors(
        "author.surname", author.surname, MAX_NAME, message=N_("Saisissez votre nom de famille.")
    )
    errors += _text_errors(
        "author.first_names", author.first_names, MAX_NAME, message=N_("Saisissez vos prénoms.")
    )
    today = now.astimezone(DISPLAY_TZ).date()
    if author.birth_date is None:
        errors.append(
            FieldError("author.birth_date", "required", N_("Saisissez la date de naissance."))
        )
    elif author.birth_date > today:
        errors.append(
            FieldError(
                "author.birth_date",
                "birth-date-future",
                N_("La date de naissance est dans le futur."),
            )
        )
    elif author.birth_date.year < 1880:
        errors.append(
            FieldError(
                "author.birth_date",
                "birth-date-past",
                N_("La date de naissance est trop ancienne : vérifiez l'année."),
            )
        )
    elif is_minor(author.birth_date, signed_at.astimezone(DISPLAY_TZ).date(), ADULT_AGE):
        errors.append(
            FieldError(
                "author.birth_date",
                "minor",
                N_("Seule une personne majeure peut rédiger des directives anticipées."),
            )
        )
    if not _clean(author.birth_place):
        errors.append(
            FieldError(
                "author.birth_place",
                "required",
                N_(
                    "Indiquez votre lieu de naissance (la commune, et le pays si vous êtes"
                    " né(e) à l'étranger)."
                ),
            )
        )
    else:
        errors += _text_errors("author.birth_place", author.birth_place, MAX_NAME)
    return errors


def _treatment_errors(wishes: tuple[TreatmentWish, ...]) -> list[FieldError]:
    errors: list[FieldError] = []
    seen: set[str] = set()
    for index, wish in enumerate(wishes):
        if wish.treatment not in set(Treatment):
            errors.append(
                FieldError(
                    f"treatments.{index}",
                    "unknown-treatment",
                    N_(
                        "Traitement inconnu : choisissez-le dans la liste, ou décrivez-le dans"
                        " « autres traitements »."
                    ),
                )
            )
            continue
        field_name = f"treatments.{wish.treatment}"
        if wish.treatment in seen:
            errors.append(
                FieldError(
                    field_name,
                    "duplicate",
                    N_("Ce traitement figure deux fois : gardez une seule volonté par traitement."),
                )
            )
        seen.add(wish.treatment)
        if wish.choice not in set(TreatmentChoice):
            errors.append(
                FieldError(
                    field_name,
                    "treatment-choice",
                    N_(
                        "Choisissez pour ce traitement : l'entreprendre ou le poursuivre, le"
                        " limiter, l'arrêter ou le refuser."
                    ),
                )
            )
    return errors


def _witness_errors(witnesses: tuple[Witness, ...], *, can_write: bool) -> list[FieldError]:
    errors: list[FieldError] = []
    if not can_write and len(witnesses) != 2:
        errors.append(
            FieldError(
                "witnesses",
                "witnesses-required",
                N_(
                    "Si vous ne pouvez pas écrire vous-même, deux témoins doivent attester que"
                    " ces directives expriment votre volonté libre et éclairée."
                ),
            )
        )
    elif can_write and len(witnesses) not in (0, 2):
        errors.append(
            FieldError("witnesses", "witnesses-count", N_("Indiquez deux témoins, ou aucun."))
        )
    for index, witness in enumerate(witnesses):
        if not _clean(witness.name):
            errors.append(
                FieldError(
                    f"witnesses.{index}.name",
                    "required",
                    N_("Indiquez le nom et le prénom du témoin."),
                )
            )
        else:
            errors += _text_errors(f"witnesses.{index}.name", witness.name, MAX_NAME)
        if not _clean(witness.capacity):
            errors.append(
                FieldError(
                    f"witnesses.{index}.capacity",
                    "required",
                    N_(
                        "Indiquez la qualité du témoin : son lien avec vous ou sa profession"
                        " (par exemple « ami », « infirmière »)."
                    ),
                )
            )
        else:
            errors += _text_errors(f"witnesses.{index}.capacity", witness.capacity, MAX_NAME)
    if sum(w.is_trusted_person for w in witnesses) > 1:
        errors.append(
            FieldError(
                "witnesses",
                "one-trusted-person",
                N_("Un seul des deux témoins peut être votre personne de confiance."),
            )
        )
    names = [_clean(w.name).casefold() for w in witnesses]
    if len(names) == 2 and names[0] and names[0] == names[1]:
        errors.append(
            FieldError(
                "witnesses.1.name",
                "same-witness",
                N_("Les deux témoins doivent être deux personnes différentes."),
            )
        )
    return errors


def _authorisation_errors(authorisation: ProtectedAdultAuthorisation) -> list[FieldError]:
    errors: list[FieldError] = []
    prefix = "protected_adult_authorisation"
    if not authorisation.authorised:
        errors.append(
            FieldError(
                f"{prefix}.authorised",
                "authorisation-required",
                N_(
                    "Un majeur protégé doit avoir l'autorisation du juge ou du conseil de famille"
                    " pour rédiger ses directives anticipées."
                ),
            )
        )
    if authorisation.authority not in set(Authority):
        errors.append(
            FieldError(
                f"{prefix}.authority",
                "authority",
                N_("Indiquez qui vous a autorisé(e) : le juge ou le conseil de famille."),
            )
        )
    if not _clean(authorisation.reference):
        errors.append(
            FieldError(
                f"{prefix}.reference",
                "required",
                N_(
                    "Indiquez la référence de l'autorisation (par exemple la date de la"
                    " décision et le tribunal)."
                ),
            )
        )
    else:
        errors += _text_errors(f"{prefix}.reference", authorisation.reference, MAX_SHORT_TEXT)
    return errors


def _signature_errors(directives: AdvanceDirectives, now: dt.datetime) -> list[FieldError]:
    errors: list[FieldError] = []
    if not _clean(directives.place):
        errors.append(
            FieldError(
                "place",
                "required",
                N_("Indiquez le lieu où vous signez (par exemple votre commune)."),
            )
        )
    else:
        errors += _text_errors("place", directives.place, MAX_NAME)
    if directives.signed_at is None:
        errors.append(
            FieldError("signed_at", "required", N_("Vos directives doivent être datées."))
        )
    elif directives.signed_at > now:
        errors.append(
            FieldError(
                "signed_at",
                "signed-in-future",
                N_("La date de signature ne peut pas être dans le futur."),
            )
        )
    signature = directives.signature
    if signature is None:
        errors.append(
            FieldError("signature", "required", N_("Vos directives doivent être signées."))
        )
    elif signature.kind not in set(SignatureKind):
        errors.append(
            FieldError(
                "signature.kind",
                "signature-kind",
                N_("Signez en saisissant votre nom, ou en dessinant votre signature."),
            )
        )
    elif signature.kind == SignatureKind.typed:
        if not _clean(signature.typed_name):
            errors.append(
                FieldError(
                    "signature.typed_name",
                    "required",
                    N_("Pour signer, saisissez votre prénom et votre nom."),
                )
            )
        else:
            errors += _text_errors("signature.typed_name", signature.typed_name, MAX_NAME * 2)
    elif not (signature.drawing_ref or "").strip():
        errors.append(
            FieldError(
                "signature.drawing_ref",
                "required",
                N_("Dessinez votre signature dans le cadre prévu."),
            )
        )
    return errors
