"""Creating accounts: patients registered by a professional or an operator (then activated by
themselves), and professional or staff accounts created by an operator."""

from __future__ import annotations

import datetime as dt
import re
import uuid
from collections.abc import Iterable
from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts import model
from dmp.accounts.model import AccountStatus, FactorKind
from dmp.accounts.orm import AccountRoleRow, AccountRow, ActivationCodeRow, MfaFactorRow
from dmp.accounts.security import Security
from dmp.accounts.throttle import Throttle
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, chain_for_account
from dmp.identity import services as identity_services
from dmp.identity.model import PatientIdentity, Role
from dmp.identity.orm import PatientRow
from dmp.notifications.outbox import queue
from dmp.notifications.ports import Message
from dmp.shared.context import RequestContext
from dmp.shared.errors import (
    N_,
    Conflict,
    FieldError,
    InvalidInput,
    NotFound,
    PermissionDenied,
    TooManyAttempts,
)
from dmp.shared.i18n import translate

_PHONE = re.compile(r"^\+?[0-9]{9,15}$")


def clean_email(value: str, field_name: str = "email") -> str:
    try:
        return validate_email(
            (value or "").strip(), check_deliverability=False, test_environment=True
        ).normalized.lower()
    except EmailNotValidError as exc:
        raise InvalidInput.single(
            field_name,
            "email-format",
            N_("Saisissez une adresse e-mail valide, par exemple nom@exemple.fr."),
        ) from exc


def clean_phone(value: str | None) -> str | None:
    if not value or not value.strip():
        return None
    phone = re.sub(r"[\s.\-()]", "", value)
    if phone.startswith("0") and len(phone) == 10:
        phone = "+33" + phone[1:]
    if not _PHONE.match(phone):
        raise InvalidInput.single(
            "phone",
            "phone-format",
            N_("Saisissez un numéro de téléphone valide, par exemple 06 12 34 56 78."),
        )
    return phone


def create_account(
    session: Session,
    security: Security,
    *,
    email: str,
    display_name: str,
    roles: Iterable[Role],
    status: AccountStatus,
    ctx: RequestContext,
    patient_id: uuid.UUID | None = None,
    professional_id: uuid.UUID | None = None,
    phone: str | None = None,
    password: str | None = None,
) -> AccountRow:
    address = clean_email(email)
    if session.scalars(select(AccountRow.id).where(AccountRow.email == address)).first():
        raise Conflict(N_("Un compte existe déjà avec cette adresse e-mail."), code="email-exists")
    now = security.now()
    account = AccountRow(
        email=address,
        phone=clean_phone(phone),
        display_name=display_name,
        password_hash=security.hasher.hash(password) if password else None,
        status=status.value,
        patient_id=patient_id,
        professional_id=professional_id,
        created_at=now,
        activated_at=now if status is AccountStatus.active else None,
        password_changed_at=now if password else None,
        roles=[AccountRoleRow(role=role.value) for role in sorted(set(roles))],
    )
    session.add(account)
    session.flush()
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AccountCreate,
        context=ctx,
        patient_id=patient_id,
        target=f"Account/{account.id}",
        details={"roles": ",".join(sorted(r.value for r in roles)), "status": status.value},
    )
    return account


def add_confirmed_totp(
    session: Session, security: Security, account: AccountRow, secret: str
) -> MfaFactorRow:
    """Attach an already-known TOTP secret (CLI-created staff accounts, the demo seed)."""
    factor = MfaFactorRow(
        id=uuid.uuid4(),
        account_id=account.id,
        kind=FactorKind.totp.value,
        created_at=security.now(),
        confirmed_at=security.now(),
    )
    factor.secret_encrypted = security.totp_cipher.encrypt(
        secret.encode(), context=f"totp:{factor.id}"
    )
    session.add(factor)
    return factor


def add_confirmed_code_factor(
    session: Session, security: Security, account: AccountRow, kind: FactorKind, destination: str
) -> MfaFactorRow:
    factor = MfaFactorRow(
        account_id=account.id,
        kind=kind.value,
        destination=destination,
        created_at=security.now(),
        confirmed_at=security.now(),
    )
    session.add(factor)
    return factor


MATRICULE_REQUIRED = FieldError(
    "ins_matricule",
    "required",
    N_("Saisissez le matricule INS : le patient en aura besoin pour activer son espace."),
)


