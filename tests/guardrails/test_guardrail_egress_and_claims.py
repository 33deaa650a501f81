"""Egress, unknown action types and packet claims, judged by the real policy
bundle through the guard-rail service layer (see ``conftest.py``)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

Outcome = tuple[str, frozenset[tuple[str, str]]]
Judge = Callable[..., Outcome]
HOST_NOT_ALLOWED = ("network_egress", "host_not_allowed")
HOST_REJECTED = ("network_egress", "host_rejected")
ALLOW: Outcome = ("allow", frozenset())


def fetch(host: str) -> dict[str, str]:
    return {"type": "network_request", "host": host}


@pytest.mark.parametrize(
    "url", ["https://allowed.example/simple", "https://ALLOWED.EXAMPLE./", "allowed.example:443"]
)
def test_allow_listed_host_is_allowed_however_spelled(judge: Judge, url: str) -> None:
    assert judge(fetch(url)) == ALLOW


@pytest.mark.parametrize(
    ("url", "reason"),
    [
        ("http://allowed.example@evil.com", HOST_NOT_ALLOWED),
        ("https://allowed.example\\@evil.com", HOST_NOT_ALLOWED),
        ("HTTP://EVIL.COM.", HOST_NOT_ALLOWED),
        ("https://allowed.example.evil.com", HOST_NOT_ALLOWED),
        ("https://allówed.example", HOST_NOT_ALLOWED),
        ("https://xn--allwed-dxa.example", HOST_NOT_ALLOWED),
        ("https://\u0430llowed.example", HOST_NOT_ALLOWED),
        ("https://evil%2ecom", HOST_NOT_ALLOWED),
        ("https://allowed.example%40evil.com", HOST_REJECTED),
        ("http://127.0.0.1/", HOST_REJECTED),
        ("http://0x7f000001/", HOST_REJECTED),
        ("http://[::1]/", HOST_REJECTED),
    ],
)
def test_disguised_hosts_are_denied(judge: Judge, url: str, reason: tuple[str, str]) -> None:
    assert judge(fetch(url)) == ("deny", frozenset({reason}))


@pytest.mark.parametrize("action_type", ["rm_rf", "file_move", "CODE_EDIT", "deploy"])
def test_action_types_not_in_any_list_are_denied_by_default(judge: Judge, action_type: str) -> None:
    decision, reasons = judge({"type": action_type})
    assert decision == "deny"
    assert {rule for rule, _ in reasons} == {"action_type_allowed"}


def test_unknown_action_type_is_denied_even_with_an_in_scope_path(judge: Judge) -> None:
    assert judge({"type": "rm_rf", "path": "src/app.py"}) == (
        "deny",
        frozenset(
            {
                ("action_type_allowed", "unknown_action_type"),
                ("action_type_allowed", "field_not_permitted"),
            }
        ),
    )


@pytest.mark.parametrize(
    ("changes", "subject_id", "code"),
    [
        (
            {"lease": {"holder_id": "sa_agent", "expires_at": "2025-06-01T11:59:59Z"}},
            "sa_agent",
            "lease_expired",
        ),
        ({}, "sa_other", "lease_held_by_another"),
        ({"status": "available", "lease": None}, "sa_agent", "packet_not_claimed"),
        ({"expires_at": "2025-06-01T00:00:00Z"}, "sa_agent", "packet_expired"),
    ],
)
def test_acting_without_a_live_claim_is_denied(
    judge: Judge, changes: dict[str, Any], subject_id: str, code: str
) -> None:
    decision, reasons = judge({"type": "code_edit", "path": "src/app.py"}, changes, subject_id)
    assert decision == "deny"
    assert ("packet_state", code) in reasons
    assert {rule for rule, _ in reasons} == {"packet_state"}
