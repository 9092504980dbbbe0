"""Install Agora and start it on its embedded defaults with demo content: `python3 scripts/start.py`.

Extra arguments go to `agora serve` (for example --port 8080).
"""

from __future__ import annotations

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from _venv import BIN, ROOT, ensure  # noqa: E402

if __name__ == "__main__":
    ensure()
    os.chdir(ROOT)
    agora = str(BIN / "agora")
    os.execv(agora, [agora, "serve", "--demo", *sys.argv[1:]])
