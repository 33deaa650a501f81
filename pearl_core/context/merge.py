"""Merge an org baseline, an app spec and an environment profile into one package.

:func:`compile_context` is pure: it reads and signs nothing, and the same
inputs always give the same package, byte for byte, and the same content hash
(:mod:`pearl_core.context.digest`). Lists that are sets are sorted, so the
order in which a layer lists things never shows.

Precedence (``merge_precedence_version`` 1)
-------------------------------------------

Layers, most specific first: **P** the environment profile, **A** the app
spec, **B** the org baseline (**B[env]** is its ``environment_defaults`` for
the profile's environment). Each package field follows one rule:

* **override**: the most specific layer that sets the field wins (P, then A,
  then B). Used for descriptive scalars only.
* **require**: a requirement flag is ``True`` if *any* layer sets it, so a
  lower layer can never clear what another requires; ``False`` only when a
  layer says so and none requires it; absent when no layer speaks.
* **union**: prohibitions and requirements add up across layers.
* **intersect**: permissions. P grants; A can only narrow P's grant (an
  empty A list does not narrow); anything any layer prohibits is removed
  afterwards. The result is always a subset of what P allows.

========================================  =========  ==============================================
package field                             rule       sources, most specific first
========================================  =========  ==============================================
project_identity.environment,             override   P
delivery_stage
project_identity.app_id, ai_enabled       override   A.application
environment_profile (each key)            override   P delivery_stage, risk_level, autonomy_mode,
                                                     approval_level; then B[env] (free-form keys)
autonomy_policy.mode                      override   P.autonomy_mode
autonomy_policy.allowed_actions           intersect  P.allowed_capabilities narrowed by
                                                     A.autonomous_coding.allowed_actions, minus
                                                     every blocked action
autonomy_policy.blocked_actions           union      P.blocked_capabilities,
                                                     A.autonomous_coding.blocked_actions
autonomy_policy.approval_required_for     union      A.autonomous_coding
security_requirements.required_controls   union      A.controls; B flags (1)
security_requirements.prohibited_patterns union      A.controls; B flags (2)
iam_requirements                          require    A.iam, B.iam
.least_privilege_required
network_requirements.outbound_allowlist   intersect  A.network (the only grant: empty means none)
network_requirements                      require    A.network,
.public_egress_forbidden                             B.network.deny_by_default_preferred
data_handling_requirements                union      A.data.prohibited_in_model_context
responsible_ai_requirements (flags)       require    A.responsible_ai; B.responsible_ai (3)
responsible_ai_requirements.transparency  override   A.responsible_ai
.explanation_metadata_required
responsible_ai_requirements.oversight     union      A.responsible_ai; ``high_impact_actions`` if
.human_review_required_for                           B asks for oversight (3)
required_tests.security, rai, functional  union      A.tests; B.testing flags (4)
approval_checkpoints                      union      A.approvals, those for this environment or
                                                     for every environment
autonomous_remediation_eligibility.rules  (A only)   A.autonomous_coding, in the order given
========================================  =========  ==============================================

1. ``secure_coding_standard``, ``dependency_pinning``, ``structured_logging``
   when B's flag is true, and ``security_event_logging:<event>`` per
   ``logging.security_events_minimum``.
2. ``hardcoded_secrets``, ``wildcard_iam_permissions``,
   ``undeclared_external_egress``, ``pii_in_logs`` when B forbids them.
3. B's responsible-AI defaults apply to AI-enabled apps only; the disclosure
   and fairness-review defaults only to apps that are not ``internal_only``.
4. ``unit_tests`` (functional), ``security_baseline_tests`` (security), and
   ``rai_evals`` (rai, AI-enabled apps only).

Not compiled yet: tool and model constraints, evidence requirements,
reassessment triggers and exceptions have no source in the three documents.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Final

from pearl_core.context import sections
from pearl_core.context.digest import document_hash, package_hash
from pearl_core.domain.common import Integrity
from pearl_core.domain.compiled import (
    CompiledContextPackage,
    CompiledFrom,
    InputVersion,
    InputVersions,
    PackageMetadata,
    ProjectIdentity,
)
from pearl_core.domain.context import (
    ApplicationSpec,
    DocumentKind,
    DocumentVersion,
    EnvironmentProfile,
    OrgBaseline,
)
from pearl_core.domain.enums import HashAlg
from pearl_core.domain.project import Project
from pearl_core.errors import ValidationFailed
from pearl_core.validation import parse

__all__ = ["COMPILER_VERSION", "MERGE_PRECEDENCE_VERSION", "compile_context"]

COMPILER_VERSION: Final = "pearl-context/1"
"""Changes whenever the same inputs would compile differently (it enters the hash)."""
MERGE_PRECEDENCE_VERSION: Final = "1"
"""The version of the precedence table above."""


def compile_context(
    baseline: OrgBaseline,
    app_spec: ApplicationSpec,
    profile: EnvironmentProfile,
    *,
    project: Project,
    package_id: str,
    compiled_at: datetime,
    bundle_hash: str,
    versions: Mapping[DocumentKind, DocumentVersion],
) -> CompiledContextPackage:
    """The unsigned package for ``project`` in ``profile.environment``, with its hash.

    ``versions`` are the stored versions of the three documents; each must
    name its document and match its content (``validation_failed`` if not),
    so a package never records a version it was not compiled from.
    """
    inputs = _input_versions(baseline, app_spec, profile, project, versions, bundle_hash)
    package = CompiledContextPackage(
        package_metadata=PackageMetadata(
            package_id=package_id,
            compiled_from=CompiledFrom(
                org_baseline_id=baseline.baseline_id,
                app_spec_id=app_spec.app_id,
                environment_profile_id=profile.profile_id,
            ),
            integrity=Integrity(signed=False, hash_alg=HashAlg.SHA256, compiled_at=compiled_at),
            compiler_version=COMPILER_VERSION,
            merge_precedence_version=MERGE_PRECEDENCE_VERSION,
            input_versions=inputs,
        ),
        project_identity=ProjectIdentity(
            project_id=project.project_id,
            app_id=app_spec.app_id,
            environment=profile.environment,
            delivery_stage=profile.delivery_stage,
            ai_enabled=app_spec.application.ai_enabled,
        ),
        environment_profile=sections.environment_profile(baseline, profile),
        autonomy_policy=sections.autonomy(profile, app_spec),
        security_requirements=sections.security(baseline.defaults, app_spec),
        responsible_ai_requirements=sections.responsible_ai(baseline.defaults, app_spec),
        iam_requirements=sections.iam(baseline.defaults, app_spec),
        network_requirements=sections.network(baseline.defaults, app_spec),
        data_handling_requirements=sections.data_handling(app_spec),
        required_tests=sections.required_tests(baseline.defaults, app_spec),
        approval_checkpoints=sections.checkpoints(app_spec, profile),
        autonomous_remediation_eligibility=sections.eligibility(app_spec.autonomous_coding),
    )
    integrity = package.package_metadata.integrity.model_copy(
        update={"hash": package_hash(package)}
    )
    metadata = package.package_metadata.model_copy(update={"integrity": integrity})
    return package.model_copy(update={"package_metadata": metadata})


# -- inputs --------------------------------------------------------------------


def _input_versions(
    baseline: OrgBaseline,
    app_spec: ApplicationSpec,
    profile: EnvironmentProfile,
    project: Project,
    versions: Mapping[DocumentKind, DocumentVersion],
    bundle_hash: str,
) -> InputVersions:
    documents: dict[DocumentKind, tuple[str, str]] = {
        "org_baseline": (baseline.baseline_id, document_hash(baseline)),
        "app_spec": (project.project_id, document_hash(app_spec)),
        "environment_profile": (profile.profile_id, document_hash(profile)),
    }
    refs: dict[str, InputVersion] = {}
    for kind, (doc_id, digest) in documents.items():
        version = versions.get(kind)
        if version is None or (version.kind, version.doc_id, version.content_hash) != (
            kind,
            doc_id,
            digest,
        ):
            raise ValidationFailed(
                f"the {kind} version given does not describe the {kind} being compiled",
                kind=kind,
                doc_id=doc_id,
            )
        refs[kind] = InputVersion(doc_id=doc_id, version=version.version, content_hash=digest)
    return parse(InputVersions, {**refs, "policy_bundle_hash": bundle_hash})
