"""Datasette plugin: `govwatch_query(text)` turns a query into govwatch's bigram FTS expression."""

from __future__ import annotations

from typing import Any

from datasette import hookimpl

from crawler.store.query import fts_query


@hookimpl  # type: ignore[untyped-decorator]
def prepare_connection(conn: Any) -> None:
    conn.create_function("govwatch_query", 1, fts_query)
