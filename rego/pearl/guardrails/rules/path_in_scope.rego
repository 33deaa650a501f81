# METADATA
# title: Paths inside the packet's scope
# description: |
#   Every path an action touches must be a safe repository-relative path (no
#   absolute paths, `..`, `.` or empty segments, segments ending in a dot or
#   space, backslashes, NUL or other control or non-ASCII characters, `~`,
#   `:`) that matches one of the task packet's allowed_paths globs
#   (case-sensitive; `**` crosses directories). PeaRL lists a symlink's
#   resolved target beside the link, so both are checked. Whether the action
#   type takes paths at all is guardrails.rules.action_type_allowed's call.
# custom:
#   severity: high
#   hint: Touch only files inside the task packet's allowed_paths, named by plain relative paths.
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
	not paths.in_scope(path, input.packet.allowed_paths)
}

_unsafe contains path if {
	path := input.action.paths[_]
	not paths.safe(path)
}
