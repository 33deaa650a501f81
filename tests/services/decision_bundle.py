"""Small policy bundles for decision-log tests, written to a directory.

``write_bundle(root)`` writes the *current* bundle: one entrypoint,
``pearl.guardrails.decision``, and one rule, ``guardrails.rules.protected_paths``
(deny a path that starts with a protected prefix from the data). Candidates
change it the way a policy author would:

* ``CASE_FOLDED``: the same rule, fixed to compare lower-cased paths, so
  ``.GIT/config`` is now denied;
* ``PRIVATE_KEYS``: a new rule denying content that holds a private key (it
  reads ``content``, which the decision log masks).
"""

from __future__ import annotations

from pathlib import Path

from pearl_core import RegorusEngine, load_bundle

ENTRYPOINT = "pearl.guardrails.decision"
PROTECTED = "guardrails.rules.protected_paths"
KEYS = "guardrails.rules.private_keys"

_DECISION = """\
# METADATA
# title: Guard-rail decision
# description: Denies an action when any guard-rail rule objects to it.
package pearl.guardrails

import rego.v1

reasons := [reason |
\tsome name
\tsome reason in data.pearl.guardrails.rules[name].deny
]

default decision := {"decision": "allow", "reasons": []}

decision := {"decision": "deny", "reasons": reasons} if count(reasons) > 0
"""

_PROTECTED = """\
# METADATA
# title: Protected paths
# description: Agents may not write below protected prefixes such as .git/.
# custom:
#   severity: high
#   hint: Change files inside the task packet's allowed paths only.
package pearl.guardrails.rules.protected_paths

import rego.v1

deny contains reason if {
\tsome prefix in data.pearl_data.guardrails.protected_prefixes
\tstartswith(PATH, prefix)
\treason := {"rule_id": "guardrails.rules.protected_paths", "message": "protected path"}
}
"""

CURRENT = _PROTECTED.replace("PATH", "input.path")
CASE_FOLDED = _PROTECTED.replace("PATH", "lower(input.path)")

PRIVATE_KEYS = """\
# METADATA
# title: Private keys
# description: Agents may not write private keys into files.
# custom:
#   severity: critical
#   hint: Keep keys in the secret store.
package pearl.guardrails.rules.private_keys

import rego.v1

deny contains {"rule_id": "guardrails.rules.private_keys", "message": "private key"} if {
\tcontains(input.content, "PRIVATE KEY")
}
"""

DATA = '{"protected_prefixes": [".git/", ".pearl/"]}\n'


def write_bundle(root: Path, *, protected: str = CURRENT, extra: str | None = None) -> Path:
    """Write a bundle under ``root`` (``rego/`` and ``policies/``); return ``root``."""
    rules = root / "rego" / "pearl" / "guardrails" / "rules"
    rules.mkdir(parents=True)
    (root / "rego" / "pearl" / "guardrails" / "decision.rego").write_text(_DECISION)
    (rules / "protected_paths.rego").write_text(protected)
    if extra is not None:
        (rules / "private_keys.rego").write_text(extra)
    (root / "policies").mkdir()
    (root / "policies" / "guardrails.json").write_text(DATA)
    return root


def engine_for(root: Path) -> RegorusEngine:
    return RegorusEngine(load_bundle(root / "rego", root / "policies"))
