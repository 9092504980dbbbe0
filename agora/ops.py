"""Liveness and readiness probes for the reverse proxy and the orchestrator."""

from __future__ import annotations

from starlette.requests import Request
from starlette.responses import JSONResponse, Response
from starlette.routing import BaseRoute

from agora import db
from agora.web import PUBLIC, page


async def healthz(request: Request) -> Response:
    return JSONResponse({"status": "ok"})


async def readyz(request: Request) -> Response:
    if await db.ping():
        return JSONResponse({"status": "ok", "database": "ok"})
    return JSONResponse({"status": "unavailable", "database": "unreachable"}, status_code=503)


def routes() -> list[BaseRoute]:
    return [
        page("/healthz", healthz, access=PUBLIC, methods=["GET", "HEAD"]),
        page("/readyz", readyz, access=PUBLIC, methods=["GET", "HEAD"]),
    ]
