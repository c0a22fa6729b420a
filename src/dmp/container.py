"""Everything the doors (web, API, CLI) share, built once from the settings."""

from __future__ import annotations

from dataclasses import dataclass, field

from sqlalchemy import Engine
from sqlalchemy.orm import Session, sessionmaker

import dmp.models  # noqa: F401 — every table must be mapped before the first query
from dmp.accounts.security import Security
from dmp.config import EmailBackend, Settings, SmsBackend
from dmp.notifications import outbox
from dmp.notifications.adapters import (
    ConsoleSender,
    Dispatcher,
    HttpSmsSender,
    MemoryOutbox,
    SmtpSender,
)
from dmp.notifications.ports import Sender
from dmp.observability.metrics import Metrics
from dmp.shared.clock import Clock, SystemClock
from dmp.shared.crypto import KeyRing, load_root_secret
from dmp.shared.db import create_db_engine, make_session_factory
from dmp.storage.blobs import BlobStore, LocalBlobStore
from dmp.storage.keys import KeyEncryptionKeys
from dmp.storage.keys import load as load_keyring


@dataclass
class Container:
    settings: Settings
    clock: Clock
    engine: Engine
    sessions: sessionmaker[Session]
    security: Security
    email: Sender
    sms: Sender
    dispatcher: Dispatcher
    keks: KeyEncryptionKeys
    blobs: BlobStore
    metrics: Metrics = field(default_factory=Metrics)

    def dispose(self) -> None:
        self.engine.dispose()


def _email_sender(settings: Settings) -> Sender:
    if settings.email_backend is EmailBackend.smtp:
        return SmtpSender(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.email_from,
            username=settings.smtp_username,
            password=settings.smtp_password.get_secret_value() if settings.smtp_password else None,
            starttls=settings.smtp_starttls,
        )
    if settings.email_backend is EmailBackend.memory:
        return MemoryOutbox()
    return ConsoleSender()


def _sms_sender(settings: Settings) -> Sender:
    if settings.sms_backend is SmsBackend.http:
        assert settings.sms_http_url is not None  # checked by Settings
        return HttpSmsSender(
            url=settings.sms_http_url,
            token=settings.sms_http_token.get_secret_value() if settings.sms_http_token else None,
            sender_id=settings.sms_sender_id,
        )
    if settings.sms_backend is SmsBackend.console:
        return ConsoleSender()
    # memory for tests; disabled keeps a sink that nothing reaches (the option is hidden)
    return MemoryOutbox()


def build_container(
    settings: Settings,
    *,
    clock: Clock | None = None,
    email: Sender | None = None,
    sms: Sender | None = None,
    blobs: BlobStore | None = None,
) -> Container:
    """The composition root's adapters; tests pass their own clock and senders."""
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    clock = clock or SystemClock()
    engine = create_db_engine(settings.resolved_database_url)
    factory = make_session_factory(engine)
    email = email or _email_sender(settings)
    sms = sms or _sms_sender(settings)
    dispatcher = Dispatcher(email=email, sms=sms)
    outbox.install(factory, dispatcher)
    keys = KeyRing(load_root_secret(settings))
    # Refuses to start without a usable key ring (missing, malformed, dev ring in production).
    keks = load_keyring(settings)
    blobs = blobs or LocalBlobStore(settings.blob_dir or settings.data_dir / "blobs")
    return Container(
        settings=settings,
        clock=clock,
        engine=engine,
        sessions=factory,
        security=Security.build(settings, clock, keys),
        email=email,
        sms=sms,
        dispatcher=dispatcher,
        keks=keks,
        blobs=blobs,
    )
