"""One OS process of the multi-process burst: concurrent registrations against a shared SQLite file.

`python -m tests.events.burst_worker <database_url> <session_id> <first> <count>` prints a JSON line of
outcome -> count.
"""

from __future__ import annotations

import asyncio
import json
import sys
from collections import Counter
from pathlib import Path

from agora import db
from agora.settings import Settings
from events import services
from events.errors import EventError


async def main(database_url: str, session_id: int, first: int, count: int) -> None:
    settings = Settings(
        data_dir=Path(database_url.removeprefix("sqlite://")).parent,
        database_url=database_url,
        base_url="http://testserver",
        secret_key="test-secret-key-" + "x" * 40,
    )
    await db.init_db(settings)

    async def one(n: int) -> str:
        try:
            reg = await services.register(
                settings,
                session_id,
                name=f"Process person {n}",
                email=f"proc{n}@example.com",
                colleagues=[{"name": "Kollege"}] if n % 3 == 0 else [],
                consent=True,
                consent_version="2026-01",
            )
        except EventError as exc:
            return "refused:" + ",".join(exc.errors)
        except Exception as exc:  # noqa: BLE001 - reported to the parent, which fails the test
            return f"error:{type(exc).__name__}:{exc}"
        return reg.status

    outcomes = await asyncio.gather(*(one(n) for n in range(first, first + count)))
    await db.close_db()
    print(json.dumps(Counter(outcomes)))


if __name__ == "__main__":
    asyncio.run(main(sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])))
