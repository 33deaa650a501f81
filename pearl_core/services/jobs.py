"""Jobs: work a caller submits and then polls, per ``job-status.schema.json``.

PeaRL runs the jobs it offers today synchronously, inside the request that
submits them, and stores each as a :class:`~pearl_core.domain.jobs.Job` so a
caller can read it back (``GET /jobs/{job_id}``) and auditors can see it:

* ``job.started`` is recorded (status ``running``) before any work is done,
  in its own transaction;
* the work runs through the ordinary services, each in its own unit of work;
* ``job.finished`` records the outcome: ``succeeded``, ``partial`` (some
  steps failed) or ``failed``, with a reference per result and the typed
  error (code, message, details) of every failed step.

A job submitted under an idempotency key is found again by the key: the
retry gets the stored job, not a second run. The same key for other work is
``conflict``.

:func:`compile_context_job` compiles a project's context for the given
environments, or for every environment that has an environment profile
(the project's own or the org-wide one) when none are given.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import datetime

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.context.signing import ContextSigner
from pearl_core.domain.common import ErrorBody, Reference
from pearl_core.domain.enums import Environment, JobStatus, JobType, ReferenceKind
from pearl_core.domain.jobs import Job
from pearl_core.errors import ContextDocumentNotFound, IdempotencyConflict, NotFound, PearlError
from pearl_core.ids import new_id
from pearl_core.ports import UnitOfWork
from pearl_core.services.context import compile_project_context
from pearl_core.trace import current_trace_id

__all__ = ["compile_context_job", "get_job"]


async def get_job(uow: UnitOfWork, job_id: str) -> Job:
    """The job; ``not_found`` if it is not one of the principal's org."""
    authorize(uow.principal, Permission.PROJECT_READ)
    async with uow.reading():
        return await uow.jobs.get(job_id)


async def compile_context_job(
    open_uow: Callable[[], UnitOfWork],
    project_id: str,
    *,
    environments: Sequence[Environment] | None,
    clock: Clock,
    signer: ContextSigner,
    bundle_hash: str,
    idempotency_key: str | None = None,
) -> Job:
    """Compile the project's context as a job (see the module docstring).

    ``open_uow`` opens a fresh unit of work acting as the caller; each step
    uses its own. ``not_found`` for an unknown project, or a project with no
    environment profile to compile for, before any job is stored.
    """
    uow = open_uow()
    authorize(uow.principal, Permission.PROJECT_WRITE)
    started = await _start(
        uow, project_id, environments, clock=clock, idempotency_key=idempotency_key
    )
    if isinstance(started, Job):
        return started
    job, targets = started
    refs: list[Reference] = []
    errors: list[ErrorBody] = []
    for environment in targets:
        try:
            package = await compile_project_context(
                open_uow(),
                project_id,
                environment,
                clock=clock,
                signer=signer,
                bundle_hash=bundle_hash,
            )
        except PearlError as exc:  # recorded on the job, which then reports failure
            errors.append(_error(exc, environment, clock.now()))
            continue
        refs.append(
            Reference(
                ref_id=package.package_id,
                kind=ReferenceKind.ARTIFACT,
                summary=f"compiled context package for {environment.value}",
            )
        )
    return await _finish(open_uow(), job, refs, errors, clock.now())


async def _start(
    uow: UnitOfWork,
    project_id: str,
    environments: Sequence[Environment] | None,
    *,
    clock: Clock,
    idempotency_key: str | None,
) -> Job | tuple[Job, list[Environment]]:
    """The stored job of an earlier identical request, or a new running job and its targets."""
    async with uow:
        await uow.projects.get(project_id)
        if idempotency_key is not None:
            earlier = await _by_key(uow, idempotency_key)
            if earlier is not None:
                if (earlier.job_type, earlier.project_id) != (JobType.COMPILE_CONTEXT, project_id):
                    raise IdempotencyConflict(
                        "this idempotency key was used for other work",
                        idempotency_key=idempotency_key,
                        job_id=earlier.job_id,
                    )
                return earlier
        targets = list(environments) if environments else await _profiled(uow, project_id)
        if not targets:
            raise ContextDocumentNotFound(f"environment_profile:*:{project_id}")
        now = clock.now()
        job = Job(
            job_id=new_id("job"),
            status=JobStatus.RUNNING,
            job_type=JobType.COMPILE_CONTEXT,
            project_id=project_id,
            created_at=now,
            updated_at=now,
            trace_id=current_trace_id(),
            attempts=1,
            idempotency_key=idempotency_key,
        )
        await uow.jobs.add(job)
        await uow.audit.record(
            "job.started",
            resource_type="job",
            resource_id=job.job_id,
            details={
                "job_type": job.job_type.value,
                "project_id": project_id,
                "environments": [e.value for e in targets],
            },
        )
        await uow.commit()
    return job, targets


async def _finish(
    uow: UnitOfWork, job: Job, refs: list[Reference], errors: list[ErrorBody], now: datetime
) -> Job:
    status = JobStatus.SUCCEEDED
    if errors:
        status = JobStatus.PARTIAL if refs else JobStatus.FAILED
    finished = job.model_copy(
        update={"status": status, "updated_at": now, "result_refs": refs, "errors": errors}
    )
    async with uow:
        await uow.jobs.update(finished)
        await uow.audit.record(
            "job.finished",
            resource_type="job",
            resource_id=job.job_id,
            details={
                "status": status.value,
                "results": [ref.ref_id for ref in refs],
                "errors": [error.code for error in errors],
            },
        )
        await uow.commit()
    return finished


async def _by_key(uow: UnitOfWork, idempotency_key: str) -> Job | None:
    return next((j for j in await uow.jobs.list() if j.idempotency_key == idempotency_key), None)


async def _profiled(uow: UnitOfWork, project_id: str) -> list[Environment]:
    """The environments with an effective profile for the project, in lifecycle order."""
    found = []
    for environment in Environment:
        try:
            await uow.environment_profiles.effective(environment, project_id)
        except NotFound:
            continue
        found.append(environment)
    return found


def _error(exc: PearlError, environment: Environment, now: datetime) -> ErrorBody:
    return ErrorBody(
        code=exc.code,
        message=exc.message,
        details={**exc.details, "environment": environment.value},
        trace_id=current_trace_id(),
        timestamp=now,
    )
