package pearl.guardrails.rules.package_allowed_test

import data.pearl.guardrails.rules.package_allowed as rule
import data.pearl.guardrails.testdata_test as t
import rego.v1

test_success_listed_packages_with_plain_versions if {
	count(rule.deny) == 0 with input as t.install([
		{"name": "requests", "version": "2.32.3"},
		{"name": "django", "version": ">=5.0,<6"},
		{"name": "requests", "version": "==2.32.3"},
		{"name": "django", "version": null},
	])
}

test_success_names_compare_pep_503_normalised if {
	packet := object.union(t.packet, {"allowed_packages": ["Django_REST.framework"]})
	inp := t.changed({"type": "dependency_change", "packages": [
		{"name": "django-rest-framework", "version": "3.15.2"},
		{"name": "DJANGO__rest-Framework", "version": null},
	]}, {"packet": packet})
	count(rule.deny) == 0 with input as inp
}

test_success_actions_without_packages_pass if {
	count(rule.deny) == 0 with input as t.edit(["src/orders/service.py"])
	count(rule.deny) == 0 with input as t.input_for({"type": "dependency_change", "commands": [["pip", "install", "requests"]]})
}

test_fail_package_the_packet_does_not_list if {
	t.facts(rule.deny) == {
		{"code": "package_not_allowed", "package": "evil-package"},
		{"code": "package_not_allowed", "package": "requests-oauthlib"},
	} with input as t.install([
		{"name": "requests", "version": "2.32.3"},
		{"name": "evil_package", "version": "1.0"},
		{"name": "requests-oauthlib", "version": null},
	])
}

test_fail_no_allowed_packages_means_none if {
	packet := object.union(t.packet, {"allowed_packages": []})
	inp := t.changed({"type": "dependency_change", "packages": [{"name": "requests", "version": null}]}, {"packet": packet})
	t.facts(rule.deny) == {{"code": "package_not_allowed", "package": "requests"}} with input as inp
	unlisted := object.union(object.remove(inp, ["packet"]), {"packet": object.remove(t.packet, ["allowed_packages"])})
	t.facts(rule.deny) == {{"code": "package_not_allowed", "package": "requests"}} with input as unlisted
}

test_fail_names_that_are_not_plain_package_names if {
	t.facts(rule.deny) == {
		{"code": "malformed_package", "index": 0},
		{"code": "malformed_package", "index": 1},
		{"code": "malformed_package", "index": 2},
		{"code": "malformed_package", "index": 3},
		{"code": "malformed_package", "index": 4},
		{"code": "malformed_package", "index": 5},
		{"code": "malformed_package", "index": 6},
		{"code": "malformed_package", "index": 7},
	} with input as t.install([
		{"name": "git+https://evil.example/requests.git", "version": null},
		{"name": "requests[socks]", "version": null},
		{"name": "requests>=2", "version": null},
		{"name": "./requests", "version": null},
		{"name": null, "version": "2.32.3"},
		{"name": "", "version": null},
		{"version": null},
		"requests",
	])
}

test_fail_versions_that_are_not_plain_versions if {
	t.facts(rule.deny) == {
		{"code": "malformed_version", "index": 0, "version": "2.0; rm -rf /"},
		{"code": "malformed_version", "index": 1, "version": "--index-url=https://evil.example/simple"},
		{"code": "malformed_version", "index": 2, "version": "https://evil.example/requests.whl"},
		{"code": "malformed_version", "index": 3, "version": "2.0 ; python_version < '3'"},
		{"code": "malformed_version", "index": 4, "version": 2},
		{"code": "malformed_version", "index": 5, "version": ""},
	} with input as t.install([
		{"name": "requests", "version": "2.0; rm -rf /"},
		{"name": "requests", "version": "--index-url=https://evil.example/simple"},
		{"name": "requests", "version": "https://evil.example/requests.whl"},
		{"name": "requests", "version": "2.0 ; python_version < '3'"},
		{"name": "requests", "version": 2},
		{"name": "requests", "version": ""},
	])
}
