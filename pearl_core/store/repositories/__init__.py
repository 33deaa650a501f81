"""One repository per aggregate, each bound to a unit of work's :class:`Scope`."""

from pearl_core.store.repositories._scope import Scope
from pearl_core.store.repositories.context import (
    SqlApplicationSpecRepository,
    SqlEnvironmentProfileRepository,
    SqlOrgBaselineRepository,
)
from pearl_core.store.repositories.credentials import (
    SqlApiKeyRepository,
    SqlCredentialLookup,
)
from pearl_core.store.repositories.decisions import SqlDecisionLogRepository
from pearl_core.store.repositories.findings import SqlFindingRepository
from pearl_core.store.repositories.governance import (
    SqlApprovalRepository,
    SqlExceptionRepository,
    SqlPromotionRepository,
)
from pearl_core.store.repositories.identity import (
    SqlOrgRepository,
    SqlServiceAccountRepository,
    SqlTeamRepository,
    SqlUserRepository,
)
from pearl_core.store.repositories.ingest import SqlIngestRunRepository
from pearl_core.store.repositories.operations import SqlJobRepository, SqlReportRepository
from pearl_core.store.repositories.packages import SqlCompiledPackageRepository
from pearl_core.store.repositories.projects import SqlProjectRepository
from pearl_core.store.repositories.remediation import (
    SqlRemediationSpecRepository,
    SqlTaskPacketRepository,
)
from pearl_core.store.repositories.sessions import (
    SqlPasswordRepository,
    SqlRefreshTokenRepository,
)

__all__ = [
    "Scope",
    "SqlApiKeyRepository",
    "SqlApplicationSpecRepository",
    "SqlApprovalRepository",
    "SqlCompiledPackageRepository",
    "SqlCredentialLookup",
    "SqlDecisionLogRepository",
    "SqlEnvironmentProfileRepository",
    "SqlExceptionRepository",
    "SqlFindingRepository",
    "SqlIngestRunRepository",
    "SqlJobRepository",
    "SqlOrgBaselineRepository",
    "SqlOrgRepository",
    "SqlPasswordRepository",
    "SqlProjectRepository",
    "SqlPromotionRepository",
    "SqlRefreshTokenRepository",
    "SqlRemediationSpecRepository",
    "SqlReportRepository",
    "SqlServiceAccountRepository",
    "SqlTaskPacketRepository",
    "SqlTeamRepository",
    "SqlUserRepository",
]
