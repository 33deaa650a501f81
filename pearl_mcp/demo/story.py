"""How the demo tells its story: numbered steps, indented details, a final table."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable

import click

__all__ = ["Story"]


class Story:
    """Prints as it goes (``quiet`` keeps it for ``--json``)."""

    def __init__(self, *, quiet: bool = False) -> None:
        self._quiet = quiet
        self._step = 0
        self.lines: list[str] = []

    def _emit(self, text: str) -> None:
        self.lines.append(text)
        if not self._quiet:
            click.echo(text)

    def step(self, text: str) -> None:
        self._step += 1
        self._emit(f"\n{self._step:>2}. {text}")

    def detail(self, text: str) -> None:
        self._emit(f"      {text}")

    def verdict(self, who: str, action: str, decision: str, why: str = "") -> None:
        mark = {"allow": "ALLOW", "deny": "DENY ", "needs_approval": "ASK  "}.get(
            decision, decision
        )
        self._emit(f"      [{mark}] {who}: {action}" + (f"  ({why})" if why else ""))

    def table(self, rows: Iterable[tuple[str, str, str]]) -> None:
        rows = list(rows)
        width = max((len(r[0]) for r in rows), default=10)
        self._emit("")
        self._emit(f"      {'finding':<{width}}  {'severity':<9} status")
        for rule, severity, status in rows:
            self._emit(f"      {rule:<{width}}  {severity:<9} {status}")
        counts = Counter(status for _, _, status in rows)
        summary = ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        self._emit(f"      findings by status: {summary}")
