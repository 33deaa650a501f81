# Shared fixtures for the guard-rail tests: a claimed packet, a dev profile,
# and helpers that build an input around one action. No tests here.
package pearl.guardrails.testdata_test

import rego.v1

now := "2025-06-01T12:00:00Z"

profile := {
	"allowed_capabilities": ["code_read", "code_edit", "test_create", "test_run", "dependency_change", "config_edit_nonprod", "command_run", "network_egress", "git_push"],
	"blocked_capabilities": ["prod_deploy", "privileged_iam_changes", "secret_access"],
	"approval_required_for": [],
	"outbound_allowlist": ["api.internal.example"],
}

packet := {
	"task_packet_id": "tp_fix_orders",
	"status": "claimed",
	"lease": {"holder_id": "sa_agent", "expires_at": "2025-06-01T13:00:00Z"},
	"expires_at": "2025-06-02T00:00:00Z",
	"denied_attempts": 0,
	"allowed_actions": ["file_read", "code_edit", "test_create", "test_run", "command_run", "dependency_change", "network_request", "git_push"],
	"blocked_actions": [],
	"allowed_paths": ["src/orders/**", "tests/**", "requirements*.txt"],
	"allowed_commands": ["pytest", "python -m pytest", "ruff check", "git status", "git diff", "git add", "git commit", "git push", "pip install", "curl"],
	"allowed_packages": ["requests", "Django"],
	"approval_triggers": [],
}

# An input for `action` in dev, by the lease holder, at `now`.
input_for(action) := {
	"now": now,
	"environment": "dev",
	"principal": {"subject_id": "sa_agent", "kind": "service_account"},
	"profile": profile,
	"packet": packet,
	"action": action,
	"approvals": [],
}

# `input_for(action)` with `changes` merged in (objects merge, other values replace).
changed(action, changes) := object.union(input_for(action), changes)

edit(paths) := input_for({"type": "code_edit", "digest": "sha256:edit", "paths": paths})

run(commands) := input_for({"type": "command_run", "digest": "sha256:run", "commands": commands})

read(paths) := input_for({"type": "file_read", "digest": "sha256:read", "paths": paths})

# A dependency change naming `packages` (`{"name": ..., "version": ...}` each).
install(packages) := input_for({"type": "dependency_change", "digest": "sha256:dep", "packages": packages})

# Reasons without their human-readable message: tests compare the rest.
facts(reasons) := {object.remove(reason, ["message"]) | some reason in reasons}
