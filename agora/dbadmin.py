"""Creating and dropping throw-away PostgreSQL databases, for the test suite and the benchmarks."""

from __future__ import annotations

from urllib.parse import urlsplit, urlunsplit


def with_db_name(url: str, name: str) -> str:
    """The same server and credentials, another database."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, "/" + name, parts.query, parts.fragment))


async def admin_execute(url: str, sql: str) -> None:
    """Run one statement outside a transaction (CREATE/DROP DATABASE cannot run inside one)."""
    import asyncpg

    parts = urlsplit(url)
    conn = await asyncpg.connect(
        host=parts.hostname,
        port=parts.port or 5432,
        user=parts.username or "postgres",
        password=parts.password,
        database=(parts.path or "/postgres").lstrip("/") or "postgres",
    )
    try:
        await conn.execute(sql)
    finally:
        await conn.close()
