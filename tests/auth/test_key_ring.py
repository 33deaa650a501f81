"""PeaRL's signing keys: private files, rotation, retirement, and replicas sharing a directory."""

from __future__ import annotations

import stat
from datetime import timedelta
from pathlib import Path

import jwt
import pytest

from pearl_core.auth import SigningKeyRing, TokenIssuer, TokenKind
from pearl_core.errors import ConfigurationError, Unauthenticated
from pearl_core.testing import FakeClock

PEARL = "https://pearl.example.com"
ROTATE, RETAIN = timedelta(days=30), timedelta(days=31)


def _load(directory: Path, clock: FakeClock) -> SigningKeyRing:
    return SigningKeyRing.load_or_create(directory, clock=clock, rotate_after=ROTATE, retain=RETAIN)


def _issuer(ring: SigningKeyRing, clock: FakeClock) -> TokenIssuer:
    return TokenIssuer(ring, issuer=PEARL, audience=PEARL, clock=clock)


def _mint(issuer: TokenIssuer) -> str:
    return issuer.mint(
        subject="usr_a", org_id="org_eng", kind=TokenKind.REFRESH, ttl=timedelta(days=90)
    )


def test_the_first_key_is_created_private_and_read_back_by_the_next_process(
    tmp_path: Path, clock: FakeClock
) -> None:
    directory = tmp_path / "token-keys"

    first = _load(directory, clock)
    again = _load(directory, clock)

    assert first.key_ids == again.key_ids
    assert len(first.key_ids) == 1
    assert stat.S_IMODE(directory.stat().st_mode) == 0o700
    [key_file] = directory.iterdir()
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600


def test_the_jwks_document_publishes_public_parts_only(clock: FakeClock) -> None:
    ring = SigningKeyRing.generate(clock=clock)

    [key] = ring.jwks()["keys"]

    assert set(key) == {"kty", "kid", "alg", "use", "n", "e"}
    assert (key["kty"], key["alg"], key["use"], key["kid"]) == (
        "RSA",
        "RS256",
        "sig",
        ring.key_ids[0],
    )
    assert jwt.PyJWK(key).key_id == ring.key_ids[0]


def test_after_rotation_the_new_key_signs_and_the_old_one_still_verifies(
    clock: FakeClock,
) -> None:
    ring = SigningKeyRing.generate(clock=clock)
    issuer = _issuer(ring, clock)
    old_kid = ring.key_ids[0]
    before = _mint(issuer)

    new_kid = ring.rotate()
    after = _mint(issuer)

    assert new_kid != old_kid
    assert jwt.get_unverified_header(after)["kid"] == new_kid
    assert issuer.verify(before, kind=TokenKind.REFRESH).key_id == old_kid
    assert issuer.verify(after, kind=TokenKind.REFRESH).key_id == new_kid
    assert [key["kid"] for key in ring.jwks()["keys"]] == [old_kid, new_kid]


def test_loading_a_stale_ring_rotates_and_keeps_the_old_key_until_it_retires(
    tmp_path: Path, clock: FakeClock
) -> None:
    ring = _load(tmp_path, clock)
    old_kid = ring.key_ids[0]
    token = _mint(_issuer(ring, clock))

    clock.advance(ROTATE)
    rotated = _load(tmp_path, clock)
    assert rotated.key_ids[0] == old_kid
    assert len(rotated.key_ids) == 2
    assert _issuer(rotated, clock).verify(token, kind=TokenKind.REFRESH).key_id == old_kid

    clock.advance(RETAIN + timedelta(seconds=1))
    retired = _issuer(rotated, clock)
    assert old_kid not in rotated.key_ids
    assert old_kid not in [key["kid"] for key in rotated.jwks()["keys"]]
    with pytest.raises(Unauthenticated) as caught:
        retired.verify(token, kind=TokenKind.REFRESH)
    assert caught.value.details["reason"] == "unknown_key"


def test_a_long_running_ring_rotates_when_it_next_signs(tmp_path: Path, clock: FakeClock) -> None:
    ring = _load(tmp_path, clock)
    issuer = _issuer(ring, clock)
    old_kid = ring.key_ids[0]

    clock.advance(ROTATE + timedelta(hours=1))
    token = _mint(issuer)

    assert jwt.get_unverified_header(token)["kid"] != old_kid
    assert len(list(tmp_path.iterdir())) == 2


def test_retired_key_files_are_deleted_when_the_ring_loads(
    tmp_path: Path, clock: FakeClock
) -> None:
    _load(tmp_path, clock)
    clock.advance(ROTATE)
    _load(tmp_path, clock)
    clock.advance(ROTATE + RETAIN)

    ring = _load(tmp_path, clock)

    assert len(ring.key_ids) == 2
    assert len(list(tmp_path.iterdir())) == 2


def test_replicas_sharing_a_directory_agree_on_one_rotated_key(
    tmp_path: Path, clock: FakeClock
) -> None:
    first, second = _load(tmp_path, clock), _load(tmp_path, clock)
    clock.advance(ROTATE)

    token = _mint(_issuer(first, clock))
    other = _mint(_issuer(second, clock))

    assert jwt.get_unverified_header(token)["kid"] == jwt.get_unverified_header(other)["kid"]
    assert len(list(tmp_path.iterdir())) == 2


def test_a_replica_picks_up_a_key_another_replica_created(tmp_path: Path, clock: FakeClock) -> None:
    first, second = _load(tmp_path, clock), _load(tmp_path, clock)
    first.rotate()
    token = _mint(_issuer(first, clock))
    clock.advance(timedelta(minutes=1))

    verified = _issuer(second, clock).verify(token, kind=TokenKind.REFRESH)

    assert verified.key_id == first.key_ids[-1]


def test_a_key_file_others_may_read_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    _load(tmp_path, clock)
    [key_file] = tmp_path.iterdir()
    key_file.chmod(0o644)

    with pytest.raises(ConfigurationError) as caught:
        _load(tmp_path, clock)

    assert caught.value.details["setting"] == "PEARL_TOKEN_KEYS_DIR"


def test_a_key_directory_others_may_enter_is_refused(tmp_path: Path, clock: FakeClock) -> None:
    tmp_path.chmod(0o755)

    with pytest.raises(ConfigurationError):
        _load(tmp_path, clock)


def test_a_file_that_is_not_a_key_is_refused_without_quoting_it(
    tmp_path: Path, clock: FakeClock
) -> None:
    tmp_path.chmod(0o700)
    secret = "not-a-key-but-maybe-a-secret"
    (tmp_path / "key-000001.pem").write_text(secret)
    (tmp_path / "key-000001.pem").chmod(0o600)

    with pytest.raises(ConfigurationError) as caught:
        _load(tmp_path, clock)

    assert secret not in str(caught.value)
