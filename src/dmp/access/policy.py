"""The DMP access rules (DOMAIN.md §1), as one pure function.

``decide(actor, action, record, document)`` answers every question the doors ask; the same
rules also produce a :class:`DocumentFilter`, which the repository turns into query conditions
so that nothing the caller may not see is ever loaded. No I/O here: the caller gathers the
facts (:class:`RecordFacts`, :class:`DocumentFacts`) and this module judges them.

Sources, in short (see DOMAIN.md §1 for the full references):

* a professional reads only with the holder's authorisation, or as médecin traitant, or with
  the same rights granted by the holder; a blocked professional is refused even if authorised;
  feeding needs authorisation and no block (L1111-17, R1111-46/47, TD0.2);
* the médecin traitant, and professionals given the same rights, see everything, masked
  documents included (L1111-16); a masked document stays visible to its author (R1111-49);
* a document invisible to the patient becomes visible after an announcement consultation, or
  automatically after one month (R1111-53) — the caller passes the *effective* state;
* documents invisible to legal representatives are never shown to them (R1111-50), nor to
  the delegates of a protected adult; a read-only delegate lists and reads, never writes;
  a delegation outside its dates is not in the facts at all;
* bris de glace and SAMU regulation read without authorisation unless the holder opposed it,
  for a limited time; whether they see masked documents is a setting (DOMAIN.md §10 item 3);
* operators and support never read medical content.
"""

from __future__ import annotations

import enum
import uuid
from dataclasses import dataclass, field


class ActorKind(enum.StrEnum):
    patient = "patient"  # the holder, for their own record
    representative = "representative"  # a legal representative acting for the holder
    professional = "professional"
    operator = "operator"
    support = "support"
    system = "system"  # scheduled jobs and internal services


class Action(enum.StrEnum):
    record_status = "record:status:read"
    record_create = "record:record:create"
    record_close = "record:record:close"  # and reopen
    record_consent = "record:authorisation:record"  # a professional records the holder's consent
    sharing_manage = "record:sharing:manage"  # authorise, revoke, block, médecin traitant…
    history_read = "record:history:read"
    documents_list = "record:document:list"
    document_read = "record:document:read"
    document_create = "record:document:create"
    document_manage = "record:document:manage"  # replace, archive, delete, change its flags
    document_mask = "record:document:mask"  # the holder hides it from professionals, or not
    announcement_record = "record:announcement:record"
    emergency_declare = "record:emergency:declare"
    regulation_declare = "record:regulation:declare"


class Mode(enum.StrEnum):
    """On what grounds access was given; recorded with every audited access."""

    holder = "holder"
    representative = "representative"
    delegate = "delegate"  # for a protected adult, within the delegation's scope and dates
    authorised = "authorised"
    treating_doctor = "treating-doctor"
    extended_rights = "extended-rights"
    emergency = "emergency"
    regulation = "regulation"
    system = "system"


class RecordStatus(enum.StrEnum):
    open = "open"
    closed = "closed"


class DocumentStatus(enum.StrEnum):
    approved = "approved"
    deprecated = "deprecated"  # replaced by a newer version
    archived = "archived"
    deleted = "deleted"  # logically deleted by its author (dépublié)


@dataclass(frozen=True)
class PolicySettings:
    emergency_sees_masked: bool = False


@dataclass(frozen=True)
class Actor:
    kind: ActorKind
    account_id: uuid.UUID | None = None
    # patient: the holder's own patient id; representative: the representative's patient id.
    patient_id: uuid.UUID | None = None
    professional_id: uuid.UUID | None = None
    is_regulator: bool = False  # médecin régulateur of a centre 15


@dataclass(frozen=True)
class RecordFacts:
    """What the policy needs to know about one patient's record, at the time of the request."""

    patient_id: uuid.UUID
    status: RecordStatus | None  # None: no DMP for this patient
    authorised: frozenset[uuid.UUID] = field(default_factory=frozenset)
    blocked: frozenset[uuid.UUID] = field(default_factory=frozenset)
    treating_doctor: uuid.UUID | None = None
    extended_rights: frozenset[uuid.UUID] = field(default_factory=frozenset)
    representatives: frozenset[uuid.UUID] = field(default_factory=frozenset)
    # Delegates in force today (their patient ids): "manage" ones act as a representative
    # does; "read" ones list and read only.
    delegates: frozenset[uuid.UUID] = field(default_factory=frozenset)
    read_only_delegates: frozenset[uuid.UUID] = field(default_factory=frozenset)
    emergency_opposed: bool = False
    regulation_opposed: bool = False
    emergency_access: frozenset[uuid.UUID] = field(default_factory=frozenset)  # live now
    regulation_access: frozenset[uuid.UUID] = field(default_factory=frozenset)  # live now


