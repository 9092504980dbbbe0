import pytest

from agora import db
from agora.pages.models import BarrierReport


async def test_on_commit_runs_after_commit_only(database):
    ran: list[str] = []

    async def mark() -> None:
        ran.append("committed")

    async with db.transaction():
        await BarrierReport.create(description="kaputt")
        await db.on_commit(mark)
        assert ran == []
    assert ran == ["committed"]

    with pytest.raises(RuntimeError):
        async with db.transaction():
            await db.on_commit(mark)
            raise RuntimeError("roll back")
    assert ran == ["committed"]


async def test_nested_transaction_defers_to_outermost(database):
    ran: list[str] = []

    async def mark() -> None:
        ran.append("x")

    async with db.transaction():
        async with db.transaction():
            await db.on_commit(mark)
        assert ran == []
    assert ran == ["x"]


async def test_on_commit_outside_transaction_runs_now(database):
    ran: list[str] = []

    async def mark() -> None:
        ran.append("now")

    await db.on_commit(mark)
    assert ran == ["now"]
