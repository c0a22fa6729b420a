"""Demo records: Camille's and Léo's DMPs with a few documents, filed through the real
services (so they are encrypted, audited and visible exactly as real ones would be)."""

from __future__ import annotations

import datetime as dt
import zlib

from sqlalchemy.orm import Session

from dmp import demo
from dmp.access import services as access_services
from dmp.access.services import Access
from dmp.accounts.orm import AccountRow
from dmp.accounts.queries import account_by_email
from dmp.bloodgroup import services as blood_group
from dmp.bloodgroup.model import BloodGroupInput
from dmp.config import Settings
from dmp.identity import services as identity_services
from dmp.records import documents, lifecycle
from dmp.records.orm import RecordRow
from dmp.shared.clock import Clock
from dmp.shared.context import RequestContext

CTX = RequestContext(channel="cli", user_agent="dmp demo")


def simple_pdf(title: str, lines: list[str]) -> bytes:
    """A one-page PDF with a title and lines of text (Helvetica, WinAnsi), no dependency."""

    def escape(text: str) -> str:
        return text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)")

    body = ["BT /F1 16 Tf 56 780 Td (" + escape(title) + ") Tj ET"]
    y = 750
    for line in lines:
        body.append(f"BT /F1 11 Tf 56 {y} Td (" + escape(line) + ") Tj ET")
        y -= 16
    stream = zlib.compress("\n".join(body).encode("cp1252", errors="replace"))
    objects = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>",
        b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents 4 0 R"
        b" /Resources << /Font << /F1 5 0 R >> >> >>",
        b"<< /Length %d /Filter /FlateDecode >>\nstream\n" % len(stream) + stream + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
    ]
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, obj in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + obj + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    return bytes(out)


def _access(
    session: Session, settings: Settings, clock: Clock, email: str, patient_id: object
) -> Access:
    account = account_by_email(session, email)
    assert isinstance(account, AccountRow)
    assert account.patient_id is not None or account.professional_id is not None
    import uuid

    assert isinstance(patient_id, uuid.UUID)
    return Access(session, settings, clock, CTX, account, patient_id)


def _file(
    access: Access, storage: documents.Storage, data: documents.DocumentInput, content: bytes
) -> None:
    documents.file_document(access, storage, data, [content])


def seed_records(
    session: Session, settings: Settings, clock: Clock, storage: documents.Storage
) -> list[str]:
    """Create the demo records once; returns what was created (empty on a second run)."""
    camille = identity_services.patient_by_matricule(session, demo.CAMILLE_NIR)
    leo = identity_services.patient_by_matricule(session, demo.LEO_NIR)
    if camille is None or leo is None or session.get(RecordRow, camille.id) is not None:
        return []
    now = clock.now()
    bernard = _access(session, settings, clock, demo.BERNARD.email, camille.id)
    lifecycle.create(bernard, consent_method="oral")
    holder = _access(session, settings, clock, demo.CAMILLE.email, camille.id)
    assert bernard.actor.professional_id is not None
    access_services.designate_treating_doctor(holder, bernard.actor.professional_id)
    bernard.refresh()
    _file(
        bernard,
        storage,
        documents.DocumentInput(
            title="Consultation de suivi",
            type_code="11488-4",
            mime_type="application/pdf",
            facility_type_code="SA07",
            service_start=now - dt.timedelta(days=40),
            creation_time=now - dt.timedelta(days=40),
        ),
        simple_pdf(
            "Compte rendu de consultation",
            [
                "Patiente : Camille MARTIN, nee le 27/03/1985.",
                "Motif : consultation de suivi annuelle.",
                "Examen clinique sans particularite. TA 12/8.",
                "Conduite a tenir : bilan biologique de controle.",
                "Dr Claire Bernard, medecine generale.",
            ],
        ),
    )
    _file(
        bernard,
        storage,
        documents.DocumentInput(
            title="Bilan biologique",
            type_code="11502-2",
            mime_type="text/plain",
            facility_type_code="SA07",
            service_start=now - dt.timedelta(days=30),
            creation_time=now - dt.timedelta(days=30),
        ),
        "Hémogramme : normal.\nGlycémie à jeun : 0,92 g/L (normale : 0,70 à 1,10).\n"
        "Cholestérol LDL : 1,15 g/L.\n".encode(),
    )
    # Her blood-group card, copied by Dr Bernard from the laboratory's result: verified.
    lab_day = (now - dt.timedelta(days=30)).date()
    blood_group.record(
        bernard,
        BloodGroupInput(
            abo="A",
            rhd="positive",
            source=None,
            big_c=True,
            little_c=True,
            big_e=False,
            little_e=True,
            kell=False,
            rai_date=lab_day,
            rai_result="negative",
            laboratory="Laboratoire de biologie médicale Paris Nation",
            biologist="Dr Sophie Lambert",
            first_determination=lab_day,
        ),
    )
    petit = _access(session, settings, clock, demo.PETIT.email, camille.id)
    access_services.record_consent(petit, care_team=False)
    petit.refresh()
    _file(
        petit,
        storage,
        documents.DocumentInput(
            title="Consultation de cardiologie",
            type_code="11488-4",
            mime_type="application/pdf",
            facility_type_code="SA05",
            service_start=now - dt.timedelta(days=10),
            creation_time=now - dt.timedelta(days=10),
        ),
        simple_pdf(
            "Consultation de cardiologie",
            [
                "Patiente adressee par le Dr Bernard pour palpitations.",
                "ECG : rythme sinusal regulier. Echographie cardiaque normale.",
                "Pas de traitement. Controle dans un an.",
                "Dr Julien Petit, cardiologie.",
            ],
        ),
    )
    holder.refresh()
    _file(
        holder,
        storage,
        documents.DocumentInput(
            title="Mes antécédents familiaux",
            type_code="DOCPAT01",
            mime_type="text/plain",
        ),
        "Père : hypertension artérielle. Mère : asthme.\n".encode(),
    )
    # Léo's record, opened by his doctor; Camille sees it as his legal representative.
    for_leo = _access(session, settings, clock, demo.BERNARD.email, leo.id)
    lifecycle.create(for_leo, consent_method="oral")
    _file(
        for_leo,
        storage,
        documents.DocumentInput(
            title="Certificat de vaccination",
            type_code="87273-9",
            mime_type="text/plain",
            facility_type_code="SA07",
            service_start=now - dt.timedelta(days=90),
            creation_time=now - dt.timedelta(days=90),
        ),
        (
            "Vaccins à jour selon le calendrier vaccinal : DTCaP-Hib-HepB, pneumocoque, ROR,"
            " méningocoques.\n"
        ).encode(),
    )
    return ["record of Camille Martin (4 documents)", "record of Léo Martin (1 document)"]
