"""Install the test dependencies and run the whole test suite: `python3 scripts/test.py`.

Extra arguments go to pytest. PostgreSQL, Redis, RabbitMQ and browser tests run when their
AGORA_TEST_* variables are set (see the README) and are skipped with the reason otherwise.
"""

from __future__ import annotations

import os
import subprocess
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _venv import ROOT, ensure  # noqa: E402

if __name__ == "__main__":
    python = ensure("test")
    result = subprocess.run([str(python), "-m", "pytest", *sys.argv[1:]], cwd=ROOT, check=False)
    raise SystemExit(result.returncode)
