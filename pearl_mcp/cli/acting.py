"""Who a CLI command acts as: a PeaRL user who signs in, or the local operator.

Commands that change accounts, keys or decisions take ``--user EMAIL``: the
command then acts as that human, after checking their password against the
embedded database (:func:`pearl_core.authenticate_password`, in the org of
``PEARL_ORG_ID``). The password comes from ``PEARL_PASSWORD`` or a hidden
prompt, never from the command line. Without ``--user`` the command acts as
the local operator, who holds only the operator role: what needs more (an
admin, a reviewer) is refused by the service with its usual error code.

Secrets are read only here (:func:`read_secret`), from the environment the CLI
started with (:attr:`~pearl_mcp.cli.app.CliContext.environ`) or the terminal.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Final, TypeVar

import click

from pearl_core import Pearl, Principal, authenticate_password, local_operator
from pearl_mcp.cli.app import CliContext, run

__all__ = ["PASSWORD_ENV", "Actor", "actor_option", "read_secret", "run_as"]

_T = TypeVar("_T")

PASSWORD_ENV: Final = "PEARL_PASSWORD"  # noqa: S105 - the variable's name, not a password


@dataclass(frozen=True, slots=True)
class Actor:
    """Who a command acts as: ``email`` with ``password``, or (no email) the local operator."""

    email: str | None = None
    password: str = field(default="", repr=False)
    _signed_in: dict[str, Principal] = field(default_factory=dict, repr=False, compare=False)
    """The principal per org once the password was checked, so a command that checks
    its permission first and then acts runs the (slow on purpose) check once."""

    @property
    def is_local_operator(self) -> bool:
        return self.email is None

    async def principal(self, pearl: Pearl) -> Principal:
        """The principal to act as; ``unauthenticated`` for a wrong email or password."""
        org_id = pearl.settings.org_id
        if self.email is None:
            return local_operator(pearl.settings)
        if org_id not in self._signed_in:
            self._signed_in[org_id] = await authenticate_password(
                pearl.store.credentials, self.email, self.password, org_id=org_id
            )
        return self._signed_in[org_id]


def run_as(
    ctx: click.Context, actor: Actor, work: Callable[[Pearl, Principal], Awaitable[_T]]
) -> _T:
    """:func:`~pearl_mcp.cli.app.run` ``work`` with ``actor``'s principal, signed in
    against the embedded database first (``unauthenticated`` if that fails)."""

    async def main(pearl: Pearl) -> _T:
        return await work(pearl, await actor.principal(pearl))

    return run(ctx, main)


def read_secret(ctx: click.Context, env_var: str, prompt: str, *, confirm: bool = False) -> str:
    """``env_var`` from the CLI's environment if set, else a hidden prompt on the terminal
    (twice with ``confirm``). The prompt goes to stderr, so stdout stays the command's."""
    value = ctx.find_object(CliContext)
    environ = value.environ if value is not None else {}
    secret = environ.get(env_var, "")
    if secret:
        return secret
    typed: str = click.prompt(prompt, hide_input=True, confirmation_prompt=confirm, err=True)
    return typed


def _actor(ctx: click.Context, _: click.Parameter, email: str | None) -> Actor:
    if email is None:
        return Actor()
    return Actor(email, read_secret(ctx, PASSWORD_ENV, f"Password for {email}"))


actor_option = click.option(
    "--user",
    "actor",
    metavar="EMAIL",
    default=None,
    callback=_actor,
    help=(
        f"Act as this PeaRL user (password from {PASSWORD_ENV} or a prompt); "
        "default: the local operator."
    ),
)
"""``--user EMAIL``, handed to the command as its ``actor`` (an :class:`Actor`)."""
