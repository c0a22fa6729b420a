"""What every record route shares: building the request's Access, storage, status answers."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated, Any, Literal

from fastapi import Depends
from pydantic import BaseModel, ConfigDict, Field

from dmp.access import services as access_services
from dmp.access.policy import Action
from dmp.access.services import Access
from dmp.api.auth import PROBLEM
from dmp.api.dependencies import ActorDep, ApiActor, ContainerDep, DbDep
from dmp.container import Container
from dmp.identity.orm import PatientRow
from dmp.records import documents
from dmp.shared.errors import N_, InvalidInput

ERRORS: dict[int | str, dict[str, Any]] = dict.fromkeys((401, 403, 404, 409, 412, 422), PROBLEM)
READ_CHUNK = 64 * 1024


def access_for(container: Container, db: Any, actor: ApiActor, patient_id: uuid.UUID) -> Access:
    return Access(db, container.settings, container.clock, actor.ctx, actor.account, patient_id)


def get_access(
    patient_id: uuid.UUID, actor: ActorDep, container: ContainerDep, db: DbDep
) -> Access:
    """The Access for the record named in the path: who acts, on whose record."""
    return access_for(container, db, actor, patient_id)


AccessDep = Annotated[Access, Depends(get_access)]


def if_match_version(value: str | None) -> int | None:
    """The version an ``If-Match`` header names (``"3"``, ``W/"3"`` or ``3``), if any."""
    if not value:
        return None
    text = value.strip().removeprefix("W/").strip('"')
    if not text.isdigit():
        raise InvalidInput.single("If-Match", "etag", N_("En-tête If-Match invalide."))
    return int(text)


def storage(container: Container) -> documents.Storage:
    return documents.Storage(
        blobs=container.blobs,
        keks=container.keks,
        max_bytes=container.settings.max_document_mb * 1024 * 1024,
    )


class RecordStatusOut(BaseModel):
    patient_id: str
    display_name: str
    identity_status: str
    record_status: Literal["open", "closed"] | None
    my_access: str | None = Field(description="On what grounds the caller may read, if any")
    authorised: bool
    blocked: bool
    emergency_until: dt.datetime | None = None


def status_out(access: Access, patient: PatientRow) -> RecordStatusOut:
    facts = access.facts
    professional = access.actor.professional_id
    listing = access.decide(Action.documents_list)
    live = access_services.live_emergency(access)
    return RecordStatusOut(
        patient_id=str(patient.id),
        display_name=patient.display_name,
        identity_status=patient.identity_status,
        record_status=facts.status.value if facts.status else None,
        my_access=listing.mode.value if listing.allowed and listing.mode else None,
        authorised=professional in facts.authorised if professional else False,
        blocked=professional in facts.blocked if professional else False,
        emergency_until=live.expires_at if live else None,
    )


class MaskIn(BaseModel):
    """Body of every ``…/masked`` endpoint: the patient's side hides an item from professionals
    (``true``) or shows it again."""

    model_config = ConfigDict(extra="forbid")

    masked: bool