def require_registrar(ctx: RequestContext) -> None:
    """Registering patients (and re-sending their codes) is for professionals and operators."""
    if not ctx.roles & {Role.professional, Role.operator}:
        raise PermissionDenied(
            N_("Seuls les professionnels de santé et les opérateurs peuvent inscrire un patient.")
        )


@dataclass(frozen=True)
class RegisteredPatient:
    patient: PatientRow
    account: AccountRow
    activation_code: str


def register_patient(
    session: Session,
    security: Security,
    *,
    identity: PatientIdentity,
    email: str,
    phone: str | None,
    ctx: RequestContext,
    language: str = "fr",
) -> RegisteredPatient:
    """A professional or an operator registers a patient; the patient gets an activation code.

    Raises :class:`PermissionDenied` for other callers, :class:`InvalidInput` for bad contact
    details, :class:`Conflict` when the matricule INS or the e-mail is already registered.
    """
    require_registrar(ctx)
    errors: list[FieldError] = []
    if identity.matricule is None:
        errors.append(MATRICULE_REQUIRED)
    try:
        address = clean_email(email)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    try:
        phone = clean_phone(phone)
    except InvalidInput as exc:
        errors.extend(exc.errors)
    if errors:
        raise InvalidInput(errors=errors)
    patient = identity_services.create_patient(session, security.clock, identity, ctx)
    account = create_account(
        session,
        security,
        email=address,
        display_name=identity.display_name,
        roles=[Role.patient],
        status=AccountStatus.pending,
        ctx=ctx,
        patient_id=patient.id,
        phone=phone,
    )
    code = issue_activation_code(session, security, account=account, ctx=ctx, language=language)
    return RegisteredPatient(patient=patient, account=account, activation_code=code)


def issue_activation_code(
    session: Session, security: Security, *, account: AccountRow, ctx: RequestContext, language: str
) -> str:
    """A new activation code (earlier ones stop working), sent to the account's address."""
    now = security.now()
    for previous in session.scalars(
        select(ActivationCodeRow).where(
            ActivationCodeRow.account_id == account.id, ActivationCodeRow.used_at.is_(None)
        )
    ):
        previous.used_at = now
    code = model.new_activation_code()
    session.add(
        ActivationCodeRow(
            account_id=account.id,
            code_digest=security.digest("activation", model.normalise_code(code)),
            created_at=now,
            expires_at=now + dt.timedelta(days=security.settings.activation_code_days),
            attempts=0,
            created_by=ctx.account_id,
        )
    )
    expires = security.settings.activation_code_days
    queue(
        session,
        Message(
            channel="email",
            to=account.email,
            subject=translate(language, N_("Activez votre espace dmp")),
            body=translate(
                language,
                N_(
                    "Bonjour,\n\nUn dossier médical partagé a été ouvert à votre nom. Pour"
                    " l'activer, rendez-vous sur la page « Activer mon espace » et saisissez ce"
                    " code provisoire : %(code)s\n\nIl vous sera aussi demandé votre date de"
                    " naissance et votre matricule INS (le numéro de sécurité sociale inscrit sur"
                    " votre carte Vitale). Ce code est valable %(days)s jours.\n\nSi vous ne"
                    " souhaitez pas de dossier, vous pouvez vous y opposer auprès de votre"
                    " caisse d'assurance maladie."
                ),
                {"code": code, "days": expires},
            ),
        ),
    )
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AccountActivationCodeIssue,
        context=ctx,
        patient_id=account.patient_id,
        target=f"Account/{account.id}",
    )
    return code


def reissue_activation_code(
    session: Session,
    security: Security,
    *,
    patient_id: uuid.UUID,
    ctx: RequestContext,
    language: str = "fr",
) -> AccountRow:
    """Send a new activation code to a registered patient whose space is not active yet.

    Raises :class:`PermissionDenied` for callers other than professionals and operators and
    :class:`NotFound` when no space awaits activation for this patient.
    """
    require_registrar(ctx)
    account = session.scalars(select(AccountRow).where(AccountRow.patient_id == patient_id)).first()
    if account is None or account.status != AccountStatus.pending:
        raise NotFound(N_("Aucun espace en attente d'activation pour ce patient."))
    # A few codes an hour per patient: enough for a lost e-mail, not enough to flood anyone.
    throttle = Throttle(session, security)
    key = throttle.key("activation-reissue", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        raise TooManyAttempts(
            N_("Trop de codes envoyés à ce patient. Réessayez dans %(minutes)s minutes."),
            retry_after=locked,
        )
    throttle.fail(key)
    issue_activation_code(session, security, account=account, ctx=ctx, language=language)
    return account
