"""detect-secrets JSON (``detect-secrets scan`` output, the ``.secrets.baseline`` file).

**Detection.** A JSON object with ``plugins_used`` (every baseline since
detect-secrets 0.12 lists its plugins, before ``results``) and no Bandit
``metrics``, or with ``results``, ``generated_at`` and ``version`` but no
``metrics``. ``parse`` also needs ``results``.

**Mapping.** ``results`` maps each file name to a list of secrets; each list
entry is one finding. Rule id and title come from ``type`` (``Secret
Keyword``, ``AWS Access Key``…); location ``filename`` (else the map key) and
``line_number``; CWE-798. The report holds no secret, only ``hashed_secret``
(detect-secrets' SHA-1 of the value), and the snippet is always ``None``. The
tool fingerprint is ``type|filename|hashed_secret``: one finding per leaked
value per file, whatever line it moves to. ``is_verified: true`` (checked live
against the provider) or an audit's ``is_secret: true`` give high confidence;
an audit's ``is_secret: false`` (a human marked it a false positive in the
baseline) marks the finding suppressed.

**Severity** (``SEVERITY``): detect-secrets gives no severity:

=================  ==========
detect-secrets     PeaRL
=================  ==========
(any finding)      high
=================  ==========
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from typing import BinaryIO, Final

from pearl_core.domain.enums import Confidence, RiskLevel, ToolType
from pearl_core.ingest.formats._jsonfields import (
    BadRecord,
    each_record,
    integer,
    line_number,
    load_json,
    malformed,
    text,
)
from pearl_core.ingest.records import ParsedFinding, ParsedLocation, Quarantined, ReportInfo, Sniff

__all__ = ["PARSER", "SEVERITY", "DetectSecretsParser"]

SEVERITY: Final = RiskLevel.HIGH
"""detect-secrets gives no severity: the table has one row."""

TOOL_NAME: Final = "detect-secrets"
_REF_NAME_CAP: Final = 200
"""File names in ``raw_record_ref`` are cut to this many characters."""


def _is_report(keys: frozenset[str]) -> bool:
    if "metrics" in keys:
        return False
    return "plugins_used" in keys or keys >= {"results", "generated_at", "version"}


@dataclass(frozen=True, slots=True)
class DetectSecretsParser:
    name: str = "detect_secrets"

    def sniff(self, sniff: Sniff) -> bool:
        return sniff.shape == "object" and _is_report(sniff.keys)

    def parse(self, source: BinaryIO, info: ReportInfo) -> Iterator[ParsedFinding | Quarantined]:
        document = load_json(source, self.name)
        if not isinstance(document, dict) or not _is_report(frozenset(document)):
            raise malformed(self.name, "expected an object with results and plugins_used")
        results = document.get("results")
        if not isinstance(results, dict):
            raise malformed(self.name, "'results' is not an object of file names")
        info.tool_names.add(TOOL_NAME)
        version = document.get("version")
        info.tool_version = version if isinstance(version, str) else None
        for filename, secrets in results.items():
            where = f"results[{json.dumps(filename[:_REF_NAME_CAP])}]"
            if not isinstance(secrets, list):
                yield Quarantined(raw_record_ref=where, reason="the entry is not an array")
                continue

            def build(
                record: dict[str, object], ref: str, filename: str = filename
            ) -> ParsedFinding:
                return _finding(record, ref, filename, info.tool_version)

            yield from each_record(secrets, f"{where}[{{}}]".format, build)


def _finding(
    record: dict[str, object], where: str, filename: str, version: str | None
) -> ParsedFinding:
    kind = str(text(record, "type", required=True))
    path = text(record, "filename") or filename
    hashed = str(text(record, "hashed_secret", required=True))
    line = line_number(integer(record, "line_number"))
    verified, audited = record.get("is_verified"), record.get("is_secret")
    if not isinstance(verified, bool | None) or not isinstance(audited, bool | None):
        raise BadRecord("'is_verified' or 'is_secret' is not a boolean")
    return ParsedFinding(
        tool_name=TOOL_NAME,
        tool_type=ToolType.SECRETS,
        rule_id=kind,
        title=f"Hard-coded secret: {kind}",
        description=(
            f"detect-secrets found a {kind} in {path}. Only the tool's hash of the value "
            "is kept; rotate the secret and remove it from the file and its history."
        ),
        severity=SEVERITY,
        confidence=Confidence.HIGH if verified or audited else None,
        cwe_ids=("CWE-798",),
        locations=(ParsedLocation(path=path, start_line=line, end_line=line),),
        tool_fingerprint=f"{kind}|{path}|{hashed}",
        tool_version=version,
        raw_record_ref=where,
        suppressed=audited is False,
    )


PARSER: Final = DetectSecretsParser()
