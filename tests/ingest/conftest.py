"""Fixtures for ingest tests: small SARIF logs built in the test, read through the pipeline."""

from __future__ import annotations

import io
import json
from typing import Any

import pytest

from pearl_core.ingest.pipeline import read_report
from pearl_core.ingest.records import NormalizedFinding, Quarantined


class Sarif:
    """Builds SARIF 2.1.0 logs and reads them with :func:`read_report`."""

    @staticmethod
    def result(
        rule: str | None = "py/sql-injection",
        path: str = "app/db.py",
        line: int | None = 10,
        snippet: str | None = "cursor.execute(query)",
        message: str = "Query built from user input.",
        **extra: Any,
    ) -> dict[str, Any]:
        region: dict[str, Any] = {}
        if line is not None:
            region["startLine"] = line
        if snippet is not None:
            region["snippet"] = {"text": snippet}
        physical: dict[str, Any] = {"artifactLocation": {"uri": path}}
        if region:
            physical["region"] = region
        found: dict[str, Any] = {
            "message": {"text": message},
            "locations": [{"physicalLocation": physical}],
        }
        if rule is not None:
            found["ruleId"] = rule
        found.update(extra)
        return found

    @staticmethod
    def run(
        *results: dict[str, Any], tool: str = "CodeQL", rules: list[Any] | None = None
    ) -> dict[str, Any]:
        driver: dict[str, Any] = {"name": tool}
        if rules is not None:
            driver["rules"] = rules
        return {"tool": {"driver": driver}, "results": list(results)}

    @staticmethod
    def log(*runs: dict[str, Any]) -> bytes:
        return json.dumps({"version": "2.1.0", "runs": list(runs)}).encode()

    @staticmethod
    def read(document: bytes, name: str = "report.sarif") -> list[NormalizedFinding | Quarantined]:
        with read_report(io.BytesIO(document), source_name=name) as report:
            return list(report.items)

    def findings(self, document: bytes) -> list[NormalizedFinding]:
        items = self.read(document)
        assert all(isinstance(item, NormalizedFinding) for item in items), items
        return [item for item in items if isinstance(item, NormalizedFinding)]

    def fingerprints(self, document: bytes) -> list[str]:
        return [item.fingerprint for item in self.findings(document)]


@pytest.fixture
def sarif() -> Sarif:
    return Sarif()
