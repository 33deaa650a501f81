"""Fakes and factories for testing code built on PeaRL (and PeaRL itself).

* :class:`InMemoryStore` — a ``UnitOfWorkFactory`` whose units of work keep
  every repository and the hash-chained audit log in memory, with the SQL
  store's semantics (org scoping, rollback unless committed, no commit without
  an audit record, ``AlreadyExists``/``NotFound``/``Conflict``, versioned
  context documents). ``store.audit_events(org_id)`` reads what was committed.
* :class:`FakeClock` — a ``Clock`` that only moves when told to.
* ``make_*`` factories — valid entities and principals, any field overridable.

::

    from pearl_core.testing import FakeClock, InMemoryStore, make_principal, make_project

    store = InMemoryStore(clock=FakeClock())
    async with store.unit_of_work(make_principal()) as uow:
        await uow.projects.add(make_project())
        await uow.audit.record("project.created", resource_type="project", resource_id="...")
        await uow.commit()
"""

from pearl_core.testing.clock import DEFAULT_START, FakeClock
from pearl_core.testing.factories import (
    DEFAULT_ORG_ID,
    DEFAULT_TRACE_ID,
    make_agent,
    make_app_spec,
    make_approval_decision,
    make_approval_request,
    make_compiled_package,
    make_environment_profile,
    make_exception,
    make_finding,
    make_human_reviewer,
    make_job,
    make_org,
    make_org_baseline,
    make_principal,
    make_project,
    make_promotion,
    make_remediation_spec,
    make_report,
    make_service_account,
    make_task_packet,
    make_team,
    make_user,
)
from pearl_core.testing.memory import InMemoryAuditLog, InMemoryStore, InMemoryUnitOfWork

__all__ = [
    "DEFAULT_ORG_ID",
    "DEFAULT_START",
    "DEFAULT_TRACE_ID",
    "FakeClock",
    "InMemoryAuditLog",
    "InMemoryStore",
    "InMemoryUnitOfWork",
    "make_agent",
    "make_app_spec",
    "make_approval_decision",
    "make_approval_request",
    "make_compiled_package",
    "make_environment_profile",
    "make_exception",
    "make_finding",
    "make_human_reviewer",
    "make_job",
    "make_org",
    "make_org_baseline",
    "make_principal",
    "make_project",
    "make_promotion",
    "make_remediation_spec",
    "make_report",
    "make_service_account",
    "make_task_packet",
    "make_team",
    "make_user",
]
