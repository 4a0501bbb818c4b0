"""Requests and responses between the replica's server and its site families (plain data)."""

from __future__ import annotations

import datetime as dt
import hashlib
import html
from dataclasses import dataclass, field
from email.utils import format_datetime
from urllib.parse import parse_qs


@dataclass
class Request:
    method: str
    path: str
    query: dict[str, list[str]] = field(default_factory=dict)
    form: dict[str, list[str]] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)  # lower-case names

    def arg(self, name: str, default: str = "") -> str:
        """A query or form value (the query wins), as Hanweb's JSP pages read either."""
        values = self.query.get(name) or self.form.get(name)
        return values[0] if values else default

    @property
    def browser_like(self) -> bool:
        agent = self.headers.get("user-agent", "")
        return "Mozilla/" in agent

    @staticmethod
    def parse_query(raw: str) -> dict[str, list[str]]:
        return parse_qs(raw, keep_blank_values=True)


@dataclass
class Response:
    status: int = 200
    body: bytes = b""
    content_type: str = "text/html; charset=utf-8"
    headers: dict[str, str] = field(default_factory=dict)
    #: Static pages: validators for conditional requests (ETag from the stable content).
    etag: str | None = None
    last_modified: dt.datetime | None = None

    def validated(self, stable: bytes, modified: dt.datetime) -> Response:
        self.etag = '"' + hashlib.md5(stable).hexdigest()[:16] + '"'
        self.last_modified = modified
        return self

    def header_items(self) -> list[tuple[str, str]]:
        items = [("Content-Type", self.content_type), *self.headers.items()]
        if self.etag:
            items.append(("ETag", self.etag))
        if self.last_modified:
            items.append(
                (
                    "Last-Modified",
                    format_datetime(self.last_modified.astimezone(dt.UTC), usegmt=True),
                )
            )
        return items


def page(body: str, encoding: str = "utf-8", status: int = 200) -> Response:
    label = "gbk" if encoding == "gbk" else encoding
    return Response(
        status, body.encode(encoding, errors="xmlcharrefreplace"), f"text/html; charset={label}"
    )


def not_found(path: str) -> Response:
    text = f"<html><head><title>404 Not Found</title></head><body><h1>404</h1><p>{html.escape(path)}</p></body></html>"
    return Response(404, text.encode())


def redirect(location: str, status: int = 302) -> Response:
    return Response(status, b"", "text/html", {"Location": location})


def esc(text: str) -> str:
    return html.escape(text, quote=True)
