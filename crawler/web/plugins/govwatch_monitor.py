"""Datasette plugin: the monitor page (`/-/monitor`) — one coloured row per portal (last crawl,
last full walk, last new document, documents, failing or blocked since, next run), the deliveries
pending per sink, the corpus against its cap, and two pictures: documents per month per portal
and watch-topic replies over time. The figures are `crawler.run.health`'s, the same as
`govwatch status` prints; the pictures are drawn by the vendored Apache ECharts, served from
crawler/web/static/ (`/-/govwatch/static/…`), so the page needs no network.

Like the command line, this plugin sits on top of the rooms: it reads the run room's health
(schedules, runs) as `govwatch status` does.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup

from crawler.clock import shown
from crawler.run.health import MB
from crawler.web import STATIC

_TYPES = {".js": "application/javascript; charset=utf-8", ".md": "text/plain; charset=utf-8"}


@hookimpl  # type: ignore[untyped-decorator]
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/monitor$", monitor_page), (r"^/-/govwatch/static/(?P<path>.+)$", static_file)]


@hookimpl  # type: ignore[untyped-decorator]
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [{"href": "/-/monitor", "label": "Monitor"}]


async def static_file(datasette: Any, request: Any) -> Response:
    """A vendored file (crawler/web/static/), never anything outside it."""
    wanted = (STATIC / request.url_vars["path"]).resolve()
    if not wanted.is_relative_to(STATIC.resolve()) or not wanted.is_file():
        return Response.text("not found", status=404)
    return Response(wanted.read_bytes(), content_type=_TYPES.get(wanted.suffix, "text/plain"),
                    headers={"cache-control": "max-age=86400"})  # fmt: skip


def script_json(value: Any) -> Markup:
    """JSON safe inside a <script> element."""
    text = json.dumps(value, ensure_ascii=False).replace("</", "<\\/")
    return Markup(text)  # escaped for a script element above


def figures(database: str, config_path: str | None) -> dict[str, Any]:
    """Everything the page shows, read from the corpus (in a worker thread)."""
    from crawler.config import load_config
    from crawler.run.health import snapshot
    from crawler.store import open_store
    from crawler.watch.rules import load_rules
    from crawler.web import charts

    config = load_config(config_path, database)
    found = snapshot(config)
    with open_store(database, readonly=True) as store:
        months = charts.per_month(store)
        topics = charts.topic_replies(store, load_rules(config.rules), database)
    return {
        "snapshot": found,
        "documents_chart": charts.option("Documents per month (by publication)", months),
        "topics_chart": charts.option("Watch-topic replies per month", topics, kind="line"),
        "months": months,
        "topics": topics,
    }


async def monitor_page(datasette: Any, request: Any) -> Response:
    db = datasette.get_database()
    settings = datasette.plugin_config("govwatch") or {}
    try:
        found = await asyncio.get_running_loop().run_in_executor(
            None, figures, str(db.path), settings.get("config")
        )
    except (ValueError, RuntimeError) as error:  # a broken config or profile: said, not a 500
        return Response.html(
            f"<p>The monitor cannot read its configuration: {error}</p>", status=500
        )
    snap = found["snapshot"]
    context = {
        "portals": snap.portals,
        "sinks": snap.sinks,
        "counts": snap.counts,
        "size_mb": snap.size_bytes / MB,
        "cap_mb": snap.cap_bytes / MB if snap.cap_bytes else None,
        "share": snap.size_share,
        "shown": shown,
        "documents_chart": script_json(found["documents_chart"]),
        "topics_chart": script_json(found["topics_chart"]),
        "has_topics": bool(found["topics"]["months"]),
        "database": db.name,
    }
    return Response.html(
        await datasette.render_template("govwatch_monitor.html", context, request=request)
    )
