"""Install the test dependencies and run the gates and the whole test suite: `python3 scripts/test.py`.

The gates come first and fail the run: `ruff check`, `ruff format --check` and mypy over the packages named in
pyproject.toml. Then pytest runs under coverage (branch coverage, subprocesses included) and the report fails below
the threshold in pyproject.toml ([tool.coverage.report] fail_under).

Extra arguments go to pytest. When they name tests (a path or a node id), only those tests run, without the gates
and the coverage threshold: `python3 scripts/test.py tests/accounts -q`. PostgreSQL, Redis, RabbitMQ and browser
tests run when their AGORA_TEST_* variables are set (see the README) and are skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _venv import ROOT, ensure  # noqa: E402


def run(python: str, *args: str) -> int:
    print("$", "python -m", " ".join(args), flush=True)
    return subprocess.run([python, "-m", *args], cwd=ROOT, check=False).returncode


def gates(python: str) -> int:
    for command in (("ruff", "check", "."), ("ruff", "format", "--check", "."), ("mypy",)):
        status = run(python, *command)
        if status:
            print(f"FAILED gate: {' '.join(command)}", flush=True)
            return status
    return 0


def full_run(python: str, pytest_args: list[str]) -> int:
    status = gates(python)
    if status:
        return status
    run(python, "coverage", "erase")
    status = run(python, "coverage", "run", "-m", "pytest", *pytest_args)
    run(python, "coverage", "combine", "-q")
    report = run(python, "coverage", "report")
    if status == 0 and report:
        print("FAILED gate: branch coverage is below the threshold in pyproject.toml", flush=True)
        return report
    return status


if __name__ == "__main__":
    python = str(ensure("test"))
    arguments = sys.argv[1:]
    selects_tests = any(os.path.exists(os.path.join(ROOT, arg.split("::")[0])) for arg in arguments)
    if selects_tests:
        raise SystemExit(run(python, "pytest", *arguments))
    raise SystemExit(full_run(python, arguments))
