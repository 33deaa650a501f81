"""An org with its first admin, on every store (for the account and session service tests)."""

from __future__ import annotations

from pearl_core.domain.audit import AuditEvent
from pearl_core.domain.enums import Role
from pearl_core.domain.identity import Principal, User
from pearl_core.services.accounts import bootstrap_admin, create_user, principal_for_user
from pearl_core.store import SqlStore
from pearl_core.testing import FakeClock, InMemoryStore

Store = SqlStore | InMemoryStore

ORG = "org_acme"
ADMIN_EMAIL = "admin@example.com"
ADMIN_PASSWORD = "admin-password-0001"
USER_PASSWORD = "user-password-00001"


async def bootstrap(store: Store, clock: FakeClock, *, org_id: str = ORG) -> User:
    return await bootstrap_admin(
        store,
        org_id=org_id,
        org_name="Acme",
        email=ADMIN_EMAIL,
        display_name="First Admin",
        password=ADMIN_PASSWORD,
        clock=clock,
    )


async def add_user(
    store: Store,
    admin: Principal,
    clock: FakeClock,
    email: str,
    roles: set[Role],
    password: str | None = USER_PASSWORD,
) -> User:
    return await create_user(
        store.unit_of_work(admin), email, email.split("@")[0], roles, password, clock=clock
    )


def as_principal(user: User) -> Principal:
    return principal_for_user(user)


def system(org_id: str = ORG) -> Principal:
    return Principal.system(org_id, "test")


async def audit_events(store: Store, org_id: str = ORG) -> list[AuditEvent]:
    async with store.unit_of_work(system(org_id)) as uow:
        return [event async for event in uow.audit.events()]


async def audit_text(store: Store, org_id: str = ORG) -> str:
    """Every audit event of the org as canonical JSON, one line each."""
    return "\n".join(event.model_dump_json() for event in await audit_events(store, org_id))
