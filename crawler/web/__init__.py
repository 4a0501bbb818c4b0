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
