from __future__ import annotations

import pytest

from dmp.container import Container
from support import seed_demo


@pytest.fixture
def seeded(container: Container) -> Container:
    """The app's container with the demo accounts (see dmp.demo)."""
    seed_demo(container)
    return container
