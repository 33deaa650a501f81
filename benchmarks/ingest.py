"""Findings ingest benchmark: a 100,000-result SARIF report, end to end.

    python benchmarks/ingest.py [--results N] [--postgres URL]

Generates the report with ``benchmarks/gen_sarif.py`` (same seed, same bytes),
then runs each phase in its own process so its peak RSS is its own:

- ``parse``: read_report + full iteration (parse, normalise, fingerprint,
  in-report dedup), no database;
- ``sqlite`` / ``postgresql``: first ingest into an empty project (all rows
  created), then a re-ingest of the same bytes (zero rows written).

PostgreSQL runs when ``--postgres`` or ``PEARL_TEST_POSTGRES_URL`` names a
server; a scratch database is created and dropped.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import secrets
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import anyio
import asyncpg

from pearl_core import (
    Environment,
    IngestRequest,
    NewProject,
    Settings,
    bootstrap,
    create_project,
    ingest_report,
    local_operator,
    read_default_policies,
    seed_defaults,
)
from pearl_core.ingest.pipeline import read_path

HERE = Path(__file__).resolve().parent


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def _phase_parse(report: Path) -> dict[str, Any]:
    started = time.perf_counter()
    cpu = time.process_time()
    with read_path(report) as parsed:
        count = sum(1 for _ in parsed.items)
    return {
        "results": count,
        "seconds": time.perf_counter() - started,
        "cpu_seconds": time.process_time() - cpu,
    }


async def _phase_db(url: str, report: Path) -> dict[str, Any]:
    settings = Settings.from_env({"PEARL_DATABASE_URL": url, "PEARL_LOG_LEVEL": "error"})
    pearl = bootstrap(settings)
    try:
        await pearl.upgrade_database()
        system = pearl.unit_of_work(pearl.system_principal())
        policies = read_default_policies(settings.policies_dir)
        await seed_defaults(system, policies, org_name="bench", clock=pearl.clock)
        operator = local_operator(settings, user="bench")
        project = await create_project(
            pearl.unit_of_work(operator), NewProject(name="bench"), clock=pearl.clock
        )
        request = IngestRequest(
            project_id=project.project_id, environment=Environment.DEV, source_name=report.name
        )
        timings: dict[str, Any] = {}
        for run in ("first", "again"):
            started = time.perf_counter()
            with report.open("rb") as source:
                summary = await ingest_report(
                    pearl.unit_of_work(operator),
                    request,
                    source,
                    clock=pearl.clock,
                    limits=pearl.ingest_limits,
                )
            timings[run] = {
                "seconds": time.perf_counter() - started,
                "created": summary.created,
                "unchanged": summary.unchanged,
                "updated": summary.updated,
            }
        return timings
    finally:
        await pearl.aclose()


async def _phase_postgres(server_url: str, report: Path) -> dict[str, Any]:
    name = f"pearl_bench_{secrets.token_hex(4)}"
    conn = await asyncpg.connect(server_url.replace("postgresql+asyncpg://", "postgresql://"))
    try:
        await conn.execute(f'CREATE DATABASE "{name}"')
        return await _phase_db(f"{server_url.rsplit('/', 1)[0]}/{name}", report)
    finally:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


def _child(phase: str, report: Path, url: str) -> None:
    if phase == "parse":
        result = _phase_parse(report)
    elif phase == "sqlite":
        result = anyio.run(_phase_db, url, report)
    else:
        result = anyio.run(_phase_postgres, url, report)
    result["peak_rss_mb"] = _peak_rss_mb()
    print(json.dumps(result))


def _run_child(phase: str, report: Path, url: str = "") -> dict[str, Any]:
    done = subprocess.run(
        [sys.executable, __file__, "--child", phase, str(report), url],
        capture_output=True,
        text=True,
        check=True,
    )
    result: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--results", type=int, default=100_000)
    parser.add_argument("--postgres", default=os.environ.get("PEARL_TEST_POSTGRES_URL"))
    parser.add_argument("--child", nargs=3, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        phase, report, url = args.child
        _child(phase, Path(report), url)
        return
    with tempfile.TemporaryDirectory() as tmp:
        report = Path(tmp) / "report.sarif"
        subprocess.run(
            [sys.executable, str(HERE / "gen_sarif.py"), str(args.results), str(report)],
            check=True,
        )
        size_mb = report.stat().st_size / 1e6
        print(f"report: {args.results} results, {size_mb:.0f} MB")
        parse = _run_child("parse", report)
        print(
            f"parse+normalise+fingerprint  {parse['results'] / parse['seconds']:9.0f} results/s "
            f"(cpu {parse['results'] / parse['cpu_seconds']:.0f}/s)  "
            f"peak RSS {parse['peak_rss_mb']:.0f} MB"
        )
        engines = [("sqlite", f"sqlite+aiosqlite:///{Path(tmp) / 'bench.db'}")]
        if args.postgres:
            engines.append(("postgresql", args.postgres))
        else:
            print("postgresql skipped: pass --postgres URL or set PEARL_TEST_POSTGRES_URL")
        for engine, url in engines:
            result = _run_child(engine, report, url)
            first, again = result["first"], result["again"]
            print(
                f"{engine:<10} first ingest {first['created'] / first['seconds']:8.0f} findings/s "
                f"({first['seconds']:.1f} s) | re-ingest "
                f"{(again['unchanged'] + again['created']) / again['seconds']:8.0f} results/s, "
                f"{again['created'] + again['updated']} rows written | "
                f"peak RSS {result['peak_rss_mb']:.0f} MB"
            )


if __name__ == "__main__":
    main()
