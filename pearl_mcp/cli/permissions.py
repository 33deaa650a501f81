"""Which permission each ``pearl`` command needs, checked before its body runs.

Every command declares its access with one decorator, placed right under
``@<group>.command(...)``:

* :func:`requires` (a :class:`~pearl_core.Permission`): the acting principal
  must hold it. It is checked before the command's body runs, so a refused
  command reads no input, opens no database transaction and calls no
  service.
* :func:`self_service` (a reason): any principal, because whether it may act
  depends on the target and the service decides (one's own password).
* :func:`public` (a reason): no principal at all: the command works on local
  files only, talks to a server that authenticates it, or bootstraps a
  database that holds no org yet (file access to the database is the
  authority there).

The acting principal is the local operator (:func:`pearl_core.local_operator`),
or the user signed in with ``--user`` (their password checked first). A
command sent ``--server`` acts through that server, whose REST routes
authorise and audit it, so it is not checked here too.

Every refusal, by this check or by a ``forbidden`` family error the command's
service raises, is audited as ``access.denied`` (:func:`pearl_core.record_denied`,
surface ``cli``) before the command fails with its usual one-line error. Groups
only dispatch to their commands and declare nothing; ``--help`` and
``--version`` answer before any command runs. ``tests/cli`` walks the whole
command tree and fails for a command without a declaration. (``Permission``
is re-exported here for the declarations.)
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeVar, cast

import click

from pearl_core import (
    Forbidden,
    Pearl,
    Permission,
    Principal,
    authorize,
    local_operator,
    record_denied,
)
from pearl_mcp.cli.acting import Actor
from pearl_mcp.cli.app import CliContext, run

__all__ = [
    "PRINCIPAL_KEY",
    "CommandAccess",
    "Permission",
    "access_of",
    "command_path",
    "public",
    "requires",
    "self_service",
]

logger = logging.getLogger("pearl_mcp.cli")

F = TypeVar("F", bound=Callable[..., Any])

_ATTRIBUTE: Final = "__pearl_access__"
PRINCIPAL_KEY: Final = "pearl.principal"
"""``ctx.meta`` key holding the principal a checked command was authorised as."""


@dataclass(frozen=True, slots=True)
class CommandAccess:
    """One command's declaration: a permission, or a reason it needs none."""

    kind: Literal["permission", "self_service", "public"]
    permission: Permission | None = None
    reason: str = ""


def access_of(command: click.Command) -> CommandAccess | None:
    """The declaration of ``command``'s callback, if it has one."""
    access = getattr(command.callback, _ATTRIBUTE, None)
    return access if isinstance(access, CommandAccess) else None


def command_path(ctx: click.Context) -> str:
    """``approvals decide``: the command's names below the root group."""
    names: list[str] = []
    while ctx.parent is not None:
        names.append(ctx.info_name or "?")
        ctx = ctx.parent
    return " ".join(reversed(names))


def requires(permission: Permission) -> Callable[[F], F]:
    """The command needs ``permission``: checked before its body runs."""
    return _checked(CommandAccess("permission", permission))


def self_service(reason: str) -> Callable[[F], F]:
    """Any principal may run the command; its service decides (say why in ``reason``)."""
    return _checked(CommandAccess("self_service", reason=_required(reason)))


def public(reason: str) -> Callable[[F], F]:
    """The command needs no principal (say why in ``reason``)."""
    access = CommandAccess("public", reason=_required(reason))

    def declare(callback: F) -> F:
        setattr(callback, _ATTRIBUTE, access)
        return callback

    return declare


def _required(reason: str) -> str:
    if not reason.strip():
        raise ValueError("say why the command needs no permission")
    return reason


def _checked(access: CommandAccess) -> Callable[[F], F]:
    def declare(callback: F) -> F:
        @functools.wraps(callback)
        def checked(*args: Any, **kwargs: Any) -> Any:
            ctx = click.get_current_context()
            if ctx.params.get("server") is not None:  # the server authorises and audits
                return callback(*args, **kwargs)
            principal = _acting_principal(ctx)
            ctx.meta[PRINCIPAL_KEY] = principal
            try:
                if access.permission is not None:
                    authorize(principal, access.permission)
                return callback(*args, **kwargs)
            except Forbidden as refusal:
                _audit(ctx, principal, refusal, access.permission)
                raise

        setattr(checked, _ATTRIBUTE, access)
        return cast(F, checked)

    return declare


def _acting_principal(ctx: click.Context) -> Principal:
    """The local operator, or the ``--user`` signed in (``unauthenticated`` if that fails)."""
    actor = ctx.params.get("actor")
    if isinstance(actor, Actor) and not actor.is_local_operator:
        return run(ctx, actor.principal)
    return local_operator(ctx.ensure_object(CliContext).settings)


def _audit(
    ctx: click.Context, principal: Principal, refusal: Forbidden, declared: Permission | None
) -> None:
    """Record the refusal; the command fails with it whether or not the record was written."""
    named = refusal.details.get("permission")
    lacking = named if isinstance(named, str) else None if declared is None else str(declared)

    async def record(pearl: Pearl) -> None:
        await record_denied(
            pearl,
            principal,
            surface="cli",
            target=command_path(ctx),
            code=refusal.code,
            permission=lacking,
        )

    try:
        run(ctx, record)
    except Exception:  # the CLI's outer edge: the refusal, not this, is the command's error
        logger.warning("could not audit a refused command (%s)", refusal.code, exc_info=True)
