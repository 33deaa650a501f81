"""From a work unit to a :class:`RemediationSpec`: the eligibility question and the answer.

:func:`eligibility_input` builds the input of ``pearl.remediation.decision``
(its METADATA documents the shape) from the unit's facts:

* ``severity`` the unit's highest; ``exploitability`` its worst
  (``high`` > ``medium`` > ``unknown`` > ``low``; a finding that does not say
  counts as ``unknown``); ``fix_available`` true only when every finding has
  a known fix (:attr:`WorkUnit.fix_available`);
* ``category`` the most restrictive of the findings' (any category other
  than ``security`` wins); ``tool_type`` ``secrets`` if any finding comes
  from a secrets scanner, else the first of the findings' tool types;
* ``components_touched`` the union of the findings' ``affected_components``
  or, when none names any, the first segment of each path they name;
* ``critical_components`` what the caller passes: the compiled context
  carries no component list, so the service reads the application spec's
  components marked high or critical and hands them in;
* ``autonomy_mode`` the compiled context's effective mode.

:func:`build_spec` turns the decision into the spec. Its id is ``rs_`` and
the first 24 hex digits of SHA-256 over the canonical JSON of
``[project_id, environment, unit.key]``, so the same unit in the same
project environment always has the same spec id; the same findings and the
same decision give an equal spec (``generated_at`` and ``trace_id`` are
inputs).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any, Final

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.common import Reference
from pearl_core.domain.compiled import CompiledContextPackage
from pearl_core.domain.enums import (
    Confidence,
    Eligibility,
    Environment,
    FindingCategory,
    ReferenceKind,
    ToolType,
)
from pearl_core.domain.remediation import RemediationSpec, RiskSummary
from pearl_core.errors import PolicyEvaluationError, ValidationFailed
from pearl_core.policy.ports import Decision, PolicyEngine
from pearl_core.remediation.grouping import WorkUnit
from pearl_core.remediation.scope import top_level_components
from pearl_core.remediation.wording import clip, implementation_constraints, required_outcome
from pearl_core.validation import parse

__all__ = [
    "EVIDENCE_CHANGED_FILES",
    "EVIDENCE_COMMIT_SHA",
    "EVIDENCE_REQUIRED",
    "EVIDENCE_TEST_RESULTS",
    "EVIDENCE_TOOL_OUTPUT_DIGESTS",
    "REMEDIATION_ENTRYPOINT",
    "RESCAN_PREFIX",
    "build_spec",
    "components_touched",
    "eligibility_input",
    "evaluate_eligibility",
    "required_tests",
    "spec_id_for",
]

REMEDIATION_ENTRYPOINT: Final = "pearl.remediation.decision"

#: Evidence names: each is the :class:`~pearl_core.domain.remediation.OutcomeReport`
#: field an outcome must fill, so the outcome service checks evidence by name.
EVIDENCE_CHANGED_FILES: Final = "changed_files"
EVIDENCE_COMMIT_SHA: Final = "commit_sha"
EVIDENCE_TEST_RESULTS: Final = "test_results"
EVIDENCE_TOOL_OUTPUT_DIGESTS: Final = "tool_output_digests"
EVIDENCE_REQUIRED: Final = (
    EVIDENCE_CHANGED_FILES,
    EVIDENCE_COMMIT_SHA,
    EVIDENCE_TEST_RESULTS,
    EVIDENCE_TOOL_OUTPUT_DIGESTS,
)

RESCAN_PREFIX: Final = "rescan:"
"""A required test ``rescan:<tool>``: the tool's next scan must no longer report the findings."""


def spec_id_for(project_id: str, environment: Environment, key: str) -> str:
    """``rs_`` + 24 hex digits of SHA-256 over ``[project_id, environment, key]``."""
    digest = sha256_hex(canonical_json([project_id, environment.value, key]))
    return f"rs_{digest[:24]}"


def components_touched(unit: WorkUnit) -> list[str]:
    """The findings' affected components, else the top-level path segments; sorted."""
    named = {component for f in unit.findings for component in f.affected_components}
    return sorted(named) if named else top_level_components(unit)


def _category(unit: WorkUnit) -> FindingCategory:
    categories = {finding.category for finding in unit.findings}
    judgement = sorted(categories - {FindingCategory.SECURITY})
    return judgement[0] if judgement else FindingCategory.SECURITY


def _tool_type(unit: WorkUnit) -> ToolType:
    types = unit.tool_types
    return ToolType.SECRETS if ToolType.SECRETS in types else types[0]


def _check_scope(
    unit: WorkUnit, context: CompiledContextPackage, project_id: str, environment: Environment
) -> None:
    """``validation_failed`` unless the unit, the context and the caller agree on
    the project environment."""
    scopes = {(finding.project_id, finding.environment) for finding in unit.findings}
    scopes.add((context.project_id, context.environment))
    if scopes != {(project_id, environment)}:
        raise ValidationFailed(
            "the findings, the compiled context and the request name different "
            "project environments",
            project_id=project_id,
            environment=environment.value,
            key=unit.key,
        )


