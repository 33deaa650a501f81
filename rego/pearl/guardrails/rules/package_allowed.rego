# METADATA
# title: Packages the packet allows
# description: |
#   An action that names packages (input.action.packages, one
#   `{"name": ..., "version": ...}` per package; PeaRL sends the PEP 503
#   normalised name and the version as the agent gave it, or null) may change
#   only packages the task packet lists in allowed_packages, compared PEP 503
#   normalised (`Django_REST.framework` is `django-rest-framework`); none
#   listed means none may change. A name must be a plain package name (no
#   URL, path, extras or specifier), and a version, when given, a plain
#   version or specifier set (`2.32.3`, `==2.32.3`, `>=2.31,<3`), never a
#   URL, marker or option. Whether the action type takes packages at all
#   (only dependency_change does) is guardrails.rules.action_type_allowed's
#   call, which also denies a dependency change that names no paths,
#   commands or packages.
# custom:
#   severity: high
#   hint: Change only packages the task packet lists in allowed_packages, named plainly with a plain version, or ask for a packet that lists the package.
package pearl.guardrails.rules.package_allowed

import data.pearl.lib.commands
import rego.v1

_name := `^[A-Za-z0-9]([A-Za-z0-9._-]*[A-Za-z0-9])?$`

_version := `^(===?|>=|<=|~=|!=|<|>)?[A-Za-z0-9.*+!_-]+(,(===?|>=|<=|~=|!=|<|>)[A-Za-z0-9.*+!_-]+)*$`

deny contains {
	"code": "malformed_package",
	"message": sprintf("package %v does not name a plain package", [index]),
	"index": index,
} if {
	input.action.packages[index]
	not _named[index]
}

deny contains {
	"code": "package_not_allowed",
	"message": sprintf("package %v is not among the task packet's allowed packages", [name]),
	"package": name,
} if {
	some name in _named
	not name in _allowed
}

deny contains {
	"code": "malformed_version",
	"message": sprintf("version %v of package %v is not a plain version", [version, index]),
	"index": index,
	"version": version,
} if {
	entry := input.action.packages[index]
	is_object(entry)
	version := object.get(entry, "version", null)
	version != null
	not _plain_versions[index]
}

# Index → PEP 503 normalised name of each entry that names a plain package.
_named[index] := commands.normalise(name) if {
	name := input.action.packages[index].name
	is_string(name)
	regex.match(_name, name)
}

# Indexes of the entries whose version is a plain version or specifier set.
_plain_versions contains index if {
	version := input.action.packages[index].version
	is_string(version)
	regex.match(_version, version)
}

_allowed := {commands.normalise(name) | name := input.packet.allowed_packages[_]; is_string(name)} if {
	input.action.packages[_]
}
