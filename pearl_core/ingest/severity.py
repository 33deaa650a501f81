"""Severity on the PeaRL scale: low, moderate, high, critical.

Each parser keeps one documented mapping table from its tool's labels (see
the ``SEVERITY`` constant of each module in :mod:`pearl_core.ingest.formats`).
Where a tool gives a CVSS base score, the score wins over the label, using the
CVSS v3/v4 qualitative bands (FIRST):

=============  ==========
CVSS score     PeaRL
=============  ==========
0.0 - 3.9      low
4.0 - 6.9      moderate
7.0 - 8.9      high
9.0 - 10.0     critical
=============  ==========
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from pearl_core.domain.enums import RiskLevel

__all__ = ["from_cvss", "from_label"]


def from_cvss(score: float | int | str | None) -> RiskLevel | None:
    """The PeaRL severity of a CVSS base score; ``None`` for a missing or bad score."""
    if score is None or isinstance(score, bool):
        return None
    try:
        value = float(score)
    except ValueError:
        return None
    if math.isnan(value) or not 0.0 <= value <= 10.0:
        return None
    if value >= 9.0:
        return RiskLevel.CRITICAL
    if value >= 7.0:
        return RiskLevel.HIGH
    if value >= 4.0:
        return RiskLevel.MODERATE
    return RiskLevel.LOW


def from_label(
    label: object, table: Mapping[str, RiskLevel], default: RiskLevel = RiskLevel.MODERATE
) -> RiskLevel:
    """Look ``label`` up in ``table`` case-insensitively; ``default`` when unknown."""
    if not isinstance(label, str):
        return default
    return table.get(label.strip().lower(), default)
