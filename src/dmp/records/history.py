"""The "Historique des accès": who did what to the record, when, and on what grounds."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Collection
from dataclasses import dataclass

from sqlalchemy import and_, func, not_, or_, select
from sqlalchemy.orm import Session

from dmp.accounts.orm import AccountRow
from dmp.audit.model import AuditAction
from dmp.audit.orm import AuditEventRow
from dmp.identity.model import PROFESSIONS, SPECIALTIES
from dmp.identity.orm import (
    OrganisationRow,
    ProfessionalOrganisationRow,
    ProfessionalRow,
)
from dmp.shared.errors import N_

# What the holder sees in the history, and how it is worded.
ACTION_LABELS: dict[str, str] = {
    AuditAction.RecordCreate: N_("a ouvert le dossier"),
    AuditAction.RecordClose: N_("a fermé le dossier"),
    AuditAction.RecordReopen: N_("a rouvert le dossier"),
    AuditAction.RecordDeletionRequest: N_("a demandé la suppression du dossier"),
    AuditAction.RecordPurge: N_("a supprimé les données du dossier"),
    AuditAction.RecordRectificationRequest: N_("a demandé la rectification d'une information"),
    AuditAction.RecordRectificationAnswer: N_("a répondu à une demande de rectification"),
    AuditAction.RecordConsentChange: N_("a changé un consentement ou une opposition"),
    AuditAction.RecordConsentRead: N_("a consulté les consentements"),
    AuditAction.RecordRectificationRead: N_("a consulté les demandes de rectification"),
    AuditAction.RecordDocumentList: N_("a consulté la liste des documents"),
    AuditAction.RecordDocumentRead: N_("a ouvert un document"),
    AuditAction.RecordDocumentCreate: N_("a ajouté un document"),
    AuditAction.RecordDocumentReplace: N_("a remplacé un document"),
    AuditAction.RecordDocumentArchive: N_("a archivé un document"),
    AuditAction.RecordDocumentUnarchive: N_("a désarchivé un document"),
    AuditAction.RecordDocumentDelete: N_("a supprimé un document"),
    AuditAction.RecordDocumentFlags: N_("a changé la visibilité d'un document"),
    AuditAction.RecordDocumentMask: N_("a masqué ou démasqué un document"),
    AuditAction.RecordAnnouncement: N_("a enregistré une consultation d'annonce"),
    AuditAction.RecordAuthorisationGrant: N_("a autorisé un professionnel"),
    AuditAction.RecordAuthorisationRevoke: N_("a retiré l'autorisation d'un professionnel"),
    AuditAction.RecordBlock: N_("a bloqué un professionnel"),
    AuditAction.RecordUnblock: N_("a débloqué un professionnel"),
    AuditAction.RecordTreatingDoctor: N_("a désigné le médecin traitant"),
    AuditAction.RecordExtendedRightsGrant: N_("a donné des droits étendus à un professionnel"),
    AuditAction.RecordExtendedRightsRevoke: N_("a retiré des droits étendus"),
    AuditAction.RecordPreferences: N_("a changé les préférences du dossier"),
    AuditAction.RecordEmergency: N_("a déclaré un accès d'urgence (bris de glace)"),
    AuditAction.RecordEmergencyEnd: N_("a mis fin à son accès d'urgence"),
    AuditAction.RecordExport: N_("a demandé une copie des données du dossier"),
    AuditAction.RecordExportDownload: N_("a téléchargé une copie des données du dossier"),
    AuditAction.RecordRegulation: N_("a accédé au dossier depuis le centre de régulation (SAMU)"),
    AuditAction.RecordHistoryRead: N_("a consulté l'historique des accès"),
    AuditAction.RecordProfileRead: N_("a consulté le profil médical"),
    AuditAction.RecordProfileCreate: N_("a ajouté une information au profil médical"),
    AuditAction.RecordProfileUpdate: N_("a modifié une information du profil médical"),
    AuditAction.RecordProfileDelete: N_("a supprimé une information du profil médical"),
    AuditAction.RecordProfileMask: N_("a masqué ou démasqué une information du profil médical"),
    AuditAction.RecordProfileSummary: N_("a produit la synthèse du profil médical"),
    AuditAction.RecordVaccinationRead: N_("a consulté les vaccinations"),
    AuditAction.RecordVaccinationCreate: N_("a enregistré une vaccination"),
    AuditAction.RecordVaccinationUpdate: N_("a corrigé une vaccination"),
    AuditAction.RecordVaccinationDelete: N_("a supprimé une vaccination"),
    AuditAction.RecordVaccinationMask: N_("a masqué ou démasqué une vaccination"),
    AuditAction.RecordVaccinationReminder: N_("a envoyé un rappel de vaccination"),
    AuditAction.RecordRepresentativeAdd: N_("a rattaché un représentant légal"),
    AuditAction.RecordRepresentativeInvite: N_("a invité un second représentant légal"),
    AuditAction.RecordRepresentativeEnd: N_("a mis fin à l'accès des représentants légaux"),
    AuditAction.RecordDelegateAdd: N_("a désigné un délégué"),
    AuditAction.RecordDelegateRevoke: N_("a révoqué un délégué"),
    AuditAction.RecordTrustedPersonDesignate: N_("a désigné une personne de confiance"),
    AuditAction.RecordTrustedPersonInvite: N_(
        "a envoyé une nouvelle invitation à la personne de confiance"
    ),
    AuditAction.RecordTrustedPersonCosign: N_(
        "a co-signé sa désignation comme personne de confiance"
    ),
    AuditAction.RecordTrustedPersonDecline: N_(
        "a refusé sa désignation comme personne de confiance"
    ),
    AuditAction.RecordTrustedPersonRevoke: N_("a révoqué la personne de confiance"),
    AuditAction.RecordTrustedPersonRead: N_("a consulté la personne de confiance"),
    AuditAction.RecordDirectivesRead: N_("a consulté les directives anticipées"),
    AuditAction.RecordDirectivesSign: N_("a signé des directives anticipées"),
    AuditAction.RecordDirectivesRevoke: N_("a révoqué les directives anticipées"),
    AuditAction.RecordDirectivesReminder: N_("a envoyé le rappel des directives anticipées"),
    AuditAction.RecordBloodGroupRead: N_("a consulté la carte de groupe sanguin"),
    AuditAction.RecordBloodGroupUpdate: N_("a enregistré la carte de groupe sanguin"),
    AuditAction.RecordBloodGroupDelete: N_("a supprimé la carte de groupe sanguin"),
    AuditAction.RecordBloodGroupMask: N_("a masqué ou démasqué la carte de groupe sanguin"),
    AuditAction.RecordBloodGroupCard: N_("a imprimé la carte de groupe sanguin"),
    AuditAction.RecordBloodGroupVerify: N_(
        "a vérifié la carte de groupe sanguin imprimée (code QR scanné)"
    ),
}

# Reading actions: reported when someone else reads, not when the holder (or a representative)
# reads their own record.
READS = (
    AuditAction.RecordTrustedPersonRead,
    AuditAction.RecordDocumentList,
    AuditAction.RecordDocumentRead,
    AuditAction.RecordProfileRead,
    AuditAction.RecordVaccinationRead,
    AuditAction.RecordDirectivesRead,
    AuditAction.RecordBloodGroupRead,
    AuditAction.RecordBloodGroupCard,
    AuditAction.RecordConsentRead,
    AuditAction.RecordRectificationRead,
)

MODE_LABELS: dict[str, str] = {
    "holder": N_("titulaire"),
    "representative": N_("représentant légal"),
    "delegate": N_("délégué"),
    "registrar": N_("professionnel ou opérateur (inscription)"),
    "authorised": N_("professionnel autorisé"),
    "treating-doctor": N_("médecin traitant"),
    "extended-rights": N_("droits du médecin traitant"),
    "emergency": N_("urgence (bris de glace)"),
    "regulation": N_("centre de régulation"),
    "system": N_("traitement automatique"),
    "author": N_("auteur de l'information"),
    "operator": N_("équipe d'exploitation de la plateforme"),
    "designee": N_("personne de confiance désignée"),
}


@dataclass(frozen=True)
class HistoryEntry:
    id: int
    occurred_at: dt.datetime
    action: str
    mode: str
    who: str
    profession: str | None
    specialty: str | None
    organisation: str | None
    target: str | None
    reason: str | None
    professional_id: uuid.UUID | None


def history(
    session: Session,
    patient_id: uuid.UUID,
    *,
    since: dt.datetime | None = None,
    until: dt.datetime | None = None,
    mode: str | None = None,
    professionals_only: bool = False,
    limit: int = 50,
    offset: int = 0,
    hidden_ids: Collection[str] = (),
) -> tuple[list[HistoryEntry], int]:
    """Entries for one record, newest first, with the actor's name and organisation.

    ``hidden_ids``: documents and items the reader may not know of (a minor's confidential
    care, for a legal representative): entries about them are left out."""
    conditions = [
        AuditEventRow.patient_id == patient_id,
        AuditEventRow.action.in_(list(ACTION_LABELS)),
    ]
    if since is not None:
        conditions.append(AuditEventRow.occurred_at >= since)
    if until is not None:
        conditions.append(AuditEventRow.occurred_at < until)
    # The holder's own reading is not an access to report to the holder.
    conditions.append(
        not_(
            and_(
                AuditEventRow.action.in_([action.value for action in READS]),
                or_(
                    AuditEventRow.details.contains('"mode":"holder"'),
                    AuditEventRow.details.contains('"mode":"representative"'),
                    AuditEventRow.details.contains('"mode":"delegate"'),
                ),
            )
        )
    )
    if hidden_ids:
        conditions.append(
            not_(or_(*(AuditEventRow.target.endswith(f"/{hidden}") for hidden in hidden_ids)))
        )
    if mode:
        # details is canonical JSON (sorted keys, no spaces), so this match is exact.
        conditions.append(
            AuditEventRow.details.contains(json.dumps({"mode": mode})[1:-1].replace(" ", ""))
        )
    query = select(AuditEventRow).where(*conditions)
    if professionals_only:
        query = query.join(AccountRow, AccountRow.id == AuditEventRow.actor_account_id).where(
            AccountRow.professional_id.is_not(None)
        )
    total = session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = session.scalars(
        query.order_by(AuditEventRow.occurred_at.desc(), AuditEventRow.id.desc())
        .limit(max(1, min(limit, 200)))
        .offset(max(0, offset))
    ).all()
    people: dict[
        uuid.UUID | None, tuple[str, str | None, str | None, str | None, uuid.UUID | None]
    ] = {}
    entries: list[HistoryEntry] = []
    for row in rows:
        details = json.loads(row.details or "{}")
        if row.actor_account_id not in people:
            people[row.actor_account_id] = _person(session, row.actor_account_id)
        who, profession, specialty, organisation, professional_id = people[row.actor_account_id]
        if row.actor_account_id is None and row.actor_label:
            who = row.actor_label  # someone without an account (a designee co-signing)
        entries.append(
            HistoryEntry(
                id=row.id,
                occurred_at=row.occurred_at,
                action=row.action,
                mode=str(details.get("mode", "")),
                who=who,
                profession=profession,
                specialty=specialty,
                organisation=organisation,
                target=row.target,
                reason=details.get("reason")
                if row.action in (AuditAction.RecordEmergency, AuditAction.RecordRegulation)
                else None,
                professional_id=professional_id,
            )
        )
    return entries, int(total)


def _person(
    session: Session, account_id: uuid.UUID | None
) -> tuple[str, str | None, str | None, str | None, uuid.UUID | None]:
    if account_id is None:
        return ("dmp", None, None, None, None)
    account = session.get(AccountRow, account_id)
    if account is None:
        return ("?", None, None, None, None)
    if account.professional_id is None:
        return (account.display_name, None, None, None, None)
    professional = session.get(ProfessionalRow, account.professional_id)
    if professional is None:
        return (account.display_name, None, None, None, None)
    organisation = session.scalars(
        select(OrganisationRow.name)
        .join(
            ProfessionalOrganisationRow,
            ProfessionalOrganisationRow.organisation_id == OrganisationRow.id,
        )
        .where(ProfessionalOrganisationRow.professional_id == professional.id)
    ).first()
    return (
        account.display_name,
        PROFESSIONS.get(professional.profession_code),
        SPECIALTIES.get(professional.specialty_code or ""),
        organisation,
        professional.id,
    )
