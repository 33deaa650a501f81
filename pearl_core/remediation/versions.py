"""Ordering package versions, well enough to pick the newest fix.

:func:`version_key` turns a version string into a sort key. It reads the
shapes the dependency scanners emit across ecosystems:

* an optional epoch (PEP 440 ``1!2.0``, Debian ``1:2.0``), then a ``v``
  prefix, then a dotted numeric release, compared number by number, trailing
  zeros ignored (``1.0`` equals ``1.0.0``);
* then an optional phase: ``dev`` < ``a``/``alpha`` < ``b``/``beta`` <
  ``rc``/``c``/``pre``/``preview`` < the release itself < ``post``/``rev``/``r``
  or a bare ``-N`` (a PEP 440 implicit post-release, a Debian revision),
  each with its number (``rc2`` > ``rc1``); a phase word must not run into
  more letters, so ``-alpine`` or ``.RELEASE`` are not phases;
* whatever follows is compared as a string (an unknown suffix such as
  ``-jre`` sorts after the bare release, ``+local`` the same).

On the PEP 440 versions made of a release and at most one phase this agrees
with ``packaging.version.Version`` (the tests check it); PeaRL does not
import ``packaging`` because it is not one of its runtime dependencies, and
a comparison that changed with what happens to be installed would make
remediation specs differ between machines.

A version that does not start with a number (after the epoch and ``v``) is
*unparsable*: it sorts below every parsable version, and unparsable versions
among themselves in plain string order.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Final

__all__ = ["VersionKey", "highest_version", "version_key"]

VersionKey = tuple[int, int, tuple[int, ...], int, int, str]
"""(parsable, epoch, release, phase rank, phase number, rest of the string)."""

_EPOCH: Final = re.compile(r"^(\d{1,12})[:!]")
_RELEASE: Final = re.compile(r"^[vV]?(\d{1,12}(?:\.\d{1,12})*)")
_PHASE: Final = re.compile(
    r"^[-_.]?(dev|alpha|a|beta|b|preview|pre|rc|c|post|rev|r)(?![a-z])[-_.]?(\d{0,12})(.*)$",
    re.IGNORECASE | re.DOTALL,
)
_IMPLICIT_POST: Final = re.compile(r"^-(\d{1,12})(.*)$", re.DOTALL)
_FINAL: Final = 4
_POST: Final = 5
_PHASE_RANK: Final = {
    "dev": 0,
    "alpha": 1,
    "a": 1,
    "beta": 2,
    "b": 2,
    "preview": 3,
    "pre": 3,
    "rc": 3,
    "c": 3,
    "post": _POST,
    "rev": _POST,
    "r": _POST,
}


def version_key(version: str) -> VersionKey:
    """The sort key of ``version`` (see the module docstring)."""
    text = version.strip()
    epoch = 0
    if match := _EPOCH.match(text):
        epoch, text = int(match.group(1)), text[match.end() :]
    release_match = _RELEASE.match(text)
    if release_match is None:
        return (0, 0, (), 0, 0, version)
    release = tuple(int(part) for part in release_match.group(1).split("."))
    while len(release) > 1 and release[-1] == 0:
        release = release[:-1]
    rest = text[release_match.end() :]
    if phase := _PHASE.match(rest):
        rank, number, tail = _PHASE_RANK[phase.group(1).lower()], phase.group(2), phase.group(3)
    elif post := _IMPLICIT_POST.match(rest):
        rank, number, tail = _POST, post.group(1), post.group(2)
    else:
        rank, number, tail = _FINAL, "", rest
    return (1, epoch, release, rank, int(number or 0), tail)


def highest_version(versions: Iterable[str]) -> str | None:
    """The highest of ``versions`` by :func:`version_key`, ``None`` for none; equal
    keys are decided by the string itself, so the order given never matters."""
    return max(versions, key=lambda version: (version_key(version), version), default=None)
