"""Reports, per ``report-request`` and ``report-response`` of the contract.

A report (release readiness, residual risk...) is a point-in-time summary
built from stored findings, exceptions and approvals. PeaRL stores the
response as a :class:`Report` and adds the project it is about, so reports can
be listed per project.
"""

from __future__ import annotations

from typing import Annotated, Any, ClassVar

from pydantic import Field

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, UtcDatetime
from pearl_core.domain.common import ProjectId, SchemaVersion, TraceId
from pearl_core.domain.enums import ReportFormat, ReportStatus, ReportType

__all__ = ["Report", "ReportRequest"]


class ReportRequest(PearlModel):
    """What report to build (no extensions)."""

    schema_version: SchemaVersion = SCHEMA_VERSION
    report_type: ReportType
    format: ReportFormat
    filters: dict[str, Any] = Field(default_factory=dict)
    """Free-form filters, e.g. ``{"environment": "preprod"}``."""
    include_references: bool | None = None


class Report(PearlModel):
    """A built (or queued) report."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"project_id"})

    schema_version: SchemaVersion = SCHEMA_VERSION
    report_id: Annotated[str, Field(min_length=3, max_length=128, pattern=r"^rpt_[A-Za-z0-9_-]+$")]
    report_type: ReportType
    status: ReportStatus
    format: ReportFormat
    content: dict[str, Any] | str | None = None
    """JSON reports carry an object, Markdown reports a string."""
    artifact_ref: str | None = None
    trace_id: TraceId
    generated_at: UtcDatetime | None = None
    project_id: ProjectId | None = None
    """The project the report is about (PeaRL extension)."""
