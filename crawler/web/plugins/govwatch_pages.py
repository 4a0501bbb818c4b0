"""Datasette plugin: a reader's view of the corpus.

- `/-/document?id=ID` (or `?url=URL`): a document's fields, reply fields, provenance, versions,
  and what changed between two versions (`&diff=1..2`; the last two by default), then its text.
- `/-/alerts`: the alerts, newest first, with their delivery to each sink.
- The documents table opens on the columns a reader scans (title, date, publisher, kind, portal,
  deputy and number), the title first and the id last (templates/_table.html); a title links to
  its document page, a body is cut to one line.
- A document's page says why it was classed as it was and why it matches each watch rule
  (`crawler.watch.explain`, as `govwatch show` says it).
"""

from __future__ import annotations

import asyncio
import json
import urllib.parse
from typing import Any

from datasette import hookimpl
from datasette.utils.asgi import Response
from markupsafe import Markup, escape

from crawler.clock import shown
from crawler.store.diff import field_changes, shown_value, text_diff

READER_COLUMNS = ("title", "published_at", "publisher", "kind", "portal", "reply", "status")
REPLY_FIELDS = ("addressee", "addressee_role", "session", "proposal_no", "proposal_title",
                "lead_agency", "co_agencies", "contact_person", "contact_phone", "signed_date",
                "result_class")  # fmt: skip
DOCUMENT_FIELDS = ("kind", "portal", "url", "index_no", "doc_no", "publisher", "source", "category",
                   "written_date", "published_at", "addressee", "column_name", "site_name", "status")  # fmt: skip


def _link(identity: str) -> str:
    return "/-/document?" + urllib.parse.urlencode({"id": identity})


@hookimpl  # type: ignore[untyped-decorator]
def register_routes() -> list[tuple[str, Any]]:
    return [(r"^/-/document$", document_page), (r"^/-/alerts$", alerts_page)]


@hookimpl  # type: ignore[untyped-decorator]
def menu_links(datasette: Any) -> list[dict[str, str]]:
    return [{"href": "/-/alerts", "label": "Alerts"}]


@hookimpl  # type: ignore[untyped-decorator]
def render_cell(row: Any, value: Any, column: str, table: str | None) -> Any:
    if table != "documents":
        return None
    if column == "title" and value:
        return Markup(f'<a href="{escape(_link(row["id"]))}">{escape(value)}</a>')
    if column == "reply" and value:
        reply = json.loads(value)
        return " · ".join(filter(None, (reply.get("addressee"), reply.get("proposal_no")))) or "—"
    if column == "body_text" and value:
        return value[:60].replace("\n", " ") + ("…" if len(value) > 60 else "")
    return None


@hookimpl  # type: ignore[untyped-decorator]
def asgi_wrapper(datasette: Any) -> Any:
    """`/<db>/documents` with no column choice opens on the reader's columns."""

    def wrap(app: Any) -> Any:
        async def wrapped(scope: dict[str, Any], receive: Any, send: Any) -> None:
            path = scope.get("path", "")
            query = scope.get("query_string", b"").decode("latin-1")
            parts = path.strip("/").split("/")
            if (scope["type"] == "http" and len(parts) == 2 and parts[1] == "documents"
                    and "_col=" not in query and "_nocol=" not in query):  # fmt: skip
                columns = "&".join(f"_col={column}" for column in READER_COLUMNS)
                location = f"{path}?{query + '&' if query else ''}{columns}"
                await send({"type": "http.response.start", "status": 302,
                            "headers": [(b"location", location.encode("latin-1"))]})  # fmt: skip
                await send({"type": "http.response.body", "body": b""})
                return
            await app(scope, receive, send)

        return wrapped

    return wrap


