"""Lifecycles of findings, approvals, exceptions, task packets and promotions.

Each lifecycle is data: a table of :class:`Transition` rows saying which move
exists, which kinds of principal may make it, which roles they need and whether
a reason is required. :meth:`StateMachine.check` is the one question services
ask ("may this principal move this from A to B?"); it returns the row or raises,
checking in this order:

1. no such row (a self-transition never is one)        ``InvalidTransition``
2. only humans may make the move, principal is not one ``HumanRequired``
3. the principal's kind is not listed                  ``Forbidden``
4. the principal holds none of the listed roles        ``Forbidden``
5. a reason is required and missing or blank           ``ReasonRequired``

Kinds: H human, A service account (agent, CI job), S system. Roles: op
operator, rev reviewer, sa service_account; a human admin passes every role
check. Holding a lease, or having requested the thing being decided, is the
services' business: these tables only say what sort of actor may do what.

Finding (initial ``open``, no terminal state; ACTIVE = open, triaged,
in_progress, fix_submitted, reopened)::

    from                             to              kinds  roles   reason
    open, reopened, in_progress      triaged         H S    op rev  -
    open, triaged, reopened          in_progress     H A    op sa   -
    in_progress                      fix_submitted   H A    op sa   -
    ACTIVE                           fixed_verified  H S    op      yes (absent_from_rescan)
    fix_submitted, fixed_verified    reopened        H S    op      yes (seen again)
    ACTIVE                           accepted_risk   H      rev     yes
    ACTIVE                           false_positive  H      rev     yes
    ACTIVE                           not_affected    H      rev     yes
    ACTIVE                           suppressed      H S    op rev  yes
    accepted_risk, false_positive,
    not_affected, suppressed         open            H      rev     yes

A finding closed by a decision (DISPOSITIONED) that a later scan sees again
stays where it is; only a ``fixed_verified`` one that reappears is reopened.
Agents submit fixes; they never close a finding.

Approval (initial ``pending``; terminal approved, rejected, expired)::

    pending  approved  H  rev  -
    pending  rejected  H  rev  yes
    pending  expired   S  op   -

Exception (initial ``pending``; terminal expired, revoked, rejected)::

    pending  active    H  rev     yes
    pending  rejected  H  rev     yes
    pending  revoked   H  op rev  yes (withdrawn before a decision)
    pending  expired   S  op      -
    active   expired   S  op      -
    active   revoked   H  rev     yes

Task packet (initial ``available``; terminal verified, expired, cancelled)::

    available           claimed    H A    op sa   -
    claimed             available  H A S  op sa   -   (release or lease expiry)
    claimed             submitted  H A    op sa   -
    submitted           verified   H S    op      -
    submitted           rejected   H S    op      yes
    rejected            available  H S    op      -   (re-issue)
    available, claimed  expired    S      op      -
    available, claimed  cancelled  H      op rev  yes

Promotion (initial ``requested``; terminal rejected, rolled_back)::

    requested    gate_passed  H S  op      -
    requested    gate_failed  H S  op      -
    gate_failed  requested    H S  op      -   (re-evaluate)
    gate_passed  approved     H    rev     -
    gate_passed  rejected     H    rev     yes
    approved     promoted     H S  op      -
    promoted     rolled_back  H S  op rev  yes
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from types import MappingProxyType
from typing import Any, Generic, TypeVar

from pearl_core.domain.enums import (
    ApprovalStatus,
    ExceptionStatus,
    FindingStatus,
    PrincipalKind,
    PromotionStatus,
    Role,
    TaskPacketStatus,
)
from pearl_core.domain.identity import Principal
from pearl_core.errors import Forbidden, HumanRequired, InvalidTransition, ReasonRequired

__all__ = [
    "APPROVAL_LIFECYCLE",
    "DISPOSITIONED_FINDING_STATUSES",
    "EXCEPTION_LIFECYCLE",
    "FINDING_LIFECYCLE",
    "MACHINES",
    "OPEN_FINDING_STATUSES",
    "PROMOTION_LIFECYCLE",
    "RESOLVED_FINDING_STATUSES",
    "TASK_PACKET_LIFECYCLE",
    "StateMachine",
    "Transition",
]

S = TypeVar("S", bound=StrEnum)


@dataclass(frozen=True)
class Transition(Generic[S]):
    """One legal move: who (kind and role) may make it, and whether a reason is due."""

    source: S
    target: S
    allowed_roles: frozenset[Role]
    actor_kinds: frozenset[PrincipalKind]
    requires_reason: bool = False


@dataclass(frozen=True)
class StateMachine(Generic[S]):
    """A lifecycle as a table of :class:`Transition` rows, at most one per (source, target)."""

    name: str
    initial: S
    terminal: frozenset[S]
    transitions: tuple[Transition[S], ...]
    _index: Mapping[tuple[S, S], Transition[S]] = field(
        init=False, repr=False, compare=False, hash=False
    )

    def __post_init__(self) -> None:
        index: dict[tuple[S, S], Transition[S]] = {}
        for row in self.transitions:
            key = (row.source, row.target)
            problem = _problem(row, known=index, terminal=self.terminal)
            if problem:
                raise ValueError(f"malformed lifecycle {self.name}: {key} {problem}")
            index[key] = row
        object.__setattr__(self, "_index", MappingProxyType(index))

    @property
    def states(self) -> frozenset[S]:
        """Every state the table mentions, plus the initial and terminal ones."""
        mentioned = {s for row in self.transitions for s in (row.source, row.target)}
        return frozenset(mentioned | {self.initial} | self.terminal)

    def allowed_targets(self, source: S, principal: Principal | None = None) -> frozenset[S]:
        """Targets the table offers from ``source``; with ``principal``, those it may reach."""
        return frozenset(
            target
            for (src, target) in self._index
            if src == source and (principal is None or self.can(source, target, principal))
        )

    def can(self, source: S, target: S, principal: Principal) -> bool:
        """Whether ``principal`` may make the move; a required reason is assumed to be supplied."""
        try:
            self._authorise(source, target, principal)
        except (InvalidTransition, Forbidden):
            return False
        return True

    def check(
        self, source: S, target: S, principal: Principal, *, reason: str | None = None
    ) -> Transition[S]:
        """Return the row for the move, or raise the typed error saying why it is refused."""
        row = self._authorise(source, target, principal)
        if row.requires_reason and (reason is None or not reason.strip()):
            raise ReasonRequired(
                f"{self.name} {source} -> {target} needs a reason", **self._where(source, target)
            )
        return row

    def _authorise(self, source: S, target: S, principal: Principal) -> Transition[S]:
        where = self._where(source, target)
        row = self._index.get((source, target))
        if row is None:
            raise InvalidTransition(f"{self.name} cannot go from {source} to {target}", **where)
        if principal.kind not in row.actor_kinds:
            human_only = row.actor_kinds == {PrincipalKind.HUMAN}
            raise (HumanRequired if human_only else Forbidden)(
                f"a {principal.kind} may not move a {self.name} to {target}",
                kind=str(principal.kind),
                allowed_kinds=sorted(str(k) for k in row.actor_kinds),
                **where,
            )
        if not principal.has_role(*row.allowed_roles):
            raise Forbidden(
                f"moving a {self.name} to {target} needs one of the listed roles",
                required_roles=sorted(str(r) for r in row.allowed_roles),
                **where,
            )
        return row

    def _where(self, source: S, target: S) -> dict[str, str]:
        return {"machine": self.name, "source": str(source), "target": str(target)}


def _problem(
    row: Transition[S], *, known: Mapping[tuple[S, S], object], terminal: frozenset[S]
) -> str | None:
    if row.source == row.target or (row.source, row.target) in known:
        return "is a self or duplicate transition"
    if row.source in terminal:
        return "leaves a terminal state"
    if not (row.allowed_roles and row.actor_kinds):
        return "allows nobody"
    return None


_H, _A, _S = PrincipalKind.HUMAN, PrincipalKind.SERVICE_ACCOUNT, PrincipalKind.SYSTEM
_OP, _REV, _SA = Role.OPERATOR, Role.REVIEWER, Role.SERVICE_ACCOUNT


def _rows(
    sources: Iterable[S],
    target: S,
    kinds: Iterable[PrincipalKind],
    roles: Iterable[Role],
    *,
    reason: bool = False,
) -> tuple[Transition[S], ...]:
    kind_set, role_set = frozenset(kinds), frozenset(roles)
    return tuple(Transition(s, target, role_set, kind_set, reason) for s in sorted(sources))


_F = FindingStatus

#: Findings still needing work; a rescan that no longer sees one may verify it fixed.
OPEN_FINDING_STATUSES = frozenset(
    {_F.OPEN, _F.TRIAGED, _F.IN_PROGRESS, _F.FIX_SUBMITTED, _F.REOPENED}
)
#: Findings closed by a decision rather than a fix; rescans leave them alone.
DISPOSITIONED_FINDING_STATUSES = frozenset(
    {_F.ACCEPTED_RISK, _F.FALSE_POSITIVE, _F.NOT_AFFECTED, _F.SUPPRESSED}
)
#: Findings no longer open: verified fixed, or dispositioned.
RESOLVED_FINDING_STATUSES = DISPOSITIONED_FINDING_STATUSES | {_F.FIXED_VERIFIED}

FINDING_LIFECYCLE: StateMachine[FindingStatus] = StateMachine(
    name="finding",
    initial=_F.OPEN,
    terminal=frozenset(),
    transitions=(
        *_rows([_F.OPEN, _F.REOPENED, _F.IN_PROGRESS], _F.TRIAGED, [_H, _S], [_OP, _REV]),
        *_rows([_F.OPEN, _F.TRIAGED, _F.REOPENED], _F.IN_PROGRESS, [_H, _A], [_OP, _SA]),
        *_rows([_F.IN_PROGRESS], _F.FIX_SUBMITTED, [_H, _A], [_OP, _SA]),
        *_rows(OPEN_FINDING_STATUSES, _F.FIXED_VERIFIED, [_H, _S], [_OP], reason=True),
        *_rows([_F.FIX_SUBMITTED, _F.FIXED_VERIFIED], _F.REOPENED, [_H, _S], [_OP], reason=True),
        *_rows(OPEN_FINDING_STATUSES, _F.ACCEPTED_RISK, [_H], [_REV], reason=True),
        *_rows(OPEN_FINDING_STATUSES, _F.FALSE_POSITIVE, [_H], [_REV], reason=True),
        *_rows(OPEN_FINDING_STATUSES, _F.NOT_AFFECTED, [_H], [_REV], reason=True),
        *_rows(OPEN_FINDING_STATUSES, _F.SUPPRESSED, [_H, _S], [_OP, _REV], reason=True),
        *_rows(DISPOSITIONED_FINDING_STATUSES, _F.OPEN, [_H], [_REV], reason=True),
    ),
)

_AP = ApprovalStatus
APPROVAL_LIFECYCLE: StateMachine[ApprovalStatus] = StateMachine(
    name="approval",
    initial=_AP.PENDING,
    terminal=frozenset({_AP.APPROVED, _AP.REJECTED, _AP.EXPIRED}),
    transitions=(
        *_rows([_AP.PENDING], _AP.APPROVED, [_H], [_REV]),
        *_rows([_AP.PENDING], _AP.REJECTED, [_H], [_REV], reason=True),
        *_rows([_AP.PENDING], _AP.EXPIRED, [_S], [_OP]),
    ),
)

_EX = ExceptionStatus
EXCEPTION_LIFECYCLE: StateMachine[ExceptionStatus] = StateMachine(
    name="exception",
    initial=_EX.PENDING,
    terminal=frozenset({_EX.EXPIRED, _EX.REVOKED, _EX.REJECTED}),
    transitions=(
        *_rows([_EX.PENDING], _EX.ACTIVE, [_H], [_REV], reason=True),
        *_rows([_EX.PENDING], _EX.REJECTED, [_H], [_REV], reason=True),
        *_rows([_EX.PENDING], _EX.REVOKED, [_H], [_OP, _REV], reason=True),
        *_rows([_EX.PENDING, _EX.ACTIVE], _EX.EXPIRED, [_S], [_OP]),
        *_rows([_EX.ACTIVE], _EX.REVOKED, [_H], [_REV], reason=True),
    ),
)

_TP = TaskPacketStatus
TASK_PACKET_LIFECYCLE: StateMachine[TaskPacketStatus] = StateMachine(
    name="task_packet",
    initial=_TP.AVAILABLE,
    terminal=frozenset({_TP.VERIFIED, _TP.EXPIRED, _TP.CANCELLED}),
    transitions=(
        *_rows([_TP.AVAILABLE], _TP.CLAIMED, [_H, _A], [_OP, _SA]),
        *_rows([_TP.CLAIMED], _TP.AVAILABLE, [_H, _A, _S], [_OP, _SA]),
        *_rows([_TP.CLAIMED], _TP.SUBMITTED, [_H, _A], [_OP, _SA]),
        *_rows([_TP.SUBMITTED], _TP.VERIFIED, [_H, _S], [_OP]),
        *_rows([_TP.SUBMITTED], _TP.REJECTED, [_H, _S], [_OP], reason=True),
        *_rows([_TP.REJECTED], _TP.AVAILABLE, [_H, _S], [_OP]),
        *_rows([_TP.AVAILABLE, _TP.CLAIMED], _TP.EXPIRED, [_S], [_OP]),
        *_rows([_TP.AVAILABLE, _TP.CLAIMED], _TP.CANCELLED, [_H], [_OP, _REV], reason=True),
    ),
)

_PR = PromotionStatus
PROMOTION_LIFECYCLE: StateMachine[PromotionStatus] = StateMachine(
    name="promotion",
    initial=_PR.REQUESTED,
    terminal=frozenset({_PR.REJECTED, _PR.ROLLED_BACK}),
    transitions=(
        *_rows([_PR.REQUESTED], _PR.GATE_PASSED, [_H, _S], [_OP]),
        *_rows([_PR.REQUESTED], _PR.GATE_FAILED, [_H, _S], [_OP]),
        *_rows([_PR.GATE_FAILED], _PR.REQUESTED, [_H, _S], [_OP]),
        *_rows([_PR.GATE_PASSED], _PR.APPROVED, [_H], [_REV]),
        *_rows([_PR.GATE_PASSED], _PR.REJECTED, [_H], [_REV], reason=True),
        *_rows([_PR.APPROVED], _PR.PROMOTED, [_H, _S], [_OP]),
        *_rows([_PR.PROMOTED], _PR.ROLLED_BACK, [_H, _S], [_OP, _REV], reason=True),
    ),
)

#: Every lifecycle by name (the name errors carry in ``details["machine"]``).
_ALL: tuple[StateMachine[Any], ...] = (
    FINDING_LIFECYCLE,
    APPROVAL_LIFECYCLE,
    EXCEPTION_LIFECYCLE,
    TASK_PACKET_LIFECYCLE,
    PROMOTION_LIFECYCLE,
)
MACHINES: Mapping[str, StateMachine[Any]] = MappingProxyType({m.name: m for m in _ALL})
