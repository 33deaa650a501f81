"""Generate a realistic SARIF 2.1.0 report for ingest benchmarks.

    python benchmarks/gen_sarif.py N OUT [--seed S] [--rules-last]

Writes one run of a CodeQL-like tool with 200 rules (CWE tags, security
severities, help text) and ``N`` results spread over 2,000 files, each with
a region, a code snippet, ``partialFingerprints`` and, for one result in ten,
a code flow. The file is streamed to disk, so any ``N`` fits in memory.
``--rules-last`` writes ``results`` before ``tool`` (as Semgrep does), to
measure the two-pass path. The same seed always gives the same bytes.
"""

from __future__ import annotations

import argparse
import json
import random
from pathlib import Path
from typing import Any, TextIO

RULES = 200
FILES = 2_000
LEVELS = ("error", "warning", "note")
WORDS = (
    *("user", "input", "flows", "into", "a", "sink", "without", "sanitisation", "request"),
    *("query", "cursor", "execute", "template", "render", "path", "open", "subprocess"),
    *("shell", "token", "secret", "password", "hash", "md5", "random"),
)


def _rule(index: int, rng: random.Random) -> dict[str, Any]:
    cwe = rng.choice((79, 89, 22, 78, 327, 798, 502, 611, 918, 352))
    return {
        "id": f"py/rule-{index:03d}",
        "name": f"Rule{index}",
        "shortDescription": {"text": f"Rule {index}: " + " ".join(rng.sample(WORDS, 6))},
        "fullDescription": {"text": " ".join(rng.choices(WORDS, k=40))},
        "defaultConfiguration": {"level": rng.choice(LEVELS)},
        "help": {"text": " ".join(rng.choices(WORDS, k=120))},
        "properties": {
            "tags": ["security", f"external/cwe/cwe-{cwe:03d}"],
            "security-severity": f"{rng.uniform(1.0, 10.0):.1f}",
            "precision": rng.choice(("high", "medium", "low")),
        },
    }


def _result(index: int, rng: random.Random) -> dict[str, Any]:
    rule = rng.randrange(RULES)
    line = rng.randrange(1, 3_000)
    path = f"src/pkg{rng.randrange(FILES) % 50}/module_{rng.randrange(FILES)}.py"
    snippet = f"    cursor.execute(QUERY + value_{index})  # user data into SQL"
    location = {
        "physicalLocation": {
            "artifactLocation": {"uri": path, "uriBaseId": "%SRCROOT%"},
            "region": {
                "startLine": line,
                "startColumn": 5,
                "endLine": line,
                "endColumn": 60,
                "snippet": {"text": snippet},
            },
        }
    }
    result: dict[str, Any] = {
        "ruleId": f"py/rule-{rule:03d}",
        "ruleIndex": rule,
        "level": rng.choice(LEVELS),
        "message": {"text": "This query depends on a [user-provided value](1) " + str(index)},
        "locations": [location],
        "partialFingerprints": {
            "primaryLocationLineHash": f"{rng.getrandbits(64):016x}:1",
            "primaryLocationStartColumnFingerprint": "4",
        },
    }
    if index % 10 == 0:
        result["codeFlows"] = [{"threadFlows": [{"locations": [{"location": location}] * 3}]}]
    return result


def write_report(out: TextIO, count: int, *, seed: int = 1, rules_last: bool = False) -> None:
    """Stream a SARIF report with ``count`` results to ``out``."""
    rng = random.Random(seed)
    tool = {
        "driver": {
            "name": "CodeQL",
            "semanticVersion": "2.15.0",
            "rules": [_rule(i, rng) for i in range(RULES)],
        }
    }
    tool_json = '"tool": ' + json.dumps(tool)
    out.write('{"$schema": "https://json.schemastore.org/sarif-2.1.0.json", ')
    out.write('"version": "2.1.0", "runs": [{')
    if not rules_last:
        out.write(tool_json + ", ")
    out.write('"results": [')
    for index in range(count):
        if index:
            out.write(",\n")
        out.write(json.dumps(_result(index, rng)))
    out.write("]")
    if rules_last:
        out.write(", " + tool_json)
    out.write("}]}\n")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("count", type=int)
    parser.add_argument("out", type=Path)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--rules-last", action="store_true")
    args = parser.parse_args()
    with args.out.open("w", encoding="utf-8") as out:
        write_report(out, args.count, seed=args.seed, rules_last=args.rules_last)


if __name__ == "__main__":
    main()
