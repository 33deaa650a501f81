"""Store benchmark: audited writes and audit-chain verification, SQLite and PostgreSQL.

    python benchmarks/store.py [--projects N] [--postgres URL]

Creates N projects one unit of work each (every write records an audit event in
the same transaction: the cost of PeaRL's "no change without an audit record"
rule), then verifies the whole chain. PostgreSQL runs when ``--postgres`` or
``PEARL_TEST_POSTGRES_URL`` names a server; a scratch database is created and
dropped.
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from pathlib import Path

import anyio
from _scratch import scratch_postgres

from pearl_core import (
    NewProject,
    Settings,
    bootstrap,
    create_project,
    local_operator,
    read_default_policies,
    seed_defaults,
    verify_audit_chain,
)


async def _run(url: str, projects: int) -> dict[str, float]:
    settings = Settings.from_env({"PEARL_DATABASE_URL": url, "PEARL_LOG_LEVEL": "error"})
    pearl = bootstrap(settings)
    try:
        await pearl.upgrade_database()
        policies = read_default_policies(settings.policies_dir)
        system = pearl.unit_of_work(pearl.system_principal())
        await seed_defaults(system, policies, org_name="bench", clock=pearl.clock)
        operator = local_operator(settings, user="bench")
        latencies: list[float] = []
        started = time.perf_counter()
        for i in range(projects):
            t0 = time.perf_counter()
            await create_project(
                pearl.unit_of_work(operator), NewProject(name=f"project {i}"), clock=pearl.clock
            )
            latencies.append(time.perf_counter() - t0)
        write_s = time.perf_counter() - started
        t0 = time.perf_counter()
        report = await verify_audit_chain(pearl.unit_of_work(operator))
        verify_s = time.perf_counter() - t0
        assert report.ok, report
        latencies.sort()
        return {
            "audited_writes_per_s": projects / write_s,
            "write_p50_ms": statistics.median(latencies) * 1000,
            "write_p99_ms": latencies[int(len(latencies) * 0.99) - 1] * 1000,
            "verify_events_per_s": report.checked / verify_s,
            "events": report.checked,
        }
    finally:
        await pearl.aclose()


async def _with_scratch_pg(server_url: str, projects: int) -> dict[str, float]:
    async with scratch_postgres(server_url) as url:
        return await _run(url, projects)


def _print(engine: str, result: dict[str, float]) -> None:
    print(
        f"{engine:<10} audited writes {result['audited_writes_per_s']:8.0f}/s  "
        f"p50 {result['write_p50_ms']:6.2f} ms  p99 {result['write_p99_ms']:6.2f} ms  "
        f"| chain verify {result['verify_events_per_s']:9.0f} events/s "
        f"({result['events']:.0f} events)"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--projects", type=int, default=2000)
    parser.add_argument("--postgres", default=os.environ.get("PEARL_TEST_POSTGRES_URL"))
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        url = f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}"
        _print("sqlite", anyio.run(_run, url, args.projects))
    if args.postgres:
        _print("postgresql", anyio.run(_with_scratch_pg, args.postgres, args.projects))
    else:
        print("postgresql skipped: pass --postgres URL or set PEARL_TEST_POSTGRES_URL")


if __name__ == "__main__":
    main()
