"""The ceiling: what this stack (uvicorn[standard], Starlette, Jinja2) serves for a page rendered from memory.

A page with no database, no session and no middleware, whose HTML has the size a page benchmark asks for
(AGORA_CEILING_BYTES), rendered by Jinja2 on every request from data held in memory. The page benchmarks
measure it in the same run as the real page and report the ratio, so that a busy machine moves both figures.

    python benchmarks/ceiling.py [--port 8100] [--processes 2] [--bytes 20000]
"""

from __future__ import annotations

import argparse
import os
import sys

import jinja2
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import HTMLResponse
from starlette.routing import Route

TEMPLATE = jinja2.Environment(autoescape=True).from_string(
    """<!doctype html>
<html lang="de"><head><meta charset="utf-8"><title>{{ title }}</title></head>
<body><main><h1>{{ title }}</h1>
<ol>{% for item in items %}
<li><article><h2>{{ item.author }}</h2><p>{{ item.text }}</p><p><time>{{ item.when }}</time></p></article></li>
{% endfor %}</ol></main></body></html>
"""
)


def items_for(size: int) -> list[dict[str, str]]:
    """About as many comments as make a page of `size` bytes."""
    one = {"author": "Referentin der Stadt", "text": "Kurzer Impuls und Diskussion im Ratssaal. " * 3, "when": "08:00"}
    per_item = len(TEMPLATE.render(title="", items=[one])) - len(TEMPLATE.render(title="", items=[]))
    return [dict(one, author=f"{one['author']} {n}") for n in range(max(1, size // per_item))]


def create_app() -> Starlette:
    items = items_for(int(os.environ.get("AGORA_CEILING_BYTES", "20000")))

    async def page(request: Request) -> HTMLResponse:
        return HTMLResponse(TEMPLATE.render(title="Wirtschaft trifft Verwaltung", items=items))

    return Starlette(routes=[Route("/", page)])


def main() -> None:
    import uvicorn

    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--port", type=int, default=8100)
    parser.add_argument("--processes", type=int, default=1)
    parser.add_argument("--bytes", type=int, default=20000, help="size of the page in bytes")
    args = parser.parse_args()
    os.environ["AGORA_CEILING_BYTES"] = str(args.bytes)
    sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
    uvicorn.run(
        "ceiling:create_app",
        factory=True,
        host="127.0.0.1",
        port=args.port,
        workers=args.processes,
        log_level="warning",
        access_log=False,
    )


if __name__ == "__main__":
    main()
