"""Browsing the corpus with Datasette: metadata, facets, canned queries, and a search function."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from crawler.store.query import fts_query

PLUGINS = Path(__file__).parent / "plugins"
TEMPLATES = Path(__file__).parent / "templates"
STATIC = Path(__file__).parent / "static"  # vendored scripts (Apache ECharts), served offline

SEARCH_SQL = """select d.url, d.title, d.portal, d.kind, d.published_at
from documents_fts join documents d on d.rowid = documents_fts.rowid
where documents_fts match govwatch_query(:q)
order by bm25(documents_fts, 5.0, 1.0) limit 100"""


OPEN_SOURCE = " OR ".join(
    fts_query(term)
    for term in ("开源软件", "开源社区", "开源鸿蒙", "开源生态", "openEuler", "OpenHarmony")
)


def port_problem(host: str, port: int) -> str | None:
    """Why Datasette could not listen on host:port (taken, not this machine's address), said
    before it starts (its own report is a traceback); None when it can."""
    import socket

    try:
        family, kind, _, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
    except (socket.gaierror, UnicodeError) as error:
        return f"--host {host}: no such address ({error}); give an address of this machine"
    with socket.socket(family, kind) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as Datasette's server does
        try:
            probe.bind(address)
        except OSError as error:
            return (f"cannot listen on {host}:{port}: {error.strerror or error}; give another "
                    f"--port (e.g. --port {port + 1 if port < 65535 else 8001}), or stop what "
                    "listens there")  # fmt: skip
    return None


def metadata(database: str, config: str | None = None) -> dict[str, Any]:
    """Titles, descriptions, facets and canned queries for `datasette`; `config` is the
    govwatch.yaml the monitor page reads (schedules, sinks, rules), if any."""
    return {
        "title": "govwatch",
        "plugins": {"govwatch": {"config": config}},
        "description": "Chinese government information-disclosure documents (政府信息公开), "
        "crawled and versioned by govwatch.",
        "databases": {
            database: {
                "tables": {
                    "documents": {
                        "description": "One row per document: every extracted field, live or gone.",
                        "facets": ["portal", "kind", "status", "category"],
                        "sort_desc": "published_at",
                        "label_column": "title",
                    },
                    "versions": {
                        "description": "Every content version with the raw response it came from."
                    },
                    "runs": {
                        "description": "Crawl runs: requests, new, changed, gone, errors, blocked."
                    },
                    "run_errors": {
                        "description": "Errors and blocked answers, per run and column."
                    },
                    "attachments": {"description": "Attachments linked from documents."},
                },
                "queries": {
                    "latest_replies": {
                        "title": "Latest replies to suggestions and proposals",
                        "sql": "select published_at, portal, title, url from documents "
                        "where kind in ('reply', 'co_handling_opinion') and status = 'live' "
                        "order by published_at desc limit 100",
                    },
                    "open_source": {
                        "title": "Documents about open-source software (开源软件, 开源社区, openEuler…)",
                        "sql": SEARCH_SQL.replace("govwatch_query(:q)", f"'{OPEN_SOURCE}'"),
                    },
                    "search": {
                        "title": "Search (either script; two-character words work)",
                        "sql": SEARCH_SQL,
                    },
                },
            }
        },
    }
