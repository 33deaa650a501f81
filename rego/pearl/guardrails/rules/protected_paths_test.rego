package pearl.guardrails.rules.protected_paths_test

import data.pearl.guardrails.rules.protected_paths as rule
import data.pearl.guardrails.testdata_test as t
import rego.v1

test_success_ordinary_files_are_not_protected if {
	count(rule.deny) == 0 with input as t.edit([
		"src/orders/service.py", "docs/github-notes.md", ".gitignore",
		".env.example", "src/orders/environment.py", "src/orders/keys.py",
	])
}

test_fail_git_internals if {
	t.facts(rule.deny) == {
		{"code": "protected_path", "path": ".git/config", "matched": [".git"]},
		{"code": "protected_path", "path": "vendor/lib/.git/HEAD", "matched": [".git"]},
		{"code": "protected_path", "path": ".git", "matched": [".git"]},
		{"code": "protected_path", "path": ".gitmodules", "matched": [".gitmodules"]},
	} with input as t.edit([".git/config", "vendor/lib/.git/HEAD", ".git", ".gitmodules"])
}

test_fail_case_tricks_still_hit if {
	t.facts(rule.deny) == {
		{"code": "protected_path", "path": ".GIT/config", "matched": [".git"]},
		{"code": "protected_path", "path": ".GitHub/Workflows/ci.yml", "matched": [".github/workflows/"]},
		{"code": "protected_path", "path": "Deploy/Prod.PEM", "matched": [".pem"]},
	} with input as t.edit([".GIT/config", ".GitHub/Workflows/ci.yml", "Deploy/Prod.PEM"])
}

test_fail_ci_configuration if {
	t.facts(rule.deny) == {
		{"code": "protected_path", "path": ".github/workflows/release.yml", "matched": [".github/workflows/"]},
		{"code": "protected_path", "path": ".github/workflows", "matched": [".github/workflows/"]},
		{"code": "protected_path", "path": ".gitlab-ci.yml", "matched": [".gitlab-ci.yml"]},
		{"code": "protected_path", "path": "Jenkinsfile", "matched": ["jenkinsfile"]},
		{"code": "protected_path", "path": ".circleci/config.yml", "matched": [".circleci"]},
	} with input as t.edit([".github/workflows/release.yml", ".github/workflows", ".gitlab-ci.yml", "Jenkinsfile", ".circleci/config.yml"])
}

test_fail_pearl_and_secrets if {
	t.facts(rule.deny) == {
		{"code": "protected_path", "path": ".pearl/context.json", "matched": [".pearl"]},
		{"code": "protected_path", "path": ".env", "matched": [".env"]},
		{"code": "protected_path", "path": "config/.env.production", "matched": [".env."]},
		{"code": "protected_path", "path": "certs/server.pem", "matched": [".pem"]},
		{"code": "protected_path", "path": "home/.ssh/id_rsa", "matched": [".ssh", "id_rsa"]},
		{"code": "protected_path", "path": "keys/id_ed25519.pub", "matched": ["id_ed25519"]},
		{"code": "protected_path", "path": "deploy/secrets/db.yaml", "matched": ["secrets"]},
		{"code": "protected_path", "path": "infra/prod.tfstate.backup", "matched": [".tfstate.backup"]},
	} with input as t.edit([".pearl/context.json", ".env", "config/.env.production", "certs/server.pem", "home/.ssh/id_rsa", "keys/id_ed25519.pub", "deploy/secrets/db.yaml", "infra/prod.tfstate.backup"])
}

test_fail_protected_globs_come_from_data if {
	t.facts(rule.deny) == {{"code": "protected_path", "path": "infra/Terraform/prod.tfvars", "matched": ["**/terraform/*.tfvars"]}} with input as t.edit(["infra/Terraform/prod.tfvars", "infra/main.tf"])
		with data.pearl_data.guardrails.protected.globs as ["**/terraform/*.tfvars"]
}

test_fail_reads_of_protected_paths_are_denied_too if {
	t.facts(rule.deny) == {
		{"code": "protected_path", "path": ".env", "matched": [".env"]},
		{"code": "protected_path", "path": ".git/config", "matched": [".git"]},
		{"code": "protected_path", "path": ".pearl/context.json", "matched": [".pearl"]},
		{"code": "protected_path", "path": "deploy/tls.key", "matched": [".key"]},
	} with input as t.read([".env", ".git/config", ".pearl/context.json", "deploy/tls.key", "src/orders/a.py"])
}
