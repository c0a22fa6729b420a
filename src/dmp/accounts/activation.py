"""Activation by the patient: provisional code and identity traits, then a password, then a
second factor (the activation completes when the first factor is confirmed)."""

from __future__ import annotations

import datetime as dt
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts import model
from dmp.accounts.authentication import StepResult
from dmp.accounts.model import AccountStatus
from dmp.accounts.orm import AccountRow, ActivationCodeRow
from dmp.accounts.passwords import PersonalData, require_acceptable
from dmp.accounts.security import Security
from dmp.accounts.throttle import TOO_MANY, Throttle
from dmp.audit import services as audit
from dmp.audit.model import SECURITY_CHAIN, AuditAction, Outcome, chain_for_account
from dmp.identity.nir import parse_matricule
from dmp.identity.orm import PatientRow
from dmp.shared.context import RequestContext
from dmp.shared.errors import N_, AuthenticationFailed, InvalidInput, NotFound, TooManyAttempts

ACTIVATION_FAILED = N_(
    "Ces informations ne correspondent pas à un espace en attente d'activation. Vérifiez le code"
    " reçu, votre date de naissance et votre matricule INS."
)


def verify_activation(
    session: Session,
    security: Security,
    *,
    code: str,
    ins_matricule: str,
    birth_date: dt.date,
    ctx: RequestContext,
) -> StepResult:
    """Check the provisional code against the identity traits. Raises :class:`InvalidInput`
    only for a malformed matricule; every mismatch gives the same refusal."""
    matricule = parse_matricule(ins_matricule)
    throttle = Throttle(session, security)
    if ctx.ip:
        wait = throttle.rate(throttle.key("ip", ctx.ip))
        if wait:
            return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=wait))
    key = throttle.key("activation", matricule.value)
    account = session.scalars(
        select(AccountRow)
        .join(PatientRow, PatientRow.id == AccountRow.patient_id)
        .where(PatientRow.ins_matricule == matricule.value)
    ).first()
    patient = (
        session.get(PatientRow, account.patient_id) if account and account.patient_id else None
    )

    def refuse(reason: str) -> StepResult:
        refusal = throttle.refuse(
            key, AuthenticationFailed(ACTIVATION_FAILED, code="activation-failed")
        )
        audit.record(
            session,
            security.clock,
            chain=chain_for_account(account.id) if account else SECURITY_CHAIN,
            action=AuditAction.AccountActivationFailure,
            context=ctx,
            outcome=Outcome.failure,
            details={"reason": reason},
        )
        return StepResult(error=refusal)

    locked = throttle.locked_for(key)
    if locked:
        return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=locked))
    if account is None or patient is None or account.status != AccountStatus.pending:
        return refuse("no-pending-account")
    now = security.now()
    row = session.scalars(
        select(ActivationCodeRow)
        .where(
            ActivationCodeRow.account_id == account.id,
            ActivationCodeRow.used_at.is_(None),
            ActivationCodeRow.expires_at > now,
        )
        .order_by(ActivationCodeRow.created_at.desc())
    ).first()
    if row is None or row.attempts >= model.MAX_ACTIVATION_ATTEMPTS:
        return refuse("no-valid-code")
    row.attempts += 1
    digest = security.digest("activation", model.normalise_code(code))
    if digest != row.code_digest or patient.birth_date != birth_date:
        return refuse("mismatch")
    row.attempts = 0  # only wrong guesses wear a code out, not an interrupted activation
    throttle.succeed(key)
    return StepResult(account_id=account.id)


def pending_account(session: Session, account_id: uuid.UUID) -> AccountRow:
    account = session.get(AccountRow, account_id)
    if account is None or account.status != AccountStatus.pending:
        raise NotFound(N_("Aucune activation n'est en cours pour ce compte."))
    return account


def personal_data(session: Session, account: AccountRow) -> PersonalData:
    patient = session.get(PatientRow, account.patient_id) if account.patient_id else None
    names: tuple[str, ...] = ()
    if patient is not None:
        names = tuple(
            n
            for n in (patient.birth_name, patient.used_name, *patient.birth_given_names.split(" "))
            if n
        )
    return PersonalData(
        email=account.email,
        names=names,
        birth_date=patient.birth_date if patient else None,
    )


def set_initial_password(
    session: Session, security: Security, *, account_id: uuid.UUID, password: str, confirm: str
) -> AccountRow:
    account = pending_account(session, account_id)
    if password != confirm:
        raise InvalidInput.single(
            "password_confirm",
            "password-mismatch",
            N_("Les deux mots de passe ne sont pas identiques."),
        )
    require_acceptable(password, personal_data(session, account))
    account.password_hash = security.hasher.hash(password)
    account.password_changed_at = security.now()
    return account


def complete_activation(
    session: Session, security: Security, *, account: AccountRow, ctx: RequestContext
) -> None:
    """Called once the first second factor is confirmed: the account becomes usable."""
    if account.status != AccountStatus.pending or account.password_hash is None:
        raise InvalidInput(N_("Choisissez d'abord votre mot de passe."), code="password-missing")
    now = security.now()
    account.status = AccountStatus.active.value
    account.activated_at = now
    for code in session.scalars(
        select(ActivationCodeRow).where(
            ActivationCodeRow.account_id == account.id, ActivationCodeRow.used_at.is_(None)
        )
    ):
        code.used_at = now
    if account.patient_id is not None:
        # Mon espace santé and the DMP go together: activating the space opens the record.
        from dmp.records.lifecycle import open_at_activation

        open_at_activation(session, security.clock, ctx, account.patient_id)
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AccountActivationComplete,
        context=ctx,
        actor_account_id=account.id,
        patient_id=account.patient_id,
    )
