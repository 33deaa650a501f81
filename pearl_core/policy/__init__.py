"""Policy as code: the engine port, the bundle, the embedded and OPA adapters,
and the Rego test runner. Import these names from :mod:`pearl_core`."""

from pearl_core.policy.bundle import DATA_ROOT, PolicyBundle, default_rego_dir, load_bundle
from pearl_core.policy.check import PolicyCheck, check_policies
from pearl_core.policy.metadata import RuleMetadata
from pearl_core.policy.opa_engine import OpaEngine
from pearl_core.policy.pool import PolicyProcessPool
from pearl_core.policy.ports import Decision, PolicyEngine, Reason
from pearl_core.policy.regorus_engine import RegorusEngine
from pearl_core.policy.testing import (
    ModuleCoverage,
    RegoTestCase,
    RegoTestReport,
    run_bundle_tests,
    run_rego_tests,
)

__all__ = [
    "DATA_ROOT",
    "Decision",
    "ModuleCoverage",
    "OpaEngine",
    "PolicyBundle",
    "PolicyCheck",
    "PolicyEngine",
    "PolicyProcessPool",
    "Reason",
    "RegoTestCase",
    "RegoTestReport",
    "RegorusEngine",
    "RuleMetadata",
    "check_policies",
    "default_rego_dir",
    "load_bundle",
    "run_bundle_tests",
    "run_rego_tests",
]
