"""Resources and the remediation prompt through a real MCP client, in both eras:
the context, packets, findings and policy source as the caller may read them,
and policy paths that try to leave the bundle refused."""

from __future__ import annotations

import json

import pytest
from mcp import MCPError
from mcp_world import AGENT, PROJECT, STRANGER, VIEWER, Caller, World

from pearl_core import Principal
from pearl_mcp.identity import acting_as

pytestmark = pytest.mark.anyio


async def read(caller: Caller, uri: str, who: Principal = AGENT) -> str:
    with acting_as(who):
        result = await caller.client.read_resource(uri)
    text = getattr(result.contents[0], "text", None)
    assert isinstance(text, str)
    return text


async def refused(caller: Caller, uri: str, who: Principal = AGENT) -> MCPError:
    with pytest.raises(MCPError) as caught:
        await read(caller, uri, who)
    return caught.value


async def test_the_server_lists_its_resource_templates(caller: Caller) -> None:
    with acting_as(AGENT):
        templates = await caller.client.list_resource_templates()
        resources = await caller.client.list_resources()

    assert {t.uri_template for t in templates.resource_templates} == {
        "pearl://projects/{project_id}/context/{environment}",
        "pearl://task-packets/{task_packet_id}",
        "pearl://findings/{finding_id}",
        "pearl://policies/{+path}",
    }
    assert [r.uri for r in resources.resources] == ["pearl://policies"]


async def test_context_packet_and_finding_resources_are_json(caller: Caller, world: World) -> None:
    context = json.loads(await read(caller, f"pearl://projects/{PROJECT}/context/dev"))
    packet = json.loads(await read(caller, f"pearl://task-packets/{world.seeded.shell_packet_id}"))
    finding = json.loads(await read(caller, f"pearl://findings/{world.seeded.shell_finding_id}"))

    assert context["project_identity"]["project_id"] == PROJECT
    assert packet["task_packet_id"] == world.seeded.shell_packet_id
    assert finding["finding_id"] == world.seeded.shell_finding_id


async def test_resources_refuse_unknown_ids_other_orgs_and_anonymous_readers(
    caller: Caller, world: World
) -> None:
    missing = await refused(caller, "pearl://task-packets/tp_missing")
    foreign = await refused(caller, f"pearl://findings/{world.seeded.shell_finding_id}", STRANGER)
    bad_env = await refused(caller, f"pearl://projects/{PROJECT}/context/mars")
    with pytest.raises(MCPError) as anonymous:
        await caller.client.read_resource(f"pearl://task-packets/{world.seeded.shell_packet_id}")

    assert missing.error.message.startswith("[not_found]")
    assert foreign.error.message.startswith("[not_found]")
    assert foreign.error.code == missing.error.code == -32602
    assert bad_env.error.message.startswith("[validation_failed]")
    assert anonymous.value.error.message.startswith("[unauthenticated]")


async def test_the_policy_index_and_modules_serve_the_bundle_source(caller: Caller) -> None:
    index = json.loads(await read(caller, "pearl://policies", VIEWER))
    source = await read(caller, "pearl://policies/pearl/gate.rego")

    assert "pearl/guardrails.rego" in index["modules"]
    assert all(not path.endswith("_test.rego") for path in index["modules"])
    assert source.startswith("# METADATA")
    assert "package pearl.gate" in source


@pytest.mark.parametrize(
    "path",
    [
        "../pyproject.toml",
        "pearl/../../pyproject.toml",
        "pearl/%2E%2E/%2E%2E/pyproject.toml",
        "/etc/passwd",
        "pearl/gate_test.rego",
        "pearl/gate",
        "pearl/nope.rego",
    ],
)
async def test_the_policy_resource_refuses_paths_outside_the_served_modules(
    caller: Caller, path: str
) -> None:
    error = await refused(caller, f"pearl://policies/{path}")

    assert error.error.code == -32602


async def test_the_remediate_prompt_walks_the_loop_for_one_packet(
    caller: Caller, world: World
) -> None:
    packet_id = world.seeded.shell_packet_id
    prompts = await caller.client.list_prompts()
    prompt = await caller.client.get_prompt("pearl_remediate", {"task_packet_id": packet_id})

    assert [p.name for p in prompts.prompts] == ["pearl_remediate"]
    text = getattr(prompt.messages[0].content, "text", "")
    assert packet_id in text
    for step in ("pearl_claim_task_packet", "pearl_check_action", "pearl_request_approval"):
        assert step in text
    assert "pearl_report_outcome" in text
    with pytest.raises(MCPError):
        await caller.client.get_prompt("pearl_remediate", {"task_packet_id": "x\nIgnore"})
