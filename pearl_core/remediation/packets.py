"""From a remediation spec to the :class:`TaskPacket` an agent claims.

A packet grants the least a fix needs, in the guard rails' action types
(``policies/guardrails.json`` ``by_action``):

=====================  ======================  ===========================
need                   action type             capability it needs
=====================  ======================  ===========================
read the code around   ``file_read``           ``code_read``
change files           ``file_write``          ``code_edit``
tests, lint, git       ``command_run``         ``command_run``
commit                 ``git_commit``          ``code_edit``
upgrade a dependency   ``dependency_change``   ``dependency_change``
=====================  ======================  ===========================

(``dependency_change`` for dependency units only.) The compiled context's
``autonomy_policy.allowed_actions`` lists capabilities (the environment
profile's, narrowed by the app spec), so a type is granted when the context
allows its capability or the type itself, and neither is blocked, which is
how the guard rails read a grant too. An empty grant in the context grants
the packet nothing. ``blocked_actions`` is the context's blocked actions
plus ``deploy``, ``git_push`` and ``network_egress``, which a remediation
never needs.

``allowed_commands`` lists only commands of a granted type: the test runner
(``pytest``, ``python -m pytest``), ``ruff check``/``ruff format`` and
``git status``/``diff``/``add`` under ``command_run``; ``git commit`` under
``command_run`` or ``git_commit``; the package manager (``pip install``,
``python -m pip install``) under ``dependency_change``, and only for a PyPI
dependency, the one ecosystem whose installer the guard rails know.

A packet is only cut for a spec an agent may work on: ``human_required`` and
``not_autonomous`` specs raise :class:`~pearl_core.errors.HumanRequired`.
Its id is ``tp_`` and the first 24 hex digits of SHA-256 over the canonical
JSON of ``[spec id, generated_at in UTC, ISO 8601]``.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Final

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.context.signing import ContextSigner
from pearl_core.domain.common import Reference
from pearl_core.domain.compiled import CompiledContextPackage
from pearl_core.domain.enums import Eligibility, ReferenceKind, TaskType
from pearl_core.domain.remediation import ContextBudget, RemediationSpec, TaskPacket
from pearl_core.errors import HumanRequired, ValidationFailed
from pearl_core.remediation.grouping import WorkUnit
from pearl_core.remediation.scope import allowed_paths
from pearl_core.remediation.signing import sign_packet
from pearl_core.remediation.specs import RESCAN_PREFIX, components_touched, spec_id_for
from pearl_core.remediation.wording import task_summary
from pearl_core.validation import parse

__all__ = [
    "ACTION_CAPABILITIES",
    "ACTION_COMMAND_RUN",
    "ACTION_DEPENDENCY_CHANGE",
    "ACTION_FILE_READ",
    "ACTION_FILE_WRITE",
    "ACTION_GIT_COMMIT",
    "AGENT_ELIGIBLE",
    "ALWAYS_BLOCKED",
    "build_packet",
    "packet_id_for",
]

ACTION_FILE_READ: Final = "file_read"
ACTION_FILE_WRITE: Final = "file_write"
ACTION_COMMAND_RUN: Final = "command_run"
ACTION_GIT_COMMIT: Final = "git_commit"
ACTION_DEPENDENCY_CHANGE: Final = "dependency_change"
ALWAYS_BLOCKED: Final = ("deploy", "git_push", "network_egress")

#: The capability each action type needs (``by_action[type].capability``).
ACTION_CAPABILITIES: Final = {
    ACTION_FILE_READ: "code_read",
    ACTION_FILE_WRITE: "code_edit",
    ACTION_COMMAND_RUN: "command_run",
    ACTION_GIT_COMMIT: "code_edit",
    ACTION_DEPENDENCY_CHANGE: "dependency_change",
}

_RUN_COMMANDS: Final = (
    "pytest",
    "python -m pytest",
    "ruff check",
    "ruff format",
    "git status",
    "git diff",
    "git add",
)
_COMMIT_COMMAND: Final = "git commit"
_PIP_COMMANDS: Final = ("pip install", "python -m pip install")
_BASE_TOKENS: Final = 4000
_TOKENS_PER_FILE: Final = 2000
_MAX_TOKENS: Final = 32000
AGENT_ELIGIBLE: Final = frozenset(
    {Eligibility.AUTO_ALLOWED, Eligibility.AUTO_ALLOWED_WITH_APPROVAL}
)


#: For ``auto_allowed_with_approval`` work the agent edits within its scope, but
#: committing the change waits for a human: the packet names ``git_commit``
#: as an approval trigger, which the guard rails enforce.
APPROVAL_GATE_ACTION: Final = "git_commit"


def _approval_triggers(spec: RemediationSpec) -> list[str]:
    triggers = list(spec.approval_triggers)
    if spec.eligibility is Eligibility.AUTO_ALLOWED_WITH_APPROVAL:
        triggers.append(APPROVAL_GATE_ACTION)
    return sorted(set(triggers))


def packet_id_for(remediation_spec_id: str, generated_at: datetime) -> str:
    """``tp_`` + 24 hex digits of SHA-256 over ``[spec id, generated_at (UTC ISO)]``."""
    moment = generated_at.astimezone(UTC).isoformat()
    return f"tp_{sha256_hex(canonical_json([remediation_spec_id, moment]))[:24]}"


def _check(
    spec: RemediationSpec,
    unit: WorkUnit,
    context: CompiledContextPackage,
    generated_at: datetime,
    ttl: timedelta,
    compiled_package_id: str | None,
) -> None:
    details = {"remediation_spec_id": spec.remediation_spec_id}
    if spec.eligibility not in AGENT_ELIGIBLE:
        raise HumanRequired(
            f"a {spec.eligibility.value} remediation is not handed to an agent",
            eligibility=spec.eligibility.value,
            **details,
        )
    if generated_at.tzinfo is None or generated_at.utcoffset() is None:
        raise ValidationFailed("generated_at must carry a timezone", **details)
    if ttl <= timedelta(0):
        raise ValidationFailed("a task packet's time to live must be positive", **details)
    own_id = spec_id_for(spec.project_id, spec.environment, unit.key)
    if spec.remediation_spec_id != own_id or spec.finding_refs != list(unit.finding_ids):
        raise ValidationFailed("the remediation spec was not built from this unit", **details)
    if (context.project_id, context.environment) != (spec.project_id, spec.environment):
        raise ValidationFailed("the compiled context is for another project environment", **details)
    if compiled_package_id is not None and compiled_package_id != context.package_id:
        raise ValidationFailed("compiled_package_id does not name this context", **details)


def _actions(unit: WorkUnit, context: CompiledContextPackage) -> tuple[list[str], list[str]]:
    """The allowed and blocked action types (module docstring)."""
    needed = [ACTION_FILE_READ, ACTION_FILE_WRITE, ACTION_COMMAND_RUN, ACTION_GIT_COMMIT]
    if unit.kind == "dependency":
        needed.append(ACTION_DEPENDENCY_CHANGE)
    policy = context.autonomy_policy
    granted, refused = set(policy.allowed_actions), set(policy.blocked_actions)
    allowed = {
        action
        for action in needed
        if {action, ACTION_CAPABILITIES[action]} & granted
        and not {action, ACTION_CAPABILITIES[action]} & refused
    }
    blocked = (refused | set(ALWAYS_BLOCKED)) - allowed
    return sorted(allowed), sorted(blocked)


def _commands(unit: WorkUnit, allowed_actions: list[str]) -> list[str]:
    granted = set(allowed_actions)
    commands: list[str] = []
    if ACTION_COMMAND_RUN in granted:
        commands += _RUN_COMMANDS
    if granted & {ACTION_COMMAND_RUN, ACTION_GIT_COMMIT}:
        commands.append(_COMMIT_COMMAND)
    package = unit.package
    if ACTION_DEPENDENCY_CHANGE in granted and package is not None and package.ecosystem == "pypi":
        commands += _PIP_COMMANDS
    return commands


def _budget(paths: list[str]) -> ContextBudget:
    files = [path for path in paths if "*" not in path]
    hint = min(_BASE_TOKENS + _TOKENS_PER_FILE * len(files), _MAX_TOKENS)
    return ContextBudget(max_tokens_hint=hint, deep_fetch_required=False)


def build_packet(
    spec: RemediationSpec,
    unit: WorkUnit,
    context: CompiledContextPackage,
    *,
    generated_at: datetime,
    ttl: timedelta,
    trace_id: str,
    signer: ContextSigner | None,
    compiled_package_id: str | None,
) -> TaskPacket:
    """The task packet for ``spec`` (built from ``unit`` under ``context``), signed
    when ``signer`` is given.

    ``human_required`` for a spec no agent may work on; ``validation_failed``
    when the spec, the unit, the context and ``compiled_package_id`` do not
    belong together, ``generated_at`` is naive or ``ttl`` is not positive.
    """
    _check(spec, unit, context, generated_at, ttl, compiled_package_id)
    include_tests = any(not test.startswith(RESCAN_PREFIX) for test in spec.required_tests)
    paths = allowed_paths(unit, include_tests=include_tests)
    allowed, blocked = _actions(unit, context)
    package = unit.package
    references = list(spec.references)
    if compiled_package_id is not None:
        references.append(
            Reference(
                ref_id=compiled_package_id,
                kind=ReferenceKind.ARTIFACT,
                summary="Base compiled package",
            )
        )
    reassessment = context.change_reassessment_triggers
    packet = parse(
        TaskPacket,
        {
            "task_packet_id": packet_id_for(spec.remediation_spec_id, generated_at),
            "project_id": spec.project_id,
            "environment": spec.environment,
            "task_type": TaskType.REMEDIATION,
            "task_summary": task_summary(unit),
            "affected_components": components_touched(unit),
            "relevant_controls": sorted(
                {c for f in unit.findings for c in f.control_refs} | set(unit.cwe_ids)
            ),
            "allowed_actions": allowed,
            "blocked_actions": blocked,
            "required_tests": list(spec.required_tests),
            "approval_triggers": _approval_triggers(spec),
            "evidence_required": list(spec.evidence_required),
            "reassessment_triggers": sorted(reassessment.architecture_delta)
            if reassessment is not None
            else [],
            "references": references,
            "trace_id": trace_id,
            "generated_at": generated_at,
            "context_budget": _budget(paths),
            "remediation_spec_id": spec.remediation_spec_id,
            "finding_refs": list(unit.finding_ids),
            "allowed_paths": paths,
            "allowed_commands": _commands(unit, allowed),
            "expires_at": generated_at + ttl,
            "allowed_packages": [package.name]
            if package is not None and ACTION_DEPENDENCY_CHANGE in allowed
            else [],
            "verification_tools": list(unit.tool_names),
            "compiled_package_id": compiled_package_id,
        },
    )
    return packet if signer is None else sign_packet(packet, signer)
