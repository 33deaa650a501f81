"""The OPA server adapter, for organisations that already run OPA fleets.

It pushes the same bundle the embedded engine loads — every non-test module
with ``PUT /v1/policies/<prefix>/<path>``, the data with ``PUT
/v1/data/pearl_data`` — removes modules under its prefix that the bundle no
longer has, then evaluates every entrypoint once, as the embedded engine does.
Decisions go through the data API (``POST /v1/data/pearl/gate/decision``).

Uses ``opa-python-client`` (an optional dependency: ``pip install
'pearl-governance[opa]'``). OPA compiles each module as it arrives, so modules
are pushed until no more succeed (a module may call a function of one not yet
pushed). Its tests run only against a real server named by
``PEARL_TEST_OPA_URL``: no ``opa`` binary can be installed where PeaRL is built.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any
from urllib.parse import urlsplit

from pearl_core.errors import (
    ConfigurationError,
    PolicyEngineUnavailable,
    PolicyEvaluationError,
    PolicyLoadError,
)
from pearl_core.policy.bundle import DATA_ROOT, PolicyBundle, PolicyModule, load_bundle
from pearl_core.policy.ports import Decision
from pearl_core.policy.results import build_decision, canonical_input, entrypoint_path

__all__ = ["OpaEngine"]


class OpaEngine:
    """:class:`~pearl_core.policy.ports.PolicyEngine` on an OPA server at ``url``."""

    def __init__(
        self,
        bundle: PolicyBundle,
        *,
        url: str,
        token: str | None = None,
        timeout: float = 5.0,
        retries: int = 2,
        prefix: str = "pearl",
        require: Iterable[str] = (),
    ) -> None:
        try:
            from opa_client.errors import RegoParseError  # type: ignore[import-untyped]  # no py.typed
            from opa_client.opa import OpaClient  # type: ignore[import-untyped]  # no py.typed
        except ImportError:
            raise ConfigurationError(
                "the OPA adapter needs opa-python-client: pip install 'pearl-governance[opa]'",
                setting="PEARL_OPA_URL",
            ) from None
        parts = urlsplit(url)
        if (
            parts.scheme not in ("http", "https")
            or not parts.hostname
            or parts.path not in ("", "/")
        ):
            raise ConfigurationError(
                "the OPA URL must look like http(s)://host[:port]", setting="PEARL_OPA_URL"
            )
        self._parse_error: type[Exception] = RegoParseError
        self._client = OpaClient(
            host=parts.hostname,
            port=parts.port or (443 if parts.scheme == "https" else 8181),
            ssl=parts.scheme == "https",
            token=token,
            timeout=timeout,
            retries=retries,
        )
        self._prefix = prefix.strip("/")
        self._require = tuple(entrypoint_path(path) for path in require)
        self._lock = threading.Lock()
        self._bundle = self._push(bundle)

    @property
    def bundle(self) -> PolicyBundle:
        return self._bundle

    @property
    def bundle_hash(self) -> str:
        return self._bundle.hash

    @property
    def entrypoints(self) -> tuple[str, ...]:
        return self._bundle.entrypoints

    def close(self) -> None:
        self._client.close_connection()

    def evaluate(self, entrypoint: str, input: Mapping[str, Any]) -> Decision:
        started = time.perf_counter_ns()
        bundle = self._bundle
        path = entrypoint_path(entrypoint)
        if path not in bundle.entrypoints:
            raise PolicyEvaluationError(
                f"{path} is not an entrypoint of this bundle", entrypoint=path, reason="unknown"
            )
        _, input_hash = canonical_input(path, input)
        package, _, rule = path.rpartition(".")
        eval_start = time.perf_counter_ns()
        body = self._call(
            path, lambda: self._client.query_rule(dict(input), package_path=package, rule_name=rule)
        )
        eval_ns = time.perf_counter_ns() - eval_start
        return build_decision(
            path,
            body.get("result"),
            rules=bundle.rules,
            bundle_hash=bundle.hash,
            input_hash=input_hash,
            started_ns=started,
            eval_ns=eval_ns,
            finished_ns=time.perf_counter_ns(),
        )

    def reload_if_changed(self) -> bool:
        with self._lock:
            bundle = load_bundle(self._bundle.root, self._bundle.data_root)
            if bundle.hash == self._bundle.hash:
                return False
            self._bundle = self._push(bundle)
            return True

    def _policy_id(self, module: PolicyModule) -> str:
        return f"{self._prefix}/{module.path}"

    def _push(self, bundle: PolicyBundle) -> PolicyBundle:
        for path in self._require:
            if path not in bundle.entrypoints:
                raise PolicyLoadError(
                    f"required entrypoint {path} is not defined", file=str(bundle.root)
                )
        pending = list(bundle.policies)
        while pending:
            failed: list[tuple[PolicyModule, Exception]] = []
            for module in pending:
                try:
                    self._call(
                        "push",
                        lambda m=module: self._client.update_policy_from_string(
                            m.source, self._policy_id(m), rego_compat=False
                        ),
                    )
                except self._parse_error as exc:
                    failed.append((module, exc))
            if len(failed) == len(pending):
                raise self._load_error(bundle, *failed[0])
            pending = [module for module, _ in failed]
        try:
            self._call(
                "push", lambda: self._client.update_or_create_data(dict(bundle.data), DATA_ROOT)
            )
        except self._parse_error as exc:
            raise PolicyLoadError(
                f"OPA rejected the data: {getattr(exc, 'message', exc)}",
                file=str(bundle.data_root),
            ) from None
        wanted = {self._policy_id(module) for module in bundle.policies}
        for policy_id in self._call("push", self._client.get_policies_list):
            if str(policy_id).startswith(f"{self._prefix}/") and policy_id not in wanted:
                self._call("push", lambda p=policy_id: self._client.delete_policy(p))
        for path in bundle.entrypoints:
            package, _, rule = path.rpartition(".")
            body = self._call(
                path,
                lambda p=package, r=rule: self._client.query_rule({}, package_path=p, rule_name=r),
            )
            try:
                build_decision(
                    path,
                    body.get("result"),
                    rules=bundle.rules,
                    bundle_hash=bundle.hash,
                    input_hash="",
                    started_ns=0,
                    eval_ns=0,
                    finished_ns=0,
                )
            except PolicyEvaluationError as exc:
                raise PolicyLoadError(
                    f"with an empty input, {exc.message} (give it a default decision)",
                    file=str(bundle.root),
                ) from None
        return bundle

    def _load_error(self, bundle: PolicyBundle, module: PolicyModule, exc: Any) -> PolicyLoadError:
        errors = getattr(exc, "errors", None) or [{"message": getattr(exc, "message", str(exc))}]
        first = errors[0]
        location = first.get("location") or {}
        where = str(location.get("file", "")).removeprefix(f"{self._prefix}/")
        shown = bundle.display_path(where if bundle.module(where) else module.path)
        return PolicyLoadError(
            str(first.get("message", "OPA rejected the module")),
            file=shown,
            line=location.get("row"),
            column=location.get("col"),
        )

    def _call(self, what: str, call: Any) -> Any:
        """Run one client call; map transport failures to PeaRL errors."""
        try:
            return call()
        except OSError as exc:  # requests' exceptions derive from OSError
            response = getattr(exc, "response", None)
            if response is None:
                raise PolicyEngineUnavailable(
                    f"the OPA server did not answer: {type(exc).__name__}", operation=what
                ) from None
            raise PolicyEvaluationError(
                f"{what}: OPA answered {response.status_code}: {response.text[:500]}",
                entrypoint=what,
                reason="opa_error",
                status=response.status_code,
            ) from None
