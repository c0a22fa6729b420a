"""Domain errors: one hierarchy, rendered three ways at the edges.

::

    DomainError                    code, message (French msgid), params
     ├── InvalidInput              400/422 — bad input, with per-field errors
     ├── AuthenticationRequired    401
     ├── AuthenticationFailed      401 — credentials or code wrong (never says which)
     ├── PermissionDenied          403 — only where existence is not secret
     ├── NotFound                  404 — also what a caller sees for data it may not read
     ├── Conflict                  409
     └── TooManyAttempts           429 — lockout or rate limit, with ``retry_after`` seconds

Messages are French gettext msgids with ``%(name)s`` placeholders; the web pages, the REST API
(problem+json) and later FHIR (OperationOutcome) translate them into the caller's language.
Services raise these; they never raise HTTP errors.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from dataclasses import field as dataclass_field
from typing import Any, ClassVar


def N_(message: str) -> str:
    """Mark a string for translation without translating it (gettext's no-op marker)."""
    return message


@dataclass(frozen=True)
class FieldError:
    field: str
    code: str
    message: str
    params: Mapping[str, Any] = dataclass_field(default_factory=dict)


class DomainError(Exception):
    status: ClassVar[int] = 400
    default_code: ClassVar[str] = "error"

    def __init__(
        self,
        message: str,
        *,
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message % dict(params or {}) if params else message)
        self.message = message
        self.code = code or self.default_code
        self.params: Mapping[str, Any] = dict(params or {})


class InvalidInput(DomainError):
    status = 422
    default_code = "invalid-input"

    def __init__(
        self,
        message: str = N_("Certaines informations sont incorrectes."),
        *,
        errors: Sequence[FieldError] = (),
        code: str | None = None,
        params: Mapping[str, Any] | None = None,
    ) -> None:
        super().__init__(message, code=code, params=params)
        self.errors = list(errors)

    @classmethod
    def single(cls, field_name: str, code: str, message: str, **params: Any) -> InvalidInput:
        return cls(
            message,
            code=code,
            params=params,
            errors=[FieldError(field_name, code, message, params)],
        )


class AuthenticationRequired(DomainError):
    status = 401
    default_code = "authentication-required"


class AuthenticationFailed(DomainError):
    status = 401
    default_code = "authentication-failed"


class PermissionDenied(DomainError):
    status = 403
    default_code = "forbidden"


class NotFound(DomainError):
    status = 404
    default_code = "not-found"


class Conflict(DomainError):
    status = 409
    default_code = "conflict"


class PreconditionFailed(DomainError):
    """The client's ``If-Match`` names a version that is no longer current."""

    status = 412
    default_code = "precondition-failed"


class TooManyAttempts(DomainError):
    status = 429
    default_code = "too-many-attempts"

    def __init__(self, message: str, *, retry_after: int, code: str | None = None) -> None:
        minutes = max(1, -(-retry_after // 60))
        super().__init__(message, code=code, params={"minutes": minutes})
        self.retry_after = retry_after
