"""Commands over documents: extract, search, export, serve."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

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
from crawler.items import Document

if TYPE_CHECKING:
    from crawler.listings.reading import PageReading


def extract_file(path: Path, url: str | None, encoding: str | None) -> Document:
    """A saved page read as a document."""
    from crawler.extract import extract_document  # (only the commands that read pages load it)

    body = path.read_bytes()
    document = extract_document(body, url or path.resolve().as_uri(), encoding=encoding)
    page_url = document.meta.get("Url", "")
    if url is None and page_url.startswith(("http://", "https://")):
        # A saved page that names its own address: resolve its links against that address.
        document = extract_document(body, page_url, encoding=encoding)
    return document


def read_file(path: Path, url: str | None, encoding: str | None) -> PageReading:
    """What govwatch sees in a saved answer: a document, a listing, or what it is instead."""
    from crawler.listings.reading import read_page

    body = path.read_bytes()
    reading = read_page(body, url or path.resolve().as_uri(), encoding=encoding)
    page_url = reading.document.meta.get("Url", "") if reading.document else ""
    if url is None and page_url.startswith(("http://", "https://")):
        # A saved page that names its own address: read it as from that address.
        reading = read_page(body, page_url, encoding=encoding)
    return reading


def read_corpus(db: str, immutable: bool = False) -> Any:
    """The corpus, read-only: read commands never migrate, convert or write a database."""
    from crawler.store import StoreError, open_store

    try:
        return open_store(db, readonly=True, immutable=immutable)
    except StoreError as error:
        click.echo(f"govwatch: {one_line(error)}", err=True)
        raise click.exceptions.Exit(EXIT_USAGE) from None


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@click.option("--url", help="the page's address (default: its Url meta tag, else the file)")
@click.option("--encoding", help="the charset the server declared (default: detect)")
@click.option("--pretty", is_flag=True, help="indent the JSON")
def extract(files: tuple[str, ...], url: str | None, encoding: str | None, pretty: bool) -> int:
    """What govwatch sees in saved answers: one JSON object per FILE, one per line.

    Each says what the page is in "page": a "document" with every field, a "listing" with its
    "entries" (url, title, date) and "next_page", or what stands in their place (blocked,
    redirect, postmeta, soft-404, app-shell, wrong-page, blank) with its "reason".

    \b
    Example: govwatch extract page.html --url http://jxj.hangzhou.gov.cn/art/…html
    """
    readings: list[PageReading] = []
    for name in files:
        try:
            readings.append(read_file(Path(name), url, encoding))
        except OSError as error:
            raise fail("extract", f"cannot read {name}: {error.strerror or error}") from None
    for reading in readings:
        click.echo(json.dumps(reading.to_json(), ensure_ascii=False, indent=2 if pretty else None))
    return 0


class SearchCommand(click.Command):
    """A command whose words may begin with a dash (`-开源`, `-"a phrase"`, `-huawei`): such a
    word is a NOT, never an option. Only the command's own options are options (a misspelt
    `--option` is still refused); every other argument is a word of the query."""

    def parse_args(self, ctx: click.Context, args: list[str]) -> list[str]:
        takes_value = {name: not (param.is_flag or param.count)
                       for param in self.get_params(ctx) if isinstance(param, click.Option)
                       for name in (*param.opts, *param.secondary_opts)}  # fmt: skip
        options: list[str] = []
        words: list[str] = []
        rest = iter(args)
        for arg in rest:
            if arg == "--":
                words += rest
                break
            name = arg.split("=", 1)[0]
            if name in takes_value or (arg.startswith("--") and len(arg) > 2):
                options.append(arg)
                if takes_value.get(name) and "=" not in arg:
                    options += [value for value in [next(rest, None)] if value is not None]
            else:
                words.append(arg)
        return super().parse_args(ctx, [*options, "--", *words])


@cli.command(cls=SearchCommand)
@click.argument("query_words", nargs=-1, metavar="[QUERY]…")
@db_option
@click.option("--portal", help="only this portal")
@click.option("--kind", type=KINDS, help="only this kind of document")
@since_option
@click.option("--doc-no", metavar="文号", help="文号 containing this (brackets and spaces ignored)")
@click.option("--index-no", metavar="索引号", help="索引号 containing this")
@click.option("--deputy", metavar="NAME", help="replies to this deputy or member")
@click.option("--proposal", metavar="NO|TITLE", help="replies to this proposal (number or title)")
@click.option("--publisher", metavar="NAME", help="published or answered by this agency")
@click.option("--limit", type=int, default=20, show_default=True, help="hits to show")
@json_option("one JSON object per hit")
def search(
    query_words: tuple[str, ...], db: str, portal: str | None, kind: str | None, since: str | None,
    doc_no: str | None, index_no: str | None, deputy: str | None, proposal: str | None,
    publisher: str | None, limit: int, as_json: bool,
) -> int:  # fmt: skip
    """Full-text search, by field too: titles, bodies, reply fields, 文号, attachment names.

    Either script; two-character words work. The words, quoted or not, are the query, as in
    any search box: words are all required (AND, && and +word say so too); A OR B (also |)
    binds tighter than AND; NOT word or -word excludes; "quoted phrases" keep their order;
    (parentheses) group. The total is always counted.

    \b
    Examples: govwatch search 开源软件 --kind reply
              govwatch search 开源 OR 鸿蒙 -节流
              govwatch search '(开源 OR 鸿蒙) AND 软件' --since 30d
              govwatch search --deputy 何征宇
              govwatch search --doc-no 杭经信提〔2023〕140号
    """
    fields = {"doc_no": doc_no, "index_no": index_no, "deputy": deputy, "proposal": proposal,
              "publisher": publisher}  # fmt: skip
    asked = {name: value for name, value in fields.items() if value}
    from crawler.store.query import QueryError, parse

    query = " ".join(query_words)
    try:
        parsed = parse(query)
    except QueryError as error:
        raise fail("search", f"{query!r}: {error}") from None
    if not parsed.positive and not asked:
        raise fail("search", "give words to look for, or a field (--deputy, --doc-no, --index-no, "
                   "--proposal, --publisher); a query of NOT/-words alone excludes from nothing")  # fmt: skip
    with read_corpus(db) as store:
        hits = store.search(query, portal=portal, kind=kind, since=since, limit=limit, fields=asked)
        total = store.search_count(query, portal=portal, kind=kind, since=since, fields=asked)
    for hit in hits:
        if as_json:
            keys = ("id", "url", "title", "portal", "kind", "published_at", "doc_no", "snippet")
            click.echo(json.dumps({key: hit.get(key) for key in keys}, ensure_ascii=False))
        else:
            reply = hit.get("reply") or {}
            who = " · ".join(filter(None, (reply.get("addressee"), reply.get("proposal_no"),
                                           hit.get("doc_no"))))  # fmt: skip
            click.echo(f"{(hit['published_at'] or '')[:10]}  {hit['portal']}  {hit['kind']}"
                       + (f"  {who}" if who else "") + f"\n  {hit['title']}\n  {hit['url']}\n"
                       f"  {hit['snippet']}\n")  # fmt: skip
    if not as_json:
        more = f" (showing {len(hits)}; --limit shows more)" if total > len(hits) else ""
        click.echo(f"{total} hit(s){more}")
    return 0


@cli.command()
@click.option("--format", "form", type=click.Choice(("jsonl", "csv", "warc", "parquet", "xlsx")),
              default="jsonl", show_default=True, help="the export's format")  # fmt: skip
@db_option
@click.option("--kind", type=KINDS, help="only this kind of document")
@since_option
@click.option("-o", "--output", metavar="FILE", help="write here (default standard output)")
@click.option("--what", type=click.Choice(("documents", "versions", "alerts")), default="documents",
              show_default=True, help="the documents, every stored version, or the alerts")  # fmt: skip
@click.option("--partition", is_flag=True,
              help="parquet: a directory partitioned by portal and year (-o names it)")  # fmt: skip
@click.option("--excel", is_flag=True,
              help="csv: for Excel (a BOM, the reply in its own columns, Beijing time)")  # fmt: skip
def export(
    form: str, db: str, kind: str | None, since: str | None, output: str | None, what: str,
    partition: bool, excel: bool,
) -> int:  # fmt: skip
    """Export the corpus as JSONL, CSV, WARC, Parquet or XLSX, with a data set card.

    One record per document (or version, or alert), with provenance; warc writes the stored raw
    responses. parquet has typed columns (times in China's zone, the reply and attachments as
    structs and lists; pip install 'govwatch[export]'); xlsx and csv --excel flatten the reply
    into its own columns. The card (fields, types, counts, crawl window, provenance) is written
    beside the files as NAME.DATASET.md (_DATASET.md in a partitioned directory), or on standard error for
    an export to standard output.

    \b
    Examples: govwatch export --format jsonl --kind reply -o replies.jsonl
              govwatch export --format parquet -o corpus.parquet
              govwatch export --format parquet --partition -o corpus/ --since 2024-01-01
              govwatch export --format xlsx --kind reply -o 答复.xlsx
              govwatch export --what alerts --format csv --excel -o alerts.csv
    """
    from crawler.run.progress import progress
    from crawler.store import export as exporting

    request = exporting.Request(what=what, form=form, output=output, kind=kind, since=since,
                                partition=partition, excel=excel)  # fmt: skip
    try:
        exporting.check(request)
    except (exporting.ExportError, exporting.MissingPyarrow) as error:
        raise fail("export", error) from None
    with read_corpus(db) as store:
        try:
            done = exporting.export(store, request, progress=progress)
        except BrokenPipeError:
            raise
        except OSError as error:
            raise fail("export", f"cannot write {output or 'standard output'}: "
                       f"{error.strerror or error}; give -o a file in a directory that exists "
                       "and is writable", code=1) from None  # fmt: skip
    if done.card_path is None:
        click.echo(done.card, err=True, nl=False)
    else:
        click.echo(f"govwatch export: the data set card is {done.card_path}", err=True)
    click.echo(f"govwatch export: {done.count} record(s)", err=True)
    return 0


@cli.command()
@db_option
@click.option("--host", default="127.0.0.1", show_default=True, help="interface")
@click.option("--port", type=click.IntRange(0, 65535), default=8001, show_default=True, help="port")
@click.option("--immutable", is_flag=True, help="open the database read-only")
@click.option("--config", metavar="FILE",
              help="govwatch.yaml for the monitor page (default ./govwatch.yaml if present)")  # fmt: skip
def serve(db: str, host: str, port: int, immutable: bool, config: str | None) -> int:
    """Browse the corpus with Datasette.

    Facets and canned queries (latest replies, open-source hits, search); a document's page
    says why it was classed a reply and why it matches each watch rule; /-/monitor shows each
    portal's health, the deliveries pending and pictures of the corpus over time.

    \b
    Example: govwatch serve --db govwatch.db --port 8001
    """
    import signal
    import subprocess
    import tempfile

    from crawler.store import is_url
    from crawler.web import PLUGINS, TEMPLATES, metadata, port_problem

    if is_url(db):
        raise fail("serve", "serve browses a SQLite corpus (Datasette); for a PostgreSQL corpus "
                   "point a PostgreSQL client at it, or copy it with `govwatch migrate`")  # fmt: skip
    with read_corpus(db, immutable=immutable) as store:
        # A clear error for a missing, foreign or newer database, before Datasette starts; and
        # for one SQLite could read only as immutable (read-only media: no -shm file can be made).
        fell_back = store.immutable and not immutable
    if fell_back:
        from crawler.store.sqlite import on_read_only_media

        place = "on read-only media" if on_read_only_media(db) else "in a directory it cannot write"
        raise fail("serve", f"{db}: {place}, Datasette can open it only as immutable: add "
                   "--immutable (when nothing writes to it meanwhile), or copy it to writable storage")  # fmt: skip
    problem = port_problem(host, port)
    if problem:
        raise fail("serve", problem)
    name = Path(db).stem
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(metadata(name, str(Path(config).resolve()) if config else None), handle,
                  ensure_ascii=False)  # fmt: skip
    database = ["--immutable", db] if immutable else [db]
    command = [sys.executable, "-m", "datasette", "serve", *database, "-h", host, "-p", str(port),
               "--metadata", handle.name, "--plugins-dir", str(PLUGINS),
               "--template-dir", str(TEMPLATES)]  # fmt: skip
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


SHOWN_FIELDS = ("title", "kind", "portal", "url", "index_no", "doc_no", "publisher", "source",
                "category", "written_date", "published_at", "addressee", "column_name", "site_name")  # fmt: skip
REPLY_SHOWN = ("addressee", "addressee_role", "session", "proposal_no", "proposal_title",
               "lead_agency", "co_agencies", "contact_person", "contact_phone", "signed_date",
               "result_class")  # fmt: skip


@cli.command()
@click.argument("key", metavar="URL|ID")
@db_option
@click.option("--versions", "list_versions", is_flag=True, help="list every stored version")
@click.option("--diff", "between", is_flag=False, flag_value="", default=None, metavar="[A..B]",
              help="what changed from version A to B (default: the last two)")  # fmt: skip
@click.option(
    "--rules", metavar="FILE", help="judge it by these watch rules (default: the shipped)"
)
@json_option("the document, its versions and the diff as one JSON object")
def show(
    key: str, db: str, list_versions: bool, between: str | None, rules: str | None, as_json: bool
) -> int:
    """A document with its fields, provenance and versions; --diff shows what changed.

    Says why the document was classed as it was (a reply, a co-handling opinion) and why it
    matches each watch rule (the sense of each 开源 it holds).

    \b
    Examples: govwatch show http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html
              govwatch show hangzhou-jxj:4216448 --versions
              govwatch show hangzhou-jxj:4216448 --diff 1..2
    """
    from crawler.store.diff import field_changes, shown_value, text_diff

    with read_corpus(db) as store:
        document = store.find(key)
        if document is None:
            raise fail("show", f"{key}: no such document in {db}; give its URL or id as "
                       "`govwatch search` or `govwatch alerts` print them")  # fmt: skip
        versions = store.versions(document["id"])
        files = store.attachment_texts(document["id"]) if document.get("attachments") else []
    matches = _why(document, files, rules)
    diff: dict[str, Any] | None = None
    if between is not None:
        try:
            old, new = _pick(versions, between)
        except ValueError as error:
            raise fail("show", error) from None
        diff = {"from": old["version"], "to": new["version"],
                "fields": [{"field": f, "from": a, "to": b}
                           for f, a, b in field_changes(old["record"], new["record"])],
                "text": text_diff(old["record"].get("body_text"), new["record"].get("body_text"),
                                  f"version {old['version']}", f"version {new['version']}")}  # fmt: skip
    if as_json:
        listed = [{k: v for k, v in version.items() if k != "record"} for version in versions]
        from crawler.store.export import FILE_KEYS

        stored = [{key: file.get(key) for key in FILE_KEYS} for file in files]
        click.echo(json.dumps({"document": document, "attachment_files": stored, "versions": listed,
                               "matches": matches, "diff": diff}, ensure_ascii=False))  # fmt: skip
        return 0
    _print_document(document, len(versions), files)
    _print_why(document, matches)
    if list_versions:
        click.echo("\nversions:")
        previous: dict[str, Any] | None = None
        for version in versions:
            changed = (
                ", ".join(f for f, _, _ in field_changes(previous, version["record"]))
                if previous
                else "first seen"
            )
            if previous and previous.get("body_text") != version["record"].get("body_text"):
                changed = ", ".join(filter(None, (changed, "body_text")))
            click.echo(f"  v{version['version']}  {shown(version['fetched_at'])}  "
                       f"{version['content_hash'][:12]}  run {version['run_id'] or '—'}  "
                       f"{changed or 'no field changed'}")  # fmt: skip
            previous = version["record"]
    if diff is not None:
        click.echo(click.style(f"\nversion {diff['from']} → version {diff['to']}", bold=True))
        for change in diff["fields"]:
            click.echo(f"  {change['field']}:")
            click.echo(click.style(f"  - {shown_value(change['from'])}", fg="red"))
            click.echo(click.style(f"  + {shown_value(change['to'])}", fg="green"))
        for line in diff["text"]:
            colour = {"+": "green", "-": "red", "@": "cyan"}.get(line[:1])
            click.echo(click.style("  " + line, fg=colour) if colour else "  " + line)
        if not diff["fields"] and not diff["text"]:
            click.echo("  no difference")
    elif not list_versions:
        click.echo("\n" + (document.get("body_text") or ""))
    return 0


def _why(
    document: dict[str, Any], files: list[dict[str, Any]], path: str | None
) -> dict[str, list[dict[str, str]]]:
    """rule → why the document matches it, and under "set aside" the occurrences judged another
    sense (`crawler.watch.explain`)."""
    from crawler.watch.explain import rule_matches
    from crawler.watch.rules import RulesError, load_rules

    try:
        rules = load_rules(path)
    except RulesError as error:
        raise fail("show", error) from None
    return rule_matches(document, files, rules)


def _print_why(document: dict[str, Any], matches: dict[str, list[dict[str, str]]]) -> None:
    from crawler.watch.explain import kind_evidence

    evidence = kind_evidence(document)
    if evidence:
        click.echo(f"{'why ' + document.get('kind', 'other') + ':':15} {'; '.join(evidence)}")
    for rule, reasons in matches.items():
        label = "set aside:" if rule == "set aside" else f"matches {rule}:"
        for reason in reasons:
            click.echo(f"{label:15} {reason['snippet']}\n{'':15} ← {reason['why']}")
            label = ""


def shown(value: str | None) -> str:
    from crawler.clock import shown as in_zone

    return in_zone(value)


def _pick(versions: list[dict[str, Any]], between: str) -> tuple[dict[str, Any], dict[str, Any]]:
    numbers = {version["version"]: version for version in versions}
    if not between:
        if len(versions) < 2:
            raise ValueError("--diff: the document has one version only; nothing to compare")
        return versions[-2], versions[-1]
    parts = between.split("..")
    try:
        first, last = (int(parts[0]), int(parts[1])) if len(parts) == 2 else (0, 0)
    except ValueError:
        first = last = 0
    if not (first and last):
        raise ValueError(f"--diff {between!r}: write two version numbers, e.g. --diff 1..2")
    for number in (first, last):
        if number not in numbers:
            raise ValueError(f"--diff: no version {number}; the versions are "
                             f"{', '.join(map(str, numbers))}")  # fmt: skip
    return numbers[first], numbers[last]


def _file_state(file: dict[str, Any] | None) -> str:
    """What was stored of an attachment: `pdf, 3 pages, 2,345 characters (OCR)`, or why not."""
    if file is None or not file.get("fetch_status"):
        return "not fetched"
    if file["fetch_status"] != "fetched":
        return f"{file['fetch_status']}: {file.get('fetch_error') or 'no reason given'}"
    parts = [file.get("file_type") or "file"]
    if file.get("page_count"):
        parts.append(f"{file['page_count']} page(s)")
    parts.append(
        f"{len(file.get('text') or ''):,} characters" + (" (OCR)" if file.get("ocr") else "")
    )
    return ", ".join(parts)


def _print_document(
    document: dict[str, Any], versions: int, files: list[dict[str, Any]] | None = None
) -> None:
    for key in SHOWN_FIELDS:
        value = document.get(key)
        if value:
            if key in ("published_at",):
                value = f"{value}  ({shown(value)})" if "T" in value else value
            click.echo(f"{key + ':':15} {value}")
    reply = document.get("reply") or {}
    for key in REPLY_SHOWN:
        value = reply.get(key)
        if value:
            click.echo(
                f"{'reply.' + key + ':':26} {'、'.join(value) if isinstance(value, list) else value}"
            )
    stored = {file["url"]: file for file in files or []}
    for attachment in document.get("attachments") or []:
        click.echo(f"{'attachment:':15} {attachment.get('name') or ''}  {attachment.get('url')}  "
                   f"[{_file_state(stored.get(attachment.get('url')))}]")  # fmt: skip
    click.echo(f"{'id:':15} {document['id']}   status {document['status']}"
               + (f" since {shown(document['gone_at'])}" if document.get("gone_at") else ""))  # fmt: skip
    click.echo(f"{'provenance:':15} fetched {document.get('fetched_url') or document['url']}; first seen "
               f"{shown(document['first_seen'])}, last seen {shown(document['last_seen'])}, changed "
               f"{shown(document['last_changed'])}; {versions} version(s)")  # fmt: skip


@cli.command()
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@json_option("one JSON object per file: type, page_count, text, pages (ocr, confidence), warnings")
@click.option("--pretty", is_flag=True, help="indent the JSON")
def attachment(files: tuple[str, ...], as_json: bool, pretty: bool) -> int:
    """The text of attachment files: PDF, scans, DOCX, DOC, WPS, XLS(X), OFD, ZIP, RAR.

    Page by page; scanned pages and images are read by OCR (Debian's tesseract-ocr and
    tesseract-ocr-chi-sim), and each page says whether its text came from OCR and how sure it is.

    \b
    Example: govwatch attachment 答复.pdf --json
    """
    from crawler.attachments.command import run_attachment

    code: int = run_attachment(list(files), as_json=as_json, pretty=pretty)
    return code
