"""Commands over documents: extract, search, export, serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import click

from crawler.cli import (
    EXIT_USAGE,
    KINDS,
    cli,
    db_option,
    fail,
    json_option,
    one_line,
    since_option,
)
from crawler.extract import extract_document
from crawler.items import Document


def extract_file(path: Path, url: str | None, encoding: str | None) -> Document:
    body = path.read_bytes()
    document = extract_document(body, url or path.resolve().as_uri(), encoding=encoding)
    page_url = document.meta.get("Url", "")
    if url is None and page_url.startswith(("http://", "https://")):
        # A saved page that names its own address: resolve its links against that address.
        document = extract_document(body, page_url, encoding=encoding)
    return document


def open_store(db: str, immutable: bool = False) -> Any:
    """The corpus, read-only: read commands never migrate, convert or write a database."""
    from crawler.store import Store, StoreError

    try:
        return Store(db, readonly=True, immutable=immutable)
    except StoreError as error:
        click.echo(f"govwatch: {one_line(error)}", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@click.option("--url", help="the page's address (default: its Url meta tag, else the file)")
@click.option("--encoding", help="the charset the server declared (default: detect)")
@click.option("--pretty", is_flag=True, help="indent the JSON")
def extract(files: tuple[str, ...], url: str | None, encoding: str | None, pretty: bool) -> int:
    """Extract every field of saved pages as JSON: one object per FILE, one per line.

    \b
    Example: govwatch extract page.html --url http://jxj.hangzhou.gov.cn/art/…html
    """
    documents: list[Document] = []
    for name in files:
        try:
            documents.append(extract_file(Path(name), url, encoding))
        except OSError as error:
            raise fail("extract", f"cannot read {name}: {error.strerror or error}") from None
    for document in documents:
        click.echo(
            json.dumps(document.to_record(), ensure_ascii=False, indent=2 if pretty else None)
        )
    return 0


@cli.command()
@click.argument("query")
@db_option
@click.option("--portal", help="only this portal")
@click.option("--kind", type=KINDS, help="only this kind of document")
@since_option
@click.option("--limit", type=int, default=20, show_default=True, help="hits to show")
@json_option("one JSON object per hit")
def search(
    query: str, db: str, portal: str | None, kind: str | None, since: str | None, limit: int,
    as_json: bool,
) -> int:  # fmt: skip
    """Full-text search: titles, bodies, reply fields, attachment names.

    Either script; two-character words work.

    \b
    Example: govwatch search 开源软件 --kind reply
    """
    with open_store(db) as store:
        hits = store.search(query, portal=portal, kind=kind, since=since, limit=limit)
    for hit in hits:
        if as_json:
            keys = ("url", "title", "portal", "kind", "published_at", "snippet")
            click.echo(json.dumps({key: hit.get(key) for key in keys}, ensure_ascii=False))
        else:
            click.echo(f"{(hit['published_at'] or '')[:10]}  {hit['portal']}  {hit['kind']}\n"
                       f"  {hit['title']}\n  {hit['url']}\n  {hit['snippet']}\n")  # fmt: skip
    if not as_json:
        click.echo(f"{len(hits)} hit(s)")
    return 0


@cli.command()
@click.option("--format", "form", type=click.Choice(("jsonl", "csv", "warc")), default="jsonl",
              show_default=True, help="the export's format")  # fmt: skip
@db_option
@click.option("--kind", type=KINDS, help="only this kind of document")
@since_option
@click.option("-o", "--output", metavar="FILE", help="write here (default standard output)")
def export(form: str, db: str, kind: str | None, since: str | None, output: str | None) -> int:
    """Export the corpus as JSONL, CSV or WARC.

    One record per document, with provenance; warc writes the stored raw responses.

    \b
    Example: govwatch export --format jsonl --kind reply -o replies.jsonl
    """
    import contextlib

    from crawler import export as exporting

    with open_store(db) as store, contextlib.ExitStack() as stack:
        try:
            if form == "warc":
                binary = stack.enter_context(open(output, "wb")) if output else sys.stdout.buffer
                count = exporting.write_warc(store, binary, kind, since)
            else:
                text = (
                    stack.enter_context(open(output, "w", encoding="utf-8", newline=""))
                    if output
                    else sys.stdout
                )
                writer = exporting.write_jsonl if form == "jsonl" else exporting.write_csv
                count = writer(store, text, kind, since)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise fail("export", f"cannot write {output or 'standard output'}: "
                       f"{error.strerror or error}; give -o a file in a directory that exists "
                       "and is writable", code=1) from None  # fmt: skip
    click.echo(f"govwatch export: {count} record(s)", err=True)
    return 0


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="interface")
@click.option("--port", type=int, default=8001, show_default=True, help="port")
@click.option("--immutable", is_flag=True, help="open the database read-only")
def serve(db: str, host: str, port: int, immutable: bool) -> int:
    """Browse the corpus with Datasette.

    Facets and canned queries (latest replies, open-source hits, search).

    \b
    Example: govwatch serve --db govwatch.db --port 8001
    """
    import signal
    import subprocess
    import tempfile

    from crawler.browse import PLUGINS, metadata

    with open_store(db, immutable=immutable):
        pass  # a clear error for a missing, foreign or newer database, before Datasette starts
    name = Path(db).stem
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(metadata(name), handle, ensure_ascii=False)
    database = ["--immutable", db] if immutable else [db]
    command = [sys.executable, "-m", "datasette", "serve", *database, "-h", host, "-p", str(port),
               "--metadata", handle.name, "--plugins-dir", str(PLUGINS)]  # fmt: skip
    stop = (signal.SIGTERM, signal.SIGINT, signal.SIGHUP)
    previous = {signum: signal.getsignal(signum) for signum in stop}
    datasette: subprocess.Popen[bytes] | None = None

    def forward(signum: int, frame: Any) -> None:
        # Datasette is our child: it stops with us, never left serving alone.
        if datasette is not None and datasette.poll() is None:
            datasette.terminate()

    try:
        for signum in stop:
            signal.signal(signum, forward)
        datasette = subprocess.Popen(command)
        while True:
            try:
                code = datasette.wait()
                break
            except KeyboardInterrupt:
                forward(signal.SIGINT, None)
        return 0 if code in (0, -signal.SIGTERM, -signal.SIGINT) else code
    finally:
        if datasette is not None and datasette.poll() is None:
            datasette.kill()
            datasette.wait()
        for signum, handler in previous.items():
            signal.signal(signum, handler)
        Path(handle.name).unlink(missing_ok=True)
