"""A project: one application PeaRL governs, per ``project.schema.json``.

Everything else (findings, packets, approvals, promotions) hangs off a
project id; its criticality, exposure and AI use feed policy decisions.
"""

from __future__ import annotations

from typing import Annotated

from pydantic import Field

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, UtcDatetime
from pearl_core.domain.common import ProjectId, SchemaVersion, TraceabilityRef
from pearl_core.domain.enums import BusinessCriticality, ExternalExposure

__all__ = ["Project"]


class Project(PearlModel):
    """A governed application. Matches the contract exactly (no extensions)."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    project_id: ProjectId
    name: Annotated[str, Field(min_length=1, max_length=200)]
    description: Annotated[str, Field(max_length=5000)] | None = None
    owner_team: Annotated[str, Field(min_length=1, max_length=200)]
    business_criticality: BusinessCriticality
    external_exposure: ExternalExposure
    ai_enabled: bool
    created_at: UtcDatetime | None = None
    updated_at: UtcDatetime | None = None
    traceability: TraceabilityRef | None = None