@dataclass(frozen=True)
class DocumentFacts:
    status: DocumentStatus
    author_professional_id: uuid.UUID | None = None
    author_patient_id: uuid.UUID | None = None
    masked: bool = False  # MASQUE_PS
    invisible_to_patient: bool = False  # INVISIBLE_PATIENT, still in force now
    invisible_to_representatives: bool = False  # INVISIBLE_REPRESENTANTS_LEGAUX


@dataclass(frozen=True)
class Decision:
    allowed: bool
    mode: Mode | None = None
    reason: str = ""

    def __bool__(self) -> bool:
        return self.allowed


def _deny(reason: str) -> Decision:
    return Decision(False, None, reason)


@dataclass(frozen=True)
class DocumentFilter:
    """Which documents of one record an actor may see, as conditions a query can apply.

    ``allowed`` false means none at all. Otherwise a document is visible when its status is in
    ``statuses`` and: not masked, unless ``masked_visible`` or the actor is its author
    (``author_professional_id``); not invisible to the patient if ``hide_invisible_to_patient``;
    not invisible to representatives if ``hide_invisible_to_representatives``.
    """

    allowed: bool
    mode: Mode | None = None
    masked_visible: bool = True
    author_professional_id: uuid.UUID | None = None
    hide_invisible_to_patient: bool = False
    hide_invisible_to_representatives: bool = False
    statuses: frozenset[DocumentStatus] = frozenset(
        {DocumentStatus.approved, DocumentStatus.deprecated, DocumentStatus.archived}
    )

    def admits(self, document: DocumentFacts) -> bool:
        """The same rule in Python, for one document (used by decide and by the tests)."""
        if not self.allowed or document.status not in self.statuses:
            return False
        if (
            document.masked
            and not self.masked_visible
            and (
                self.author_professional_id is None
                or document.author_professional_id != self.author_professional_id
            )
        ):
            return False
        if self.hide_invisible_to_patient and document.invisible_to_patient:
            return False
        return not (
            self.hide_invisible_to_representatives and document.invisible_to_representatives
        )


NO_DOCUMENTS = DocumentFilter(allowed=False)


def professional_mode(actor: Actor, record: RecordFacts) -> Mode | None:
    """The grounds on which a professional may read this record now, if any."""
    professional = actor.professional_id
    if actor.kind is not ActorKind.professional or professional is None:
        return None
    if record.status is not RecordStatus.open or professional in record.blocked:
        return None
    if record.treating_doctor == professional:
        return Mode.treating_doctor
    if professional in record.extended_rights:
        return Mode.extended_rights
    if professional in record.authorised:
        return Mode.authorised
    if professional in record.emergency_access and not record.emergency_opposed:
        return Mode.emergency
    if (
        actor.is_regulator
        and professional in record.regulation_access
        and not record.regulation_opposed
    ):
        return Mode.regulation
    return None


def _holder_mode(actor: Actor, record: RecordFacts) -> Mode | None:
    if actor.kind is ActorKind.patient and actor.patient_id == record.patient_id:
        return Mode.holder
    if actor.kind is ActorKind.representative and actor.patient_id is not None:
        if actor.patient_id in record.representatives:
            return Mode.representative
        if actor.patient_id in record.delegates | record.read_only_delegates:
            return Mode.delegate
    return None


# What a read-only delegate may do: see the record, never change it.
READ_ACTIONS = frozenset(
    {Action.record_status, Action.history_read, Action.documents_list, Action.document_read}
)


def read_only(actor: Actor, record: RecordFacts) -> bool:
    """A delegate whose delegation only lets them read (and no wider link)."""
    return (
        actor.kind is ActorKind.representative
        and actor.patient_id in record.read_only_delegates
        and actor.patient_id not in record.representatives | record.delegates
    )


def document_filter(
    actor: Actor, record: RecordFacts, settings: PolicySettings = PolicySettings()
) -> DocumentFilter:
    """Which of this record's documents ``actor`` may list and open."""
    if record.status is None:
        return NO_DOCUMENTS
    if actor.kind is ActorKind.system:
        return DocumentFilter(True, Mode.system)
    holder = _holder_mode(actor, record)
    if holder is not None:
        if record.status is not RecordStatus.open:
            return NO_DOCUMENTS
        return DocumentFilter(
            True,
            holder,
            hide_invisible_to_patient=True,
            hide_invisible_to_representatives=holder in (Mode.representative, Mode.delegate),
        )
    mode = professional_mode(actor, record)
    if mode is None:
        return NO_DOCUMENTS
    sees_masked = mode in (Mode.treating_doctor, Mode.extended_rights) or (
        mode in (Mode.emergency, Mode.regulation) and settings.emergency_sees_masked
    )
    return DocumentFilter(
        True, mode, masked_visible=sees_masked, author_professional_id=actor.professional_id
    )


