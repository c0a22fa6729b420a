"""Tamper-evident audit trail: the pure part (vocabulary, canonical form, chain checks).

Each subject (a patient's record, an account, the platform itself) has its own hash chain.
Entry *n* of a chain stores the hash of entry *n − 1* and its own SHA-256 over a canonical
serialisation of every field, so altering, inserting or removing an entry breaks the chain
from that point. The chain head (last sequence number and hash) is kept beside the entries,
so removing the newest entries is detected too.
"""

from __future__ import annotations

import datetime as dt
import enum
import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

GENESIS_HASH = "0" * 64


class AuditAction(enum.StrEnum):
    """What happened, as ``context:resource:action``. Kept alphabetical."""

    AccountActivationCodeIssue = "account:activation-code:issue"
    AccountActivationComplete = "account:activation:complete"
    AccountActivationFailure = "account:activation:failure"
    AccountCreate = "account:account:create"
    AccountMfaEnrol = "account:mfa:enrol"
    AccountMfaRemove = "account:mfa:remove"
    AccountNoticeChannels = "account:notice-channels:update"
    AccountPasswordChange = "account:password:change"
    AccountRecoveryCodesGenerate = "account:recovery-codes:generate"
    AuthLockout = "auth:account:lockout"
    AuthLoginFailure = "auth:login:failure"
    AuthLoginSuccess = "auth:login:success"
    AuthLogout = "auth:session:logout"
    AuthOtpSend = "auth:otp:send"
    AuthRecoveryCodeUse = "auth:recovery-code:use"
    AuthSecondFactorFailure = "auth:second-factor:failure"
    AuthSessionRevoke = "auth:session:revoke"
    AuthTokenIssue = "auth:token:issue"
    AuthTokenIssueByOperator = "auth:token:issue-by-operator"
    AuthTokenRefresh = "auth:token:refresh"
    AuthTokenReuseDetected = "auth:token:reuse-detected"
    AuthTokenRevoke = "auth:token:revoke"
    PatientIdentityCreate = "patient:identity:create"
    ProfessionalCreate = "professional:professional:create"
    RecordAnnouncement = "record:announcement:record"
    RecordAuthorisationGrant = "record:authorisation:grant"
    RecordAuthorisationRevoke = "record:authorisation:revoke"
    RecordBlock = "record:block:add"
    RecordBloodGroupCard = "record:blood-group:card"
    RecordBloodGroupDelete = "record:blood-group:delete"
    RecordBloodGroupMask = "record:blood-group:mask"
    RecordBloodGroupRead = "record:blood-group:read"
    RecordBloodGroupUpdate = "record:blood-group:update"
    RecordBloodGroupVerify = "record:blood-group:verify"
    RecordClose = "record:record:close"
    RecordConsentChange = "record:consent:change"
    RecordConsentRead = "record:consent:read"
    RecordCreate = "record:record:create"
    RecordDelegateAdd = "record:delegate:add"
    RecordDelegateRevoke = "record:delegate:revoke"
    RecordDeletionRequest = "record:record:deletion-request"
    RecordDirectivesRead = "record:directives:read"
    RecordDirectivesReminder = "record:directives:reminder"
    RecordDirectivesRevoke = "record:directives:revoke"
    RecordDirectivesSign = "record:directives:sign"
    RecordDocumentArchive = "record:document:archive"
    RecordDocumentCreate = "record:document:create"
    RecordDocumentDelete = "record:document:delete"
    RecordDocumentFlags = "record:document:flags"
    RecordDocumentList = "record:document:list"
    RecordDocumentMask = "record:document:mask"
    RecordDocumentRead = "record:document:read"
    RecordDocumentReplace = "record:document:replace"
    RecordDocumentUnarchive = "record:document:unarchive"
    RecordEmergency = "record:emergency:declare"
    RecordEmergencyEnd = "record:emergency:end"
    RecordExport = "record:export:request"
    RecordExportBuild = "record:export:build"
    RecordExportDownload = "record:export:download"
    RecordExtendedRightsGrant = "record:extended-rights:grant"
    RecordExtendedRightsRevoke = "record:extended-rights:revoke"
    RecordHistoryRead = "record:history:read"
    RecordPreferences = "record:preferences:update"
    RecordProfileCreate = "record:profile:create"
    RecordProfileDelete = "record:profile:delete"
    RecordProfileMask = "record:profile:mask"
    RecordProfileRead = "record:profile:read"
    RecordProfileSummary = "record:profile:summary"
    RecordProfileUpdate = "record:profile:update"
    RecordPurge = "record:record:purge"
    RecordRectificationAnswer = "record:rectification:answer"
    RecordRectificationRead = "record:rectification:read"
    RecordRectificationRequest = "record:rectification:request"
    RecordRegulation = "record:regulation:declare"
    RecordReopen = "record:record:reopen"
    RecordRepresentativeAdd = "record:representative:add"
    RecordRepresentativeEnd = "record:representative:end"
    RecordRepresentativeInvite = "record:representative:invite"
    RecordStatusRead = "record:status:read"
    RecordTreatingDoctor = "record:treating-doctor:designate"
    RecordTrustedPersonCosign = "record:trusted-person:cosign"
    RecordTrustedPersonDecline = "record:trusted-person:decline"
    RecordTrustedPersonDesignate = "record:trusted-person:designate"
    RecordTrustedPersonInvite = "record:trusted-person:invite"
    RecordTrustedPersonRead = "record:trusted-person:read"
    RecordTrustedPersonRevoke = "record:trusted-person:revoke"
    RecordUnblock = "record:block:remove"
    RecordVaccinationCreate = "record:vaccination:create"
    RecordVaccinationDelete = "record:vaccination:delete"
    RecordVaccinationMask = "record:vaccination:mask"
    RecordVaccinationRead = "record:vaccination:read"
    RecordVaccinationReminder = "record:vaccination:reminder"
    RecordVaccinationUpdate = "record:vaccination:update"


