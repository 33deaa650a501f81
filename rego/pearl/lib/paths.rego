# METADATA
# title: Path helpers
# description: |
#   Checks on the repository-relative paths an action touches. `safe` rejects
#   absolute paths, `..`, `.` and empty segments, segments ending in a dot or
#   a space (which Windows drops: `.git./config` is `.git/config` there),
#   backslashes, NUL and other control or non-ASCII characters, `~` (home,
#   8.3 short names such as `GIT~1`) and `:` (drive letters, NTFS streams);
#   `problems` names what is wrong. `protected` compares the lower-cased path
#   (so `.GIT/Config` still hits `.git`) against the lists in
#   data.pearl_data.guardrails.protected; `protected_matches` names what was
#   hit. Data is bound once per call and handed down: each data reference
#   costs more than a local one.
package pearl.lib.paths

import rego.v1

_unsafe := `^/|//|(^|/)\.\.?(/|$)|[. ](/|$)|[^\x20-\x7e]|[\\:~]`

# A non-empty relative path with nothing that could escape the repository.
safe(path) if {
	is_string(path)
	path != ""
	not regex.match(_unsafe, path)
}

# The codes of everything unsafe about a path (empty when `safe`).
problems(path) := {"not_a_string"} if not is_string(path)

problems(path) := {code | some code, found in _checks(path); found} if is_string(path)

_checks(path) := {
	"empty": path == "",
	"absolute": startswith(path, "/"),
	"empty_segment": contains(path, "//"),
	"dot_segment": "." in split(path, "/"),
	"parent_segment": ".." in split(path, "/"),
	"trailing_dot_or_space": regex.match(` (/|$)|[^/.]\.+(/|$)|(^|/)\.\.\.+(/|$)`, path),
	"backslash": contains(path, "\\"),
	"control_character": regex.match(`[\x00-\x1f\x7f]`, path),
	"non_ascii": regex.match(`[^\x00-\x7f]`, path),
	"home": contains(path, "~"),
	"colon": contains(path, ":"),
}

# `path` hits a protected directory name, prefix, file name, name prefix,
# extension or glob (compared lower-cased).
protected(path) if {
	is_string(path)
	canon := lower(path)
	segments := split(canon, "/")
	_hit(canon, segments, segments[count(segments) - 1], data.pearl_data.guardrails.protected)
}

_hit(_, _, base, lists) if strings.any_suffix_match(base, lists.extensions)

_hit(_, _, base, lists) if base in lists.file_names

_hit(_, segments, _, lists) if {
	some segment in segments
	segment in lists.dir_names
}

_hit(canon, _, _, lists) if strings.any_prefix_match(concat("", [canon, "/"]), lists.prefixes)

_hit(_, _, base, lists) if {
	strings.any_prefix_match(base, lists.name_prefixes)
	not base in lists.exempt_file_names
}

_hit(canon, _, _, lists) if {
	some pattern in lists.globs
	glob.match(pattern, ["/"], canon)
}

# Every protected entry `path` hits (for explanations; empty when none).
protected_matches(path) := set() if not is_string(path)

protected_matches(path) := hits if {
	is_string(path)
	canon := lower(path)
	segments := split(canon, "/")
	base := segments[count(segments) - 1]
	lists := data.pearl_data.guardrails.protected
	hits := {hit | some hit in _matches(canon, segments, base, lists)}
}

_matches(canon, segments, base, lists) := array.concat(
	array.concat(
		[segment | some segment in segments; segment in lists.dir_names],
		[prefix | some prefix in lists.prefixes; startswith(concat("", [canon, "/"]), prefix)],
	),
	array.concat(
		array.concat(
			[base | base in lists.file_names],
			[prefix | some prefix in lists.name_prefixes; startswith(base, prefix); not base in lists.exempt_file_names],
		),
		array.concat(
			[ext | some ext in lists.extensions; endswith(base, ext)],
			[pattern | some pattern in lists.globs; glob.match(pattern, ["/"], canon)],
		),
	),
)

# A safe path inside `globs`.
writable(path, globs) if {
	safe(path)
	in_scope(path, globs)
}

# `path` matches one of `globs` (`*` stays inside a segment, `**` crosses them).
in_scope(path, globs) if {
	is_string(path)
	pattern := globs[_]
	is_string(pattern)
	glob.match(pattern, ["/"], path)
}
