"""Settings come from one mapping, once; bad values are configuration errors."""

from __future__ import annotations

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
