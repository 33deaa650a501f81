"""The ``ToolAnnotations`` PeaRL's tools declare. Every tool is closed-world:
it touches PeaRL's own store and nothing outside it."""

from __future__ import annotations

from mcp.types import ToolAnnotations

__all__ = ["READ_ONLY", "mutating"]

READ_ONLY = ToolAnnotations(
    read_only_hint=True, destructive_hint=False, idempotent_hint=True, open_world_hint=False
)
"""Reads (the decision log may record an evaluation; nothing the agent works on changes)."""


def mutating(*, idempotent: bool, destructive: bool = False) -> ToolAnnotations:
    """A tool that changes PeaRL's state; ``idempotent`` when repeating it changes nothing more."""
    return ToolAnnotations(
        read_only_hint=False,
        destructive_hint=destructive,
        idempotent_hint=idempotent,
        open_world_hint=False,
    )
