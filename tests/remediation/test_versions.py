"""Version ordering: agrees with PEP 440 where it applies, sensible elsewhere."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from packaging.version import Version

from pearl_core.remediation import highest_version, version_key

_release = st.lists(st.integers(min_value=0, max_value=40), min_size=1, max_size=4).map(
    lambda parts: ".".join(map(str, parts))
)
_phase = st.sampled_from(["", "a", "b", "rc", ".post", ".dev", "alpha", "beta", "c", "-"])
_pep440 = st.builds(
    lambda epoch, release, phase, number: (
        (f"{epoch}!" if epoch else "") + release + (f"{phase}{number}" if phase else "")
    ),
    st.integers(min_value=0, max_value=2),
    _release,
    _phase,
    st.integers(min_value=0, max_value=12),
)


def _sign(value: int) -> int:
    return (value > 0) - (value < 0)


@settings(max_examples=400, deadline=None)
@given(_pep440, _pep440)
def test_versions_order_as_packaging_orders_pep440_releases_with_one_phase(
    left: str, right: str
) -> None:
    expected = _sign((Version(left) > Version(right)) - (Version(left) < Version(right)))
    actual = _sign(
        (version_key(left) > version_key(right)) - (version_key(left) < version_key(right))
    )
    assert actual == expected, (left, right)


def test_numeric_parts_compare_as_numbers_not_strings() -> None:
    assert highest_version(["2.9.1", "2.32.0", "2.31.0"]) == "2.32.0"
    assert highest_version(["1.10", "1.9"]) == "1.10"


def test_pre_releases_sort_below_the_release_and_revisions_above() -> None:
    ordered = ["1.2.3-alpha.1", "1.2.3-beta.2", "1.2.3-rc.1", "1.2.3", "1.2.3-1", "1.2.4"]
    assert sorted(reversed(ordered), key=version_key) == ordered


def test_an_epoch_outranks_any_release() -> None:
    assert highest_version(["1:1.0", "9.9"]) == "1:1.0"
    assert highest_version(["2!0.1", "10.0"]) == "2!0.1"


def test_words_that_merely_start_like_a_phase_are_not_phases() -> None:
    assert version_key("3.1-alpine") > version_key("3.1")
    assert version_key("5.3.0.RELEASE") > version_key("5.3.0")


def test_unparsable_versions_sort_below_parsable_ones_in_string_order() -> None:
    assert highest_version(["latest", "0.0.1", "main"]) == "0.0.1"
    assert highest_version(["main", "latest"]) == "main"
    assert highest_version([]) is None


def test_equal_versions_are_decided_by_their_spelling_in_any_order() -> None:
    assert highest_version(["1.0", "1.0.0"]) == highest_version(["1.0.0", "1.0"]) == "1.0.0"
