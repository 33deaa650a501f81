"""Committed task packets, remembered for a moment: the guard rail's read cache.

A guard-rail check of an allowed action needs exactly one stored object, the
task packet. :class:`PacketCache` keeps packets as they were *committed* for
``ttl`` so repeated checks under one packet skip the database.

It is write-through for this process: the store invalidates a packet's entry
when a unit of work writes it and again when that unit of work ends (commit or
rollback), and each invalidation bumps the entry's generation. A reader takes
a :meth:`token` *before* it reads from the database and :meth:`put` stores
what it read only if no invalidation happened since, so a slow reader never
puts back a packet that a faster writer has already replaced.

Writes by *other* processes (another server replica, a CLI command on the
same SQLite file) are seen after at most ``ttl``. A zero ``ttl`` disables the
cache. Entries are keyed by (org, packet id), and the cache belongs to one
store, so two databases never share entries.
"""

from __future__ import annotations

import time
from collections import OrderedDict
from collections.abc import Callable, Iterable
from typing import Final

from pearl_core.domain.remediation import TaskPacket

__all__ = ["PacketCache"]

DEFAULT_MAX_ENTRIES: Final = 4096

_Key = tuple[str, str]


class PacketCache:
    """Committed packets by (org, id) for ``ttl_s`` seconds; see the module docstring."""

    __slots__ = ("_entries", "_epoch", "_generations", "_max_entries", "_now_ns", "_ttl_ns")

    def __init__(
        self,
        ttl_s: float,
        *,
        max_entries: int = DEFAULT_MAX_ENTRIES,
        now_ns: Callable[[], int] = time.monotonic_ns,
    ) -> None:
        if ttl_s < 0 or max_entries < 1:
            raise ValueError("ttl_s must be >= 0 and max_entries >= 1")
        self._ttl_ns = int(ttl_s * 1e9)
        self._now_ns = now_ns
        self._max_entries = max_entries
        self._entries: OrderedDict[_Key, tuple[TaskPacket, int]] = OrderedDict()
        self._generations: dict[_Key, int] = {}
        self._epoch = 0
        """Bumped when ``_generations`` is reset, so no token from before matches."""

    @property
    def enabled(self) -> bool:
        return self._ttl_ns > 0

    def get(self, org_id: str, task_packet_id: str) -> TaskPacket | None:
        """The committed packet, if this process saw it less than ``ttl`` ago."""
        entry = self._entries.get((org_id, task_packet_id))
        if entry is None:
            return None
        packet, stored_ns = entry
        if self._now_ns() - stored_ns >= self._ttl_ns:
            self._entries.pop((org_id, task_packet_id), None)
            return None
        return packet

    def token(self, org_id: str, task_packet_id: str) -> tuple[int, int]:
        """Take before reading the packet from the database; hand to :meth:`put`."""
        return self._epoch, self._generations.get((org_id, task_packet_id), 0)

    def put(self, org_id: str, packet: TaskPacket, token: tuple[int, int]) -> bool:
        """Remember ``packet`` (as committed) unless it was invalidated since ``token``."""
        key = (org_id, packet.task_packet_id)
        if not self.enabled or (self._epoch, self._generations.get(key, 0)) != token:
            return False
        self._entries[key] = (packet, self._now_ns())
        self._entries.move_to_end(key)
        while len(self._entries) > self._max_entries:
            self._entries.popitem(last=False)
        return True

    def invalidate(self, org_id: str, task_packet_ids: Iterable[str]) -> None:
        """Forget these packets and make every outstanding token for them stale."""
        for task_packet_id in task_packet_ids:
            key = (org_id, task_packet_id)
            self._entries.pop(key, None)
            self._generations[key] = self._generations.get(key, 0) + 1
        if len(self._generations) > 8 * self._max_entries:
            # Bounded memory: start over; the new epoch makes every old token stale.
            self._entries.clear()
            self._generations.clear()
            self._epoch += 1
