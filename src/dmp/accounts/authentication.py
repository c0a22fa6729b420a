"""Logging in: the password step, then the second factor.

Failures are *returned*, not raised: the failure counters and the audit entry they wrote must be
committed with the refusal. Unknown identifiers, inactive accounts and wrong passwords give the
same answer after the same work (a dummy argon2 verification), so accounts cannot be enumerated.
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass, field
from typing import Literal

from sqlalchemy import select
from sqlalchemy.orm import Session

from dmp.accounts import model
from dmp.accounts.model import AccountStatus, FactorKind
from dmp.accounts.orm import AccountRow, MfaFactorRow, OtpChallengeRow, RecoveryCodeRow
from dmp.accounts.queries import account_by_email, confirmed_factors
from dmp.accounts.security import Security
from dmp.accounts.throttle import TOO_MANY, Throttle
from dmp.audit import services as audit
from dmp.audit.model import SECURITY_CHAIN, AuditAction, Outcome, chain_for_account
from dmp.notifications.outbox import queue
from dmp.notifications.ports import Message
from dmp.shared.context import RequestContext
from dmp.shared.errors import N_, AuthenticationFailed, DomainError, TooManyAttempts
from dmp.shared.i18n import translate

INVALID_CREDENTIALS = N_("Adresse e-mail ou mot de passe incorrect.")
INVALID_CODE = N_("Ce code n'est pas valide ou a expiré. Vérifiez-le ou demandez-en un nouveau.")

SecondFactorMethod = Literal["totp", "otp", "recovery"]


@dataclass(frozen=True)
class StepResult:
    account_id: uuid.UUID | None = None
    error: DomainError | None = None
    details: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error is None


def _fail_audit(
    session: Session,
    security: Security,
    ctx: RequestContext,
    account: AccountRow | None,
    action: AuditAction,
    reason: str,
) -> None:
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id) if account else SECURITY_CHAIN,
        action=action,
        context=ctx,
        outcome=Outcome.failure,
        actor_account_id=account.id if account else None,
        details={"reason": reason},
    )


def check_password(
    session: Session, security: Security, *, email: str, password: str, ctx: RequestContext
) -> StepResult:
    """First step. On success the caller must still obtain a second factor."""
    throttle = Throttle(session, security)
    if ctx.ip:
        wait = throttle.rate(throttle.key("ip", ctx.ip))
        if wait:
            return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=wait))
    identifier = throttle.key("login", model.normalise_email(email))
    account = account_by_email(session, email)
    if account is not None and account.status != AccountStatus.active:
        account = None
    locked = throttle.locked_for(identifier)
    if locked:
        security.hasher.verify(None, password)  # same time as a real check
        _fail_audit(session, security, ctx, account, AuditAction.AuthLoginFailure, "locked")
        return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=locked))
    if not security.hasher.verify(account.password_hash if account else None, password):
        refusal = throttle.refuse(
            identifier, AuthenticationFailed(INVALID_CREDENTIALS, code="invalid-credentials")
        )
        _fail_audit(session, security, ctx, account, AuditAction.AuthLoginFailure, "password")
        if isinstance(refusal, TooManyAttempts):
            _fail_audit(session, security, ctx, account, AuditAction.AuthLockout, "password")
        return StepResult(error=refusal)
    assert account is not None and account.password_hash is not None
    throttle.succeed(identifier)
    if security.hasher.needs_rehash(account.password_hash):
        account.password_hash = security.hasher.hash(password)
    return StepResult(account_id=account.id)


def send_login_code(
    session: Session,
    security: Security,
    *,
    account: AccountRow,
    factor: MfaFactorRow,
    ctx: RequestContext,
    language: str,
) -> StepResult:
    """E-mail or text a fresh one-time code for ``factor``; earlier unused codes stop working."""
    if factor.kind not in (FactorKind.email, FactorKind.sms) or factor.account_id != account.id:
        raise ValueError("codes are only sent for e-mail and SMS factors of this account")
    if factor.kind == FactorKind.sms and not security.settings.sms_enabled:
        raise ValueError("SMS is switched off on this platform")
    throttle = Throttle(session, security)
    # At most `lockout_threshold` codes per hour for one account: sending is not free, and
    # a flood of codes is itself an attack on the person.
    key = throttle.key("otp-send", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=locked))
    throttle.fail(key)
    now = security.now()
    # Earlier *login* codes stop working; a code confirming a factor being added is left alone.
    for previous in session.scalars(
        select(OtpChallengeRow).where(
            OtpChallengeRow.account_id == account.id,
            OtpChallengeRow.consumed_at.is_(None),
            OtpChallengeRow.factor_id.in_(
                select(MfaFactorRow.id).where(
                    MfaFactorRow.account_id == account.id, MfaFactorRow.confirmed_at.is_not(None)
                )
            ),
        )
    ):
        previous.consumed_at = now
    code = model.random_otp()
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
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AuthOtpSend,
        context=ctx,
        actor_account_id=account.id,
        details={"channel": factor.kind},
    )
    return StepResult(account_id=account.id)


def otp_message(factor: MfaFactorRow, code: str, language: str, minutes: int) -> Message:
    assert factor.destination is not None
    body = translate(
        language,
        N_(
            "Votre code de vérification dmp est %(code)s. Il expire dans %(minutes)s minutes."
            " Ne le communiquez à personne. Si vous n'avez rien demandé, ignorez ce message."
        ),
        {"code": code, "minutes": minutes},
    )
    subject = translate(language, N_("Votre code de vérification dmp"))
    channel: Literal["email", "sms"] = "email" if factor.kind == FactorKind.email else "sms"
    return Message(channel=channel, to=factor.destination, subject=subject, body=body)


def verify_second_factor(
    session: Session,
    security: Security,
    *,
    account_id: uuid.UUID,
    method: SecondFactorMethod,
    code: str,
    ctx: RequestContext,
) -> StepResult:
    """Second step: a TOTP code, a code sent by e-mail/SMS, or a recovery code."""
    account = session.get(AccountRow, account_id)
    if account is None or account.status != AccountStatus.active:
        return StepResult(error=AuthenticationFailed(INVALID_CODE, code="invalid-second-factor"))
    throttle = Throttle(session, security)
    key = throttle.key("mfa", str(account.id))
    locked = throttle.locked_for(key)
    if locked:
        _fail_audit(session, security, ctx, account, AuditAction.AuthSecondFactorFailure, "locked")
        return StepResult(error=TooManyAttempts(TOO_MANY, retry_after=locked))

    used = check_code(session, security, account=account, method=method, code=code)
    if used is None:
        refusal = throttle.refuse(
            key, AuthenticationFailed(INVALID_CODE, code="invalid-second-factor")
        )
        _fail_audit(session, security, ctx, account, AuditAction.AuthSecondFactorFailure, method)
        if isinstance(refusal, TooManyAttempts):
            _fail_audit(session, security, ctx, account, AuditAction.AuthLockout, "second-factor")
        return StepResult(error=refusal)

    throttle.succeed(key)
    throttle.succeed(throttle.key("otp-send", str(account.id)))
    if method == "recovery":
        audit.record(
            session,
            security.clock,
            chain=chain_for_account(account.id),
            action=AuditAction.AuthRecoveryCodeUse,
            context=ctx,
            actor_account_id=account.id,
            details={"remaining": str(remaining_recovery_codes(session, account.id))},
        )
    audit.record(
        session,
        security.clock,
        chain=chain_for_account(account.id),
        action=AuditAction.AuthLoginSuccess,
        context=ctx,
        actor_account_id=account.id,
        details={"second_factor": used},
    )
    return StepResult(account_id=account.id, details={"second_factor": used})


def check_code(
    session: Session,
    security: Security,
    *,
    account: AccountRow,
    method: SecondFactorMethod,
    code: str,
    factor: MfaFactorRow | None = None,
) -> str | None:
    """Consume ``code`` if valid; returns the factor kind used, or None. No throttling here."""
    now = security.now()
    if method == "totp":
        candidates = (
            [factor]
            if factor
            else [f for f in confirmed_factors(session, account.id) if f.kind == FactorKind.totp]
        )
        for candidate in candidates:
            if candidate.kind != FactorKind.totp or candidate.secret_encrypted is None:
                continue
            secret = security.totp_cipher.decrypt(
                candidate.secret_encrypted, context=f"totp:{candidate.id}"
            ).decode()
            step = model.match_totp(secret, code, now, last_step=candidate.last_totp_step)
            if step is not None:
                candidate.last_totp_step = step
                candidate.last_used_at = now
                return str(FactorKind.totp)
        return None
    if method == "otp":
        query = select(OtpChallengeRow).where(
            OtpChallengeRow.account_id == account.id,
            OtpChallengeRow.consumed_at.is_(None),
            OtpChallengeRow.expires_at > now,
        )
        if factor is not None:
            query = query.where(OtpChallengeRow.factor_id == factor.id)
        else:
            # Logging in: only codes sent to a confirmed factor. A code sent to confirm a new
            # destination proves nothing about the person until that destination is confirmed.
            query = query.where(
                OtpChallengeRow.factor_id.in_(
                    select(MfaFactorRow.id).where(
                        MfaFactorRow.account_id == account.id,
                        MfaFactorRow.confirmed_at.is_not(None),
                    )
                )
            )
        challenge = session.scalars(query.order_by(OtpChallengeRow.created_at.desc())).first()
        if challenge is None or challenge.attempts >= model.MAX_OTP_ATTEMPTS:
            return None
        challenge.attempts += 1
        if challenge.code_digest != security.digest("otp", model.normalise_digits(code)):
            return None
        challenge.consumed_at = now
        used_factor = session.get(MfaFactorRow, challenge.factor_id)
        if used_factor is None:
            return None
        used_factor.last_used_at = now
        return used_factor.kind
    digest = security.digest("recovery", model.normalise_code(code))
    row = session.scalars(
        select(RecoveryCodeRow).where(
            RecoveryCodeRow.account_id == account.id,
            RecoveryCodeRow.code_digest == digest,
            RecoveryCodeRow.used_at.is_(None),
        )
    ).first()
    if row is None:
        return None
    row.used_at = now
    return "recovery"


def remaining_recovery_codes(session: Session, account_id: uuid.UUID) -> int:
    return len(
        session.scalars(
            select(RecoveryCodeRow.id).where(
                RecoveryCodeRow.account_id == account_id, RecoveryCodeRow.used_at.is_(None)
            )
        ).all()
    )


def factors_with_live_code(
    session: Session, security: Security, account_id: uuid.UUID
) -> set[uuid.UUID]:
    """Factors to which a login code was sent that can still be used (to say "we sent…" truly)."""
    now = security.now()
    return set(
        session.scalars(
            select(OtpChallengeRow.factor_id).where(
                OtpChallengeRow.account_id == account_id,
                OtpChallengeRow.consumed_at.is_(None),
                OtpChallengeRow.expires_at > now,
                OtpChallengeRow.attempts < model.MAX_OTP_ATTEMPTS,
            )
        )
    )


NO_SECOND_FACTOR = N_(
    "Votre compte n'a aucun second facteur : contactez l'assistance pour retrouver"
    " l'accès à votre compte."
)


@dataclass(frozen=True)
class SecondFactorOptions:
    """What an account can use at the second step: its confirmed factors (minus SMS when the
    platform has switched SMS off) and its unused recovery codes."""

    factors: list[MfaFactorRow]
    recovery_codes: int

    @property
    def usable(self) -> bool:
        return bool(self.factors) or self.recovery_codes > 0

    @property
    def methods(self) -> list[str]:
        kinds = sorted({f.kind for f in self.factors})
        return kinds + (["recovery"] if self.recovery_codes else [])


def second_factor_options(
    session: Session, security: Security, account_id: uuid.UUID
) -> SecondFactorOptions:
    factors = [
        f
        for f in confirmed_factors(session, account_id)
        if f.kind != FactorKind.sms or security.settings.sms_enabled
    ]
    return SecondFactorOptions(factors, remaining_recovery_codes(session, account_id))
