"""Fixtures for the token tests: real HTTP servers on 127.0.0.1 (see ``auth_world``)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from auth_world import KeyServer


@pytest.fixture
def key_server() -> Iterator[KeyServer]:
    """Where trusted issuers publish their keys and discovery documents."""
    with KeyServer().running() as server:
        yield server


@pytest.fixture
def attacker_server() -> Iterator[KeyServer]:
    """A server an attacker controls; tests assert PeaRL never asks it anything."""
    with KeyServer().running() as server:
        yield server
