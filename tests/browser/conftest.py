"""A live server (uvicorn in a thread, SQLite, demo data) and Debian's Chromium via Playwright."""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
import uvicorn

from dmp.bootstrap import create_app
from dmp.config import Environment
from dmp.container import Container, build_container
from dmp.db_migrate import upgrade
from dmp.demo_records import seed_records
from dmp.notifications.adapters import MemoryOutbox
from dmp.records.documents import Storage
from dmp.shared.db import transaction
from support import seed_demo
from testenv import make_settings

CHROMIUM = Path(os.environ.get("DMP_TEST_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]

pytestmark = pytest.mark.browser


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    if CHROMIUM.exists():
        return
    skip = pytest.mark.skip(reason=f"{CHROMIUM} not found (apt-get install chromium)")
    for item in items:
        if "browser" in str(item.path):
            item.add_marker(skip)


@dataclass
class LiveServer:
    url: str
    container: Container

    @property
    def outbox(self) -> MemoryOutbox:
        assert isinstance(self.container.email, MemoryOutbox)
        return self.container.email


@pytest.fixture(scope="module")
def live_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    data = tmp_path_factory.mktemp("live")
    settings = make_settings(
        data, f"sqlite:///{data / 'dmp.db'}", environment=Environment.development
    )
    # Development mode shows the demo banner and the development mailbox, as `make run` does;
    # messages are kept in memory instead of being printed.
    container = build_container(settings, email=MemoryOutbox(), sms=MemoryOutbox())
    upgrade(container.engine)
    seed_demo(container)
    storage = Storage(blobs=container.blobs, keks=container.keks, max_bytes=20 * 1024 * 1024)
    with transaction(container.sessions) as session:
        seed_records(session, settings, container.clock, storage)
    app = create_app(settings, container=container)
    config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, lifespan="off")
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        if time.monotonic() > deadline or not thread.is_alive():
            raise RuntimeError("live server did not start")
        time.sleep(0.05)
    port = server.servers[0].sockets[0].getsockname()[1]
    yield LiveServer(f"http://127.0.0.1:{port}", container)
    server.should_exit = True
    thread.join(timeout=10)
    container.dispose()


@pytest.fixture(scope="module")
def browser(live_server: LiveServer) -> Iterator[object]:
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        instance = playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS, headless=True
        )
        yield instance
        instance.close()
