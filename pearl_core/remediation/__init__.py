"""Remediation planning: findings → work units → specs → signed task packets.

Pure functions, no I/O: the services load findings and the compiled context,
ask the policy engine, and store what these build.

* :func:`group_findings` — the findings one fix resolves together
  (:class:`WorkUnit`; the grouping rules are in :mod:`.grouping`).
* :func:`eligibility_input` / :func:`evaluate_eligibility` — the
  ``pearl.remediation.decision`` question for a unit;
  :func:`build_spec` — the :class:`~pearl_core.domain.remediation.RemediationSpec`
  from the answer (deterministic id, outcome, constraints, tests, evidence).
* :func:`build_packet` — the bounded :class:`~pearl_core.domain.remediation.TaskPacket`
  (paths, commands, actions, packages, expiry); :func:`sign_packet` /
  :func:`verify_packet` — its Ed25519 signature over the immutable fields.
"""

from pearl_core.remediation.grouping import (
    UnitKind,
    WorkUnit,
    group_findings,
    normalise_package_name,
)
from pearl_core.remediation.packets import (
    ACTION_CAPABILITIES,
    ACTION_COMMAND_RUN,
    ACTION_DEPENDENCY_CHANGE,
    ACTION_FILE_READ,
    ACTION_FILE_WRITE,
    ACTION_GIT_COMMIT,
    AGENT_ELIGIBLE,
    ALWAYS_BLOCKED,
    build_packet,
    packet_id_for,
)
from pearl_core.remediation.scope import TESTS_GLOB, allowed_paths, safe_relative_path
from pearl_core.remediation.signing import packet_signing_body, sign_packet, verify_packet
from pearl_core.remediation.specs import (
    EVIDENCE_CHANGED_FILES,
    EVIDENCE_COMMIT_SHA,
    EVIDENCE_REQUIRED,
    EVIDENCE_TEST_RESULTS,
    EVIDENCE_TOOL_OUTPUT_DIGESTS,
    REMEDIATION_ENTRYPOINT,
    RESCAN_PREFIX,
    build_spec,
    components_touched,
    eligibility_input,
    evaluate_eligibility,
    required_tests,
    spec_id_for,
)
from pearl_core.remediation.versions import highest_version, version_key

__all__ = [
    "ACTION_CAPABILITIES",
    "ACTION_COMMAND_RUN",
    "ACTION_DEPENDENCY_CHANGE",
    "ACTION_FILE_READ",
    "ACTION_FILE_WRITE",
    "ACTION_GIT_COMMIT",
    "AGENT_ELIGIBLE",
    "ALWAYS_BLOCKED",
    "EVIDENCE_CHANGED_FILES",
    "EVIDENCE_COMMIT_SHA",
    "EVIDENCE_REQUIRED",
    "EVIDENCE_TEST_RESULTS",
    "EVIDENCE_TOOL_OUTPUT_DIGESTS",
    "REMEDIATION_ENTRYPOINT",
    "RESCAN_PREFIX",
    "TESTS_GLOB",
    "UnitKind",
    "WorkUnit",
    "allowed_paths",
    "build_packet",
    "build_spec",
    "components_touched",
    "eligibility_input",
    "evaluate_eligibility",
    "group_findings",
    "highest_version",
    "normalise_package_name",
    "packet_id_for",
    "packet_signing_body",
    "required_tests",
    "safe_relative_path",
    "sign_packet",
    "spec_id_for",
    "verify_packet",
    "version_key",
]
