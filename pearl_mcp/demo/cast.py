"""The demo's people: an admin who registers the example app, a reviewer who
decides approvals, an operator who runs scans, and the AI agent (a service
account owned by the operator). They exist only in the demo's own fresh
database; the demo never grants anyone a role anywhere else."""

from __future__ import annotations

from dataclasses import dataclass

from pearl_core import Clock, Principal, PrincipalKind, Role, ServiceAccount, UnitOfWork, User

__all__ = ["Cast", "cast_for", "register"]


@dataclass(frozen=True, slots=True)
class Cast:
    admin: Principal
    reviewer: Principal
    operator: Principal
    agent: Principal


def _human(org_id: str, user_id: str, name: str, role: Role) -> Principal:
    return Principal(
        org_id=org_id,
        subject_id=user_id,
        kind=PrincipalKind.HUMAN,
        roles=frozenset({role}),
        display_name=name,
    )


def cast_for(org_id: str) -> Cast:
    operator = _human(org_id, "usr_demo_operator", "Olu (operator)", Role.OPERATOR)
    return Cast(
        admin=_human(org_id, "usr_demo_admin", "Ada (admin)", Role.ADMIN),
        reviewer=_human(org_id, "usr_demo_reviewer", "Rui (reviewer)", Role.REVIEWER),
        operator=operator,
        agent=Principal(
            org_id=org_id,
            subject_id="sa_demo_fixer",
            kind=PrincipalKind.SERVICE_ACCOUNT,
            roles=frozenset({Role.SERVICE_ACCOUNT}),
            display_name="fixer-bot (AI agent)",
            owner_user_id=operator.subject_id,
        ),
    )


async def register(uow: UnitOfWork, cast: Cast, *, clock: Clock) -> None:
    """Store the cast as users and a service account (one audited change)."""
    now = clock.now()
    async with uow:
        for person in (cast.admin, cast.reviewer, cast.operator):
            await uow.users.add(
                User(
                    user_id=person.subject_id,
                    org_id=person.org_id,
                    email=f"{person.subject_id.removeprefix('usr_')}@demo.pearl.invalid",
                    display_name=person.display_name,
                    roles=person.roles,
                    created_at=now,
                )
            )
        await uow.service_accounts.add(
            ServiceAccount(
                service_account_id=cast.agent.subject_id,
                org_id=cast.agent.org_id,
                name="fixer-bot",
                owner_user_id=cast.operator.subject_id,
                created_at=now,
            )
        )
        await uow.audit.record(
            "demo.cast_registered",
            resource_type="org",
            resource_id=cast.admin.org_id,
            details={"users": 3, "service_accounts": 1},
        )
        await uow.commit()
