"""PacketCache: committed packets for a moment, never a packet a writer replaced."""

from __future__ import annotations

import time

import pytest

from pearl_core.packet_cache import PacketCache
from pearl_core.testing import make_task_packet

ORG = "org_a"


def test_a_packet_put_with_a_fresh_token_is_returned_until_it_expires() -> None:
    cache = PacketCache(0.05)
    packet = make_task_packet()
    assert cache.put(ORG, packet, cache.token(ORG, packet.task_packet_id))

    assert cache.get(ORG, packet.task_packet_id) == packet
    time.sleep(0.06)
    assert cache.get(ORG, packet.task_packet_id) is None


def test_a_reader_never_puts_back_a_packet_a_writer_invalidated_meanwhile() -> None:
    cache = PacketCache(60)
    packet = make_task_packet()
    token = cache.token(ORG, packet.task_packet_id)  # the slow reader starts
    cache.invalidate(ORG, [packet.task_packet_id])  # a writer commits

    assert cache.put(ORG, packet, token) is False
    assert cache.get(ORG, packet.task_packet_id) is None


def test_entries_are_per_org() -> None:
    cache = PacketCache(60)
    packet = make_task_packet()
    cache.put(ORG, packet, cache.token(ORG, packet.task_packet_id))

    assert cache.get("org_b", packet.task_packet_id) is None


def test_a_zero_lifetime_turns_the_cache_off() -> None:
    cache = PacketCache(0)
    packet = make_task_packet()

    assert cache.put(ORG, packet, cache.token(ORG, packet.task_packet_id)) is False
    assert not cache.enabled


def test_forgetting_generations_to_bound_memory_makes_old_tokens_stale() -> None:
    cache = PacketCache(60, max_entries=1)
    packet = make_task_packet()
    token = cache.token(ORG, packet.task_packet_id)
    cache.invalidate(ORG, [f"tp_other{i}" for i in range(20)])  # past 8 x max_entries

    assert cache.put(ORG, packet, token) is False
    assert cache.put(ORG, packet, cache.token(ORG, packet.task_packet_id)) is True


def test_the_oldest_entry_goes_when_the_cache_is_full() -> None:
    cache = PacketCache(60, max_entries=2)
    packets = [make_task_packet() for _ in range(3)]
    for packet in packets:
        cache.put(ORG, packet, cache.token(ORG, packet.task_packet_id))

    assert [cache.get(ORG, p.task_packet_id) is not None for p in packets] == [False, True, True]


@pytest.mark.parametrize(("ttl", "size"), [(-1, 10), (1, 0)])
def test_a_negative_lifetime_or_empty_cache_is_refused(ttl: float, size: int) -> None:
    with pytest.raises(ValueError, match="ttl_s must be"):
        PacketCache(ttl, max_entries=size)
