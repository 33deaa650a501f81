"""``pearl policy history`` and ``pearl policy diff``: versions of the context documents.

::

    pearl policy history environment-profile envp_default_prod
    pearl policy diff environment-profile envp_default_prod 1 2

``KIND`` is ``org-baseline``, ``app-spec`` (its id is the project id) or
``environment-profile``. The diff prints one line per change::

    ~ allowed_capabilities[2]: "test_run" -> "test_create"
    + blocked_capabilities[3]: "secret_access"
    - approval_level: "standard"
"""

from __future__ import annotations

import click

from pearl_core import (
    Change,
    DocumentKind,
    DocumentVersion,
    Pearl,
    local_operator,
    policy_diff,
    policy_history,
)
from pearl_mcp.cli.app import emit, json_option, run
from pearl_mcp.cli.permissions import Permission, requires
from pearl_mcp.cli.policy import policy

_KINDS: dict[str, DocumentKind] = {
    "org-baseline": "org_baseline",
    "app-spec": "app_spec",
    "environment-profile": "environment_profile",
}
_kind_argument = click.argument("kind", type=click.Choice(list(_KINDS)))


def _line(version: DocumentVersion) -> str:
    return (
        f"v{version.version:<4} {version.created_at:%Y-%m-%dT%H:%M:%SZ}  "
        f"{version.created_by:<28} sha256:{version.content_hash[:12]}  {version.reason}"
    )


@policy.command("history")
@requires(Permission.POLICY_READ)
@_kind_argument
@click.argument("doc_id")
@json_option
@click.pass_context
def history(ctx: click.Context, kind: str, doc_id: str, as_json: bool) -> None:
    """List every version of a context document: who, when, why, content hash."""

    async def work(pearl: Pearl) -> list[DocumentVersion]:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await policy_history(uow, _KINDS[kind], doc_id)

    versions = run(ctx, work)
    emit(
        [version.model_dump(mode="json") for version in versions],
        as_json=as_json,
        text=lambda: "\n".join(_line(version) for version in versions),
    )


@policy.command("diff")
@requires(Permission.POLICY_READ)
@_kind_argument
@click.argument("doc_id")
@click.argument("v1", type=click.IntRange(1))
@click.argument("v2", type=click.IntRange(1))
@json_option
@click.pass_context
def diff(ctx: click.Context, kind: str, doc_id: str, v1: int, v2: int, as_json: bool) -> None:
    """Show what changed in a context document from version V1 to version V2."""

    async def work(pearl: Pearl) -> list[Change]:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await policy_diff(uow, _KINDS[kind], doc_id, v1, v2)

    changes = run(ctx, work)
    emit(
        {
            "kind": _KINDS[kind],
            "doc_id": doc_id,
            "from_version": v1,
            "to_version": v2,
            "changes": [change.to_dict() for change in changes],
        },
        as_json=as_json,
        text=lambda: "\n".join(
            [f"{doc_id} v{v1} -> v{v2}", *(change.line() for change in changes)]
            if changes
            else [f"{doc_id}: no differences between v{v1} and v{v2}"]
        ),
    )
