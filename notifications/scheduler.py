"""The scheduler: a loop that runs registered jobs every so many seconds.

Jobs derive what is due from the database and enqueue it under dedup keys, so a restart loses nothing
and several schedulers at once send nothing twice.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from agora.settings import Settings

log = logging.getLogger(__name__)

JobFn = Callable[[], Awaitable[object]]


@dataclass(frozen=True)
class Job:
    name: str
    every_seconds: float
    fn: JobFn


_JOBS: dict[str, Job] = {}


def register_job(name: str, every_seconds: float, fn: JobFn) -> None:
    """Register (or replace, by name) a job; fn takes no arguments and is awaited."""
    _JOBS[name] = Job(name, every_seconds, fn)


def unregister_job(name: str) -> None:
    _JOBS.pop(name, None)


def jobs() -> list[Job]:
    return list(_JOBS.values())


class Scheduler:
    def __init__(self, tick_seconds: float = 5.0, job_list: list[Job] | None = None) -> None:
        self.tick_seconds = tick_seconds
        self.job_list = job_list
        self.last_run: dict[str, float] = {}
        self._stop = asyncio.Event()

    async def run_due(self) -> list[str]:
        ran = []
        for job in self.job_list if self.job_list is not None else jobs():
            started = time.monotonic()
            last = self.last_run.get(job.name)
            if last is not None and started - last < job.every_seconds:
                continue
            self.last_run[job.name] = started
            try:
                await job.fn()
            except asyncio.CancelledError:
                raise
            except Exception:  # noqa: BLE001 - one failing job must not stop the others
                log.exception("scheduled job %s failed", job.name)
            ran.append(job.name)
        return ran

    async def run(self) -> None:
        while not self._stop.is_set():
            await self.run_due()
            try:
                await asyncio.wait_for(self._stop.wait(), self.tick_seconds)
            except TimeoutError:
                pass

    def stop(self) -> None:
        self._stop.set()


def register_default_jobs(settings: Settings, *, sweep_every: float = 15.0) -> None:
    """The outbox sweeper. Retention and other jobs of the kernel and the domains register through notifications.api
    from the composition root (agora.app.register_domain_hooks)."""
    from notifications.dispatch import redispatch_stale

    register_job("notifications.sweep", sweep_every, lambda: redispatch_stale(settings))
