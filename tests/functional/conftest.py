from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi import FastAPI
from helpers_web_records import DemoRecords, Login, browsers, seed_demo_records

from dmp.container import Container
from dmp.shared.clock import FrozenClock
from support import seed_demo


@pytest.fixture
def seeded(container: Container) -> Container:
    """The app's container with the demo accounts (see dmp.demo)."""
    seed_demo(container)
    return container


@pytest.fixture
def records(seeded: Container) -> DemoRecords:
    """The demo records (Camille's, Léo's) with their documents."""
    return seed_demo_records(seeded)


@pytest.fixture
def login(app: FastAPI, clock: FrozenClock, records: DemoRecords) -> Iterator[Login]:
    """Open a browser logged in as a demo account (through the login forms)."""
    with browsers(app, clock) as open_as:
        yield open_as
