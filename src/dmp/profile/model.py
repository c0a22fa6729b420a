"""What a medical profile holds, and the checks on each entry (no I/O here).

One table of field specifications drives the API's validation, the web forms and the summary:
adding a kind of entry is adding a :class:`Category` here, not writing a form.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from dmp.shared.errors import N_, FieldError, InvalidInput


@dataclass(frozen=True)
class Field:
    name: str
    label: str
    kind: str = "text"  # text | long_text | date | choice | number
    required: bool = False
    max_length: int = 200
    choices: tuple[tuple[str, str], ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    hint: str | None = None
    past_only: bool = True  # dates: not in the future


@dataclass(frozen=True)
class Category:
    code: str
    label: str  # plural, for headings
    singular: str
    fields: tuple[Field, ...]
    summary: tuple[str, ...]  # the fields that name an entry, in order

    def field(self, name: str) -> Field:
        return next(f for f in self.fields if f.name == name)


SEVERITIES = (
    ("mild", N_("Légère")),
    ("moderate", N_("Modérée")),
    ("severe", N_("Sévère")),
    ("unknown", N_("Inconnue")),
)
ALLERGY_KINDS = (("allergy", N_("Allergie")), ("intolerance", N_("Intolérance")))
CONDITION_STATUSES = (("active", N_("En cours")), ("resolved", N_("Guérie ou passée")))
RELATIVES = (
    ("mother", N_("Mère")),
    ("father", N_("Père")),
    ("sibling", N_("Frère ou sœur")),
    ("child", N_("Enfant")),
    ("grandparent", N_("Grand-parent")),
    ("other", N_("Autre parent")),
)
LIFESTYLE_TOPICS = (
    ("tobacco", N_("Tabac")),
    ("alcohol", N_("Alcool")),
    ("activity", N_("Activité physique")),
    ("diet", N_("Alimentation")),
    ("sleep", N_("Sommeil")),
    ("other", N_("Autre")),
)

# Measurement kinds: unit and plausible range (a value outside is a typing error, not a
# clinical judgement: the ranges are wide on purpose).
MEASUREMENTS: dict[str, tuple[str, str, float, float]] = {
    "weight": (N_("Poids"), "kg", 0.3, 500),
    "height": (N_("Taille"), "cm", 20, 260),
    "systolic": (N_("Pression artérielle systolique"), "mmHg", 40, 300),
    "diastolic": (N_("Pression artérielle diastolique"), "mmHg", 20, 200),
    "heart_rate": (N_("Fréquence cardiaque"), "/min", 20, 250),
    "temperature": (N_("Température"), "°C", 30, 45),
    "glycemia": (N_("Glycémie"), "g/L", 0.1, 10),
    "oxygen_saturation": (N_("Saturation en oxygène"), "%", 50, 100),
    "waist": (N_("Tour de taille"), "cm", 30, 250),
}

NOTES = Field("notes", N_("Précisions"), kind="long_text", max_length=2000)

CATEGORIES: dict[str, Category] = {
    c.code: c
    for c in (
        Category(
            "allergy",
            N_("Allergies et intolérances"),
            N_("Allergie ou intolérance"),
            (
                Field("substance", N_("Substance, aliment ou médicament"), required=True),
                Field("kind", N_("Type"), kind="choice", required=True, choices=ALLERGY_KINDS),
                Field("reaction", N_("Réaction")),
                Field("severity", N_("Gravité"), kind="choice", choices=SEVERITIES),
                Field("since", N_("Depuis"), kind="date"),
                NOTES,
            ),
            ("substance",),
        ),
        Category(
            "condition",
            N_("Maladies et antécédents médicaux"),
            N_("Maladie ou antécédent"),
            (
                Field("name", N_("Maladie ou problème de santé"), required=True),
                Field("status", N_("Situation"), kind="choice", choices=CONDITION_STATUSES),
                Field("since", N_("Depuis"), kind="date"),
                NOTES,
            ),
            ("name",),
        ),
        Category(
            "surgery",
            N_("Antécédents chirurgicaux"),
            N_("Intervention chirurgicale"),
            (
                Field("procedure", N_("Intervention"), required=True),
                Field("date", N_("Date"), kind="date"),
                Field("place", N_("Établissement")),
                NOTES,
            ),
            ("procedure",),
        ),
        Category(
            "treatment",
            N_("Traitements en cours"),
            N_("Traitement"),
            (
                Field("substance", N_("Médicament ou substance"), required=True),
                Field(
                    "dose",
                    N_("Dose et rythme"),
                    hint=N_("Par exemple « 1 comprimé matin et soir »"),
                ),
                Field("prescriber", N_("Prescrit par")),
                Field("start", N_("Début"), kind="date"),
                Field("end", N_("Fin"), kind="date", past_only=False),
                NOTES,
            ),
            ("substance", "dose"),
        ),
        Category(
            "family",
            N_("Antécédents familiaux"),
            N_("Antécédent familial"),
            (
                Field(
                    "relative",
                    N_("Parent concerné"),
                    kind="choice",
                    required=True,
                    choices=RELATIVES,
                ),
                Field("condition", N_("Maladie"), required=True),
                NOTES,
            ),
            ("condition", "relative"),
        ),
        Category(
            "lifestyle",
            N_("Mode de vie"),
            N_("Habitude de vie"),
            (
                Field("topic", N_("Sujet"), kind="choice", required=True, choices=LIFESTYLE_TOPICS),
                Field(
                    "description",
                    N_("Description"),
                    kind="long_text",
                    required=True,
                    max_length=1000,
                ),
            ),
            ("topic", "description"),
        ),
        Category(
            "measurement",
            N_("Mesures"),
            N_("Mesure"),
            (
                Field(
                    "kind",
                    N_("Mesure"),
                    kind="choice",
                    required=True,
                    choices=tuple((code, spec[0]) for code, spec in MEASUREMENTS.items()),
                ),
                Field("value", N_("Valeur"), kind="number", required=True),
                Field("measured_on", N_("Date de la mesure"), kind="date", required=True),
                NOTES,
            ),
            ("kind", "value"),
        ),
    )
}


@dataclass
class _Errors:
    items: list[FieldError] = field(default_factory=list)

    def add(self, name: str, code: str, message: str, **params: Any) -> None:
        self.items.append(FieldError(name, code, message, params))


def _date(value: Any) -> dt.date | None:
    if isinstance(value, dt.date):
        return value
    try:
        return dt.date.fromisoformat(str(value).strip())
    except ValueError:
        return None


def _number(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        number = float(value)
    else:
        try:
            number = float(str(value).strip().replace(",", "."))  # French decimal comma
        except ValueError:
            return None
    return number if math.isfinite(number) else None


def clean(category_code: str, raw: Mapping[str, Any], today: dt.date) -> dict[str, Any]:
    """The entry's values, checked and normalised (dates as ISO strings, numbers as floats,
    empty optional values dropped); raises :class:`InvalidInput` naming every wrong field."""
    category = CATEGORIES.get(category_code)
    if category is None:
        raise InvalidInput.single("category", "unknown-category", N_("Catégorie inconnue."))
    errors = _Errors()
    unknown = set(raw) - {f.name for f in category.fields}
    for name in sorted(unknown):
        errors.add(name, "unknown-field", N_("Ce champ n'existe pas pour cette catégorie."))
    values: dict[str, Any] = {}
    for spec in category.fields:
        value = raw.get(spec.name)
        text = "" if value is None else str(value).strip()
        if not text:
            if spec.required:
                errors.add(spec.name, "required", N_("Renseignez « %(label)s »."), label=spec.label)
            continue
        if spec.kind in ("text", "long_text"):
            if len(text) > spec.max_length:
                errors.add(
                    spec.name,
                    "too-long",
                    N_("%(max)s caractères au plus."),
                    max=spec.max_length,
                )
            else:
                values[spec.name] = " ".join(text.split()) if spec.kind == "text" else text
        elif spec.kind == "choice":
            if text not in {code for code, _label in spec.choices}:
                errors.add(spec.name, "unknown-choice", N_("Choisissez une valeur de la liste."))
            else:
                values[spec.name] = text
        elif spec.kind == "date":
            day = _date(text)
            if day is None:
                errors.add(spec.name, "date-format", N_("Saisissez une date réelle."))
            elif spec.past_only and day > today:
                errors.add(spec.name, "future", N_("Cette date ne peut pas être dans le futur."))
            else:
                values[spec.name] = day.isoformat()
        elif spec.kind == "number":
            number = _number(text)
            if number is None:
                errors.add(spec.name, "number-format", N_("Saisissez un nombre, par exemple 72,5."))
            else:
                values[spec.name] = number
    _cross_checks(category_code, values, errors)
    if errors.items:
        raise InvalidInput(errors=errors.items)
    return values


def _cross_checks(category_code: str, values: dict[str, Any], errors: _Errors) -> None:
    if (
        category_code == "treatment"
        and "start" in values
        and "end" in values
        and values["end"] < values["start"]
    ):
        errors.add("end", "end-before-start", N_("La fin ne peut pas précéder le début."))
    if category_code == "measurement" and "kind" in values and "value" in values:
        _label, unit, low, high = MEASUREMENTS[values["kind"]]
        if not low <= values["value"] <= high:
            errors.add(
                "value",
                "out-of-range",
                N_("Vérifiez la valeur : elle doit être entre %(low)s et %(high)s %(unit)s."),
                low=f"{low:g}",
                high=f"{high:g}",
                unit=unit,
            )


def unit_of(values: Mapping[str, Any]) -> str:
    spec = MEASUREMENTS.get(str(values.get("kind", "")))
    return spec[1] if spec else ""


def choice_label(category_code: str, field_name: str, value: str) -> str:
    """The (French, to be translated) label of a stored choice, or the value itself."""
    spec = CATEGORIES[category_code].field(field_name)
    return dict(spec.choices).get(value, value)
