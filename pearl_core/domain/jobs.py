"""Background jobs, per ``job-status.schema.json``.

Compiling, normalising and report generation can run as jobs; the REST API
answers ``202`` with the job and callers poll it. PeaRL's queue lives in the
database, so a job also records how often it was tried (for backoff and the
dead letter) and the idempotency key it was submitted under (so a retried
request finds the existing job instead of starting a second one).
"""

from __future__ import annotations

from typing import Annotated, ClassVar

from pydantic import Field

from pearl_core.domain.base import SCHEMA_VERSION, PearlModel, UtcDatetime
from pearl_core.domain.common import ErrorBody, ProjectId, Reference, SchemaVersion, TraceId
from pearl_core.domain.enums import JobStatus, JobType

__all__ = ["Job"]


class Job(PearlModel):
    """A unit of background work and its outcome."""

    PEARL_EXTENSIONS: ClassVar[frozenset[str]] = frozenset({"attempts", "idempotency_key"})

    schema_version: SchemaVersion = SCHEMA_VERSION
    job_id: Annotated[str, Field(min_length=3, max_length=128, pattern=r"^job_[A-Za-z0-9_-]+$")]
    status: JobStatus = JobStatus.QUEUED
    job_type: JobType
    project_id: ProjectId | None = None
    created_at: UtcDatetime
    updated_at: UtcDatetime
    trace_id: TraceId
    result_refs: list[Reference] = Field(default_factory=list)
    errors: list[ErrorBody] = Field(default_factory=list)

    attempts: Annotated[int, Field(ge=0)] = 0
    """How many times a worker has started the job."""
    idempotency_key: Annotated[str, Field(min_length=1, max_length=200)] | None = None
    """The ``Idempotency-Key`` the job was submitted under, if any."""
