"""PeaRL's one error tree.

Every failure PeaRL reports on purpose is a :class:`PearlError`. Each class has a
stable machine ``code`` that MCP tool errors, REST problem bodies and the CLI's
one-line error all carry; tests assert codes, never message text. Leaves share
their parent's code unless callers need to tell them apart.

::

    PearlError                         pearl_error
    ├── ValidationFailed               validation_failed
    │   ├── UnrecognizedFormat         unrecognized_format
    │   └── MalformedReport            malformed_report
    ├── NotFound                       not_found
    │   ├── OrgNotFound
    │   ├── ProjectNotFound
    │   ├── FindingNotFound
    │   ├── TaskPacketNotFound
    │   ├── ApprovalNotFound
    │   ├── ExceptionNotFound
    │   ├── ContextDocumentNotFound
    │   ├── PackageNotFound
    │   └── ApiKeyNotFound
    ├── Conflict                       conflict
    │   ├── AlreadyExists              already_exists
    │   └── IdempotencyConflict
    ├── InvalidTransition              invalid_transition
    │   └── ApprovalNotPending         approval_not_pending
    ├── Forbidden                      forbidden
    │   ├── InsufficientScope          insufficient_scope
    │   ├── HumanRequired              human_required
    │   ├── ReasonRequired             reason_required
    │   └── RequesterCannotDecide      requester_cannot_decide
    ├── Unauthenticated                unauthenticated
    ├── LimitExceeded                  limit_exceeded
    ├── IntegrityViolation             integrity_violation
    │   ├── AuditChainBroken           audit_chain_broken
    │   └── SignatureInvalid           signature_invalid
    ├── ConfigurationError             configuration_error
    ├── PolicyError                    policy_error
    │   ├── PolicyLoadError            policy_invalid
    │   ├── PolicyEvaluationError      policy_evaluation_failed
    │   └── PolicyEngineUnavailable    policy_engine_unavailable
    └── StoreUnavailable               store_unavailable
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any, ClassVar

__all__ = [
    "AlreadyExists",
    "ApiKeyNotFound",
    "ApprovalNotFound",
    "ApprovalNotPending",
    "AuditChainBroken",
    "ConfigurationError",
    "Conflict",
    "ContextDocumentNotFound",
    "ExceptionNotFound",
    "FindingNotFound",
    "Forbidden",
    "HumanRequired",
    "IdempotencyConflict",
    "InsufficientScope",
    "IntegrityViolation",
    "InvalidTransition",
    "LimitExceeded",
    "MalformedReport",
    "NotFound",
    "OrgNotFound",
    "PackageNotFound",
    "PearlError",
    "PolicyEngineUnavailable",
    "PolicyError",
    "PolicyEvaluationError",
    "PolicyLoadError",
    "ProjectNotFound",
    "ReasonRequired",
    "RequesterCannotDecide",
    "SignatureInvalid",
    "StoreUnavailable",
    "TaskPacketNotFound",
    "Unauthenticated",
    "UnrecognizedFormat",
    "ValidationFailed",
]


class PearlError(Exception):
    """Root of every error PeaRL raises on purpose.

    ``details`` is JSON-safe data for machines (field names, ids, limits); it
    never carries secrets or untrusted text beyond what the caller sent.
    """

    code: ClassVar[str] = "pearl_error"

    def __init__(self, message: str, /, **details: Any) -> None:
        super().__init__(message)
        self.message = message
        self.details: Mapping[str, Any] = details

    def to_dict(self) -> dict[str, Any]:
        """The error as data: ``{"code", "message", "details"}``."""
        return {"code": self.code, "message": self.message, "details": dict(self.details)}


class ValidationFailed(PearlError):
    code = "validation_failed"


class UnrecognizedFormat(ValidationFailed):
    code = "unrecognized_format"


class MalformedReport(ValidationFailed):
    code = "malformed_report"


class NotFound(PearlError):
    """The object does not exist *for this principal*.

    A row of another org raises exactly this, with the same message, so the
    answer never tells an attacker that an id exists elsewhere.
    """

    code = "not_found"
    resource: ClassVar[str] = "resource"

    def __init__(self, resource_id: str, /) -> None:
        super().__init__(f"{self.resource} {resource_id!r} not found", id=resource_id)


class OrgNotFound(NotFound):
    resource = "org"


class ProjectNotFound(NotFound):
    resource = "project"


class FindingNotFound(NotFound):
    resource = "finding"


class TaskPacketNotFound(NotFound):
    resource = "task packet"


class ApprovalNotFound(NotFound):
    resource = "approval request"


class ExceptionNotFound(NotFound):
    resource = "exception"


class ContextDocumentNotFound(NotFound):
    """An org baseline, app spec or environment profile a compile needs is missing."""

    resource = "context document"


class PackageNotFound(NotFound):
    resource = "compiled package"


class ApiKeyNotFound(NotFound):
    resource = "api key"


class Conflict(PearlError):
    code = "conflict"


class AlreadyExists(Conflict):
    code = "already_exists"


class IdempotencyConflict(Conflict):
    """The idempotency key was used before, with different content."""


class InvalidTransition(PearlError):
    code = "invalid_transition"


class ApprovalNotPending(InvalidTransition):
    code = "approval_not_pending"


class Forbidden(PearlError):
    code = "forbidden"


class InsufficientScope(Forbidden):
    """The principal's roles grant the permission, but the credential it
    authenticated with (an API key's ``scopes``) does not. ``details`` carries
    the ``permission`` to ask for (RFC 6750 ``insufficient_scope``)."""

    code = "insufficient_scope"


class HumanRequired(Forbidden):
    code = "human_required"


class ReasonRequired(Forbidden):
    code = "reason_required"


class RequesterCannotDecide(Forbidden):
    code = "requester_cannot_decide"


class Unauthenticated(PearlError):
    code = "unauthenticated"


class LimitExceeded(PearlError):
    code = "limit_exceeded"


class IntegrityViolation(PearlError):
    code = "integrity_violation"


class AuditChainBroken(IntegrityViolation):
    code = "audit_chain_broken"


class SignatureInvalid(IntegrityViolation):
    """A signed document (a compiled package) is unsigned, signed by an unknown
    key, or does not match its hash or signature: treat it as tampered."""

    code = "signature_invalid"


class ConfigurationError(PearlError):
    code = "configuration_error"


class StoreUnavailable(PearlError):
    code = "store_unavailable"


class ScannerUnavailable(PearlError):
    """A scanner PeaRL was asked to run is not installed where PeaRL looks for it."""

    code = "scanner_unavailable"


class ScannerFailed(PearlError):
    """A scanner ran but did not produce a report (crash, timeout, bad rules)."""

    code = "scanner_failed"


class PolicyError(PearlError):
    """The policy bundle or the engine that evaluates it failed; callers fail closed."""

    code = "policy_error"


class PolicyLoadError(PolicyError):
    """A policy bundle cannot be loaded: Rego that does not compile, a missing
    METADATA block, bad data JSON, an entrypoint that does not evaluate.

    ``details`` carries ``file``, ``line`` and ``column`` (1-based; ``None``
    when the engine gave no location), ``reason`` (the bare message) and
    ``problems``: every problem found, each a dict with the same four keys.
    The message is ``file:line:col reason`` so one line says where to look.
    """

    code = "policy_invalid"

    def __init__(
        self,
        reason: str,
        /,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
        problems: Sequence[Mapping[str, Any]] = (),
    ) -> None:
        here = {"file": file, "line": line, "column": column, "reason": reason}
        where = ":".join(str(part) for part in (file, line, column) if part is not None)
        super().__init__(
            f"{where} {reason}" if where else reason,
            **here,
            problems=[dict(problem) for problem in problems] or [here],
        )


class PolicyEvaluationError(PolicyError):
    """A decision could not be made: the entrypoint was undefined, returned a
    result outside the contract, or raised at run time. Never read as allow."""

    code = "policy_evaluation_failed"


class PolicyEngineUnavailable(PolicyError):
    """The policy decision point (an OPA server) could not be reached."""

    code = "policy_engine_unavailable"
