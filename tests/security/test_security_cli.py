"""The CLI as an agent with a shell would use it: on the server's database as the local
operator, and through the server with a human's stored ``pearl login``.

"asked the human for a reviewer flag": the human signs in with ``pearl login`` on the
machine the agent works on, as the same OS user. Whatever the agent then runs with
that stored session, the server must not take as the reviewer's own decision.
"""

from __future__ import annotations

import os
import stat
from datetime import timedelta
from pathlib import Path

import pytest
from security_attacks import run_cli
from security_calls import rest
from security_world import COMMIT, Reader, World

from pearl_core import request_approval

pytestmark = pytest.mark.anyio


async def test_the_local_cli_operator_cannot_decide_approvals(world: World, reader: Reader) -> None:
    """An agent with a shell on the PeaRL host runs the CLI on the database itself."""
    alpha = world.alpha
    attempts = (("org_alpha", alpha.agent_approval_id), ("org_beta", alpha.bot_approval_id))
    for org_id, approval in attempts:
        done = run_cli(
            world, "approvals", "decide", approval, "approve", "--reason", "ok", org_id=org_id
        )
        assert done.returncode == 1, done.stdout
        assert "pearl: error [" in done.stderr
        assert done.stdout.strip() == ""
    assert await reader.approval_status("org_alpha", alpha.agent_approval_id) == "pending"
    assert await reader.approval_status("org_alpha", alpha.bot_approval_id) == "pending"


def _login(world: World, config: Path, email: str, password: str) -> None:
    done = run_cli(
        world,
        "login",
        "--server",
        world.base,
        "--email",
        email,
        env={"PEARL_CONFIG_DIR": str(config), "PEARL_PASSWORD": password},
    )
    assert done.returncode == 0, done.stderr


def test_pearl_login_keeps_only_a_refresh_token_in_a_private_file(
    world: World, tmp_path: Path
) -> None:
    reviewer = world.alpha.reviewer
    config = tmp_path / "pearl-config"
    _login(world, config, reviewer.email, reviewer.password)

    stored = config / "credentials.json"
    assert stat.S_IMODE(config.stat().st_mode) == 0o700
    assert stat.S_IMODE(stored.stat().st_mode) == 0o600
    content = stored.read_text()
    assert reviewer.password not in content
    assert "access_token" not in content
    for name in os.listdir(config):
        assert reviewer.password not in (config / name).read_text(errors="replace")


async def _agent_request(reader: Reader, world: World, message: str) -> str:
    """A fresh pending request of org_alpha's agent (owned by the operator, not the reviewer)."""
    pearl, alpha = reader.pearl, world.alpha
    filed = await request_approval(
        pearl.unit_of_work(alpha.agent.principal),
        pearl.policy_engine(),
        alpha.agent_packet_id,
        {**COMMIT, "command": f"git commit -m '{message}'"},
        clock=pearl.clock,
        mask=pearl.decision_mask,
        ttl=timedelta(hours=1),
    )
    return filed.approval_request_id


async def test_an_agent_cannot_decide_with_the_session_a_reviewer_left_on_its_machine(
    world: World, reader: Reader, tmp_path: Path
) -> None:
    reviewer = world.alpha.reviewer
    config = tmp_path / "shared-home"
    _login(world, config, reviewer.email, reviewer.password)  # the human, asked nicely
    by_cli = await _agent_request(reader, world, "decided through pearl approvals decide")
    by_token = await _agent_request(reader, world, "decided with pearl token")
    as_agent = {"PEARL_CONFIG_DIR": str(config)}  # the agent: same OS user, no password

    decided = run_cli(
        world, "approvals", "decide", by_cli, "approve", "--reason", "ok", "--server", env=as_agent
    )
    minted = run_cli(world, "token", env=as_agent)
    async with rest(world, minted.stdout.strip()) as client:
        response = await client.post(
            f"/api/v1/approvals/{by_token}/decide", json={"decision": "approve"}
        )

    assert decided.returncode != 0, decided.stdout
    assert response.status_code == 403, response.text
    assert await reader.approval_status("org_alpha", by_cli) == "pending"
    assert await reader.approval_status("org_alpha", by_token) == "pending"
