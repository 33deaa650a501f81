"""Exception requests: always pending, requested by the caller, time-bound, audited,
idempotent under a key. Nobody grants one here.

Every test runs on the in-memory fake, SQLite and PostgreSQL (``any_store``).
"""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from pearl_core import (
    ExceptionRecord,
    ExceptionRequest,
    PearlError,
    list_exceptions,
    request_exception,
)
from pearl_core.domain.enums import ExceptionStatus, Role
from pearl_core.domain.identity import Principal
from pearl_core.ports import UnitOfWorkFactory
from pearl_core.testing import (
    FakeClock,
    make_agent,
    make_human_reviewer,
    make_org,
    make_principal,
    make_project,
)

pytestmark = pytest.mark.anyio

ORG = "org_exceptions"
PROJECT = "proj_payments"
OPERATOR = make_principal(org_id=ORG, roles={Role.OPERATOR})
AGENT = make_agent(org_id=ORG)
REVIEWER = make_human_reviewer(org_id=ORG)
VIEWER = make_principal(org_id=ORG, roles={Role.VIEWER})


@pytest.fixture
async def store(any_store: UnitOfWorkFactory) -> UnitOfWorkFactory:
    async with any_store.unit_of_work(OPERATOR) as uow:
        await uow.orgs.add(make_org(org_id=ORG))
        await uow.projects.add(make_project(project_id=PROJECT))
        await uow.audit.record("test.seeded", resource_type="org", resource_id=ORG)
        await uow.commit()
    return any_store


def ask(clock: FakeClock, **fields: Any) -> ExceptionRequest:
    values: dict[str, Any] = {
        "project_id": PROJECT,
        "rationale": "vendor sandbox needs egress for a week",
        "expires_at": clock.now() + timedelta(days=7),
    }
    return ExceptionRequest.model_validate(values | fields)


async def request(
    store: UnitOfWorkFactory, clock: FakeClock, who: Principal = AGENT, **options: Any
) -> ExceptionRecord:
    return await request_exception(
        store.unit_of_work(who), options.pop("ask", ask(clock)), clock=clock, **options
    )


async def test_a_request_is_pending_by_the_caller_with_no_approvers(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    record = await request(store, clock)

    assert record.status is ExceptionStatus.PENDING
    assert (record.requested_by, record.approved_by) == (AGENT.subject_id, [])
    assert record.exception_id.startswith("exc_")
    assert await list_exceptions(store.unit_of_work(REVIEWER), project_id=PROJECT) == [record]


async def test_a_request_is_audited(store: UnitOfWorkFactory, clock: FakeClock) -> None:
    record = await request(store, clock)

    async with store.unit_of_work(OPERATOR) as uow:
        events = [e async for e in uow.audit.events() if e.resource_id == record.exception_id]
    assert [e.action for e in events] == ["exception.requested"]
    assert events[0].actor_id == AGENT.subject_id


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"expires_at_days": -1}, "expires_at"),
        ({"start_at_days": 8}, "start_at"),
    ],
)
async def test_a_request_must_be_time_bound_in_the_future(
    store: UnitOfWorkFactory, clock: FakeClock, fields: dict[str, int], field: str
) -> None:
    changes = {
        name.removesuffix("_days"): clock.now() + timedelta(days=days)
        for name, days in fields.items()
    }

    with pytest.raises(PearlError) as refused:
        await request(store, clock, ask=ask(clock, **changes))

    assert (refused.value.code, refused.value.details["field"]) == ("validation_failed", field)


@pytest.mark.parametrize("who", [REVIEWER, VIEWER])
async def test_reviewers_and_viewers_do_not_request(
    store: UnitOfWorkFactory, clock: FakeClock, who: Principal
) -> None:
    with pytest.raises(PearlError) as refused:
        await request(store, clock, who)

    assert refused.value.code == "forbidden"


async def test_a_request_for_an_unknown_project_is_not_found(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    with pytest.raises(PearlError) as refused:
        await request(store, clock, ask=ask(clock, project_id="proj_other"))

    assert refused.value.code == "not_found"


async def test_a_retry_under_the_same_key_returns_the_stored_request(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    body = ask(clock)
    first = await request(store, clock, ask=body, idempotency_key="key-1")
    clock.advance(60)
    again = await request(store, clock, ask=body, idempotency_key="key-1")

    with pytest.raises(PearlError) as other:
        await request(
            store, clock, ask=ask(clock, rationale="something else"), idempotency_key="key-1"
        )
    assert again == first
    assert other.value.code == "conflict"
    assert len(await list_exceptions(store.unit_of_work(OPERATOR))) == 1


async def test_a_named_exception_id_is_taken_once(
    store: UnitOfWorkFactory, clock: FakeClock
) -> None:
    named = ask(clock, exception_id="exc_egress_1")
    await request(store, clock, ask=named)

    with pytest.raises(PearlError) as again:
        await request(store, clock, ask=named)

    assert again.value.code == "already_exists"


async def test_exceptions_are_listed_by_status(store: UnitOfWorkFactory, clock: FakeClock) -> None:
    record = await request(store, clock)

    pending = await list_exceptions(
        store.unit_of_work(OPERATOR), statuses=[ExceptionStatus.PENDING]
    )
    active = await list_exceptions(store.unit_of_work(OPERATOR), statuses=[ExceptionStatus.ACTIVE])

    assert (pending, active) == ([record], [])
