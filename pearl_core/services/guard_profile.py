"""The effective environment profile a guard-rail check runs under.

It comes from the compiled context package the packet was cut from (the
stored, versioned profile narrowed by the app spec), never from the seed
files: ``allowed_capabilities`` and ``blocked_capabilities`` are the
package's autonomy policy, ``outbound_allowlist`` its network requirements.
A packet without a package id uses the latest package of its project and
environment; with none at all the profile is empty, and the policy denies.

Packages are immutable once stored, so the derived profile is cached by
(org, package id) for the life of the process: a guard-rail check then reads
only the packet from the store.
"""

from __future__ import annotations

from collections import OrderedDict
from threading import Lock
from typing import Any, Final

from pearl_core.domain.compiled import CompiledContextPackage
from pearl_core.domain.remediation import TaskPacket
from pearl_core.ports import UnitOfWork

__all__ = ["cached_profile", "profile_for", "profile_view"]

_CACHE_SIZE: Final = 256
_cache: OrderedDict[tuple[str, str], dict[str, Any]] = OrderedDict()
_lock = Lock()


def profile_view(package: CompiledContextPackage) -> dict[str, Any]:
    """The ``profile`` part of the ``pearl.guardrails`` input, from ``package``."""
    autonomy = package.autonomy_policy
    network = package.network_requirements
    return {
        "environment": package.environment.value,
        "autonomy_mode": autonomy.mode.value,
        "allowed_capabilities": list(autonomy.allowed_actions),
        "blocked_capabilities": list(autonomy.blocked_actions),
        "approval_required_for": list(autonomy.approval_required_for),
        "outbound_allowlist": list(network.outbound_allowlist) if network else [],
    }


def cached_profile(org_id: str, package_id: str) -> dict[str, Any] | None:
    """The profile of package ``package_id`` if this process has derived it already."""
    with _lock:
        return _cache.get((org_id, package_id))


async def profile_for(uow: UnitOfWork, packet: TaskPacket) -> tuple[str | None, dict[str, Any]]:
    """``(package id, profile)`` for ``packet``; ``(None, {})`` when no package exists."""
    org = uow.principal.org_id
    package_id = packet.compiled_package_id
    if package_id is not None:
        with _lock:
            cached = _cache.get((org, package_id))
            if cached is not None:
                _cache.move_to_end((org, package_id))
                return package_id, cached
        package = await uow.compiled_packages.get(package_id)
    else:
        latest = await uow.compiled_packages.latest(packet.project_id, packet.environment)
        if latest is None:
            return None, {}
        package = latest
    view = profile_view(package)
    with _lock:
        _cache[(org, package.package_id)] = view
        while len(_cache) > _CACHE_SIZE:
            _cache.popitem(last=False)
    return package.package_id, view
