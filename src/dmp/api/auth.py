"""Token endpoints: password + second factor → access and refresh tokens."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Request, Response
from fastapi.responses import JSONResponse
from pydantic import BaseModel, ConfigDict, Field

from dmp.accounts import authentication, tokens
from dmp.accounts.model import FactorKind
from dmp.accounts.orm import AccountRow
from dmp.accounts.queries import confirmed_factors
from dmp.api.dependencies import ActorDep, ContainerDep, DbDep, request_context
from dmp.api.problems import PROBLEM_JSON, api_language, domain_problem, problem
from dmp.identity.orm import PatientRow, ProfessionalRow
from dmp.shared.errors import N_, PermissionDenied
from dmp.shared.i18n import translate

router = APIRouter(prefix="/api/v1", tags=["authentication"])

PROBLEM = {"content": {PROBLEM_JSON: {}}, "description": "Problem details (RFC 9457)"}


class TokenRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    email: str = Field(max_length=254, examples=["camille.martin@demo.test"])
    password: str = Field(max_length=1024)
    otp: str | None = Field(
        default=None,
        max_length=64,
        description="Second factor: TOTP code, a code received by e-mail/SMS, or a recovery code.",
    )
    otp_method: Literal["totp", "email", "sms", "otp", "recovery"] | None = Field(
        default=None,
        description="Which kind of code `otp` is: one of the `methods` listed in the"
        " `second-factor-required` problem (`totp`, `email`, `sms`, `recovery`; `otp` means"
        " the code just sent, whatever the channel). Default: `totp` if the account has an"
        " authenticator app, else the code just sent. Without `otp`, `email` or `sms` chooses"
        " where the code is sent.",
    )


class TokenResponse(BaseModel):
    access_token: str
    token_type: Literal["Bearer"] = "Bearer"  # noqa: S105 (a token type, not a secret)
    expires_in: int
    refresh_token: str


class RefreshRequest(BaseModel):
    model_config = ConfigDict(extra="forbid")

    refresh_token: str = Field(max_length=200)


def _tokens(pair: tokens.TokenPair) -> TokenResponse:
    assert pair.refresh_token is not None  # API logins are always renewable
    return TokenResponse(
        access_token=pair.access_token, expires_in=pair.expires_in, refresh_token=pair.refresh_token
    )


@router.post(
    "/auth/token",
    response_model=TokenResponse,
    summary="Log in: password and second factor",
    responses={401: PROBLEM, 403: PROBLEM, 422: PROBLEM, 429: PROBLEM},
)
def token(body: TokenRequest, request: Request, container: ContainerDep, db: DbDep) -> Response:
    """Without `otp`, a correct password answers 401 `second-factor-required`, listing the
    account's methods; for e-mail/SMS accounts a code is sent at that moment."""
    security = container.security
    ctx = request_context(request)
    checked = authentication.check_password(
        db, security, email=body.email, password=body.password, ctx=ctx
    )
    if not checked.ok:
        db.commit()
        assert checked.error is not None
        container.metrics.logins.labels("password", "failure").inc()
        return domain_problem(request, checked.error)
    assert checked.account_id is not None
    account = db.get(AccountRow, checked.account_id)
    assert account is not None
    options = authentication.second_factor_options(db, security, account.id)
    if not options.usable:
        db.commit()
        return domain_problem(
            request, PermissionDenied(authentication.NO_SECOND_FACTOR, code="no-second-factor")
        )
    factors = options.factors
    kinds = sorted({f.kind for f in factors})
    requested = body.otp_method or ("totp" if FactorKind.totp in kinds else "otp")
    method: authentication.SecondFactorMethod = (
        "totp" if requested == "totp" else "recovery" if requested == "recovery" else "otp"
    )
    if not body.otp:
        sent_to = None
        if method == "otp":
            wanted = [f for f in factors if f.kind != FactorKind.totp]
            if requested in (FactorKind.email, FactorKind.sms):
                wanted = [f for f in wanted if f.kind == requested]
            code_factor = wanted[0] if wanted else None
            if code_factor is not None:
                sent = authentication.send_login_code(
                    db,
                    security,
                    account=account,
                    factor=code_factor,
                    ctx=ctx,
                    language=api_language(request),
                )
                if not sent.ok:
                    # Too many codes sent lately: say so, rather than announce a code that
                    # was never sent.
                    db.commit()
                    assert sent.error is not None
                    return domain_problem(request, sent.error)
                sent_to = code_factor.kind
        db.commit()
        language = api_language(request)
        return problem(
            request,
            status=401,
            code="second-factor-required",
            title=translate(
                language,
                N_("Un second facteur est nécessaire : renvoyez la demande avec le champ « otp »."),
            ),
            headers={"WWW-Authenticate": 'Bearer realm="dmp"'},
            extra={"methods": options.methods, "code_sent_by": sent_to},
        )
    verified = authentication.verify_second_factor(
        db, security, account_id=account.id, method=method, code=body.otp, ctx=ctx
    )
    if not verified.ok:
        db.commit()
        assert verified.error is not None
        container.metrics.logins.labels("second-factor", "failure").inc()
        return domain_problem(request, verified.error)
    pair = tokens.issue(db, security, account=account, ctx=ctx)
    db.commit()
    container.metrics.logins.labels("second-factor", "success").inc()
    return JSONResponse(_tokens(pair).model_dump())


