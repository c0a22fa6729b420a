"""What a logged-in person (or a person finishing activation) does with their own account:
second factors, recovery codes, password, sessions."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import CursorResult, delete, select, update
from sqlalchemy.orm import Session

from dmp.accounts import model
from dmp.accounts.activation import complete_activation, personal_data
from dmp.accounts.authentication import (
    INVALID_CODE,
    StepResult,
    check_code,
    otp_message,
)
from dmp.accounts.model import AccountStatus, FactorKind
from dmp.accounts.orm import (
    AccountRow,
    MfaFactorRow,
    OtpChallengeRow,
    RecoveryCodeRow,
    TokenFamilyRow,
    WebSessionRow,
)
from dmp.accounts.passwords import require_acceptable
from dmp.accounts.queries import confirmed_factors
from dmp.accounts.registration import clean_email, clean_phone
from dmp.accounts.security import Security
from dmp.accounts.throttle import TOO_MANY, Throttle
from dmp.audit import services as audit
from dmp.audit.model import AuditAction, Outcome, chain_for_account
from dmp.notifications.outbox import queue
from dmp.shared.context import RequestContext
from dmp.shared.errors import (
    N_,
    AuthenticationFailed,
    Conflict,
    InvalidInput,
    NotFound,
    TooManyAttempts,
)


def _audit(
    session: Session,
    security: Security,
    account: AccountRow,
    action: AuditAction,
    ctx: RequestContext,
    outcome: Outcome = Outcome.success,
    **details: str,
) -> None:
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=action,
        context=ctx,
        outcome=outcome,
        actor_account_id=account.id,
        details=details,
    )


def _pending_factor(session: Session, account: AccountRow, factor_id: uuid.UUID) -> MfaFactorRow:
    factor = session.get(MfaFactorRow, factor_id)
    if factor is None or factor.account_id != account.id or factor.confirmed_at is not None:
        raise NotFound(N_("Cet ajout de second facteur n'existe plus ; recommencez."))
    return factor


def _drop_unconfirmed(session: Session, account: AccountRow, kind: FactorKind) -> None:
    session.execute(
        delete(MfaFactorRow).where(
            MfaFactorRow.account_id == account.id,
            MfaFactorRow.kind == kind.value,
            MfaFactorRow.confirmed_at.is_(None),
        )
    )


@dataclass(frozen=True)
class TotpEnrolment:
    factor_id: uuid.UUID
    secret: str
    uri: str


def begin_totp(session: Session, security: Security, *, account: AccountRow) -> TotpEnrolment:
    _drop_unconfirmed(session, account, FactorKind.totp)
    secret = model.new_totp_secret()
    factor = MfaFactorRow(
        id=uuid.uuid4(),
        account_id=account.id,
        kind=FactorKind.totp.value,
        created_at=security.now(),
    )
    factor.secret_encrypted = security.totp_cipher.encrypt(
        secret.encode(), context=f"totp:{factor.id}"
    )
    session.add(factor)
    session.flush()
    return TotpEnrolment(factor.id, secret, model.totp_uri(secret, account_name=account.email))


def totp_enrolment(
    session: Session, security: Security, *, account: AccountRow, factor_id: uuid.UUID
) -> TotpEnrolment:
    """The secret of an enrolment in progress, to show its QR code again."""
    factor = _pending_factor(session, account, factor_id)
    assert factor.secret_encrypted is not None
    secret = security.totp_cipher.decrypt(
        factor.secret_encrypted, context=f"totp:{factor.id}"
    ).decode()
    return TotpEnrolment(factor.id, secret, model.totp_uri(secret, account_name=account.email))


def begin_code_factor(
    session: Session,
    security: Security,
    *,
    account: AccountRow,
    kind: FactorKind,
    destination: str | None,
    ctx: RequestContext,
    language: str,
) -> StepResult:
    """Start adding an e-mail or SMS factor: a code is sent to ``destination`` to prove it."""
    address: str | None
    if kind is FactorKind.email:
        address = clean_email(destination or account.email)
    elif kind is FactorKind.sms:
        if not security.settings.sms_enabled:
            raise InvalidInput.single(
                "kind", "sms-disabled", N_("L'envoi de codes par SMS n'est pas proposé ici.")
            )
        address = clean_phone(destination or account.phone)
        if address is None:
            raise InvalidInput.single(
                "phone", "required", N_("Saisissez un numéro de téléphone portable.")
            )
    else:
        raise ValueError("TOTP factors are added with begin_totp")
    throttle = Throttle(session, security)
    key = throttle.key("otp-send", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=locked))
    throttle.fail(key)
    _drop_unconfirmed(session, account, kind)
    factor = MfaFactorRow(
        account_id=account.id, kind=kind.value, destination=address, created_at=security.now()
    )
    session.add(factor)
    session.flush()
    code = model.random_otp()
    now = security.now()
    session.add(
        OtpChallengeRow(
            account_id=account.id,
            factor_id=factor.id,
            code_digest=security.digest("otp", code),
            created_at=now,
            expires_at=now + dt.timedelta(minutes=security.settings.otp_validity_minutes),
            attempts=0,
        )
    )
    queue(session, otp_message(factor, code, language, security.settings.otp_validity_minutes))
    _audit(
        session,
        security,
        account,
        AuditAction.AuthOtpSend,
        ctx,
        channel=kind.value,
        purpose="enrol",
    )
    return StepResult(account_id=account.id, details={"factor_id": str(factor.id)})


@dataclass(frozen=True)
class EnrolmentResult:
    result: StepResult
    recovery_codes: list[str] | None = None  # set when these are the account's first codes
    activated: bool = False


def confirm_factor(
    session: Session,
    security: Security,
    *,
    account: AccountRow,
    factor_id: uuid.UUID,
    code: str,
    ctx: RequestContext,
) -> EnrolmentResult:
    """Confirm a factor being added with its first code. The first factor of an account in
    activation completes the activation and comes with the first recovery codes."""
    factor = _pending_factor(session, account, factor_id)
    throttle = Throttle(session, security)
    key = throttle.key("mfa-enrol", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        return EnrolmentResult(StepResult(error=TooManyAttempts(TOO_MANY, retry_after=locked)))
    method: model.FactorKind = FactorKind(factor.kind)
    used = check_code(
        session,
        security,
        account=account,
        method="totp" if method is FactorKind.totp else "otp",
        code=code,
        factor=factor,
    )
    if used is None:
        refusal = throttle.refuse(key, AuthenticationFailed(INVALID_CODE, code="invalid-code"))
        _audit(
            session,
            security,
            account,
            AuditAction.AccountMfaEnrol,
            ctx,
            Outcome.failure,
            kind=factor.kind,
        )
        return EnrolmentResult(StepResult(error=refusal))
    throttle.succeed(key)
    factor.confirmed_at = security.now()
    _audit(session, security, account, AuditAction.AccountMfaEnrol, ctx, kind=factor.kind)
    activated = False
    if account.status == AccountStatus.pending:
        complete_activation(session, security, account=account, ctx=ctx)
        activated = True
    codes = None
    has_codes = session.scalars(
        select(RecoveryCodeRow.id).where(RecoveryCodeRow.account_id == account.id)
    ).first()
    if not has_codes:
        codes = regenerate_recovery_codes(session, security, account=account, ctx=ctx)
    return EnrolmentResult(StepResult(account_id=account.id), codes, activated)


def remove_factor(
    session: Session,
    security: Security,
    *,
    account: AccountRow,
    factor_id: uuid.UUID,
    ctx: RequestContext,
) -> None:
    factor = session.get(MfaFactorRow, factor_id)
    if factor is None or factor.account_id != account.id:
        raise NotFound(N_("Ce second facteur n'existe pas."))
    if factor.confirmed_at is not None and len(confirmed_factors(session, account.id)) <= 1:
        raise Conflict(
            N_(
                "Vous ne pouvez pas retirer votre seul second facteur :"
                " ajoutez-en un autre d'abord."
            ),
            code="last-factor",
        )
    session.delete(factor)
    _audit(session, security, account, AuditAction.AccountMfaRemove, ctx, kind=factor.kind)


def regenerate_recovery_codes(
    session: Session, security: Security, *, account: AccountRow, ctx: RequestContext
) -> list[str]:
    """Ten new single-use recovery codes; all earlier ones stop working."""
    session.execute(delete(RecoveryCodeRow).where(RecoveryCodeRow.account_id == account.id))
    codes = model.new_recovery_codes()
    now = security.now()
    for code in codes:
        session.add(
            RecoveryCodeRow(
                account_id=account.id,
                code_digest=security.digest("recovery", model.normalise_code(code)),
                created_at=now,
            )
        )
    _audit(session, security, account, AuditAction.AccountRecoveryCodesGenerate, ctx)
    return codes


def change_password(
    session: Session,
    security: Security,
    *,
    account: AccountRow,
    current: str,
    new: str,
    confirm: str,
    ctx: RequestContext,
    keep_web_session: str | None,
) -> StepResult:
    """Change the password; every other session and every API token is revoked."""
    throttle = Throttle(session, security)
    key = throttle.key("password-change", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=locked))
    if not security.hasher.verify(account.password_hash, current):
        refusal = throttle.refuse(
            key,
            AuthenticationFailed(
                N_("Le mot de passe actuel est incorrect."), code="invalid-current-password"
            ),
        )
        _audit(
            session,
            security,
            account,
            AuditAction.AccountPasswordChange,
            ctx,
            Outcome.failure,
            reason="current-password",
        )
        return StepResult(error=refusal)
    if new != confirm:
        raise InvalidInput.single(
            "password_confirm",
            "password-mismatch",
            N_("Les deux mots de passe ne sont pas identiques."),
        )
    require_acceptable(new, personal_data(session, account))
    if security.hasher.verify(account.password_hash, new):
        raise InvalidInput.single(
            "password",
            "password-unchanged",
            N_("Choisissez un mot de passe différent de l'actuel."),
        )
    throttle.succeed(key)
    now = security.now()
    account.password_hash = security.hasher.hash(new)
    account.password_changed_at = now
    revoked = revoke_all(
        session, account.id, now, reason="password-change", keep_web_session=keep_web_session
    )
    _audit(
        session,
        security,
        account,
        AuditAction.AccountPasswordChange,
        ctx,
        revoked_sessions=str(revoked),
    )
    return StepResult(account_id=account.id)


def revoke_all(
    session: Session,
    account_id: uuid.UUID,
    now: dt.datetime,
    *,
    reason: str,
    keep_web_session: str | None = None,
) -> int:
    web = update(WebSessionRow).where(
        WebSessionRow.account_id == account_id, WebSessionRow.revoked_at.is_(None)
    )
    if keep_web_session:
        web = web.where(WebSessionRow.id != keep_web_session)
    tokens = (
        update(TokenFamilyRow)
        .where(TokenFamilyRow.account_id == account_id, TokenFamilyRow.revoked_at.is_(None))
        .values(revoked_at=now, revoked_reason=reason)
    )
    count = 0
    for statement in (web.values(revoked_at=now, revoked_reason=reason), tokens):
        result = session.execute(statement)
        count += cast(CursorResult[Any], result).rowcount
    # Logins half-way through (password checked, second factor awaited) are dropped too: the
    # password they passed may be the very one being replaced.
    pending = update(WebSessionRow).where(WebSessionRow.pending_account_id == account_id)
    if keep_web_session:
        pending = pending.where(WebSessionRow.id != keep_web_session)
    session.execute(
        pending.values(
            pending_account_id=None, pending_step=None, pending_since=None, pending_data=None
        )
    )
    return count


def set_notices_by_sms(
    session: Session, security: Security, *, account: AccountRow, enabled: bool, ctx: RequestContext
) -> None:
    """Record notices also by SMS (or no longer): the number is the SMS second factor's."""
    if account.notices_by_sms == enabled:
        return
    account.notices_by_sms = enabled
    _audit(
        session,
        security,
        account,
        AuditAction.AccountNoticeChannels,
        ctx,
        sms=str(enabled).lower(),
    )
