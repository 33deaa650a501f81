"""The guard rail's fast path: an allowed action answered without the database.

Most checks an agent makes are allowed, change nothing, and need one stored
object, the packet. A running server gives :func:`~pearl_core.services.guard.check_action`
a :class:`GuardFastPath`: the store's cache of committed packets
(:class:`~pearl_core.packet_cache.PacketCache`) and the decision log's write-behind
buffer (:class:`~pearl_core.services.decision_buffer.DecisionBuffer`).

:meth:`GuardFastPath.try_allow` answers only when all of these hold; otherwise
it returns ``None`` and the check takes the transactional path, unchanged:

- the packet is cached (committed, seen less than the cache's TTL ago),
- the caller holds its live lease and neither lease nor packet has lapsed
  (nothing needs settling),
- the profile of its compiled context package is already derived,
- the policy *allows* the action outright (a denial must count against the
  lease, and ``needs_approval`` must look for an approval, in a transaction),
- the buffer takes the decision record.

The same policy, the same input and the same record as the slow path: only
where the packet is read from and when the record is written differ.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

from pearl_core.domain.decisions import InputMask
from pearl_core.domain.identity import Principal
from pearl_core.guardrails import AgentAction, evaluate_guardrail
from pearl_core.packet_cache import PacketCache
from pearl_core.policy.ports import PolicyEngine
from pearl_core.services._packets import holder_refusal, packet_lapsed
from pearl_core.services.decision_buffer import DecisionBuffer
from pearl_core.services.decisions import decision_record
from pearl_core.services.guard import GuardResult, check_environment, guard_request
from pearl_core.services.guard_profile import cached_profile

__all__ = ["GuardFastPath"]


@dataclass(frozen=True, slots=True)
class GuardFastPath:
    """Where a running server's guard-rail checks read packets and log allows."""

    packets: PacketCache
    decisions: DecisionBuffer

    def try_allow(
        self,
        engine: PolicyEngine,
        task_packet_id: str,
        action: AgentAction,
        principal: Principal,
        now: datetime,
        mask: InputMask,
        workspace_root: Path | None = None,
    ) -> GuardResult | None:
        """The ``allow`` answer from cached state, or ``None``: take the slow path."""
        if not self.decisions.running:
            return None
        packet = self.packets.get(principal.org_id, task_packet_id)
        if (
            packet is None
            or packet_lapsed(packet, now)
            or holder_refusal(packet, principal, now) is not None
        ):
            return None
        package_id = packet.compiled_package_id
        profile = None if package_id is None else cached_profile(principal.org_id, package_id)
        if package_id is None or profile is None:
            return None
        check_environment(packet, action)
        request = guard_request(engine, packet, action, profile, principal, now, workspace_root)
        decision = evaluate_guardrail(engine, request)
        if decision.decision != "allow":
            return None
        record = decision_record(
            decision,
            request,
            principal=principal,
            decided_at=now,
            mask=mask,
            data_versions={"compiled_package": package_id},
        )
        if not self.decisions.offer(record):
            return None
        return GuardResult.of(decision, request["action"], packet)
