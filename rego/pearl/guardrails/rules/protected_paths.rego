# METADATA
# title: Protected paths
# description: |
#   No action may touch a protected path, whatever the packet allows: version
#   control internals (`.git/`, `.gitmodules`), CI configuration
#   (`.github/workflows/`, `.gitlab-ci.yml`, ...), PeaRL's own `.pearl/`, and
#   secrets (`.env`, `*.pem`, `id_rsa`, ...). The lists (directory names,
#   prefixes, file names, name prefixes, extensions and globs) live in
#   data.pearl_data.guardrails.protected and are compared against the
#   lower-cased path, so `.GIT/config` or `.Github/Workflows/x.yml` still hit.
#   Redirection targets are checked the same way (guardrails.rules.command_allowed).
# custom:
#   severity: critical
#   hint: Leave version-control, CI, PeaRL and secret files alone; a human changes those.
package pearl.guardrails.rules.protected_paths

import data.pearl.lib.paths
import rego.v1

deny contains {
	"code": "protected_path",
	"message": sprintf("path %v is protected (%v)", [path, concat(", ", matched)]),
	"path": path,
	"matched": matched,
} if {
	path := input.action.paths[_]
	paths.protected(path)
	matched := sort(paths.protected_matches(path))
}