@router.post(
    "/auth/refresh",
    response_model=TokenResponse,
    summary="Exchange a refresh token for new tokens (single use)",
    responses={401: PROBLEM, 422: PROBLEM},
)
def refresh(body: RefreshRequest, request: Request, container: ContainerDep, db: DbDep) -> Response:
    """Each refresh token works once. Presenting a used one revokes its whole family."""
    result, pair = tokens.refresh(
        db, container.security, refresh_token=body.refresh_token, ctx=request_context(request)
    )
    db.commit()
    if pair is None:
        assert result.error is not None
        return domain_problem(request, result.error)
    return JSONResponse(_tokens(pair).model_dump())


@router.post(
    "/auth/logout",
    status_code=204,
    summary="Revoke the current token family (access and refresh tokens)",
    responses={401: PROBLEM},
)
def logout(actor: ActorDep, container: ContainerDep, db: DbDep) -> Response:
    tokens.revoke_family(db, container.security, family_id=actor.claims.family_id, ctx=actor.ctx)
    db.commit()
    return Response(status_code=204)


class PatientSummary(BaseModel):
    id: str
    display_name: str
    identity_status: str
    ins: str | None = Field(description="Matricule INS, only for a qualified identity (QUAL)")
    ins_oid: str | None


class ProfessionalSummary(BaseModel):
    id: str
    rpps: str
    idnat_ps: str
    family_name: str
    given_name: str
    profession_code: str
    specialty_code: str | None


class MeResponse(BaseModel):
    id: str
    email: str
    display_name: str
    roles: list[str]
    second_factors: list[str]
    patient: PatientSummary | None = None
    professional: ProfessionalSummary | None = None


def patient_summary(patient: PatientRow) -> PatientSummary:
    qualified = patient.identity_status == "QUAL"
    return PatientSummary(
        id=str(patient.id),
        display_name=patient.display_name,
        identity_status=patient.identity_status,
        ins=patient.ins_matricule if qualified else None,
        ins_oid=patient.ins_oid if qualified else None,
    )


@router.get(
    "/me", response_model=MeResponse, summary="The current account", responses={401: PROBLEM}
)
def me(actor: ActorDep, db: DbDep) -> MeResponse:
    account = actor.account
    patient = db.get(PatientRow, account.patient_id) if account.patient_id else None
    professional = (
        db.get(ProfessionalRow, account.professional_id) if account.professional_id else None
    )
    return MeResponse(
        id=str(account.id),
        email=account.email,
        display_name=account.display_name,
        roles=sorted(account.role_names),
        second_factors=sorted({f.kind for f in confirmed_factors(db, account.id)}),
        patient=patient_summary(patient) if patient else None,
        professional=ProfessionalSummary(
            id=str(professional.id),
            rpps=professional.rpps,
            idnat_ps=professional.idnat_ps,
            family_name=professional.family_name,
            given_name=professional.given_name,
            profession_code=professional.profession_code,
            specialty_code=professional.specialty_code,
        )
        if professional
        else None,
    )
