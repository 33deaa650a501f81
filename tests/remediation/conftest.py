"""Fixtures: the real policy bundle (``rego/`` + ``policies/``) for eligibility and
guard-rail decisions, built and dropped on the test thread."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from pearl_core import RegorusEngine, default_rego_dir, load_bundle
from pearl_core.guardrails import GUARDRAIL_ENTRYPOINT
from pearl_core.remediation import REMEDIATION_ENTRYPOINT
from pearl_core.settings import default_policies_dir


@pytest.fixture(scope="module")
def policy() -> Iterator[RegorusEngine]:
    engine = RegorusEngine(
        load_bundle(default_rego_dir(), default_policies_dir()),
        require=[REMEDIATION_ENTRYPOINT, GUARDRAIL_ENTRYPOINT],
    )
    yield engine
    del engine