def eligibility_input(
    unit: WorkUnit,
    environment: Environment,
    context: CompiledContextPackage,
    *,
    critical_components: Iterable[str] = (),
) -> dict[str, Any]:
    """The ``pearl.remediation.decision`` input for ``unit`` (module docstring)."""
    _check_scope(unit, context, context.project_id, environment)
    return {
        "environment": environment.value,
        "autonomy_mode": context.autonomy_policy.mode.value,
        "severity": unit.max_severity.value,
        "category": _category(unit).value,
        "tool_type": _tool_type(unit).value,
        "exploitability": unit.worst_exploitability.value,
        "fix_available": unit.fix_available,
        "components_touched": components_touched(unit),
        "critical_components": sorted(set(critical_components)),
        "finding_ids": list(unit.finding_ids),
    }


def evaluate_eligibility(engine: PolicyEngine, input: Mapping[str, Any]) -> Decision:
    """Ask ``engine`` the eligibility question for ``input`` (:func:`eligibility_input`)."""
    return engine.evaluate(REMEDIATION_ENTRYPOINT, input)


def _eligibility(decision: Decision) -> Eligibility:
    if decision.entrypoint != REMEDIATION_ENTRYPOINT:
        raise ValidationFailed(
            "a remediation spec needs a remediation decision", entrypoint=decision.entrypoint
        )
    try:
        return Eligibility(decision.decision)
    except ValueError:
        raise PolicyEvaluationError(
            "the remediation decision is not a known eligibility",
            decision_id=decision.decision_id,
        ) from None


def _approval(decision: Decision, eligibility: Eligibility) -> tuple[bool, list[str]]:
    """Whether approval is required (the policy's word, and always for
    ``auto_allowed_with_approval``), and the triggers, sorted."""
    required = decision.result.get("approval_required", False)
    triggers = decision.result.get("approval_triggers", [])
    if not isinstance(required, bool) or not isinstance(triggers, list):
        raise PolicyEvaluationError(
            "the remediation decision's approval fields are malformed",
            decision_id=decision.decision_id,
        )
    if not all(isinstance(trigger, str) and trigger for trigger in triggers):
        raise PolicyEvaluationError(
            "the remediation decision's approval triggers are not all names",
            decision_id=decision.decision_id,
        )
    required = required or eligibility is Eligibility.AUTO_ALLOWED_WITH_APPROVAL
    return required, sorted(set(triggers))


def required_tests(unit: WorkUnit, context: CompiledContextPackage) -> list[str]:
    """The context's required tests (security, functional, responsible AI), sorted,
    then ``rescan:<tool>`` for each tool that reported the findings."""
    suites = context.required_tests
    named = set()
    if suites is not None:
        named = {*suites.security, *suites.functional, *suites.rai}
    return sorted(named) + [f"{RESCAN_PREFIX}{tool}" for tool in unit.tool_names]


def build_spec(
    unit: WorkUnit,
    decision: Decision,
    *,
    context: CompiledContextPackage,
    project_id: str,
    environment: Environment,
    generated_at: datetime,
    trace_id: str,
) -> RemediationSpec:
    """The remediation spec of ``unit`` under ``decision`` (module docstring).

    ``validation_failed`` if the unit, the context and ``project_id`` /
    ``environment`` disagree, or ``decision`` is not a remediation decision;
    ``policy_evaluation_failed`` if its result is outside the contract.
    """
    _check_scope(unit, context, project_id, environment)
    eligibility = _eligibility(decision)
    approval_required, approval_triggers = _approval(decision, eligibility)
    references = [
        Reference(
            ref_id=finding.finding_id, kind=ReferenceKind.FINDING, summary=clip(finding.title)
        )
        for finding in unit.findings
    ]
    risk = RiskSummary(
        risk_level=unit.max_severity, confidence=unit.min_confidence or Confidence.MEDIUM
    )
    return parse(
        RemediationSpec,
        {
            "remediation_spec_id": spec_id_for(project_id, environment, unit.key),
            "project_id": project_id,
            "environment": environment,
            "finding_refs": list(unit.finding_ids),
            "risk_summary": risk,
            "eligibility": eligibility,
            "required_outcome": clip(required_outcome(unit), 5000),
            "implementation_constraints": implementation_constraints(
                unit, context.security_requirements.prohibited_patterns
            ),
            "required_tests": required_tests(unit, context),
            "evidence_required": list(EVIDENCE_REQUIRED),
            "approval_required": approval_required,
            "approval_triggers": approval_triggers,
            "trace_id": trace_id,
            "generated_at": generated_at,
            "references": references,
        },
    )