def decide(
    actor: Actor,
    action: Action,
    record: RecordFacts,
    document: DocumentFacts | None = None,
    settings: PolicySettings = PolicySettings(),
) -> Decision:
    """Whether ``actor`` may do ``action`` on ``record`` (and ``document`` where it applies)."""
    if actor.kind is ActorKind.system:
        return Decision(True, Mode.system, "system")
    if actor.kind in (ActorKind.operator, ActorKind.support):
        return _deny("platform staff never reach medical content")
    holder = _holder_mode(actor, record)
    if holder is Mode.delegate and action not in READ_ACTIONS and read_only(actor, record):
        return _deny("a read-only delegate never changes the record")
    is_professional = actor.kind is ActorKind.professional and actor.professional_id is not None
    blocked = is_professional and actor.professional_id in record.blocked
    exists = record.status is not None
    is_open = record.status is RecordStatus.open

    if action is Action.record_status:
        if holder or is_professional:
            return Decision(True, holder or Mode.authorised, "status of the record")
        return _deny("not the holder's side nor a professional")

    if action is Action.record_create:
        if exists:
            return _deny("the record already exists")
        if holder or (is_professional and not blocked):
            return Decision(True, holder or Mode.authorised, "creation with consent")
        return _deny("only the holder or a professional with consent")

    if action in (Action.record_close, Action.sharing_manage):
        if holder is None or not exists:
            return _deny("only the holder or a legal representative")
        if action is Action.sharing_manage and not is_open:
            return _deny("the record is closed")
        return Decision(True, holder, "the holder's own choice")

    if action is Action.record_consent:
        if is_professional and is_open and not blocked:
            return Decision(True, Mode.authorised, "consent collected by the professional")
        return _deny("no open record, or the professional is blocked")

    if action in (Action.emergency_declare, Action.regulation_declare):
        if not is_professional or not is_open or blocked:
            return _deny("no open record, or the professional is blocked")
        if action is Action.emergency_declare:
            if record.emergency_opposed:
                return _deny("the holder opposed emergency access")
            return Decision(True, Mode.emergency, "bris de glace")
        if not actor.is_regulator:
            return _deny("only a médecin régulateur")
        if record.regulation_opposed:
            return _deny("the holder opposed access by the regulation centre")
        return Decision(True, Mode.regulation, "centre de régulation")

    if action is Action.history_read:
        if holder is not None:
            return Decision(True, holder, "the holder's access history")
        mode = professional_mode(actor, record)
        if mode is Mode.treating_doctor:
            return Decision(True, mode, "the médecin traitant sees the traces (R1111-43)")
        return _deny("the access history is for the holder and the médecin traitant")

    if action is Action.document_create:
        if not is_open:
            return _deny("no open record")
        if holder is not None:
            return Decision(True, holder, "a document added by the holder's side")
        mode = professional_mode(actor, record)
        if mode in (Mode.authorised, Mode.treating_doctor, Mode.extended_rights):
            return Decision(True, mode, "feeding by an authorised professional")
        return _deny("feeding needs an authorised, unblocked professional")

    filter_ = document_filter(actor, record, settings)
    if action is Action.documents_list:
        return Decision(filter_.allowed, filter_.mode, "documents the actor may see")
    if document is None:
        raise ValueError(f"{action} needs a document")
    visible = filter_.admits(document)

    if action is Action.document_read:
        return Decision(visible, filter_.mode if visible else None, "document visibility")

    if action is Action.document_mask:
        # Only what the holder's side can see: masking must not reveal a hidden document.
        if holder is not None and visible:
            return Decision(True, holder, "the holder masks or unmasks")
        return _deny("only the holder's side masks documents")

    if action is Action.announcement_record:
        if (
            visible
            and is_professional
            and filter_.mode
            in (
                Mode.authorised,
                Mode.treating_doctor,
                Mode.extended_rights,
            )
        ):
            return Decision(True, filter_.mode, "announcement consultation")
        return _deny("the announcement is recorded by a professional who sees the document")

    if action is Action.document_manage:
        if not is_open or document.status is DocumentStatus.deleted:
            return _deny("no open record, or the document is deleted")
        if holder is not None and document.author_patient_id is not None:
            # The holder manages documents the holder's side added, nothing else.
            return Decision(True, holder, "the holder's own document")
        if (
            is_professional
            and document.author_professional_id == actor.professional_id
            and professional_mode(actor, record)
            in (Mode.authorised, Mode.treating_doctor, Mode.extended_rights)
        ):
            return Decision(True, professional_mode(actor, record), "the author's own document")
        return _deny("only the author manages a document")

    raise ValueError(f"unknown action {action}")
