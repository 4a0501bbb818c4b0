"""The corpus interface: one model of documents, versions, attachment files, runs, the alerts
outbox and crawl nodes, with SQLite (`crawler.store.sqlite`) and PostgreSQL
(`crawler.store.postgres`) as two implementations side by side, chosen by `open_store` from the
corpus URL. Everything but search and the dialect is written once, in the parts this class joins;
each backend gives its connection, transactions, locks, full-text search and SQL dialect."""

from __future__ import annotations

from abc import abstractmethod
from typing import Any

from crawler.store.documents import DocumentsPart
from crawler.store.files import FilesPart
from crawler.store.nodes import NodesPart
from crawler.store.outbox import OutboxPart
from crawler.store.query import field_key
from crawler.store.runs import RunsPart
from crawler.store.search import FIELD_FILTERS, snippet


class Store(DocumentsPart, FilesPart, OutboxPart, RunsPart, NodesPart):
    """The corpus. Open one with `crawler.store.open_store(db)`; every write is a transaction,
    and a crash at any moment leaves the corpus as before or after it."""

    @abstractmethod
    def search(
        self, query: str, *, portal: str | None = None, kind: str | None = None,
        since: str | None = None, limit: int = 20, fields: dict[str, str] | None = None,
    ) -> list[dict[str, Any]]:  # fmt: skip
        """Ranked hits with a highlighted snippet; any script, two-character words included.
        `query` takes OR, NOT/-word and "phrases" (`crawler.store.query`); `fields` narrows by
        doc_no, index_no, deputy, proposal or publisher (width, script, spaces and the year's
        brackets ignored). With no query words, the newest documents the filters admit."""

    @abstractmethod
    def search_count(
        self, query: str, *, portal: str | None = None, kind: str | None = None,
        since: str | None = None, fields: dict[str, str] | None = None,
    ) -> int:  # fmt: skip
        """How many documents `search` would find without a limit."""

    def field_sql(self, where: str) -> str:
        """A field filter's place as SQL: a column of `d`, or a key of its reply."""
        return self.reply_field(where[6:]) if where.startswith("reply.") else f"d.{where}"

    def field_clauses(self, wanted: dict[str, str]) -> tuple[list[str], list[Any]]:
        """SQL for the field filters asked (each field: any of its places contains the value,
        compared as `field_key`), and its parameters."""
        clauses: list[str] = []
        params: list[Any] = []
        for name, value in wanted.items():
            columns = [self.field_sql(where) for where in FIELD_FILTERS[name]]
            clauses.append("(" + " OR ".join(
                f"{self.key(column)} LIKE '%' || ? || '%'" for column in columns) + ")")  # fmt: skip
            params += [field_key(value)] * len(columns)
        return clauses, params

    def hit_snippet(self, record: dict[str, Any], wanted: str) -> str:
        """A hit's snippet; where the words are found only in an attachment's text, quoted
        there, naming the file."""
        found = snippet(record, wanted)
        if "【" not in found and record.get("attachments"):
            for file in self.attachment_texts(record["id"]):
                inside = snippet({"body_text": file["text"]}, wanted)
                if "【" in inside:
                    return f"{file['name'] or file['url']}: {inside}"
        return found
