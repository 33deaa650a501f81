"""``pearl policy``: check and test the Rego policy bundle.

``pearl policy check [DIR]`` loads the bundle (default: the repository's
``rego/``), with the data directory (``--data``, default ``PEARL_POLICIES_DIR``
or the bundled ``policies/``), compiles every module and evaluates every
entrypoint once. ``pearl policy test [DIR]`` runs every ``test_*`` rule.
Both exit 1 on any problem; each bundle problem is one line on stderr:
``pearl: error [policy_invalid] file:line:col reason``.

The group's other commands live in their own modules: ``eval`` and
``replay`` in :mod:`pearl_mcp.cli.policy_log`, ``history`` and ``diff`` in
:mod:`pearl_mcp.cli.policy_versions`.
"""

from __future__ import annotations

import sys
from pathlib import Path

import click

from pearl_core import PolicyLoadError, RegoTestReport, check_policies, run_rego_tests
from pearl_mcp.cli.app import EXIT_ERROR, CliContext, cli, emit, json_option
from pearl_mcp.cli.permissions import public

_dir_argument = click.argument(
    "directory", required=False, type=click.Path(path_type=Path, file_okay=False)
)
_data_option = click.option(
    "--data",
    "data_dir",
    type=click.Path(path_type=Path, file_okay=False),
    default=None,
    help="Policy data directory, mounted at data.pearl_data (default: PEARL_POLICIES_DIR).",
)


@cli.group()
def policy() -> None:
    """Check, test and evaluate policy; replay decisions; show policy versions."""


@policy.command("check")
@public("compiles and checks local policy files; reads no database")
@_dir_argument
@_data_option
@json_option
@click.pass_context
def check(ctx: click.Context, directory: Path | None, data_dir: Path | None, as_json: bool) -> None:
    """Compile the bundle, require METADATA everywhere, evaluate every entrypoint."""
    data = data_dir or ctx.ensure_object(CliContext).settings.policies_dir
    try:
        result = check_policies(directory, data)
    except PolicyLoadError as exc:
        _report_problems(exc, as_json=as_json)
        sys.exit(EXIT_ERROR)
    emit(
        result.to_dict(),
        as_json=as_json,
        text=(
            f"policy bundle OK: {result.modules} module(s), {len(result.rule_ids)} rule(s), "
            f"{result.tests} test file(s); entrypoints: {', '.join(result.entrypoints) or 'none'}; "
            f"hash {result.bundle_hash[:16]}"
        ),
    )


@policy.command("test")
@public("runs the Rego tests of local policy files; reads no database")
@_dir_argument
@_data_option
@click.option(
    "--require-coverage",
    is_flag=True,
    help="Also fail when a module was not covered or a rule has no _test.rego beside it.",
)
@json_option
@click.pass_context
def test(
    ctx: click.Context,
    directory: Path | None,
    data_dir: Path | None,
    require_coverage: bool,
    as_json: bool,
) -> None:
    """Run every test_* rule in *_test.rego; print results and uncovered rules."""
    data = data_dir or ctx.ensure_object(CliContext).settings.policies_dir
    try:
        report = run_rego_tests(directory, data)
    except PolicyLoadError as exc:
        _report_problems(exc, as_json=as_json)
        sys.exit(EXIT_ERROR)
    emit(report.to_dict(), as_json=as_json, text=lambda: _test_text(report))
    gaps = bool(report.not_covered or report.without_test_file)
    if not report.ok or (require_coverage and gaps):
        sys.exit(EXIT_ERROR)


def _report_problems(exc: PolicyLoadError, *, as_json: bool) -> None:
    problems = list(exc.details["problems"])
    if as_json:
        emit({"ok": False, "code": exc.code, "problems": problems}, as_json=True, text="")
    for problem in problems:
        where = ":".join(
            str(problem[key]) for key in ("file", "line", "column") if problem[key] is not None
        )
        click.echo(f"pearl: error [{exc.code}] {where} {problem['reason']}".rstrip(), err=True)


def _test_text(report: RegoTestReport) -> str:
    lines = []
    for case in report.cases:
        label = {"pass": "PASS", "fail": "FAIL", "error": "ERROR"}[case.outcome]
        line = f"{label:<5} {case.name} ({case.duration_us:.0f} µs)"
        if case.outcome != "pass":
            line += f"\n      {case.file}:{case.line}" + (f"  {case.error}" if case.error else "")
        lines.append(line)
    lines.extend(
        f"not covered: {m.file}" + (f" ({m.rule_id})" if m.rule_id else "")
        for m in report.not_covered
    )
    lines.extend(f"no test file: {rule_id}" for rule_id in report.without_test_file)
    if not report.cases:
        lines.append("no test_* rules found in *_test.rego files")
    if report.count("error"):
        lines.append(f"errors: {report.count('error')}")
    failed = report.count("fail") + report.count("error")
    lines.append(f"rego: {report.count('pass')} passed, {failed} failed")
    return "\n".join(lines)
