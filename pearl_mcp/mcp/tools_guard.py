"""Guard-rail and approval tools: ask before every action; ask a human when told to.

No tool here (or anywhere in this server) decides an approval: agents ask and
wait, reviewers decide through PeaRL's other surfaces.
"""

from __future__ import annotations

from typing import Any, Final

from mcp.server.mcpserver import MCPServer

from pearl_core import ApprovalStatus, check_action, get_approval, request_approval
from pearl_mcp.identity import current_principal
from pearl_mcp.mcp.hints import READ_ONLY, mutating
from pearl_mcp.mcp.inputs import ActionInput, ApprovalRequestId, TaskPacketId
from pearl_mcp.mcp.models import ApprovalOut, ApprovalRequestOut, GuardResultOut
from pearl_mcp.runtime import Runtime

__all__ = ["register_guard_tools"]

CHECK = """Ask PeaRL's guard rails whether you may take one action under a task packet \
you hold, BEFORE taking it. Call it for every action: reading or writing a file, running \
a command or tests, committing, pushing, network access, changing a dependency or a \
config. Describe the action exactly as you will take it (the same path, the same \
command). decision=allow: go ahead. decision=deny: do NOT take the action and do not \
try an equivalent one to get around it; read the reasons and hints and adjust your plan \
within the packet's scope; repeated denials revoke your lease. decision=needs_approval: \
do NOT take it yet; call pearl_request_approval with the same packet and action, wait \
for a human decision with pearl_get_approval, then check again: an approval allows the \
action once."""

REQUEST = """Ask a human reviewer to allow one action that pearl_check_action answered \
needs_approval for, under a task packet you hold. Send exactly the action you checked. \
Asking again for the same action while a request is pending returns that request. \
Then poll pearl_get_approval (not in a tight loop) until status is approved, rejected or \
expired; do not take the action meanwhile. [invalid_transition] means the guard rails do \
not answer needs_approval for this action: check it again and follow that answer."""

GET = """Read an approval request and, once a human reviewer decided it, the decision. \
status pending: keep waiting, do not take the action. approved: call pearl_check_action \
with the same action, which now allows it once, then take it. rejected or expired: do \
not take the action; find another way within the packet's scope, or release the packet. \
Read-only: agents can never approve."""

_NEXT_STEP: Final = {
    "allow": "allowed: take exactly this action",
    "deny": "denied: do not take this action; adjust within the packet's scope",
    "needs_approval": "not yet: call pearl_request_approval with this action, then wait",
}
_APPROVAL_STEP: Final = {
    ApprovalStatus.PENDING: "pending: wait for a human reviewer; do not take the action",
    ApprovalStatus.APPROVED: "approved: check the action again with pearl_check_action",
    ApprovalStatus.REJECTED: "rejected: do not take the action",
    ApprovalStatus.EXPIRED: "expired: do not take the action; ask again if still needed",
}
_USED: Final = "used: the approved action was allowed once; ask again to repeat it"


def register_guard_tools(server: MCPServer[Any], runtime: Runtime) -> None:
    pearl = runtime.pearl
    work = pearl.settings.work

    @server.tool(
        name="pearl_check_action",
        title="Check an action before taking it",
        description=CHECK,
        annotations=mutating(idempotent=False),
    )
    async def pearl_check_action(
        task_packet_id: TaskPacketId, action: ActionInput
    ) -> GuardResultOut:
        result = await check_action(
            runtime.uow(current_principal()),
            runtime.engine,
            task_packet_id,
            action.to_action(),
            clock=pearl.clock,
            mask=pearl.decision_mask,
            max_denied_attempts=work.max_denied_attempts,
            fast=runtime.fast_path,
        )
        return GuardResultOut.of(result, _NEXT_STEP.get(result.decision, _NEXT_STEP["deny"]))

    @server.tool(
        name="pearl_request_approval",
        title="Ask a human to approve an action",
        description=REQUEST,
        annotations=mutating(idempotent=True),
    )
    async def pearl_request_approval(
        task_packet_id: TaskPacketId, action: ActionInput
    ) -> ApprovalRequestOut:
        request = await request_approval(
            runtime.uow(current_principal()),
            runtime.engine,
            task_packet_id,
            action.to_action(),
            clock=pearl.clock,
            mask=pearl.decision_mask,
            ttl=work.approval_ttl,
        )
        return ApprovalRequestOut.of(request)

    @server.tool(
        name="pearl_get_approval",
        title="Read an approval request",
        description=GET,
        annotations=READ_ONLY,
    )
    async def pearl_get_approval(approval_request_id: ApprovalRequestId) -> ApprovalOut:
        view = await get_approval(runtime.uow(current_principal()), approval_request_id)
        step = _USED if view.request.consumed_at else _APPROVAL_STEP[view.request.status]
        return ApprovalOut.of(view, step)
