"""A small, complete policy bundle written to a temporary directory.

Layout (the convention the real ``rego/`` follows)::

    rego/pearl/guardrails/decision.rego                  entrypoint pearl.guardrails.decision
    rego/pearl/guardrails/decision_test.rego
    rego/pearl/guardrails/rules/protected_paths.rego     rule guardrails.rules.protected_paths
    rego/pearl/guardrails/rules/protected_paths_test.rego
    rego/pearl/guardrails/rules/command_allowed.rego     rule guardrails.rules.command_allowed
    rego/pearl/guardrails/rules/command_allowed_test.rego
    rego/pearl/lib/paths.rego                            helper, title + description only
    policies/guardrails.json                             data.pearl_data.guardrails
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

DECISION = """\
# METADATA
# title: Guard-rail decision
# description: Denies an agent action when any guard-rail rule objects to it.
package pearl.guardrails

import rego.v1

reasons := [reason |
\tsome name
\tsome reason in data.pearl.guardrails.rules[name].deny
]

default decision := {"decision": "allow", "reasons": []}

decision := {"decision": "deny", "reasons": reasons} if count(reasons) > 0
"""

DECISION_TEST = """\
package pearl.guardrails_test

import rego.v1

test_success_allows_a_plain_edit if {
\tedit := {"path": "src/app.py", "command": "pytest"}
\tdata.pearl.guardrails.decision.decision == "allow" with input as edit
}

test_fail_denies_a_git_write if {
\tgit_write := {"path": ".git/config", "command": "pytest"}
\tdata.pearl.guardrails.decision.decision == "deny" with input as git_write
}
"""

PROTECTED = """\
# METADATA
# title: Protected paths
# description: Agents may not write below protected prefixes such as .git/.
# custom:
#   severity: high
#   hint: Change files inside the task packet's allowed paths only.
package pearl.guardrails.rules.protected_paths

import data.pearl.lib.paths
import rego.v1

deny contains reason if {
\tsome prefix in data.pearl_data.guardrails.protected_prefixes
\tpaths.under(input.path, prefix)
\tmsg := sprintf("%s is below protected %s", [input.path, prefix])
\treason := {"rule_id": "guardrails.rules.protected_paths", "message": msg, "path": input.path}
}
"""

PROTECTED_TEST = """\
package pearl.guardrails.rules.protected_paths_test

import rego.v1

test_fail_git_config_is_protected if {
\tcount(data.pearl.guardrails.rules.protected_paths.deny) == 1 with input as {"path": ".git/config"}
}

test_success_source_is_not_protected if {
\tcount(data.pearl.guardrails.rules.protected_paths.deny) == 0 with input as {"path": "src/app.py"}
}
"""

COMMAND = """\
# METADATA
# title: Command allow-list
# description: Only commands on the allow-list may run.
# custom:
#   severity: moderate
#   hint: Use a command from the environment's allow-list.
package pearl.guardrails.rules.command_allowed

import rego.v1

deny contains {"rule_id": "guardrails.rules.command_allowed", "message": "command not allowed"} if {
\tinput.command
\tnot input.command in data.pearl_data.guardrails.allowed_commands
}
"""

COMMAND_TEST = """\
package pearl.guardrails.rules.command_allowed_test

import rego.v1

test_fail_rm_is_not_allowed if {
\tcount(data.pearl.guardrails.rules.command_allowed.deny) == 1 with input as {"command": "rm"}
}

test_success_pytest_is_allowed if {
\tcount(data.pearl.guardrails.rules.command_allowed.deny) == 0 with input as {"command": "pytest"}
}
"""

LIB = """\
# METADATA
# title: Path helpers
# description: Prefix tests on normalised relative paths.
package pearl.lib.paths

import rego.v1

under(path, prefix) if startswith(path, prefix)
"""

DATA = '{"protected_prefixes": [".git/", ".pearl/"], "allowed_commands": ["pytest", "ruff"]}\n'

FILES = {
    "pearl/guardrails/decision.rego": DECISION,
    "pearl/guardrails/decision_test.rego": DECISION_TEST,
    "pearl/guardrails/rules/protected_paths.rego": PROTECTED,
    "pearl/guardrails/rules/protected_paths_test.rego": PROTECTED_TEST,
    "pearl/guardrails/rules/command_allowed.rego": COMMAND,
    "pearl/guardrails/rules/command_allowed_test.rego": COMMAND_TEST,
    "pearl/lib/paths.rego": LIB,
}

Write = Callable[[str, str], Path]
"""``write(rel_path, text)``: write or overwrite one module of the bundle."""
