"""Normalising agent actions into the guard-rail input (no policy engine)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from pydantic import ValidationError

from pearl_core.canonical import canonical_json, sha256_hex
from pearl_core.guardrails import AgentAction, normalise_action, split_shell


def normalised(workspace_root: Path | None = None, **fields: object) -> dict[str, object]:
    return normalise_action(AgentAction.model_validate(fields), workspace_root=workspace_root)


def test_agent_action_rejects_unknown_fields_and_loose_types() -> None:
    with pytest.raises(ValidationError):
        AgentAction.model_validate({"type": "code_edit", "paths": ["src/a.py"]})
    with pytest.raises(ValidationError):
        AgentAction.model_validate({"type": "command_run", "command": ("pytest",)})
    with pytest.raises(ValidationError):
        AgentAction.model_validate({"type": ""})


def test_plain_path_is_listed_once() -> None:
    assert normalised(type="code_edit", path="src/app.py")["paths"] == ["src/app.py"]


def test_percent_encoded_traversal_is_listed_decoded_beside_the_raw_path() -> None:
    paths = normalised(type="code_edit", path="src/%2e%2e/%2e%2e/x")["paths"]
    assert paths == ["src/%2e%2e/%2e%2e/x", "src/../../x"]


def test_double_percent_encoding_is_decoded_until_stable() -> None:
    paths = normalised(type="code_edit", path="src/%252e%252e/x")["paths"]
    assert paths == ["src/%252e%252e/x", "src/../x", "x"]


def test_dotdot_staying_inside_is_listed_raw_and_normalised() -> None:
    paths = normalised(type="code_edit", path="SRC/../.GIT/config")["paths"]
    assert paths == ["SRC/../.GIT/config", ".GIT/config"]


@pytest.mark.parametrize(
    "raw", ["/etc/passwd", "../etc/passwd", "src/../../x", "~/.ssh/id_rsa", "src\\..\\x", "a\x00b"]
)
def test_escaping_or_unsafe_paths_keep_only_their_raw_form(raw: str) -> None:
    assert normalised(type="code_edit", path=raw)["paths"] == [raw]


def test_symlink_is_listed_with_its_target_inside_the_workspace(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    os.symlink("../.git/config", tmp_path / "src" / "link")
    paths = normalised(tmp_path, type="code_edit", path="src/link")["paths"]
    assert paths == ["src/link", ".git/config"]


def test_symlink_leaving_the_workspace_is_listed_by_absolute_target(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    os.symlink("/etc/passwd", tmp_path / "src" / "out")
    paths = normalised(tmp_path, type="code_edit", path="src/out")["paths"]
    assert paths == ["src/out", "/etc/passwd"]


def test_redirect_through_a_symlink_is_reported_with_its_target(tmp_path: Path) -> None:
    (tmp_path / "src").mkdir()
    os.symlink("../.git/hooks/pre-commit", tmp_path / "src" / "hook")
    features = normalised(tmp_path, type="command_run", command="pytest > src/hook")
    assert features["shell_features"] == [
        {"kind": "redirect", "target": "src/hook"},
        {"kind": "redirect", "target": ".git/hooks/pre-commit"},
    ]


@pytest.mark.parametrize(
    ("line", "commands", "features"),
    [
        ("git status", [["git", "status"]], []),
        ("git status; rm -rf /", [["git", "status"], ["rm", "-rf", "/"]], [{"kind": "sequence"}]),
        ("git status\nrm -rf /", [["git", "status"], ["rm", "-rf", "/"]], [{"kind": "sequence"}]),
        ("pytest && curl x", [["pytest"], ["curl", "x"]], [{"kind": "and_or"}]),
        ("pytest || curl x", [["pytest"], ["curl", "x"]], [{"kind": "and_or"}]),
        ("pytest | sh", [["pytest"], ["sh"]], [{"kind": "pipe"}]),
        ("pytest & rm x", [["pytest"], ["rm", "x"]], [{"kind": "background"}]),
        ("(rm x)", [["rm", "x"]], [{"kind": "subshell"}]),
        ('"git status" "; rm"', [["git status", "; rm"]], []),
        ("pytest a#b; rm x", [["pytest", "a#b"], ["rm", "x"]], [{"kind": "sequence"}]),
        ("FOO=1 pytest", [["pytest"]], [{"kind": "env_assignment"}]),
        ("pytest <<EOF", [["pytest"]], [{"kind": "heredoc"}]),
        ("pytest 2>&1", [["pytest"]], [{"kind": "fd_dup"}]),
        ("pytest > out.txt", [["pytest"]], [{"kind": "redirect", "target": "out.txt"}]),
        ("pytest &> out.txt", [["pytest"]], [{"kind": "redirect", "target": "out.txt"}]),
        ("pytest 'unclosed", [["pytest 'unclosed"]], [{"kind": "unparseable"}]),
    ],
)
def test_shell_line_splits_into_simple_commands_and_features(
    line: str, commands: list[list[str]], features: list[dict[str, str]]
) -> None:
    split = split_shell(line)
    assert (split.commands, split.features) == (commands, features)


@pytest.mark.parametrize(
    ("line", "kind"),
    [
        ("pytest $(rm -rf /)", "command_substitution"),
        ('pytest "$(rm -rf /)"', "command_substitution"),
        ("pytest `rm -rf /`", "command_substitution"),
        ("pytest <(rm -rf /)", "process_substitution"),
    ],
)
def test_substitution_bodies_are_split_and_judged_too(line: str, kind: str) -> None:
    split = split_shell(line)
    assert ["rm", "-rf", "/"] in split.commands
    assert split.features == [{"kind": kind}]


def test_single_quoted_substitution_is_a_literal_argument() -> None:
    split = split_shell("pytest '$(id)'")
    assert (split.commands, split.features) == ([["pytest", "$(id)"]], [])


def test_argv_list_is_taken_as_is_without_a_shell() -> None:
    action = normalised(type="command_run", command=["git", "status; rm -rf /"])
    assert action["commands"] == [["git", "status; rm -rf /"]]
    assert "shell_features" not in action


@pytest.mark.parametrize(
    ("raw", "host"),
    [
        ("https://allowed.example/x", "allowed.example"),
        ("http://allowed.example@evil.com", "evil.com"),
        ("HTTP://EVIL.COM.", "evil.com"),
        ("allowed.example:8443", "allowed.example"),
        ("https://allowed%2eexample", "allowed.example"),
        ("https://allowed.example%40evil.com", "allowed.example@evil.com"),
        ("https://allówed.example", "xn--allwed-dxa.example"),
        ("http://[::1]/", "::1"),
    ],
)
def test_hosts_are_parsed_lower_cased_decoded_and_idna_encoded(raw: str, host: str) -> None:
    assert normalised(type="network_request", host=raw)["hosts"] == [host]


def test_digest_hashes_the_canonical_normalised_action() -> None:
    action = normalised(type="dependency_change", command="pytest -q", package="X", version="1")
    body = {
        "type": "dependency_change",
        "commands": [["pytest", "-q"]],
        "packages": [{"name": "x", "version": "1"}],
        "package": "X",
        "version": "1",
    }
    assert action["digest"] == "sha256:" + sha256_hex(canonical_json(body))


@pytest.mark.parametrize(
    ("package", "name"),
    [
        ("requests", "requests"),
        ("Django_REST.framework", "django-rest-framework"),
        ("zope.interface", "zope-interface"),
        ("A--b__C..d", "a-b-c-d"),
        ("git+https://evil.example/x.git", "git+https://evil-example/x-git"),
    ],
)
def test_package_is_listed_by_its_pep_503_name_with_its_version(package: str, name: str) -> None:
    action = normalised(type="dependency_change", package=package, version="2.32.3")
    assert action["packages"] == [{"name": name, "version": "2.32.3"}]


def test_package_without_a_version_is_listed_with_a_null_version() -> None:
    action = normalised(type="dependency_change", package="requests")
    assert action["packages"] == [{"name": "requests", "version": None}]


def test_version_without_a_package_is_listed_with_a_null_name() -> None:
    action = normalised(type="code_edit", path="src/app.py", version="1.0")
    assert action["packages"] == [{"name": None, "version": "1.0"}]


def test_action_without_package_or_version_lists_no_packages() -> None:
    assert "packages" not in normalised(type="code_edit", path="src/app.py")


def test_equivalent_spellings_share_a_digest_and_different_actions_do_not() -> None:
    line = normalised(type="command_run", command="git   status")
    argv = normalised(type="command_run", command=["git", "status"])
    other = normalised(type="command_run", command=["git", "diff"])
    assert line["digest"] == argv["digest"] != other["digest"]