async def document_page(datasette: Any, request: Any) -> Response:
    db = datasette.get_database()
    key = request.args.get("id") or request.args.get("url") or ""
    rows = list(await db.execute(
        "SELECT * FROM documents WHERE id = ? OR url = ? LIMIT 1", [key, key]))  # fmt: skip
    if not rows:
        return Response.html(f"<p>No document {escape(key)}</p>", status=404)
    document = dict(rows[0])
    reply = json.loads(document["reply"]) if document.get("reply") else {}
    attachments = json.loads(document["attachments"]) if document.get("attachments") else []
    versions = [
        {**dict(row), "record": json.loads(row["record"])}
        for row in await db.execute(
            "SELECT version, content_hash, fetched_at, url, status, run_id, record FROM versions "
            "WHERE document_id = ? ORDER BY version", [document["id"]])
    ]  # fmt: skip
    diff = None
    pick = request.args.get("diff", "")
    numbers = {version["version"]: version for version in versions}
    old: dict[str, Any] | None = versions[-2] if len(versions) > 1 else None
    new: dict[str, Any] | None = versions[-1] if len(versions) > 1 else None
    if "." in pick:
        first, _, last = pick.partition("..")
        old = numbers.get(int(first)) if first.isdigit() else None
        new = numbers.get(int(last)) if last.isdigit() else None
    if old is not None and new is not None:
        diff = {
            "from": old["version"], "to": new["version"],
            "fields": [(f, a, b) for f, a, b in field_changes(old["record"], new["record"])],
            "text": text_diff(old["record"].get("body_text"), new["record"].get("body_text"),
                              f"version {old['version']}", f"version {new['version']}")[2:],
        }  # fmt: skip
    settings = datasette.plugin_config("govwatch") or {}
    why = await asyncio.get_running_loop().run_in_executor(
        None, explained, str(db.path), document["id"], settings.get("config")
    )
    context = {
        "why": why,
        "document": document,
        "fields": [(k, document[k]) for k in DOCUMENT_FIELDS if document.get(k)],
        "reply": [
            (k, "、".join(reply[k]) if isinstance(reply[k], list) else reply[k])
            for k in REPLY_FIELDS
            if reply.get(k)
        ],
        "attachments": attachments,
        "versions": [{**v, "shown": shown(v["fetched_at"])} for v in versions],
        "diff": diff,
        "shown": shown,
        "shown_value": shown_value,
        "database": db.name,
    }
    return Response.html(
        await datasette.render_template("govwatch_document.html", context, request=request)
    )


def explained(database: str, identity: str, config_path: str | None) -> dict[str, Any]:
    """Why the document was classed as it was, and why it matches each watch rule (the rules of
    the config's `rules:`, else the shipped ones); a broken rules file is said, not a 500."""
    from crawler.config import ConfigFileError, load_config
    from crawler.store import open_store
    from crawler.watch.explain import SET_ASIDE, kind_evidence, rule_matches
    from crawler.watch.rules import RulesError, load_rules

    with open_store(database, readonly=True) as store:
        document = store.document(identity) or {}
        files = store.attachment_texts(identity) if document.get("attachments") else []
    try:
        rules = load_rules(load_config(config_path, database).rules)
    except (ConfigFileError, RulesError) as error:
        return {"kind": kind_evidence(document), "matches": {}, "aside": [], "error": str(error)}
    matches = rule_matches(document, files, rules)
    aside = matches.pop(SET_ASIDE, [])
    return {"kind": kind_evidence(document), "matches": matches, "aside": aside, "error": None}


async def alerts_page(datasette: Any, request: Any) -> Response:
    db = datasette.get_database()
    rows = [dict(row) for row in await db.execute(
        "SELECT id, key, rule, rules, created_at, portal, document_id, payload FROM alerts "
        "ORDER BY id DESC LIMIT 200")]  # fmt: skip
    deliveries: dict[int, list[dict[str, Any]]] = {}
    for row in await db.execute(
        "SELECT alert_id, sink, status, attempts, last_error, updated_at FROM deliveries "
        "ORDER BY sink"):  # fmt: skip
        deliveries.setdefault(row["alert_id"], []).append(dict(row))
    alerts = []
    for row in rows:
        payload = json.loads(row["payload"])
        alerts.append({
            "id": row["id"], "created": shown(row["created_at"]), "portal": row["portal"],
            "rules": json.loads(row["rules"]) if row.get("rules") else [row["rule"]],
            "title": payload.get("title") or payload.get("message") or row["key"],
            "link": _link(row["document_id"]) if row["document_id"] else None,
            "deliveries": [{**d, "at": shown(d["updated_at"])} for d in deliveries.get(row["id"], [])],
        })  # fmt: skip
    return Response.html(
        await datasette.render_template("govwatch_alerts.html", {"alerts": alerts}, request=request)
    )
