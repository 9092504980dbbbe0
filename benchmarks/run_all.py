"""Every benchmark, one after the other, and a table of their figures against the targets.

Each benchmark still prints its own JSON line (passed through here); the table follows. Targets on a shared
machine are ratios or absolute figures measured in the same run (see benchmarks/README.md).

    python3 benchmarks/run_all.py [--quick] [--only pages,burst,mail]
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent

# name -> (script and arguments, [(figure, key in the JSON line, target text, check)])
Check = Callable[[dict], bool]


def at_least(key: str, bound: float) -> Check:
    return lambda result: (result.get(key) or 0) >= bound


def below(key: str, bound: float) -> Check:
    return lambda result: result.get(key) is not None and result[key] < bound


def equals(key: str, value: object) -> Check:
    return lambda result: result.get(key) == value


def shown(result: dict) -> bool:
    return True


SUITE: dict[str, tuple[list[str], list[tuple[str, str, str, Check]]]] = {
    "pages": (
        ["pages.py", "--postgres", "--processes", "2", "--seconds", "15"],
        [
            ("session page, requests/s", "requests_per_second", "-", shown),
            ("ceiling page, requests/s", "ceiling_rps", "-", shown),
            ("ratio to the ceiling", "ratio_to_ceiling", ">= 0.5", at_least("ratio_to_ceiling", 0.5)),
            ("session page p95 ms", "p95_ms", "-", shown),
            ("RSS per web process, MB", "rss_mb_per_process", "<= 150", below("rss_mb_per_process", 150.01)),
            ("page errors", "errors", "0", equals("errors", 0)),
        ],
    ),
    "burst": (
        ["registration_burst.py", "--concurrency", "1000", "--capacity", "100", "--processes", "2"],
        [
            ("registrations/s", "registrations_per_second", ">= 1000", at_least("registrations_per_second", 1000)),
            ("registration p95 ms", "p95_ms", "< 1000", below("p95_ms", 1000)),
            ("overbooked", "overbooked", "0", equals("overbooked", 0)),
            ("seat counter matches", "counter_matches", "true", equals("counter_matches", True)),
        ],
    ),
    "mail": (
        ["mail_fanout.py", "--n", "10000", "--workers", "2"],
        [
            ("mails/s", "per_second", ">= 500", at_least("per_second", 500)),
            ("lost", "lost", "0", equals("lost", 0)),
            ("doubled", "duplicated", "0", equals("duplicated", 0)),
        ],
    ),
    "mail_faults": (
        ["mail_fanout.py", "--n", "10000", "--workers", "2", "--faults"],
        [
            ("mails/s under 451s and drops", "per_second", ">= 500", at_least("per_second", 500)),
            ("lost under faults", "lost", "0", equals("lost", 0)),
            ("doubled under faults", "duplicated", "0", equals("duplicated", 0)),
        ],
    ),
    "consultation": (
        ["consultation_page.py", "--contributions", "500", "--seconds", "10"],
        [
            ("consultation page, requests/s", "requests_per_second", "-", shown),
            ("consultation page p95 ms", "p95_ms", "-", shown),
            ("rendering it, requests/s", "rendered_requests_per_second", "-", shown),
            ("SQL per rendering, 50 vs 500", "sql_constant", "constant", equals("sql_constant", True)),
            ("consultation errors", "errors", "0", equals("errors", 0)),
        ],
    ),
}

QUICK = {
    "pages": ["--seconds", "5"],
    "burst": [],
    "mail": ["--n", "2000"],
    "mail_faults": ["--n", "2000"],
    "consultation": ["--seconds", "4"],
}


def run(name: str, quick: bool) -> dict | None:
    arguments, _checks = SUITE[name]
    command = [sys.executable, str(HERE / arguments[0]), *arguments[1:], *(QUICK[name] if quick else [])]
    print(f"# {name}: {' '.join(command[1:])}", flush=True)
    done = subprocess.run(command, capture_output=True, text=True, check=False)  # noqa: S603 - our own scripts
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode != 0 or not lines:
        print(done.stderr[-2000:], file=sys.stderr)
        return None
    print(lines[-1], flush=True)
    return json.loads(lines[-1])


def table(results: dict[str, dict | None]) -> list[str]:
    rows = [("benchmark", "figure", "measured", "target", "met")]
    for name, result in results.items():
        for figure, key, target, check in SUITE[name][1]:
            if result is None:
                rows.append((name, figure, "failed", target, "no"))
                continue
            rows.append((name, figure, str(result.get(key)), target, "yes" if check(result) else "no"))
    widths = [max(len(row[i]) for row in rows) for i in range(5)]
    lines = [" | ".join(cell.ljust(width) for cell, width in zip(row, widths, strict=True)) for row in rows]
    lines.insert(1, "-+-".join("-" * width for width in widths))
    return lines


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--quick", action="store_true", help="shorter runs (fewer seconds and messages)")
    parser.add_argument("--only", default=",".join(SUITE), help="comma-separated: " + ", ".join(SUITE))
    args = parser.parse_args()
    names = [name for name in args.only.split(",") if name]
    unknown = [name for name in names if name not in SUITE]
    if unknown:
        parser.error(f"unknown benchmark(s): {', '.join(unknown)}")
    results = {name: run(name, args.quick) for name in names}
    print("\n".join(table(results)))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
