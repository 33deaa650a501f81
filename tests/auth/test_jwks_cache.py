"""An issuer's keys over real HTTP: cached, refetched rarely, never more than once at a time."""

from __future__ import annotations

import secrets
import threading
from datetime import timedelta

import anyio
import anyio.to_thread
import pytest
from auth_world import EC_A, RSA_A, RSA_B, KeyServer, jwks, public_jwk
from cryptography.hazmat.primitives.asymmetric import rsa

from pearl_core.auth import JwksCache, http_fetch
from pearl_core.errors import Unauthenticated
from pearl_core.testing import FakeClock

pytestmark = pytest.mark.anyio

COOLDOWN = timedelta(seconds=60)


def _cache(server: KeyServer, clock: FakeClock, path: str = "/jwks") -> JwksCache:
    return JwksCache(server.url(path), fetch=http_fetch(), clock=clock, cooldown=COOLDOWN)


async def _reason(cache: JwksCache, kid: str) -> str:
    with pytest.raises(Unauthenticated) as caught:
        await cache.key(kid)
    return str(caught.value.details["reason"])


async def test_a_known_key_is_served_from_memory_after_the_first_fetch(
    key_server: KeyServer, clock: FakeClock
) -> None:
    key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256"), (EC_A, "e1", "ES256")))
    cache = _cache(key_server, clock)

    rsa_key, ec_key = await cache.key("a1"), await cache.key("e1")
    for _ in range(100):
        await cache.key("a1")

    assert (rsa_key.algorithm_name, ec_key.algorithm_name) == ("RS256", "ES256")
    assert key_server.requests["/jwks"] == 1


async def test_a_thousand_random_kids_cost_at_most_one_fetch_per_cooldown(
    key_server: KeyServer, clock: FakeClock
) -> None:
    key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256")))
    cache = _cache(key_server, clock)

    reasons = {await _reason(cache, secrets.token_hex(8)) for _ in range(1_000)}
    assert reasons == {"unknown_key"}
    assert key_server.total == 1

    clock.advance(COOLDOWN)
    await _reason(cache, secrets.token_hex(8))
    assert key_server.total == 2


async def test_concurrent_unknown_kids_share_one_fetch(
    key_server: KeyServer, clock: FakeClock
) -> None:
    key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256")))
    key_server.gate = gate = threading.Event()
    cache = _cache(key_server, clock)
    found: list[str] = []

    async def look_up(kid: str) -> None:
        try:
            found.append((await cache.key(kid)).key_id or "")
        except Unauthenticated as exc:
            found.append(str(exc.details["reason"]))

    with anyio.fail_after(10):
        async with anyio.create_task_group() as tasks:
            for index in range(50):
                tasks.start_soon(look_up, "a1" if index % 2 else f"rotated-{index}")
            await anyio.to_thread.run_sync(key_server.arrived.wait, 10)
            await anyio.wait_all_tasks_blocked()
            gate.set()

    assert key_server.total == 1
    assert sorted(set(found)) == ["a1", "unknown_key"]


async def test_a_new_key_is_found_after_the_cooldown(
    key_server: KeyServer, clock: FakeClock
) -> None:
    key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256")))
    cache = _cache(key_server, clock)
    await cache.key("a1")

    key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256"), (RSA_B, "a2", "RS256")))
    assert await _reason(cache, "a2") == "unknown_key"
    clock.advance(COOLDOWN)

    assert (await cache.key("a2")).key_id == "a2"
    assert key_server.total == 2


async def test_a_failed_refresh_keeps_the_cached_keys(
    key_server: KeyServer, clock: FakeClock
) -> None:
    key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256")))
    cache = _cache(key_server, clock)
    await cache.key("a1")

    del key_server.documents["/jwks"]
    clock.advance(timedelta(minutes=11))

    assert (await cache.key("a1")).key_id == "a1"
    assert key_server.total == 2


async def test_a_stale_copy_is_refetched_and_dropped_keys_are_gone(
    key_server: KeyServer, clock: FakeClock
) -> None:
    key_server.publish("/jwks", jwks((RSA_A, "a1", "RS256")))
    cache = _cache(key_server, clock)
    await cache.key("a1")

    key_server.publish("/jwks", jwks((RSA_B, "a2", "RS256")))
    clock.advance(timedelta(minutes=10))

    assert await _reason(cache, "a1") == "unknown_key"
    assert key_server.total == 2


async def test_an_issuer_that_never_answered_has_no_keys(
    key_server: KeyServer, clock: FakeClock
) -> None:
    cache = _cache(key_server, clock, "/missing")

    assert await _reason(cache, "a1") == "keys_unavailable"
    assert await _reason(cache, "a1") == "keys_unavailable"
    assert key_server.total == 1


async def test_symmetric_encryption_and_weak_keys_are_never_loaded(
    key_server: KeyServer, clock: FakeClock
) -> None:
    weak = rsa.generate_private_key(public_exponent=65537, key_size=1024)  # noqa: S505 -- the cache must refuse a weak key
    encryption = public_jwk(RSA_B, "enc") | {"use": "enc"}
    key_server.publish(
        "/jwks",
        {
            "keys": [
                {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0", "alg": "HS256"},
                public_jwk(weak, "weak"),
                encryption,
                public_jwk(RSA_A, "../../etc/passwd"),
                public_jwk(RSA_A, "twin"),
                public_jwk(RSA_B, "twin"),
                public_jwk(RSA_A, "good"),
            ]
        },
    )
    cache = _cache(key_server, clock)

    assert (await cache.key("good")).key_id == "good"
    for kid in ("hmac", "weak", "enc", "twin"):
        assert await _reason(cache, kid) == "unknown_key"


async def test_http_fetch_refuses_plain_http_to_a_remote_host() -> None:
    fetch = http_fetch()

    with pytest.raises(Unauthenticated) as caught:
        await fetch("http://keys.example.com/jwks")

    assert caught.value.details["reason"] == "fetch_failed"


async def test_http_fetch_caps_the_body_size(key_server: KeyServer) -> None:
    key_server.documents["/big"] = b"[" + b"0," * 2_000 + b"0]"

    with pytest.raises(Unauthenticated):
        await http_fetch(max_bytes=1_000)(key_server.url("/big"))


async def test_http_fetch_follows_redirects_within_one_origin_only(
    key_server: KeyServer, attacker_server: KeyServer
) -> None:
    key_server.publish("/jwks", {"keys": []})
    key_server.redirects["/moved"] = "/jwks"
    key_server.redirects["/away"] = attacker_server.url("/jwks")

    assert await http_fetch()(key_server.url("/moved")) == b'{"keys": []}'
    with pytest.raises(Unauthenticated):
        await http_fetch()(key_server.url("/away"))
    assert attacker_server.total == 0
