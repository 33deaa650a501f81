"""Compiled packages: compile, sign and store; read back; tell stale ones.

Compiling reads the *effective* documents (a project's own baseline or
profile before the org-wide one) and their current versions, merges them
(:func:`~pearl_core.context.compile_context`), signs the result and stores
it, audited as ``compiled_package.created``. New versions of the documents
come from :mod:`pearl_core.services.context_documents`.

Determinism: the content hash leaves out the package id and the compile time
(:mod:`pearl_core.context.digest`), so identical inputs always hash alike.
On top of that, when the newest package of the project environment already
has the content compiling would produce, and was signed by the current key,
that package is returned unchanged: nothing is stored, no event recorded, and
callers see one id for one content.

A package is **stale** when what it recorded (document ids, versions, content
hashes, compiler version, and, if given, the policy bundle hash) differs from
what compiling now would read.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from pearl_core.authz import Permission, authorize
from pearl_core.clock import Clock
from pearl_core.context.digest import document_hash, package_hash
from pearl_core.context.merge import COMPILER_VERSION, compile_context
from pearl_core.context.signing import ContextSigner, sign_package
from pearl_core.domain.compiled import InputVersion, InputVersions
from pearl_core.domain.context import (
    ApplicationSpec,
    CompiledContextPackage,
    DocumentKind,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.enums import Environment
from pearl_core.errors import (
    Conflict,
    ContextDocumentNotFound,
    NotFound,
    PackageNotFound,
)
from pearl_core.ids import new_id
from pearl_core.ports import UnitOfWork

__all__ = [
    "PackageStatus",
    "compile_project_context",
    "get_package",
    "latest_package",
    "package_status",
]


@dataclass(frozen=True, slots=True)
class PackageStatus:
    package_id: str
    stale: bool
    changed: tuple[str, ...]
    """What changed since compiling: ``org_baseline``, ``app_spec``,
    ``environment_profile``, ``policy_bundle``, ``compiler``."""

    def to_dict(self) -> dict[str, Any]:
        return {"package_id": self.package_id, "stale": self.stale, "changed": list(self.changed)}


# -- compiling ---------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Inputs:
    baseline: OrgBaseline
    app_spec: ApplicationSpec
    profile: EnvironmentProfile
    versions: dict[DocumentKind, DocumentVersion]


async def compile_project_context(
    uow: UnitOfWork,
    project_id: str,
    environment: Environment,
    *,
    clock: Clock,
    signer: ContextSigner,
    bundle_hash: str,
) -> CompiledContextPackage:
    """Compile, sign and store the project's context for ``environment``, or return
    the newest package unchanged if it already has exactly this content."""
    authorize(uow.principal, Permission.PROJECT_WRITE)
    async with uow:
        project = await uow.projects.get(project_id)
        inputs = await _read_inputs(uow, project_id, environment)
        candidate = compile_context(
            inputs.baseline,
            inputs.app_spec,
            inputs.profile,
            project=project,
            package_id=new_id("pkg"),
            compiled_at=clock.now(),
            bundle_hash=bundle_hash,
            versions=inputs.versions,
        )
        digest = candidate.package_metadata.integrity.hash
        latest = await uow.compiled_packages.latest(project_id, environment)
        if latest is not None and _same_content(latest, digest, signer.key_id):
            return latest
        package = sign_package(candidate, signer)
        await uow.compiled_packages.add(package)
        await uow.audit.record(
            "compiled_package.created",
            resource_type="compiled_package",
            resource_id=package.package_id,
            details={
                "project_id": project_id,
                "environment": environment.value,
                "hash": digest,
                "key_id": signer.key_id,
                "policy_bundle_hash": bundle_hash,
                "versions": {kind: v.version for kind, v in inputs.versions.items()},
            },
        )
        await uow.commit()
    return package


def _same_content(latest: CompiledContextPackage, digest: str | None, key_id: str) -> bool:
    integrity = latest.package_metadata.integrity
    return (
        integrity.key_id == key_id
        and integrity.hash == digest
        # Recomputed, not trusted: a stored package edited in place is never reused.
        and package_hash(latest) == digest
    )


async def _read_inputs(uow: UnitOfWork, project_id: str, environment: Environment) -> _Inputs:
    try:
        baseline = await uow.org_baselines.effective(project_id)
    except NotFound:
        raise ContextDocumentNotFound(f"org_baseline:{project_id}") from None
    try:
        app_spec = await uow.app_specs.get(project_id)
    except NotFound:
        raise ContextDocumentNotFound(f"app_spec:{project_id}") from None
    try:
        profile = await uow.environment_profiles.effective(environment, project_id)
    except NotFound:
        raise ContextDocumentNotFound(f"environment_profile:{environment}:{project_id}") from None
    versions: dict[DocumentKind, DocumentVersion] = {
        "org_baseline": (await uow.org_baselines.history(baseline.baseline_id))[-1],
        "app_spec": (await uow.app_specs.history(project_id))[-1],
        "environment_profile": (await uow.environment_profiles.history(profile.profile_id))[-1],
    }
    documents = {"org_baseline": baseline, "app_spec": app_spec, "environment_profile": profile}
    for kind, version in versions.items():
        if version.content_hash != document_hash(documents[kind]):
            raise Conflict(f"the {kind} changed while compiling; compile again", kind=kind)
    return _Inputs(baseline, app_spec, profile, versions)


# -- reading packages ----------------------------------------------------------------


async def get_package(uow: UnitOfWork, package_id: str) -> CompiledContextPackage:
    authorize(uow.principal, Permission.POLICY_READ)
    async with uow.reading():
        return await _package(uow, package_id)


async def latest_package(
    uow: UnitOfWork, project_id: str, environment: Environment
) -> CompiledContextPackage:
    """The newest package of the project environment; ``not_found`` if none was compiled."""
    authorize(uow.principal, Permission.POLICY_READ)
    async with uow.reading():
        package = await uow.compiled_packages.latest(project_id, environment)
    if package is None:
        raise PackageNotFound(f"{project_id}/{environment}")
    return package


async def package_status(
    uow: UnitOfWork, package_id: str, *, bundle_hash: str | None = None
) -> PackageStatus:
    """Whether the package still describes the current inputs, and which changed.

    ``bundle_hash`` (the current policy bundle's) also compares the bundle;
    without it only the documents and the compiler are compared.
    """
    authorize(uow.principal, Permission.POLICY_READ)
    async with uow.reading():
        package = await _package(uow, package_id)
        recorded = package.package_metadata.input_versions
        changed: list[str] = []
        if recorded is None:
            changed.extend(("org_baseline", "app_spec", "environment_profile"))
        else:
            current = await _read_inputs(uow, package.project_id, package.environment)
            changed.extend(_changed_documents(recorded, current.versions))
        if package.package_metadata.compiler_version != COMPILER_VERSION:
            changed.append("compiler")
        if bundle_hash is not None and (
            recorded is None or recorded.policy_bundle_hash != bundle_hash
        ):
            changed.append("policy_bundle")
    return PackageStatus(package_id=package_id, stale=bool(changed), changed=tuple(changed))


def _changed_documents(
    recorded: InputVersions, current: dict[DocumentKind, DocumentVersion]
) -> list[str]:
    then: dict[DocumentKind, InputVersion] = {
        "org_baseline": recorded.org_baseline,
        "app_spec": recorded.app_spec,
        "environment_profile": recorded.environment_profile,
    }
    return [
        kind
        for kind, ref in then.items()
        if (ref.doc_id, ref.version, ref.content_hash)
        != (current[kind].doc_id, current[kind].version, current[kind].content_hash)
    ]


async def _package(uow: UnitOfWork, package_id: str) -> CompiledContextPackage:
    try:
        return await uow.compiled_packages.get(package_id)
    except NotFound:
        raise PackageNotFound(package_id) from None
