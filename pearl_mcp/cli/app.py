"""The ``pearl`` command group, its shared context and its error contract.

Every command that prints data takes ``--json``. On failure the process exits
non-zero with one line on stderr: ``pearl: error [<code>] <message>``, where
``<code>`` is the PeaRL error code (``not_found``, ``validation_failed``, …).
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Awaitable, Callable, Mapping, Sequence
from types import MappingProxyType
from typing import Any, TypeVar

import anyio
import click

from pearl_core import Pearl, PearlError, Settings, ValidationFailed, bootstrap

__all__ = ["CliContext", "cli", "emit", "json_object", "main", "run"]

EXIT_ERROR = 1
_T = TypeVar("_T")


class CliContext:
    """Settings read once from the environment; PeaRL built on first use."""

    def __init__(self, environ: dict[str, str]) -> None:
        self.settings = Settings.from_env(environ)
        self.environ: Mapping[str, str] = MappingProxyType(environ)
        """The environment the CLI started with, for the few variables commands read
        themselves (``PEARL_PASSWORD``, ``PEARL_CONFIG_DIR``…), rather than ``os.environ``."""

    def open(self) -> Pearl:
        return bootstrap(self.settings)


def run(ctx: click.Context, work: Callable[[Pearl], Awaitable[_T]]) -> _T:
    """Build PeaRL, run ``work`` on an event loop, and always close the store."""
    cli_ctx: CliContext = ctx.ensure_object(CliContext)

    async def _main() -> _T:
        pearl = cli_ctx.open()
        try:
            return await work(pearl)
        finally:
            await pearl.aclose()

    return anyio.run(_main)


def emit(data: Any, *, as_json: bool, text: str | Callable[[], str]) -> None:
    """Print ``data`` as JSON with ``--json``, otherwise the human ``text``."""
    if as_json:
        click.echo(json.dumps(data, indent=2, sort_keys=True, default=str))
    else:
        click.echo(text() if callable(text) else text)


def json_object(text: str, *, field: str = "input") -> dict[str, Any]:
    """``text`` parsed as a JSON object; ``validation_failed`` naming ``field`` otherwise."""
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ValidationFailed(f"the {field} is not JSON: {exc.msg}", field=field) from None
    if not isinstance(value, dict):
        raise ValidationFailed(f"the {field} must be a JSON object", field=field)
    return value


json_option = click.option("--json", "as_json", is_flag=True, help="Print machine-readable JSON.")


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(package_name="pearl-governance", prog_name="pearl")
@click.pass_context
def cli(ctx: click.Context) -> None:
    """PeaRL: policy-enforced autonomous risk layer for AI coding agents."""
    ctx.obj = CliContext(dict(os.environ))


def main(argv: Sequence[str] | None = None) -> None:
    """Console-script entrypoint: run the CLI and map errors to exit codes."""
    # Importing a command module registers its commands (hence the unused names).
    from pearl_mcp.cli import (  # noqa: F401
        accounts,
        admin,
        agents,
        approvals,
        audit,
        context,
        db,
        demo,
        findings,
        ingest,
        keys,
        login,
        packets,
        policy,
        policy_log,
        policy_versions,
        projects,
        remediation,
        serve,
    )

    try:
        # Without standalone mode, click returns ctx.exit(code)'s code instead of exiting.
        code = cli.main(args=list(argv) if argv is not None else None, standalone_mode=False)
    except PearlError as exc:
        click.echo(f"pearl: error [{exc.code}] {exc.message}", err=True)
        sys.exit(EXIT_ERROR)
    except click.exceptions.Exit as exc:
        sys.exit(exc.exit_code)
    except click.ClickException as exc:
        exc.show()
        sys.exit(exc.exit_code)
    except click.exceptions.Abort:
        click.echo("pearl: aborted", err=True)
        sys.exit(EXIT_ERROR)
    if isinstance(code, int) and code != 0:
        sys.exit(code)
