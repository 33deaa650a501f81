# METADATA
# title: Level helpers
# description: |
#   Ranks of severities and autonomy modes, from data.pearl_data.levels. An
#   unknown severity ranks as the highest known one, so it blocks rather than
#   slips through; an unknown autonomy mode has no rank.
package pearl.lib.levels

import rego.v1

_levels := data.pearl_data.levels

max_severity_rank := max([rank | some rank in _levels.severity])

known_severity(name) if _levels.severity[name]

severity_rank(name) := rank if {
	rank := _levels.severity[name]
} else := max_severity_rank

autonomy_rank(mode) := _levels.autonomy[mode]
