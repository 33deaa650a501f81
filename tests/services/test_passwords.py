"""Password hashing: scrypt in a self-describing string, verified in constant time."""

from __future__ import annotations

import base64

import pytest

from pearl_core.errors import ValidationFailed
from pearl_core.services._passwords import (
    MAX_PASSWORD_LENGTH,
    MIN_PASSWORD_LENGTH,
    hash_password,
    hash_password_async,
    verify_password,
    verify_password_async,
)

PASSWORD = "correct horse battery staple"


def test_a_hash_describes_its_scheme_and_cost_and_is_salted() -> None:
    first, second = hash_password(PASSWORD), hash_password(PASSWORD)

    scheme, n, r, p, salt, digest = first.split("$")
    assert (scheme, int(n), int(r), int(p)) == ("scrypt", 2**14, 8, 1)
    assert (len(base64.b64decode(salt)), len(base64.b64decode(digest))) == (16, 32)
    assert first != second
    assert PASSWORD not in first


def test_the_right_password_verifies_and_a_wrong_one_does_not() -> None:
    stored = hash_password(PASSWORD)

    assert verify_password(PASSWORD, stored)
    assert not verify_password(PASSWORD + "!", stored)
    assert not verify_password("", stored)


def test_an_unknown_account_or_a_malformed_hash_never_verifies() -> None:
    assert not verify_password(PASSWORD, None)
    for stored in ["", "plain", "scrypt$1$8$1$AAAA$AAAA", "scrypt$16384$8$1$!!$!!", "md5$x"]:
        assert not verify_password(PASSWORD, stored)


def test_a_hash_with_an_absurd_cost_is_refused_without_running_it() -> None:
    stored = hash_password(PASSWORD).split("$")
    stored[1] = str(2**30)

    assert not verify_password(PASSWORD, "$".join(stored))


def test_equivalent_unicode_spellings_are_one_password() -> None:
    composed, decomposed = "caf\u00e9-password-1", "cafe\u0301-password-1"

    assert verify_password(decomposed, hash_password(composed))


@pytest.mark.parametrize(
    ("password", "reason"),
    [("x" * (MIN_PASSWORD_LENGTH - 1), "too_short"), ("x" * (MAX_PASSWORD_LENGTH + 1), "too_long")],
)
def test_passwords_outside_the_length_limits_are_refused(password: str, reason: str) -> None:
    with pytest.raises(ValidationFailed) as caught:
        hash_password(password)

    assert caught.value.code == "validation_failed"
    assert caught.value.details["reason"] == reason
    assert password not in str(caught.value.to_dict())


def test_an_overlong_password_never_verifies() -> None:
    stored = hash_password(PASSWORD)

    assert not verify_password(PASSWORD + "x" * MAX_PASSWORD_LENGTH, stored)


@pytest.mark.anyio
async def test_the_async_forms_hash_and_verify_in_a_worker_thread() -> None:
    stored = await hash_password_async(PASSWORD)

    assert await verify_password_async(PASSWORD, stored)
    assert not await verify_password_async(PASSWORD, None)
