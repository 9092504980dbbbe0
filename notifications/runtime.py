"""What the composition root starts and stops: this process's dispatcher and, embedded, the scheduler."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from agora.settings import Settings
from notifications import api, dispatch, scheduler

log = logging.getLogger(__name__)


@dataclass
class Running:
    dispatcher: dispatch.InProcessDispatcher | None
    scheduler: scheduler.Scheduler | None
    scheduler_task: asyncio.Task[None] | None


async def start(settings: Settings, *, embedded_scheduler: bool = True) -> Running:
    """Without a broker the web process delivers and schedules itself; with one it only hands ids over."""
    api.configure(settings)
    if settings.broker_url:
        from notifications import tasks

        dispatch.install(tasks.BrokerDispatcher(settings))
        return Running(None, None, None)
    dispatcher = dispatch.InProcessDispatcher(settings)
    dispatcher.start()
    dispatch.install(dispatcher)
    loop = task = None
    if embedded_scheduler:
        scheduler.register_default_jobs(settings)
        loop = scheduler.Scheduler(tick_seconds=5.0)
        task = asyncio.create_task(loop.run(), name="scheduler")
    log.info(
        "mail: in-process dispatcher started (%s)",
        "SMTP" if settings.smtp_url else f"files in {settings.mail_dir}",
    )
    return Running(dispatcher, loop, task)


async def stop(running: Running) -> None:
    if running.scheduler is not None:
        running.scheduler.stop()
    if running.scheduler_task is not None:
        running.scheduler_task.cancel()
        await asyncio.gather(running.scheduler_task, return_exceptions=True)
    if running.dispatcher is not None:
        await running.dispatcher.stop()
    dispatch.install(None)


async def start_scheduler_process(settings: Settings, *, sweep_every: float = 15.0):  # noqa: ANN201
    """For `agora scheduler`: jobs registered, a dispatcher installed; returns the function that stops it."""
    api.configure(settings)
    scheduler.register_default_jobs(settings, sweep_every=sweep_every)
    dispatcher: dispatch.InProcessDispatcher | None = None
    if settings.broker_url:
        from notifications import tasks

        dispatch.install(tasks.BrokerDispatcher(settings))
    else:
        # No broker: the scheduler delivers what it finds itself, like `agora serve` does.
        dispatcher = dispatch.InProcessDispatcher(settings)
        dispatcher.start()
        dispatch.install(dispatcher)

    async def stop_it() -> None:
        if dispatcher is not None:
            await dispatcher.stop()
        dispatch.install(None)

    return stop_it
