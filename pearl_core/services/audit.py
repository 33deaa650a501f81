"""Reading and verifying the tamper-evident audit log; recording refused calls.

:func:`record_denied` is what every entrypoint (MCP tools and resources, REST
routes, CLI commands, the HTTP authentication layer) calls when it refuses a
caller: one ``access.denied`` event (outcome ``denied``) in its own short
transaction, so the refusal is on the record even though the refused call
never ran. Its details are fixed fields only (surface, target, code,
permission, principal): never a credential, a token, a password or a request
body.
"""

from __future__ import annotations

import re
from typing import Final, Literal, Protocol, runtime_checkable

from pearl_core.audit.chain import ChainReport, averify_chain
from pearl_core.authz import Permission, authorize
from pearl_core.domain.audit import AuditEvent, AuditOutcome
from pearl_core.domain.identity import Principal
from pearl_core.errors import ConfigurationError
from pearl_core.ports import UnitOfWork, UnitOfWorkFactory

__all__ = ["DenialSurface", "list_audit_events", "record_denied", "verify_audit_chain"]

DenialSurface = Literal["mcp", "rest", "cli", "http"]
"""Where a call was refused: an MCP tool or resource, a REST route, a CLI
command, or the HTTP layer before any of them (authentication)."""

ANONYMOUS: Final = "anonymous"
_MAX_TARGET: Final = 160
_UNSAFE: Final = re.compile(r"[^\x20-\x7e]+")


@runtime_checkable
class _Store(Protocol):
    """Anything that opens units of work: a ``Pearl``, a ``SqlStore``, an ``InMemoryStore``."""

    def unit_of_work(self, principal: Principal) -> UnitOfWork: ...


async def verify_audit_chain(uow: UnitOfWork) -> ChainReport:
    """Walk the principal's org chain from the first event; report the first broken one."""
    authorize(uow.principal, Permission.AUDIT_READ)
    async with uow.reading():
        head = await uow.audit.head()
        return await averify_chain(uow.audit.events(), head)


async def list_audit_events(
    uow: UnitOfWork, *, after_seq: int = 0, limit: int = 100
) -> list[AuditEvent]:
    authorize(uow.principal, Permission.AUDIT_READ)
    events: list[AuditEvent] = []
    async with uow.reading():
        async for event in uow.audit.events(after_seq=after_seq):
            events.append(event)
            if len(events) >= limit:
                break
    return events


async def record_denied(
    store: UnitOfWorkFactory | _Store,
    principal: Principal | None,
    *,
    surface: DenialSurface,
    target: str,
    code: str,
    permission: str | None = None,
    org_id: str | None = None,
) -> AuditEvent:
    """Audit one refused call as ``access.denied``, committed on its own.

    ``target`` names what was refused (a tool name, an operation id or route,
    a command path), ``code`` is the error code the caller got, ``permission``
    the one it lacked (if one was checked). The event is recorded as
    ``principal``, in its org; without one (an unauthenticated request) as
    PeaRL's system principal of ``org_id`` with ``details.principal`` =
    ``"anonymous"``. ``target`` may come from the caller (an unknown tool's
    name), so it is cut to 160 printable ASCII characters (others become ``?``).
    """
    if principal is None:
        if org_id is None:
            raise ConfigurationError("an anonymous denial needs the org it happened in")
        actor, who = Principal.system(org_id, ANONYMOUS), ANONYMOUS
    else:
        actor, who = principal, principal.subject_id
    where = _UNSAFE.sub("?", target)[:_MAX_TARGET] or "?"
    details = {
        "surface": surface,
        "target": where,
        "code": code,
        "permission": permission,
        "principal": who,
        "principal_kind": actor.kind.value if principal is not None else ANONYMOUS,
    }
    open_uow = store.unit_of_work if isinstance(store, _Store) else store
    async with open_uow(actor) as uow:
        event = await uow.audit.record(
            "access.denied",
            resource_type="entrypoint",
            resource_id=f"{surface}:{where}",
            outcome=AuditOutcome.DENIED,
            details=details,
        )
        await uow.commit()
    return event
