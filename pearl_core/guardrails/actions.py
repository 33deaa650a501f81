"""Agent actions and their normalisation into the guard-rail ``action`` input.

An agent describes one action (:class:`AgentAction`). Before ``pearl.guardrails``
judges it, PeaRL parses it the way the machine would act on it, so Rego never
has to reason about shells, URLs or file systems:

* paths are percent-decoded (until stable) and normalised; every form the
  action could mean is listed (the raw string, the decoded string, the
  normalised path and, with a workspace root, the symlink-resolved target), so
  a path is allowed only when each form is. Forms that are absolute, escape
  with ``..``, carry NUL, backslashes or ``~`` stay as they are, so
  ``path_in_scope`` rejects them; a symlink target outside the root is listed
  by its absolute path, which is denied the same way;
* a shell-string command is split by :mod:`pearl_core.guardrails.shell`; an
  argv list is taken as it is (no shell runs it). With a workspace root, a
  redirection whose target is (or passes through) a symlink is reported a
  second time with the resolved target;
* hosts are parsed with :mod:`urllib.parse` (user-info and port dropped),
  percent-decoded, lower-cased, stripped of a trailing dot and IDNA-encoded;
* a package becomes ``packages: [{"name": ..., "version": ...}]`` with its
  PEP 503 normalised name (lower-cased, runs of ``-``, ``_`` and ``.`` as one
  ``-``) and the version as given, or None; a version without a package is
  listed with a None name, which the policy rejects;
* ``digest`` is ``sha256:`` + the hex SHA-256 of the RFC 8785 canonical JSON
  of the rest of the normalised action (plus ``package``/``version`` as the
  agent spelled them, when set), the value an approval must name.
"""

from __future__ import annotations

import os
import posixpath
import re
from pathlib import Path
from typing import Annotated, Any
from urllib.parse import unquote, urlsplit

from pydantic import Field

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.domain.base import PearlModel
from pearl_core.guardrails.shell import split_shell

__all__ = ["AgentAction", "action_digest", "normalise_action"]

_MAX_DECODE_ROUNDS = 5
_NAME_SEPARATORS = re.compile(r"[-_.]+")


class AgentAction(PearlModel):
    """One action an agent asks to take, as it sends it."""

    type: Annotated[str, Field(min_length=1, max_length=100)]
    path: str | None = None
    """A repository-relative path the action touches."""
    command: list[str] | str | None = None
    """An argv list (run without a shell) or a shell line (split as a shell runs it)."""
    host: str | None = None
    """A URL or bare host name the action reaches."""
    package: str | None = None
    """The package a dependency change touches (a plain name, as published)."""
    version: str | None = None
    """The version (or specifier set) of ``package`` it moves to."""
    environment: str | None = None


def normalise_action(action: AgentAction, *, workspace_root: Path | None) -> dict[str, Any]:
    """The guard-rail ``action`` input for ``action`` (see the module docstring)."""
    normalised: dict[str, Any] = {"type": action.type}
    if action.path is not None:
        normalised["paths"] = path_forms(action.path, workspace_root)
    if action.command is not None:
        if isinstance(action.command, str):
            split = split_shell(action.command)
            normalised["commands"] = split.commands
            features = _resolve_redirects(split.features, workspace_root)
            if features:
                normalised["shell_features"] = features
        else:
            normalised["commands"] = [list(action.command)]
    if action.host is not None:
        normalised["hosts"] = [normalise_host(action.host)]
    if action.package is not None or action.version is not None:
        name = None if action.package is None else normalise_package_name(action.package)
        normalised["packages"] = [{"name": name, "version": action.version}]
    normalised["digest"] = action_digest(normalised, action)
    return normalised


def action_digest(normalised: dict[str, Any], action: AgentAction) -> str:
    """``sha256:<hex>`` over the canonical normalised action (digest excluded)."""
    hashed = {key: value for key, value in normalised.items() if key != "digest"}
    for key in ("package", "version"):
        value = getattr(action, key)
        if value is not None:
            hashed[key] = value
    return "sha256:" + sha256_hex(canonical_json(hashed))


def normalise_package_name(name: str) -> str:
    """The PEP 503 normalised form of ``name``: ``Foo_Bar.baz`` is ``foo-bar-baz``."""
    return _NAME_SEPARATORS.sub("-", name).lower()


def percent_decode(text: str) -> str:
    """``text`` percent-decoded until it stops changing (double encoding included)."""
    for _ in range(_MAX_DECODE_ROUNDS):
        decoded = unquote(text, errors="strict")
        if decoded == text:
            break
        text = decoded
    return text


def path_forms(raw: str, workspace_root: Path | None) -> list[str]:
    """Every form ``raw`` could name, unique, in a stable order."""
    forms = [raw]
    try:
        decoded = percent_decode(raw)
    except UnicodeDecodeError:
        return forms  # undecodable bytes: the raw form is judged alone
    forms.append(decoded)
    clean = _clean_relative(decoded)
    if clean is not None:
        forms.append(clean)
        if workspace_root is not None:
            forms.append(_resolved(clean, workspace_root))
    return list(dict.fromkeys(forms))


def _resolve_redirects(
    features: list[dict[str, str]], workspace_root: Path | None
) -> list[dict[str, str]]:
    """``features`` plus, for each redirection whose target leads elsewhere once
    symlinks are followed, a redirection to where it really writes."""
    resolved = list(features)
    for feature in features:
        target = feature.get("target")
        clean = None if target is None else _clean_relative(target)
        if workspace_root is None or clean is None or feature["kind"] != "redirect":
            continue
        extra = {"kind": "redirect", "target": _resolved(clean, workspace_root)}
        if extra["target"] != target and extra not in resolved:
            resolved.append(extra)
    return resolved


def _clean_relative(path: str) -> str | None:
    """The normalised relative form of ``path``, or None when it has none (it is
    absolute, escapes with ``..``, or carries NUL, backslashes or ``~``)."""
    if not path or "\x00" in path or "\\" in path or path.startswith(("/", "~")):
        return None
    clean = posixpath.normpath(path)
    if clean == ".." or clean.startswith("../"):
        return None
    return clean


def _resolved(clean: str, root: Path) -> str:
    """Where ``clean`` leads under ``root`` once every symlink is followed: the
    path relative to the root, or the absolute path when it leaves the root."""
    real_root = Path(os.path.realpath(root))
    target = Path(os.path.realpath(real_root / clean))
    try:
        return target.relative_to(real_root).as_posix()
    except ValueError:
        return target.as_posix()


def normalise_host(value: str) -> str:
    """The host ``value`` (a URL or a bare host) reaches, as the policy compares it.

    A value that does not parse, or whose host does not IDNA-encode, is returned
    lower-cased as it is, which the policy rejects as malformed.
    """
    text = value.strip()
    try:
        parts = urlsplit(text if "://" in text else "//" + text)
        host = parts.hostname
    except ValueError:
        return text.lower()
    if not host:
        return text.lower()
    try:
        host = percent_decode(host)
    except UnicodeDecodeError:
        return host.lower()
    host = host.lower().rstrip(".") if host.endswith(".") and len(host) > 1 else host.lower()
    try:
        return host.encode("idna").decode("ascii")
    except UnicodeError:
        return host
