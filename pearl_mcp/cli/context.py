"""``pearl context``: compile, show, check and verify compiled context packages.

``compile`` and ``status`` compare against the current policy bundle (the
bundled ``rego/`` with ``PEARL_POLICIES_DIR``), whose hash every package
records. ``verify`` needs no database: it checks an exported package (``show
--json > pkg.json``) against a public key file (``--public-key``, as printed
by ``public-key``), or the local signing key; exit 2 and one line
``pearl: error [signature_invalid] …`` on stderr if it does not verify.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pearl_core import (
    CompiledContextPackage,
    Ed25519Signer,
    Environment,
    PackageStatus,
    Pearl,
    SignatureInvalid,
    compile_project_context,
    key_id_of,
    latest_package,
    load_bundle,
    load_public_key,
    local_operator,
    package_status,
    parse_json,
    public_key_pem,
    verify_package,
)
from pearl_mcp.cli.app import CliContext, cli, emit, json_option, run
from pearl_mcp.cli.permissions import Permission, public, requires

EXIT_TAMPERED = 2

_project_option = click.option("--project", "project_id", required=True, help="Project id.")
_env_option = click.option(
    "--env",
    "environment",
    required=True,
    type=click.Choice([e.value for e in Environment]),
    help="Environment.",
)


@cli.group()
def context() -> None:
    """Compile, show and verify compiled context packages."""


@context.command("compile")
@requires(Permission.PROJECT_WRITE)
@_project_option
@_env_option
@json_option
@click.pass_context
def compile_(ctx: click.Context, project_id: str, environment: str, as_json: bool) -> None:
    """Compile the project's context for an environment (reused if nothing changed)."""

    async def work(pearl: Pearl) -> tuple[CompiledContextPackage, PackageStatus]:
        bundle_hash = load_bundle(None, pearl.settings.policies_dir).hash
        principal = local_operator(pearl.settings)
        package = await compile_project_context(
            pearl.unit_of_work(principal),
            project_id,
            Environment(environment),
            clock=pearl.clock,
            signer=pearl.signer,
            bundle_hash=bundle_hash,
        )
        status = await package_status(
            pearl.unit_of_work(principal), package.package_id, bundle_hash=bundle_hash
        )
        return package, status

    package, status = run(ctx, work)
    integrity = package.package_metadata.integrity
    emit(
        {**status.to_dict(), "hash": integrity.hash, "key_id": integrity.key_id},
        as_json=as_json,
        text=f"{package.package_id}  hash {integrity.hash}  stale {str(status.stale).lower()}",
    )


@context.command("show")
@requires(Permission.POLICY_READ)
@_project_option
@_env_option
@json_option
@click.pass_context
def show(ctx: click.Context, project_id: str, environment: str, as_json: bool) -> None:
    """Print the newest compiled package of the project environment."""

    async def work(pearl: Pearl) -> CompiledContextPackage:
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await latest_package(uow, project_id, Environment(environment))

    package = run(ctx, work)
    policy = package.autonomy_policy
    emit(
        package.model_dump(mode="json", exclude_none=True),
        as_json=as_json,
        text=lambda: "\n".join(
            (
                f"{package.package_id}  {package.project_id}  {package.environment}",
                f"hash      {package.package_metadata.integrity.hash}",
                f"compiled  {package.package_metadata.integrity.compiled_at}",
                f"mode      {policy.mode}",
                f"allowed   {', '.join(policy.allowed_actions) or '-'}",
                f"blocked   {', '.join(policy.blocked_actions) or '-'}",
            )
        ),
    )


@context.command("status")
@requires(Permission.POLICY_READ)
@click.argument("package_id")
@json_option
@click.pass_context
def status(ctx: click.Context, package_id: str, as_json: bool) -> None:
    """Whether a package is stale, and which inputs changed since it was compiled."""

    async def work(pearl: Pearl) -> PackageStatus:
        bundle_hash = load_bundle(None, pearl.settings.policies_dir).hash
        uow = pearl.unit_of_work(local_operator(pearl.settings))
        return await package_status(uow, package_id, bundle_hash=bundle_hash)

    result = run(ctx, work)
    changed = ", ".join(result.changed)
    emit(
        result.to_dict(),
        as_json=as_json,
        text=f"{package_id}  stale" + (f" ({changed} changed)" if changed else "")
        if result.stale
        else f"{package_id}  current",
    )


@context.command("public-key")
@public("prints the public half of the local signing key; reads no database")
@click.pass_context
def public_key(ctx: click.Context) -> None:
    """Print the public half of the signing key (PEM), for offline verification."""
    settings = ctx.ensure_object(CliContext).settings
    signer = Ed25519Signer.from_file(settings.signing.key_file)
    click.echo(public_key_pem(signer.public_key()).decode("ascii"), nl=False)


@context.command("verify")
@public("checks an exported package file against a public key, offline")
@click.argument("file", type=click.Path(path_type=Path, dir_okay=False, exists=True))
@click.option(
    "--public-key",
    "public_key_file",
    type=click.Path(path_type=Path, dir_okay=False, exists=True),
    default=None,
    help="Ed25519 public key PEM (default: the local signing key's).",
)
@json_option
@click.pass_context
def verify(ctx: click.Context, file: Path, public_key_file: Path | None, as_json: bool) -> None:
    """Check an exported package's hash and signature, offline."""
    package = parse_json(CompiledContextPackage, file.read_bytes())
    if public_key_file is not None:
        key = load_public_key(public_key_file.read_bytes())
    else:
        settings = ctx.ensure_object(CliContext).settings
        key = Ed25519Signer.from_file(settings.signing.key_file, create=False).public_key()
    try:
        verify_package(package, {key_id_of(key): key})
    except SignatureInvalid as exc:
        if as_json:
            emit({"ok": False, "code": exc.code, "reason": exc.message}, as_json=True, text="")
        click.echo(f"pearl: error [{exc.code}] {exc.message}", err=True)
        sys.exit(EXIT_TAMPERED)
    integrity = package.package_metadata.integrity
    emit(
        {
            "ok": True,
            "package_id": package.package_id,
            "hash": integrity.hash,
            "key_id": integrity.key_id,
        },
        as_json=as_json,
        text=f"{package.package_id} verified: hash {integrity.hash}, key {integrity.key_id}",
    )
