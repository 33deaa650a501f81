"""What a principal may be allowed to do: the permission vocabulary.

The names live in the domain so credentials (an API key's scopes) and the
acting :class:`~pearl_core.domain.identity.Principal` can carry them; which
roles grant each one is :data:`pearl_core.authz.PERMISSIONS`.
"""

from __future__ import annotations

from enum import StrEnum

__all__ = ["Permission"]


class Permission(StrEnum):
    PROJECT_READ = "project:read"
    PROJECT_WRITE = "project:write"
    POLICY_READ = "policy:read"
    POLICY_WRITE = "policy:write"
    AUDIT_READ = "audit:read"
    ORG_ADMIN = "org:admin"
    FINDINGS_READ = "findings:read"
    FINDINGS_INGEST = "findings:ingest"
    FINDINGS_TRIAGE = "findings:triage"
    REMEDIATION_GENERATE = "remediation:generate"
    PACKETS_READ = "packets:read"
    PACKETS_WORK = "packets:work"
    APPROVALS_READ = "approvals:read"
    APPROVALS_REQUEST = "approvals:request"
    APPROVALS_DECIDE = "approvals:decide"
    SERVICE_ACCOUNTS_MANAGE = "service_accounts:manage"
    USERS_MANAGE = "users:manage"
