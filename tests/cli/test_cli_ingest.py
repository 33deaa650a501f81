"""``pearl ingest`` and ``pearl findings``, driven as a user would, on a real SQLite file."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from pearl_mcp.cli import main

SEMGREP = Path(__file__).resolve().parents[3] / "shared" / "corpus" / "scanners" / "semgrep"
LINE_31 = SEMGREP / "close_old_findings_report_line31.json"
LINE_24 = SEMGREP / "close_old_findings_report_second_run_line24.json"
NEW_ID = SEMGREP / "close_old_findings_report_third_run_different_unique_id.json"


@pytest.fixture
def env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, str]:
    if not SEMGREP.is_dir():
        pytest.skip("../shared/corpus is not present")
    values = {
        "PEARL_DATABASE_URL": f"sqlite+aiosqlite:///{tmp_path / 'pearl.db'}",
        "PEARL_ORG_ID": "org_clitest",
        "PEARL_LOG_LEVEL": "error",
    }
    for key, value in values.items():
        monkeypatch.setenv(key, value)
    return values


def pearl(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    """Run ``pearl argv`` in-process; return (exit code, stdout, stderr)."""
    try:
        main(list(argv))
        code = 0
    except SystemExit as exc:
        code = int(exc.code or 0)
    out, err = capsys.readouterr()
    return code, out, err


@pytest.fixture
def project(env: dict[str, str], capsys: pytest.CaptureFixture[str]) -> str:
    pearl(capsys, "init")
    code, _, err = pearl(capsys, "projects", "create", "--name", "Shop", "--id", "proj_shop")
    assert code == 0, err
    return "proj_shop"


def ingest(capsys: pytest.CaptureFixture[str], path: Path, *extra: str) -> tuple[int, str, str]:
    return pearl(capsys, "ingest", str(path), "--project", "proj_shop", "--env", "dev", *extra)


def test_ingest_prints_the_summary_as_json(
    project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = ingest(capsys, LINE_31, "--json")

    assert code == 0, err
    summary = json.loads(out)
    assert (summary["format"], summary["scope"], summary["tool_names"]) == (
        "semgrep",
        "full",
        ["semgrep"],
    )
    assert (summary["created"], summary["updated"], summary["quarantined"]) == (1, 0, 0)
    assert summary["ingest_id"].startswith("ing_")


def test_a_rescan_with_lines_moved_updates_and_a_new_identity_resolves_the_old(
    project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest(capsys, LINE_31)

    _, moved, _ = ingest(capsys, LINE_24, "--json")
    _, replaced, _ = ingest(capsys, NEW_ID, "--json")

    assert (json.loads(moved)["created"], json.loads(moved)["updated"]) == (0, 1)
    assert (json.loads(replaced)["created"], json.loads(replaced)["resolved_by_rescan"]) == (1, 1)
    _, listed, _ = pearl(capsys, "findings", "list", "--status", "fixed_verified", "--json")
    assert [f["status_reason"] for f in json.loads(listed)] == ["absent_from_rescan"]


def test_ingest_prints_one_line_of_counts_for_humans(
    project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest(capsys, LINE_31)

    code, out, _ = ingest(capsys, LINE_31, "--scope", "partial")

    assert code == 0
    first = out.splitlines()[0]
    assert first.startswith(f"{LINE_31.name} (semgrep, partial scan) -> proj_shop/dev: ")
    assert "0 created, 0 updated, 1 unchanged" in first
    assert "(partial_scan)" in out


def test_an_idempotent_retry_says_so(project: str, capsys: pytest.CaptureFixture[str]) -> None:
    ingest(capsys, LINE_31, "--idempotency-key", "ci-7")

    code, out, _ = ingest(capsys, LINE_31, "--idempotency-key", "ci-7", "--json")
    conflict, _, err = ingest(capsys, LINE_24, "--idempotency-key", "ci-7")

    assert (code, json.loads(out)["idempotent_replay"]) == (0, True)
    assert conflict == 1
    assert err.startswith("pearl: error [conflict]")


def test_findings_list_filters_and_show_prints_one(
    project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    ingest(capsys, SEMGREP / "high-medium-low-severities.json")

    _, every, _ = pearl(capsys, "findings", "list", "--project", "proj_shop", "--json")
    _, low, _ = pearl(capsys, "findings", "list", "--severity", "low", "--json")
    _, high, _ = pearl(capsys, "findings", "list", "--severity", "high", "--json")
    _, semgrep_only, _ = pearl(capsys, "findings", "list", "--tool", "semgrep", "--env", "dev")
    found = json.loads(every)
    code, shown, _ = pearl(capsys, "findings", "show", found[0]["finding_id"], "--json")
    _, human, _ = pearl(capsys, "findings", "show", found[0]["finding_id"])

    assert len(found) == 3
    assert (len(json.loads(low)), json.loads(high)) == (3, [])  # Semgrep LOW is PeaRL low
    assert len(semgrep_only.splitlines()) == 3
    assert code == 0
    assert json.loads(shown) == found[0]
    assert human.splitlines()[0] == f"finding      {found[0]['finding_id']}"


@pytest.mark.parametrize(
    ("argv", "code"),
    [
        (["ingest", "missing.json", "--project", "proj_shop", "--env", "dev"], "validation_failed"),
        (["ingest", str(LINE_31), "--project", "proj_nope", "--env", "dev"], "not_found"),
        (["ingest", str(LINE_31), "--project", "proj_shop", "--env", "dev", "--format", "trivy"],
         "malformed_report"),
        (["findings", "show", "find_nope"], "not_found"),
    ],
    ids=["missing-file", "unknown-project", "wrong-format", "unknown-finding"],
)  # fmt: skip
def test_bad_input_is_a_one_line_error_with_its_code(
    project: str, capsys: pytest.CaptureFixture[str], argv: list[str], code: str
) -> None:
    exit_code, out, err = pearl(capsys, *argv)

    assert exit_code == 1
    assert out == ""
    assert err.startswith(f"pearl: error [{code}]")
    assert err.count("\n") == 1


def test_summary_counts_add_up_to_the_tools_own_result_count(
    project: str, capsys: pytest.CaptureFixture[str]
) -> None:
    # bandit/many_vulns.json: 214 results (`.results|length`, and its _totals),
    # one of them an exact repeat of an earlier result.
    code, out, err = ingest(capsys, SEMGREP.parent / "bandit" / "many_vulns.json", "--json")

    assert code == 0, err
    summary = json.loads(out)
    assert (summary["created"], summary["duplicates"]) == (213, 1)
