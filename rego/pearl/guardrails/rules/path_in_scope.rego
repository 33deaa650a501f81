# METADATA
# title: Paths inside the packet's scope
# description: |
#   Every path an action touches must be a safe repository-relative path (no
#   absolute paths, `..`, `.` or empty segments, segments ending in a dot or
#   space, backslashes, NUL or other control or non-ASCII characters, `~`,
#   `:`) that matches one of the task packet's allowed_paths globs
#   (case-sensitive; `**` crosses directories). Action types that only read
#   (by_action[type].path_access is `read`, e.g. file_read) may name any safe
#   path in the repository, since agents need the code around a fix; every
#   other type (no path_access, or any other value) is held to the packet's
#   scope. Protected paths stay denied for reads too
#   (guardrails.rules.protected_paths). PeaRL lists a symlink's resolved
#   target beside the link, so both are checked. Whether the action type takes
#   paths at all is guardrails.rules.action_type_allowed's call.
# custom:
#   severity: high
#   hint: Write or delete only files inside the task packet's allowed_paths, and name every path (read or written) as a plain relative path inside the repository.
package pearl.guardrails.rules.path_in_scope

import data.pearl.lib.paths
import rego.v1

deny contains {
	"code": "unsafe_path",
	"message": sprintf("path %v is not a plain relative path (%v)", [path, concat(", ", problems)]),
	"path": path,
	"problems": problems,
} if {
	some path in _unsafe
	problems := sort(paths.problems(path))
}

deny contains {
	"code": "outside_allowed_paths",
	"message": sprintf("path %v is outside the task packet's allowed paths", [path]),
	"path": path,
} if {
	path := input.action.paths[_]
	not path in _unsafe
	not _reads_only
	not paths.in_scope(path, input.packet.allowed_paths)
}

# The action type only reads its paths: the whole repository is in scope.
_reads_only if data.pearl.guardrails.action_spec.path_access == "read"

_unsafe contains path if {
	path := input.action.paths[_]
	not paths.safe(path)
}
