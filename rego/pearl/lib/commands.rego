# METADATA
# title: Command helpers
# description: |
#   Argument-aware matching of one argv (a simple command PeaRL already split
#   out of the shell line) against an allow-list from data. The allow-list is
#   keyed by command prefix, tokens joined by single spaces ("pytest",
#   "git status", "python -m pytest"), so an argv is looked up by its first
#   one to four tokens instead of being matched against every pattern; a
#   token holding a space never lines up with a key. The entry judges the
#   remaining arguments by `rest`: `none`; `any` (except `deny_args`, their
#   `--opt=value` forms, single-dash clusters holding a denied short option,
#   and args starting with a `deny_prefixes` entry); `flags` (only listed
#   `flags`); `packages` (listed flags, or requirement specs whose PEP 503
#   name is in ctx.packages); `paths` (listed flags, or safe, in-scope,
#   unprotected paths); `urls` (listed flags, or https URLs whose host is in
#   ctx.hosts). `ctx` is `{"packages": [...], "allowed_paths": [...], "hosts": [...]}`.
package pearl.lib.commands

import data.pearl.lib.paths
import rego.v1

_requirement := `^([A-Za-z0-9](?:[A-Za-z0-9._-]*[A-Za-z0-9])?)(\[[A-Za-z0-9,._-]+\])?((===?|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+(,(===?|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+)*)?$`

_url := `^https://([^/?#]*)([/?#].*)?$`

valid_argv(argv) if {
	is_array(argv)
	count(argv) > 0
	every arg in argv {
		is_string(arg)
	}
}

display(argv) := concat(" ", argv)

# The kind of a shell feature PeaRL reported (`{"kind": "pipe"}`); `malformed` otherwise.
feature_kind(feature) := feature.kind if {
	is_string(feature.kind)
} else := "malformed"

# PEP 503 normalised name of a package: `Foo_Bar.baz` is `foo-bar-baz`.
normalise(name) := regex.replace(lower(name), `[-_.]+`, "-")

# The normalised package name of a plain requirement spec (`requests[socks]>=2.31`);
# undefined for URLs, paths, markers and anything else.
package_name(spec) := normalise(match[1]) if {
	[match] := regex.find_all_string_submatch_n(_requirement, spec, 1)
}

# The argv's first one to four tokens joined by spaces, shortest first.
prefix_keys(argv) := [concat(" ", array.slice(argv, 0, size)) | some size in numbers.range(1, min([count(argv), 4]))]

# `argv` is allowed by the allow-list `allowed_commands` (keyed by prefix).
allowed(argv, allowed_commands, ctx) if {
	some index, key in prefix_keys(argv)
	pattern := allowed_commands[key]
	count(split(key, " ")) == index + 1
	rest_allowed(pattern, array.slice(argv, index + 1, count(argv)), ctx)
}

# Modes in the order they are met most often; the first that holds wins.
rest_allowed(pattern, rest, ctx) := true if {
	pattern.rest == "any"
	not _has_denied_arg(pattern, rest)
} else := true if {
	pattern.rest == "flags"
	every arg in rest {
		arg in pattern.flags
	}
} else := true if {
	pattern.rest == "packages"
	every arg in rest {
		_flag_or_package(arg, pattern, ctx)
	}
} else := true if {
	pattern.rest == "paths"
	every arg in rest {
		_flag_or_path(arg, pattern, ctx)
	}
} else := true if {
	pattern.rest == "urls"
	every arg in rest {
		_flag_or_url(arg, pattern, ctx)
	}
} else := true if {
	pattern.rest == "none"
	count(rest) == 0
}

_has_denied_arg(pattern, rest) if {
	some arg in rest
	some denied in object.get(pattern, "deny_args", [])
	_names(arg, denied)
}

_has_denied_arg(pattern, rest) if {
	some arg in rest
	some prefix in object.get(pattern, "deny_prefixes", [])
	startswith(arg, prefix)
}

_names(arg, option) if arg == option

_names(arg, option) if startswith(arg, concat("", [option, "="]))

# `-an` holds `-n`: a single-dash cluster naming a denied short option.
_names(arg, option) if {
	count(option) == 2
	startswith(option, "-")
	not startswith(option, "--")
	startswith(arg, "-")
	not startswith(arg, "--")
	contains(substring(arg, 1, count(arg) - 1), substring(option, 1, 1))
}

_flag_or_package(arg, pattern, _) if {
	startswith(arg, "-")
	arg in pattern.flags
}

_flag_or_package(arg, _, ctx) if {
	not startswith(arg, "-")
	package_name(arg) in {normalise(name) | name := ctx.packages[_]; is_string(name)}
}

_flag_or_path(arg, pattern, _) if {
	startswith(arg, "-")
	arg in pattern.flags
}

_flag_or_path(arg, _, ctx) if {
	not startswith(arg, "-")
	paths.safe(arg)
	paths.in_scope(arg, ctx.allowed_paths)
	count(paths.protected_matches(arg)) == 0
}

_flag_or_url(arg, pattern, _) if {
	startswith(arg, "-")
	arg in pattern.flags
}

_flag_or_url(arg, _, ctx) if {
	[match] := regex.find_all_string_submatch_n(_url, arg, 1)
	match[1] in ctx.hosts
}

# `argv` starts with one of a packet's allowed_commands (argv prefixes
# written with single spaces: "git status").
packet_allows(argv, allowed_commands) if {
	some index, key in prefix_keys(argv)
	key in allowed_commands
	count(split(key, " ")) == index + 1
}
