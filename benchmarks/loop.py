"""Remediation-loop benchmark: check_action through the service layer, and
packet generation, on SQLite and PostgreSQL.

    python benchmarks/loop.py [--checks N] [--findings N] [--postgres URL]

Sets up an org with the default policies, the example app spec, a compiled
context and N synthetic Semgrep findings (each its own rule and file, so each
becomes its own spec and packet), then:

- times ``generate_remediation_specs`` over all of them (grouping, one Rego
  eligibility decision and one decision-log record per unit, specs, signed
  packets, one transaction);
- claims one packet as an agent and times ``check_action`` for an allowed
  in-scope edit: the packet read, the guard-rail decision on the embedded
  engine, and the decision-log write, committed, per call (p50 / p99).

PostgreSQL runs when ``--postgres`` or ``PEARL_TEST_POSTGRES_URL`` names a
server; a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import io
import json
import os
import tempfile
import time
from datetime import timedelta
from pathlib import Path

import anyio
from _scratch import scratch_postgres

from pearl_core import (
    ApplicationSpec,
    Environment,
    GuardFastPath,
    IngestLimits,
    IngestRequest,
    NewProject,
    Settings,
    bootstrap,
    compile_project_context,
    create_project,
    ingest_report,
    local_operator,
    put_app_spec,
    read_default_policies,
    seed_defaults,
)
from pearl_core.domain.enums import PrincipalKind, Role
from pearl_core.domain.identity import Principal
from pearl_core.services.guard import check_action
from pearl_core.services.packets import claim_task_packet
from pearl_core.services.remediation import generate_remediation_specs

ROOT = Path(__file__).resolve().parent.parent
PROJECT = "proj_bench"
DEV = Environment.DEV


def _semgrep_report(findings: int) -> bytes:
    results = [
        {
            "check_id": f"bench.rule-{i % 50}",
            "path": f"src/module_{i:04d}.py",
            "start": {"line": 10, "col": 1, "offset": 0},
            "end": {"line": 10, "col": 20, "offset": 19},
            "extra": {
                "message": "dangerous call",
                "severity": "ERROR",
                "metadata": {"cwe": ["CWE-78: OS Command Injection"]},
                "lines": f"subprocess.call(cmd_{i}, shell=True)",
            },
        }
        for i in range(findings)
    ]
    return json.dumps({"version": "1.185.0", "results": results, "errors": []}).encode()


async def _run(url: str, checks: int, findings: int) -> dict[str, float]:
    settings = Settings.from_env(
        {
            "PEARL_DATABASE_URL": url,
            "PEARL_LOG_LEVEL": "error",
            "PEARL_SIGNING_KEY_FILE": os.environ["PEARL_SIGNING_KEY_FILE"],
        }
    )
    pearl = bootstrap(settings, configure_logs=False)
    try:
        org = settings.org_id
        admin = Principal(
            org_id=org,
            subject_id="usr_admin",
            kind=PrincipalKind.HUMAN,
            roles=frozenset({Role.ADMIN}),
        )
        agent = Principal(
            org_id=org,
            subject_id="sa_bench",
            kind=PrincipalKind.SERVICE_ACCOUNT,
            roles=frozenset({Role.SERVICE_ACCOUNT}),
        )
        operator = local_operator(settings, user="bench")
        engine = pearl.policy_engine()
        await pearl.upgrade_database()
        policies = read_default_policies(settings.policies_dir)
        await seed_defaults(
            pearl.unit_of_work(pearl.system_principal()),
            policies,
            org_name="bench",
            clock=pearl.clock,
        )
        await create_project(
            pearl.unit_of_work(operator),
            NewProject(name="bench", project_id=PROJECT),
            clock=pearl.clock,
        )
        spec = ApplicationSpec.model_validate_json(
            (ROOT / "examples" / "vulnerable-app" / "pearl-app-spec.json").read_bytes()
        )
        await put_app_spec(pearl.unit_of_work(admin), PROJECT, spec, "bench")
        await compile_project_context(
            pearl.unit_of_work(operator),
            PROJECT,
            DEV,
            clock=pearl.clock,
            signer=pearl.signer,
            bundle_hash=engine.bundle_hash,
        )
        await ingest_report(
            pearl.unit_of_work(operator),
            IngestRequest(project_id=PROJECT, environment=DEV, source_name="bench.json"),
            io.BytesIO(_semgrep_report(findings)),
            clock=pearl.clock,
            limits=IngestLimits(),
        )
        started = time.perf_counter()
        generated = await generate_remediation_specs(
            pearl.unit_of_work(operator),
            engine,
            PROJECT,
            DEV,
            clock=pearl.clock,
            mask=pearl.decision_mask,
            signer=pearl.signer,
            packet_ttl=timedelta(days=1),
        )
        generate_s = time.perf_counter() - started
        packet = generated.packets[0]
        await claim_task_packet(
            pearl.unit_of_work(agent),
            packet.task_packet_id,
            clock=pearl.clock,
            lease_ttl=timedelta(hours=2),
        )
        action = {"type": "file_write", "path": packet.allowed_paths[0]}

        async def timed(fast: GuardFastPath | None) -> list[int]:
            samples = []
            for i in range(checks + 200):
                t0 = time.perf_counter_ns()
                result = await check_action(
                    pearl.unit_of_work(agent),
                    engine,
                    packet.task_packet_id,
                    action,
                    clock=pearl.clock,
                    mask=pearl.decision_mask,
                    max_denied_attempts=5,
                    fast=fast,
                )
                if i >= 200:
                    samples.append(time.perf_counter_ns() - t0)
            assert result.decision == "allow", result
            return sorted(samples)

        transactional = await timed(None)
        async with pearl.decision_buffer.run():
            served = await timed(pearl.guard_fast_path)
        return {
            "packets": len(generated.packets),
            "generate_s": generate_s,
            "check_p50_us": _pct(transactional, 0.50),
            "check_p99_us": _pct(transactional, 0.99),
            "fast_p50_us": _pct(served, 0.50),
            "fast_p99_us": _pct(served, 0.99),
        }
    finally:
        await pearl.aclose()


def _pct(samples: list[int], q: float) -> float:
    return samples[max(0, int(len(samples) * q) - 1)] / 1000


async def _with_scratch_pg(server_url: str, checks: int, findings: int) -> dict[str, float]:
    async with scratch_postgres(server_url) as url:
        return await _run(url, checks, findings)


def _print(engine: str, r: dict[str, float]) -> None:
    print(
        f"{engine:<10} generate {r['packets']:.0f} packets in {r['generate_s']:.2f} s  "
        f"| check_action p50 {r['check_p50_us']:.0f} µs  p99 {r['check_p99_us']:.0f} µs "
        f"| served (cache + buffered log) p50 {r['fast_p50_us']:.0f} µs  "
        f"p99 {r['fast_p99_us']:.0f} µs"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--checks", type=int, default=3000)
    parser.add_argument("--findings", type=int, default=1000)
    parser.add_argument("--postgres", default=os.environ.get("PEARL_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        os.environ["PEARL_SIGNING_KEY_FILE"] = str(Path(tmp) / "key.pem")
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        _print("sqlite", anyio.run(_run, url, args.checks, args.findings))
        if args.postgres:
            _print(
                "postgresql", anyio.run(_with_scratch_pg, args.postgres, args.checks, args.findings)
            )
        else:
            print("postgresql skipped: pass --postgres URL or set PEARL_TEST_POSTGRES_URL")


if __name__ == "__main__":
    main()
