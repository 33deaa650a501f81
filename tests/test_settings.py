"""Settings come from one mapping, once; bad values are configuration errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from pearl_core import IngestLimits, Settings, bootstrap
from pearl_core.errors import ConfigurationError

BASE = {"PEARL_DATABASE_URL": "sqlite+aiosqlite:///:memory:"}


def test_ingest_limits_default_to_those_of_the_pipeline() -> None:
    settings = Settings.from_env(BASE)

    assert (settings.ingest.max_bytes, settings.ingest.max_results) == (
        IngestLimits().max_bytes,
        IngestLimits().max_results,
    )


@pytest.mark.anyio
async def test_ingest_limits_come_from_the_environment_and_reach_pearl() -> None:
    settings = Settings.from_env(
        BASE | {"PEARL_INGEST_MAX_BYTES": "1_048_576", "PEARL_INGEST_MAX_RESULTS": " 2000 "}
    )
    pearl = bootstrap(settings, configure_logs=False)
    try:
        assert pearl.ingest_limits == IngestLimits(max_bytes=1_048_576, max_results=2000)
    finally:
        await pearl.aclose()


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PEARL_INGEST_MAX_BYTES", "lots"),
        ("PEARL_INGEST_MAX_BYTES", "0"),
        ("PEARL_INGEST_MAX_RESULTS", "-5"),
        ("PEARL_INGEST_MAX_RESULTS", "1e6"),
    ],
)
def test_an_ingest_limit_that_is_not_a_positive_integer_is_a_configuration_error(
    name: str, value: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(BASE | {name: value})

    assert caught.value.code == "configuration_error"
    assert caught.value.details["setting"] == name


@pytest.mark.anyio
async def test_decision_mask_fields_come_from_the_environment_and_reach_pearl() -> None:
    settings = Settings.from_env(BASE | {"PEARL_DECISION_MASK_FIELDS": " session, action.args "})
    pearl = bootstrap(settings, configure_logs=False)
    try:
        masked = pearl.decision_mask.apply({"session": "s", "token": "t", "action": {"args": []}})
    finally:
        await pearl.aclose()

    assert masked == {"session": "***", "token": "t", "action": {"args": "***"}}


def test_decision_mask_fields_default_to_the_usual_secrets() -> None:
    mask = Settings.from_env(BASE | {"PEARL_DECISION_MASK_FIELDS": " "}).decisions.mask

    assert mask.apply({"password": "p", "api_key": "k", "path": "a"}) == {
        "password": "***",
        "api_key": "***",
        "path": "a",
    }


def test_an_empty_decision_mask_field_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(BASE | {"PEARL_DECISION_MASK_FIELDS": "token,,secret"})

    assert caught.value.details["setting"] == "PEARL_DECISION_MASK_FIELDS"


def test_the_signing_key_lives_in_the_data_dir_by_default(tmp_path: Path) -> None:
    settings = Settings.from_env(BASE | {"PEARL_DATA_DIR": str(tmp_path)})

    assert settings.signing.key_file == tmp_path / "signing-key.pem"


def test_the_signing_key_file_comes_from_the_environment(tmp_path: Path) -> None:
    key_file = tmp_path / "secrets" / "pearl.pem"

    settings = Settings.from_env(BASE | {"PEARL_SIGNING_KEY_FILE": str(key_file)})

    assert settings.signing.key_file == key_file


@pytest.mark.anyio
async def test_bootstrap_creates_the_signing_key_only_when_something_is_signed(
    tmp_path: Path,
) -> None:
    key_file = tmp_path / "signing-key.pem"
    pearl = bootstrap(
        Settings.from_env(BASE | {"PEARL_SIGNING_KEY_FILE": str(key_file)}), configure_logs=False
    )
    try:
        assert not key_file.exists()
        signature = pearl.signer.sign(b"payload")
    finally:
        await pearl.aclose()

    assert key_file.exists()
    pearl.signer.public_key().verify(signature, b"payload")


def test_api_keys_have_no_pepper_and_a_ninety_day_limit_by_default() -> None:
    settings = Settings.from_env(BASE | {"PEARL_API_KEY_PEPPER": ""})

    assert settings.api_key_pepper is None
    assert settings.api_key_max_days == 90


def test_the_api_key_pepper_comes_from_the_environment_and_is_never_shown() -> None:
    pepper = "fake-settings-pepper-not-a-secret-01"

    settings = Settings.from_env(
        BASE | {"PEARL_API_KEY_PEPPER": pepper, "PEARL_API_KEY_MAX_DAYS": "30"}
    )

    assert settings.api_key_pepper == pepper.encode()
    assert settings.api_key_max_days == 30
    assert pepper not in repr(settings)


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("PEARL_API_KEY_PEPPER", "x" * 31),
        ("PEARL_API_KEY_MAX_DAYS", "0"),
        ("PEARL_API_KEY_MAX_DAYS", "ninety"),
    ],
)
def test_a_short_pepper_or_a_bad_key_lifetime_is_a_configuration_error(
    name: str, value: str
) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(BASE | {name: value})

    assert caught.value.details["setting"] == name


@pytest.mark.anyio
async def test_the_guard_cache_lifetime_comes_from_the_environment_and_reaches_the_store() -> None:
    default = bootstrap(Settings.from_env(BASE), configure_logs=False)
    off = bootstrap(Settings.from_env(BASE | {"PEARL_GUARD_CACHE_MS": "0"}), configure_logs=False)
    try:
        assert default.settings.work.guard_cache_ms == 1000
        assert default.store.packet_cache.enabled
        assert not off.store.packet_cache.enabled
    finally:
        await default.aclose()
        await off.aclose()


@pytest.mark.parametrize("value", ["-1", "10001", "soon"])
def test_a_guard_cache_lifetime_out_of_range_is_a_configuration_error(value: str) -> None:
    with pytest.raises(ConfigurationError) as caught:
        Settings.from_env(BASE | {"PEARL_GUARD_CACHE_MS": value})

    assert caught.value.details["setting"] == "PEARL_GUARD_CACHE_MS"
