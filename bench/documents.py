"""Documents through the HTTP API, each beside the raw cost of the same work.

* ingest: POST /api/v1/patients/{id}/documents (multipart: metadata JSON and a 100 KB PDF):
  metadata validation, access policy, sniffing and hashing, AES-256-GCM segmented encryption,
  blob write (fsync), key wrapping, document row, audit entry, holder notice, JSON answer.
  Baseline: AES-256-GCM of the same bytes in memory, then one transaction inserting the same
  document row (same columns) and a plain audit row of the same shape.
* listing: GET /api/v1/patients/{id}/documents as the patient ("my documents", first page of
  20) with the whole population in the table. Baseline: the raw SQL for the same page.
* download: GET …/documents/{id}/content of 100 KB and 5 MB documents (decrypted, verified,
  streamed, audited). Baseline: one-shot AES-256-GCM decryption of the same bytes in memory.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import json
import os
import random
import threading
import time
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from rich.progress import Progress
from sqlalchemy import Engine, bindparam, create_engine, delete, event, insert, text
from sqlalchemy.types import Uuid

from bench import population
from bench.common import Result, console, cost, percentile, rate
from bench.env import Database, bench_settings, client, live_server
from dmp.accounts import tokens
from dmp.accounts.queries import account_by_email
from dmp.audit.model import AuditAction, canonical_json
from dmp.audit.orm import AuditEventRow
from dmp.container import Container, build_container
from dmp.db_migrate import upgrade
from dmp.records.documents import aad
from dmp.records.orm import DocumentRow
from dmp.shared.context import RequestContext
from dmp.shared.db import transaction

SMALL = 100 * 1024
LARGE = 5 * 1024 * 1024
MB = 1_000_000
PAGE = 20
CTX = RequestContext(ip="192.0.2.10", channel="api", user_agent="dmp bench")


@dataclass(frozen=True)
class Options:
    patients: int
    documents: int
    target_documents: int
    professionals: int
    ingest: int
    clients: int
    list_requests: int
    downloads: int
    large: int
    large_rounds: int
    seed: int


@dataclass(frozen=True)
class Filed:
    patient_id: str
    document_id: str
    size: int
    payload: int  # index of the uploaded bytes in the payload list


@dataclass
class Run:
    """The results, and what else the run saw: counts, durations, sanity checks."""

    backend: str
    results: list[Result] = field(default_factory=list)
    details: dict[str, Any] = field(default_factory=dict)


def pdf(size: int, seed: int) -> bytes:
    """A PDF-looking file of exactly ``size`` bytes: header, one image XObject whose stream is
    incompressible bytes (as in a scanned report), trailer. It passes the content sniffing."""
    tail = b"\nendstream\nendobj\ntrailer\n<< /Root 1 0 R >>\n%%EOF\n"
    head = (
        b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<< /Type /XObject /Subtype /Image /Width 1024"
        b" /Height 1024 /BitsPerComponent 8 /ColorSpace /DeviceGray /Filter /DCTDecode"
        b" /Length ########## >>\nstream\n"
    )
    body = size - len(head) - len(tail)
    rng = random.Random(seed)  # noqa: S311 (filler bytes, not secrets)
    head = head.replace(b"##########", b"%010d" % body)
    return head + rng.randbytes(body) + tail


def metadata(index: int) -> str:
    moment = dt.datetime.now(dt.UTC) - dt.timedelta(days=1, minutes=index)
    return json.dumps(
        {
            "title": "Compte rendu de consultation",
            "type_code": "11488-4",
            "facility_type_code": "SA07",
            "service_start": moment.isoformat(),
            "creation_time": moment.isoformat(),
            "comments": f"Synthèse du bilan n° {index}",
        }
    )


def api_token(container: Container, email: str) -> str:
    with transaction(container.sessions) as session:
        account = account_by_email(session, email)
        assert account is not None, email
        return tokens.issue(session, container.security, account=account, ctx=CTX).access_token


def raw_engine(database: Database) -> Engine:
    """A plain engine for the baselines: the driver, no application hooks (SQLite gets the same
    durability and integrity settings as the application's: WAL, synchronous=NORMAL, FKs)."""
    engine = create_engine(database.url)
    if database.backend == "sqlite":

        @event.listens_for(engine, "connect")
        def _pragmas(dbapi_connection: Any, _record: Any) -> None:
            cursor = dbapi_connection.cursor()
            cursor.execute("PRAGMA foreign_keys=ON")
            cursor.execute("PRAGMA busy_timeout=30000")
            cursor.execute("PRAGMA synchronous=NORMAL")
            cursor.close()

    return engine


# --- Ingest -------------------------------------------------------------------------------------


def file_documents(
    base_url: str,
    token: str,
    patients: Sequence[uuid.UUID],
    payloads: Sequence[bytes],
    count: int,
    clients: int,
    progress: Progress,
    description: str,
) -> tuple[list[Filed], list[float], float, float]:
    """``count`` uploads by ``clients`` concurrent keep-alive clients; returns what was filed,
    each request's latency, the wall time and the CPU time of this process (server and
    clients) in seconds."""
    task = progress.add_task(description, total=count)
    numbers = itertools.count()
    lock = threading.Lock()
    filed: list[Filed] = []
    latencies: list[float] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            with client(base_url, token) as http:
                while True:
                    with lock:
                        index = next(numbers)
                    if index >= count:
                        return
                    patient = patients[index % len(patients)]
                    payload = payloads[index % len(payloads)]
                    started = time.perf_counter()
                    response = http.post(
                        f"/api/v1/patients/{patient}/documents",
                        data={"metadata": metadata(index)},
                        files={"file": ("compte-rendu.pdf", payload, "application/pdf")},
                    )
                    elapsed = time.perf_counter() - started
                    if response.status_code != 201:
                        raise RuntimeError(
                            f"upload refused: {response.status_code} {response.text}"
                        )
                    body = response.json()
                    with lock:
                        latencies.append(elapsed)
                        filed.append(
                            Filed(str(patient), body["id"], body["size"], index % len(payloads))
                        )
                    progress.advance(task)
        except BaseException as exc:
            errors.append(exc)

    threads = [threading.Thread(target=work, name=f"bench-client-{n}") for n in range(clients)]
    cpu, wall = time.process_time(), time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    if errors:
        raise errors[0]
    return filed, latencies, wall, cpu


def raw_ingest(
    engine: Engine,
    pop: population.Population,
    payload: bytes,
    count: int,
    seed: int,
    kek_id: str,
    progress: Progress,
) -> tuple[float, float]:
    """The raw work of ``count`` uploads, one at a time: AES-256-GCM of the payload in memory,
    then one transaction inserting the same document row and an audit row of the same shape.
    The rows are built beforehand; the document rows are deleted afterwards. Returns (wall,
    CPU) seconds."""
    rng = random.Random(seed)  # noqa: S311 (synthetic data)
    builder = population._Documents(rng, kek_id)
    now = dt.datetime.now(dt.UTC)
    chain = f"bench-raw:{uuid.uuid4()}"
    documents, events = [], []
    for index in range(count):
        patient = pop.synthetic_patients[index % len(pop.synthetic_patients)]
        row = builder.row(patient, pop.professional, now)
        row.update(
            mime_type="application/pdf",
            format_code="urn:ihe:iti:xds-sd:pdf:2008",
            size=len(payload),
            status="approved",
        )
        documents.append(row)
        events.append(
            {
                "chain": chain,
                "seq": index + 1,
                "occurred_at": now,
                "action": str(AuditAction.RecordDocumentCreate),
                "outcome": "success",
                "actor_account_id": pop.professional.account_id,
                "actor_label": None,
                "patient_id": patient,
                "target": f"DocumentReference/{row['id']}",
                "channel": "api",
                "ip": CTX.ip,
                "request_id": uuid.uuid4().hex,
                "details": canonical_json(
                    {"mode": "authorised", "type": row["type_code"], "replaces": ""}
                ),
                "prev_hash": "0" * 64,
                "hash": hashlib.sha256(row["id"].bytes).hexdigest(),
            }
        )
    insert_document = insert(DocumentRow)
    insert_event = insert(AuditEventRow)
    task = progress.add_task("ingest baseline (raw)", total=count)
    cpu, wall = time.process_time(), time.perf_counter()
    for row, entry in zip(documents, events, strict=True):
        key, nonce = os.urandom(32), os.urandom(12)
        AESGCM(key).encrypt(nonce, payload, aad(row["patient_id"], row["id"]))
        with engine.begin() as connection:
            connection.execute(insert_document, row)
            connection.execute(insert_event, entry)
        progress.advance(task)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    with engine.begin() as connection:
        identifiers = [r["id"] for r in documents]
        connection.execute(delete(DocumentRow).where(DocumentRow.id.in_(identifiers)))
    # The audit rows stay: audit_events is append-only (a trigger refuses deletes). They are
    # in a chain of their own, which nothing reads.
    return wall, cpu


# --- Listing ------------------------------------------------------------------------------------


def list_documents(
    base_url: str, token: str, patient: uuid.UUID, count: int, progress: Progress
) -> tuple[list[float], dict[str, Any]]:
    path = f"/api/v1/patients/{patient}/documents"
    task = progress.add_task("my documents (HTTP)", total=count)
    latencies: list[float] = []
    with client(base_url, token) as http:
        first = http.get(path)
        if first.status_code != 200:
            raise RuntimeError(f"listing refused: {first.status_code} {first.text}")
        for _ in range(10):  # warm-up
            http.get(path)
        for _ in range(count):
            started = time.perf_counter()
            response = http.get(path)
            latencies.append(time.perf_counter() - started)
            if response.status_code != 200:
                raise RuntimeError(f"listing refused: {response.status_code} {response.text}")
            progress.advance(task)
    body: dict[str, Any] = first.json()
    return latencies, body


def raw_list(
    engine: Engine, patient: uuid.UUID, count: int, progress: Progress
) -> tuple[list[float], list[uuid.UUID]]:
    statement = text(
        "SELECT * FROM documents WHERE patient_id = :patient AND status = 'approved'"
        " ORDER BY submitted_at DESC, id LIMIT :page"
    ).bindparams(bindparam("patient", type_=Uuid()), bindparam("page", PAGE))
    task = progress.add_task("my documents (raw SQL)", total=count)
    latencies: list[float] = []
    page: list[uuid.UUID] = []
    for index in range(count + 10):
        started = time.perf_counter()
        with engine.connect() as connection:
            rows = connection.execute(statement, {"patient": patient}).all()
        elapsed = time.perf_counter() - started
        if index >= 10:  # the same warm-up as the HTTP side
            latencies.append(elapsed)
            progress.advance(task)
        page = [uuid.UUID(str(row.id)) for row in rows]
    return latencies, page


# --- Download -----------------------------------------------------------------------------------


def download(
    base_url: str,
    token: str,
    filed: Sequence[Filed],
    count: int,
    digests: Sequence[str],
    progress: Progress,
    description: str,
) -> tuple[int, float]:
    """``count`` downloads cycling over ``filed``; returns (bytes, seconds). Every document is
    first fetched once untimed and checked against the SHA-256 of what was uploaded."""
    task = progress.add_task(description, total=count)
    with client(base_url, token) as http:

        def url(item: Filed) -> str:
            return f"/api/v1/patients/{item.patient_id}/documents/{item.document_id}/content"

        for item in filed:
            response = http.get(url(item))
            if response.status_code != 200:
                raise RuntimeError(f"download refused: {response.status_code} {response.text}")
            digest = hashlib.sha256(response.content).hexdigest()
            if digest != digests[item.payload] or response.headers["x-content-sha256"] != digest:
                raise RuntimeError(f"document {item.document_id} came back altered")
        total = 0
        started = time.perf_counter()
        for index in range(count):
            item = filed[index % len(filed)]
            response = http.get(url(item))
            if response.status_code != 200 or len(response.content) != item.size:
                raise RuntimeError(f"download failed: {response.status_code}")
            total += len(response.content)
            progress.advance(task)
        return total, time.perf_counter() - started


def raw_decrypt(payload: bytes, count: int) -> tuple[int, float]:
    """One-shot AES-256-GCM decryption of ``payload`` (encrypted once), ``count`` times."""
    key, nonce, associated = os.urandom(32), os.urandom(12), b"dmp:document:bench"
    sealed = AESGCM(key).encrypt(nonce, payload, associated)
    started = time.perf_counter()
    for _ in range(count):
        AESGCM(key).decrypt(nonce, sealed, associated)
    return len(payload) * count, time.perf_counter() - started


# --- The run ------------------------------------------------------------------------------------


def run(database: Database, scratch: Path, options: Options, progress: Progress) -> Run:
    """Everything on one throwaway database; appends results to the returned Run."""
    settings = bench_settings(scratch / "documents-data", database.url)
    container = build_container(settings)
    outcome = Run(database.backend)
    raw = raw_engine(database)
    try:
        started = time.perf_counter()
        upgrade(container.engine)
        pop = population.build(
            container,
            population.Sizes(
                patients=options.patients,
                documents=options.documents,
                target_documents=options.target_documents,
                professionals=options.professionals,
            ),
            options.seed,
            progress,
        )
        if database.backend == "postgresql":
            with container.engine.connect().execution_options(
                isolation_level="AUTOCOMMIT"
            ) as connection:
                connection.execute(text("ANALYZE"))
        outcome.details["population"] = {
            **pop.counts,
            "seconds": round(time.perf_counter() - started, 1),
        }
        with live_server(settings, container) as base_url:
            outcome.results, measured = _measure(
                container, raw, base_url, pop, options, progress, database.backend
            )
        outcome.details.update(measured)
    finally:
        raw.dispose()
        container.dispose()
    return outcome


def _measure(
    container: Container,
    raw: Engine,
    base_url: str,
    pop: population.Population,
    options: Options,
    progress: Progress,
    backend: str,
) -> tuple[list[Result], dict[str, Any]]:
    results: list[Result] = []
    name = f"[{backend}]"
    professional = api_token(container, pop.professional_email)
    holder = api_token(container, pop.target_email)
    small = [pdf(SMALL, options.seed + n) for n in range(8)]
    small_digests = [hashlib.sha256(payload).hexdigest() for payload in small]
    patients = pop.synthetic_patients
    kek = container.keks.active

    # Ingest: a warm-up, then the measured uploads; then the raw work of as many.
    file_documents(base_url, professional, patients[-5:], small, 5, 1, progress, "warm-up")
    filed, latencies, wall, cpu = file_documents(
        base_url, professional, patients, small, options.ingest, options.clients, progress, "ingest"
    )
    raw_ingest(raw, pop, small[0], 5, options.seed + 1, kek, progress)  # warm-up
    raw_wall, raw_cpu = raw_ingest(
        raw, pop, small[0], options.ingest, options.seed + 2, kek, progress
    )
    results.append(
        rate(
            f"documents.ingest{name}",
            "documents/s",
            options.ingest / wall,
            options.ingest / raw_wall,
        )
    )
    results.append(
        cost(
            f"documents.ingest_cpu{name}",
            "ms CPU/document",
            cpu / options.ingest * 1000,
            raw_cpu / options.ingest * 1000,
        )
    )
    details: dict[str, Any] = {
        "ingest": {
            "uploads": options.ingest,
            "clients": options.clients,
            "latency_ms_p50": round(percentile(latencies, 50) * 1000, 2),
            "latency_ms_p95": round(percentile(latencies, 95) * 1000, 2),
            "wall_s": round(wall, 2),
            "baseline_wall_s": round(raw_wall, 2),
        }
    }

    # Listing: "my documents" for the target patient, with the whole population in the table.
    list_latencies, body = list_documents(
        base_url, holder, pop.target_patient_id, options.list_requests, progress
    )
    raw_latencies, raw_page = raw_list(raw, pop.target_patient_id, options.list_requests, progress)
    api_page = [uuid.UUID(item["id"]) for item in body["items"]]
    for q in (50, 95, 99):
        results.append(
            cost(
                f"documents.list_p{q}{name}",
                "ms",
                percentile(list_latencies, q) * 1000,
                percentile(raw_latencies, q) * 1000,
            )
        )
    with raw.connect() as connection:
        in_table = connection.scalar(text("SELECT count(*) FROM documents"))
    details["listing"] = {
        "documents_in_table": in_table,
        "requests": options.list_requests,
        "visible_to_holder": body["total"],
        "page": len(api_page),
        "same_page_as_raw_sql": api_page == raw_page,
    }
    if api_page != raw_page:
        console.print(
            "[yellow]note: the API page differs from the raw page (documents still invisible"
            " to the patient are filtered by the API only)"
        )

    # Download: the 100 KB documents just filed, then a few 5 MB ones.
    sample = filed[: min(len(filed), 50)]
    size, seconds = download(
        base_url,
        professional,
        sample,
        options.downloads,
        small_digests,
        progress,
        "download 100 KB",
    )
    details["download_100KB_per_s"] = round(options.downloads / seconds, 1)
    raw_size, raw_seconds = raw_decrypt(small[0], options.downloads)
    results.append(
        rate(
            f"documents.download_100KB{name}",
            "MB/s",
            size / MB / seconds,
            raw_size / MB / raw_seconds,
        )
    )
    if options.large > 0:
        large = [pdf(LARGE, options.seed + 100 + n) for n in range(options.large)]
        large_filed, large_latencies, _, _ = file_documents(
            base_url, professional, patients, large, options.large, 1, progress, "file 5 MB"
        )
        rounds = options.large * options.large_rounds
        size, seconds = download(
            base_url,
            professional,
            large_filed,
            rounds,
            [hashlib.sha256(payload).hexdigest() for payload in large],
            progress,
            "download 5 MB",
        )
        raw_size, raw_seconds = raw_decrypt(large[0], rounds)
        results.append(
            rate(
                f"documents.download_5MB{name}",
                "MB/s",
                size / MB / seconds,
                raw_size / MB / raw_seconds,
            )
        )
        details["large_upload_ms_p50"] = round(percentile(large_latencies, 50) * 1000, 1)
    return results, details
