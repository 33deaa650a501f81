"""Where the results of a Trivy report live: plain, legacy and Kubernetes layouts.

* Current (``SchemaVersion`` 2): ``{"Results": [result, ...]}``.
* Legacy (before v0.20): the document *is* the array of results; a clean
  image was reported as ``null``.
* Kubernetes (``trivy k8s``): ``{"ClusterName", "Resources": [{"Namespace",
  "Kind", "Name", "Results": [...]}]}``; older versions split the resources
  into top-level ``Vulnerabilities`` and ``Misconfigurations`` arrays of the
  same resource shape.

Each result is handed to the parser as a :class:`Scope`: its reference in the
report and the path findings are reported at. For a Kubernetes resource that
path is the resource, ``namespace/Kind/name``, not the result's ``Target``
(an image name, or a ``Kind/name`` that two resources can share).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

from pearl_core.ingest.formats._jsonfields import BadRecord, as_list, malformed, short, text
from pearl_core.ingest.records import Quarantined, ReportInfo

__all__ = ["Scope", "scopes"]

_K8S_SECTIONS = ("Resources", "Vulnerabilities", "Misconfigurations")


@dataclass(frozen=True, slots=True)
class Scope:
    """One entry of a ``Results`` array, with where it sits in the report."""

    ref: str
    """``Results[2]``, ``[0]`` (legacy) or ``Resources[4].Results[0]``."""
    result: dict[str, object]
    resource: str | None = None
    """``namespace/Kind/name`` for a Kubernetes resource, else ``None``."""

    @property
    def target(self) -> str | None:
        target = self.result.get("Target")
        return target if isinstance(target, str) and target else None

    @property
    def path(self) -> str | None:
        """Where this result's findings are: the Kubernetes resource, else ``Target``."""
        return self.resource or self.target


def is_kubernetes(document: dict[str, object]) -> bool:
    return "ClusterName" in document or "Resources" in document


def scopes(document: object, fmt: str, info: ReportInfo) -> Iterator[Scope | Quarantined]:
    """Every result of the report, whatever its layout; ``MalformedReport`` for another shape.

    A Kubernetes resource Trivy could not scan (its ``Error``) is a scan error.
    """
    if document is None:
        return
    if isinstance(document, list):
        yield from _results(document, "")
    elif isinstance(document, dict) and is_kubernetes(document):
        for section in _K8S_SECTIONS:
            value = document.get(section)
            if value is not None and not isinstance(value, list):
                raise malformed(fmt, f"'{section}' is not an array")
            for index, resource in enumerate(value or []):
                yield from _resource(resource, f"{section}[{index}]", info)
    elif isinstance(document, dict) and ("Results" in document or "SchemaVersion" in document):
        results = document.get("Results")
        if results is not None and not isinstance(results, list):
            raise malformed(fmt, "'Results' is not an array")
        yield from _results(results or [], "Results")
    else:
        raise malformed(fmt, "no 'Results', Kubernetes 'Resources' or legacy results array")


def _resource(resource: object, where: str, info: ReportInfo) -> Iterator[Scope | Quarantined]:
    if not isinstance(resource, dict):
        yield Quarantined(where, "the resource is not an object")
        return
    if resource.get("Error"):
        info.scan_errors.append(f"{where}: {short(resource.get('Error'), 200)}")
    try:
        parts = [text(resource, key) for key in ("Namespace", "Kind", "Name")]
        results = as_list(resource.get("Results"), "'Results'")
    except BadRecord as exc:
        yield Quarantined(where, str(exc))
        return
    name = "/".join(part for part in parts if part) or None
    yield from _results(results, f"{where}.Results", name)


def _results(
    results: list[object], prefix: str, resource: str | None = None
) -> Iterator[Scope | Quarantined]:
    for index, result in enumerate(results):
        where = f"{prefix}[{index}]"
        if isinstance(result, dict):
            yield Scope(where, result, resource)
        else:
            yield Quarantined(where, "the result is not an object")
