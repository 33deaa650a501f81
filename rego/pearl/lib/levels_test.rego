package pearl.lib.levels_test

import data.pearl.lib.levels
import rego.v1

test_success_known_ranks if {
	levels.severity_rank("low") < levels.severity_rank("critical")
	levels.known_severity("moderate")
	levels.autonomy_rank("read_only") < levels.autonomy_rank("delegated_autonomous")
}

test_fail_unknown_severity_ranks_highest if {
	levels.severity_rank("sev0") == levels.max_severity_rank
	not levels.known_severity("sev0")
	not levels.autonomy_rank("yolo")
}