class Outcome(enum.StrEnum):
    success = "success"
    failure = "failure"


def chain_for_patient(patient_id: object) -> str:
    return f"patient:{patient_id}"


def chain_for_account(account_id: object) -> str:
    return f"account:{account_id}"


SECURITY_CHAIN = "security"  # events without a known subject (failed logins on unknown identifiers)


@dataclass(frozen=True)
class AuditEntry:
    chain: str
    seq: int
    occurred_at: dt.datetime
    action: str
    outcome: str
    actor_account_id: str | None
    actor_label: str | None
    patient_id: str | None
    target: str | None
    channel: str | None
    ip: str | None
    request_id: str | None
    details: Mapping[str, Any]
    prev_hash: str

    def canonical(self) -> bytes:
        body = {
            "chain": self.chain,
            "seq": self.seq,
            "occurred_at": timestamp(self.occurred_at),
            "action": self.action,
            "outcome": self.outcome,
            "actor_account_id": self.actor_account_id,
            "actor_label": self.actor_label,
            "patient_id": self.patient_id,
            "target": self.target,
            "channel": self.channel,
            "ip": self.ip,
            "request_id": self.request_id,
            "details": dict(self.details),
            "prev_hash": self.prev_hash,
        }
        return canonical_json(body).encode()

    def compute_hash(self) -> str:
        return hashlib.sha256(self.canonical()).hexdigest()


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def timestamp(moment: dt.datetime) -> str:
    if moment.tzinfo is None:
        raise ValueError("audit timestamps must be timezone-aware")
    return moment.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


@dataclass(frozen=True)
class ChainBreak:
    chain: str
    seq: int | None
    entry_id: int | None
    reason: str

    def __str__(self) -> str:
        where = f"entry id {self.entry_id} (seq {self.seq})" if self.entry_id else f"seq {self.seq}"
        return f"chain {self.chain!r}: {where}: {self.reason}"


def verify_chain(
    chain: str,
    entries: Iterable[tuple[int, AuditEntry, str]],
    head: tuple[int, str] | None,
) -> ChainBreak | None:
    """Check one chain; ``entries`` are ``(row id, entry, stored hash)`` in sequence order.

    Returns the first break, or ``None`` if the chain is intact and ends at its recorded head.
    """
    expected_prev = GENESIS_HASH
    expected_seq = 1
    for entry_id, entry, stored_hash in entries:
        if entry.seq != expected_seq:
            return ChainBreak(
                chain, expected_seq, entry_id, f"sequence jumps to {entry.seq} (entry missing)"
            )
        if entry.prev_hash != expected_prev:
            return ChainBreak(chain, entry.seq, entry_id, "previous-hash link does not match")
        if entry.compute_hash() != stored_hash:
            return ChainBreak(chain, entry.seq, entry_id, "content does not match its hash")
        expected_prev = stored_hash
        expected_seq += 1
    last_seq = expected_seq - 1
    if head is None:
        if last_seq:
            return ChainBreak(chain, last_seq, None, "chain head is missing")
        return None
    head_seq, head_hash = head
    if head_seq != last_seq:
        return ChainBreak(
            chain, last_seq + 1, None, f"head records {head_seq} entries, found {last_seq}"
        )
    if head_hash != expected_prev:
        return ChainBreak(chain, last_seq, None, "head hash does not match the last entry")
    return None
