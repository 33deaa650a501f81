"""Row helpers of the findings repository: column values, filters, batches of ids."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from typing import Any, Final

from sqlalchemy import ColumnElement

from pearl_core.domain.enums import Environment, FindingStatus, RiskLevel
from pearl_core.domain.findings import Finding
from pearl_core.store.repositories._scope import Scope, dump, where
from pearl_core.store.tables import findings

__all__ = ["CHUNK", "UPDATED_COLUMNS", "chunks", "filters_of", "row_of"]

_table = findings
CHUNK: Final = 1000
"""Ids per ``IN (...)`` list: far below every driver's bound-parameter limit."""
UPDATED_COLUMNS: Final = (
    "project_id",
    "environment",
    "fingerprint",
    "status",
    "severity",
    "tool_name",
    "detected_at",
    "cross_tool_key",
    "content_hash",
    "doc",
)


def row_of(finding: Finding) -> dict[str, Any]:
    """The row of ``finding``: its filter columns, content hash and document."""
    return {
        "project_id": finding.project_id,
        "environment": finding.environment.value,
        "fingerprint": finding.fingerprint,
        "status": finding.status.value,
        "severity": finding.severity.value,
        "tool_name": finding.source.tool_name,
        "detected_at": finding.detected_at,
        "cross_tool_key": finding.cross_tool_key,
        "content_hash": finding.content_digest(),
        "doc": dump(finding),
    }


def filters_of(
    scope: Scope,
    project_id: str | None,
    environment: Environment | None,
    statuses: Sequence[FindingStatus] | None,
    severities: Sequence[RiskLevel] | None,
    tool_name: str | None,
) -> list[ColumnElement[bool]]:
    filters = where(
        scope,
        _table,
        statuses=statuses,
        project_id=project_id,
        environment=None if environment is None else environment.value,
        tool_name=tool_name,
    )
    if severities is not None:
        filters.append(_table.c.severity.in_([severity.value for severity in severities]))
    return filters


def chunks(ids: Sequence[str]) -> Iterator[Sequence[str]]:
    """``ids`` in slices of :data:`CHUNK`, one ``IN (...)`` list each."""
    for start in range(0, len(ids), CHUNK):
        yield ids[start : start + CHUNK]
