"""The `govwatch` command: a thin layer over the library."""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from crawler.extract import extract_document
from crawler.items import Document

EXIT_USAGE = 2


def one_line(error: object) -> str:
    """An error as one line (a YAML parser's message spans several)."""
    return " ".join(str(error).split())


def _extract_file(path: Path, url: str | None, encoding: str | None) -> Document:
    body = path.read_bytes()
    document = extract_document(body, url or path.resolve().as_uri(), encoding=encoding)
    page_url = document.meta.get("Url", "")
    if url is None and page_url.startswith(("http://", "https://")):
        # A saved page that names its own address: resolve its links against that address.
        document = extract_document(body, page_url, encoding=encoding)
    return document


def cmd_extract(args: argparse.Namespace) -> int:
    documents: list[Document] = []
    for name in args.files:
        path = Path(name)
        try:
            documents.append(_extract_file(path, args.url, args.encoding))
        except OSError as error:
            reason = error.strerror or str(error)
            print(f"govwatch extract: cannot read {name}: {reason}", file=sys.stderr)
            return EXIT_USAGE
    for document in documents:
        indent = 2 if args.pretty else None
        print(json.dumps(document.to_record(), ensure_ascii=False, indent=indent))
    return 0


def cmd_demo(args: argparse.Namespace) -> int:
    from crawler.demo import run_demo

    print("govwatch demo — the replica portals, a fresh SQLite file, one scheduler pass.\n")
    try:
        run_demo(Path(args.dir), args.docs)
    except KeyboardInterrupt:
        print("\ngovwatch demo: stopped; the replica was shut down", file=sys.stderr)
        return 130
    return 0


def _replica(args: argparse.Namespace) -> Any:
    from crawler.replica.app import Replica
    from crawler.replica.corpus import day_number
    from crawler.replica.faults import FaultSpecError

    try:
        day = day_number(args.day) if args.day is not None else _today()
        return Replica(args.docs, day, args.seed, getattr(args, "faults", None))
    except (ValueError, FaultSpecError) as error:
        print(f"govwatch replica: {one_line(error)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def _today() -> int:
    """The replica's default day: today, within the corpus."""
    import datetime as dt

    from crawler.replica.corpus import EPOCH, LAST_DAY

    return min((dt.date.today() - EPOCH).days, LAST_DAY)


def cmd_replica_serve(args: argparse.Namespace) -> int:
    from twisted.internet.error import CannotListenError

    from crawler.replica.server import serve

    replica = _replica(args)
    try:
        serve(replica, args.host, args.port)
    except CannotListenError as error:
        print(f"govwatch replica: cannot listen on {error.interface or args.host}:{error.port}: "
              f"{error.socketError}; give another --port (it serves {len(replica.handlers)} "
              "consecutive ports)", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE
    return 0


def cmd_replica_truth(args: argparse.Namespace) -> int:
    replica = _replica(args)
    out = sys.stdout
    for record in replica.truth():
        out.write(json.dumps(record, ensure_ascii=False) + "\n")
    return 0


def default_db() -> str:
    return os.environ.get("GOVWATCH_DB") or "govwatch.db"


def _profiles(args: argparse.Namespace) -> dict[str, Any]:
    from crawler.profiles import ProfileError, load_profiles

    try:
        return load_profiles(args.profiles)
    except ProfileError as error:
        print(f"govwatch: {one_line(error)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def cmd_portals(args: argparse.Namespace) -> int:
    profiles = _profiles(args)
    for profile in profiles.values():
        columns = ", ".join(f"{c.name} ({c.id})" for c in profile.columns)
        schedule = (
            f"cron {profile.cron}"
            if profile.cron
            else f"every {profile.interval_seconds // 60} min"
        )
        print(f"{profile.name:14} {profile.family:7} {profile.origin:32} {schedule:18} {columns}")
    print(f"\n{len(profiles)} portals, all valid")
    return 0


class ReplicaError(ValueError):
    """--replica names no running replica."""


def replica_of(url: str) -> tuple[dict[str, str], str]:
    """A running replica's sites and simulated day, or a one-line error."""
    from spiders.base import replica_sites, replica_today

    try:
        return replica_sites(url), replica_today(url)
    except (OSError, ValueError, KeyError) as error:
        reason = getattr(error, "reason", None) or error
        raise ReplicaError(
            f"--replica {url}: no replica answers there ({reason}); give the URL "
            "`govwatch replica serve` printed, e.g. http://127.0.0.1:8400"
        ) from None


def cmd_crawl(args: argparse.Namespace) -> int:
    from crawler import crawl
    from crawler.profiles import ProfileError, select
    from crawler.store import StoreError
    from crawler.watch import RulesError

    profiles = _profiles(args)
    today = None
    try:
        if args.replica:
            served, today = replica_of(args.replica)
            profiles = {name: p for name, p in profiles.items() if name in served}
        chosen = select(profiles, args.portals)
    except (ProfileError, ReplicaError) as error:
        print(f"govwatch crawl: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    try:
        summary = crawl.run(
            chosen, db=args.db, full=args.full, replica=args.replica, today=today,
            profiles_dir=args.profiles, log_level="INFO" if args.verbose else "WARNING",
            progress=args.progress, rules=args.rules,
        )  # fmt: skip
    except (StoreError, RulesError) as error:
        print(f"govwatch crawl: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps(summary, ensure_ascii=False), flush=True)
    else:
        print(
            f"{summary['requests']} requests, {summary['documents_new']} new, "
            f"{summary['documents_changed']} changed, {summary['documents_gone']} gone, "
            f"{summary['errors']} errors, {len(summary['blocked'])} blocked "
            f"in {summary['duration_s']} s (run {summary['run']})"
        )
        for blocked in summary["blocked"]:
            print(
                f"  blocked: {blocked['portal']} {blocked['column']} {blocked['url']}: {blocked['message']}"
            )
    code = crawl.EXIT_CODES[summary["status"]]
    if code:
        print(f"govwatch crawl: {crawl.problem_line(summary)}", file=sys.stderr)
    return code


def _store(args: argparse.Namespace, immutable: bool = False) -> Any:
    """The corpus, read-only: read commands never migrate, convert or write a database."""
    from crawler.store import Store, StoreError

    try:
        return Store(args.db, readonly=True, immutable=immutable)
    except StoreError as error:
        print(f"govwatch: {one_line(error)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def cmd_search(args: argparse.Namespace) -> int:
    with _store(args) as store:
        hits = store.search(
            args.query, portal=args.portal, kind=args.kind, since=args.since, limit=args.limit
        )
    for hit in hits:
        if args.json:
            keys = ("url", "title", "portal", "kind", "published_at", "snippet")
            print(json.dumps({key: hit.get(key) for key in keys}, ensure_ascii=False))
        else:
            print(f"{(hit['published_at'] or '')[:10]}  {hit['portal']}  {hit['kind']}\n  {hit['title']}\n"
                  f"  {hit['url']}\n  {hit['snippet']}\n")  # fmt: skip
    if not args.json:
        print(f"{len(hits)} hit(s)")
    return 0


def cmd_export(args: argparse.Namespace) -> int:
    import contextlib

    from crawler import export

    with _store(args) as store, contextlib.ExitStack() as stack:
        try:
            if args.format == "warc":
                binary = (
                    stack.enter_context(open(args.output, "wb"))
                    if args.output
                    else sys.stdout.buffer
                )
                count = export.write_warc(store, binary, args.kind, args.since)
            else:
                text = (
                    stack.enter_context(open(args.output, "w", encoding="utf-8", newline=""))
                    if args.output
                    else sys.stdout
                )
                writer = export.write_jsonl if args.format == "jsonl" else export.write_csv
                count = writer(store, text, args.kind, args.since)
        except BrokenPipeError:
            raise
        except OSError as error:
            where = args.output or "standard output"
            print(f"govwatch export: cannot write {where}: {error.strerror or error}; "
                  "give -o a file in a directory that exists and is writable", file=sys.stderr)  # fmt: skip
            return 1
    print(f"govwatch export: {count} record(s)", file=sys.stderr)
    return 0


def cmd_migrate(args: argparse.Namespace) -> int:
    from crawler.migrate import run_migrate

    return run_migrate(args.source, args.target)


def cmd_nodes(args: argparse.Namespace) -> int:
    from crawler.nodes import run_nodes

    if args.action and not args.url:
        print(
            f"govwatch nodes {args.action}: give the node's URL, e.g. http://10.0.0.5:6800",
            file=sys.stderr,
        )
        return EXIT_USAGE
    return run_nodes(args.db, args.action, args.url, args.tag)


def cmd_cluster(args: argparse.Namespace) -> int:
    from crawler.cluster import run_cluster

    return run_cluster(args.action, args.docs)


def cmd_serve(args: argparse.Namespace) -> int:
    import signal
    import subprocess
    import tempfile

    from crawler.browse import PLUGINS, metadata
    from crawler.store import StoreError, is_url

    if is_url(args.db):
        raise StoreError("serve browses a SQLite corpus (Datasette); for a PostgreSQL corpus "
                         "point a PostgreSQL client at it, or copy it with `govwatch migrate`")  # fmt: skip
    with _store(args, immutable=args.immutable):
        pass  # a clear error for a missing, foreign or newer database, before Datasette starts
    name = Path(args.db).stem
    with tempfile.NamedTemporaryFile("w", suffix=".json", delete=False, encoding="utf-8") as handle:
        json.dump(metadata(name), handle, ensure_ascii=False)
    database = ["--immutable", args.db] if args.immutable else [args.db]
    command = [sys.executable, "-m", "datasette", "serve", *database, "-h", args.host, "-p", str(args.port),
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


def _rules(args: argparse.Namespace) -> list[Any]:
    from crawler.watch import RulesError, load_rules

    try:
        rules = load_rules(args.rules)
    except RulesError as error:
        print(f"govwatch rules: {one_line(error)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None
    if args.rule:
        chosen = [rule for rule in rules if rule.name == args.rule]
        if not chosen:
            names = ", ".join(rule.name for rule in rules)
            print(f"govwatch rules: no rule {args.rule!r}; the rules are {names}", file=sys.stderr)
            raise SystemExit(EXIT_USAGE)
        return chosen
    return rules


def cmd_rules_test(args: argparse.Namespace) -> int:
    rules = _rules(args)
    for name in args.files:
        path = Path(name)
        try:
            if path.suffix.lower() in (".html", ".htm", ".shtml"):
                record = _extract_file(path, None, None).to_record()
            else:
                record = {"title": None, "body_text": path.read_text(encoding="utf-8", errors="replace"),
                          "kind": None, "attachments": []}  # fmt: skip
        except OSError as error:
            print(
                f"govwatch rules test: cannot read {name}: {error.strerror or error}",
                file=sys.stderr,
            )
            return EXIT_USAGE
        results: dict[str, dict[str, Any]] = {}
        for rule in rules:
            hits, rejected = rule.judge(record)
            results[rule.name] = {"matched": bool(hits), "snippets": [hit.snippet for hit in hits],
                                  "evidence": [hit.explanation for hit in hits],
                                  "rejected": [{"snippet": r.snippet, "why": r.why} for r in rejected]}  # fmt: skip
        if args.json:
            print(json.dumps({"file": name, "rules": results}, ensure_ascii=False))
            continue
        print(f"{name}  (kind: {record.get('kind') or 'unknown'})")
        for rule_name, result in results.items():
            print(f"  {rule_name:24} {'MATCH' if result['matched'] else 'no match'}")
            for snippet, why in list(zip(result["snippets"], result["evidence"], strict=True))[:3]:
                print(f"      {snippet}\n        ← {why}")
            for rejected in result["rejected"][:3]:
                print(f"      set aside: {rejected['snippet']}\n        ← {rejected['why']}")
    return 0


def cmd_rules_backtest(args: argparse.Namespace) -> int:
    rules = _rules(args)
    counts = dict.fromkeys((rule.name for rule in rules), 0)
    with _store(args) as store:
        for record in store.records():
            for rule in rules:
                hits = rule.match(record, record.get("portal"))
                if hits:
                    counts[rule.name] += 1
                    if args.json:
                        print(json.dumps({"rule": rule.name, "url": record["url"], "title": record["title"],
                                          "kind": record["kind"], "published_at": record["published_at"],
                                          "snippets": [h.snippet for h in hits][:3]}, ensure_ascii=False))  # fmt: skip
                    else:
                        print(f"{rule.name:24} {(record['published_at'] or '')[:10]}  {record['title']}\n"
                              f"{'':24} {record['url']}\n{'':24} {hits[0].snippet}")  # fmt: skip
    if not args.json:
        print("; ".join(f"{name}: {count} document(s)" for name, count in counts.items()))
    return 0


def _config(args: argparse.Namespace) -> Any:
    from crawler.config import ConfigFileError, load_config

    try:
        return load_config(args.config, args.db)
    except ConfigFileError as error:
        print(f"govwatch: {one_line(error)}", file=sys.stderr)
        raise SystemExit(EXIT_USAGE) from None


def cmd_run(args: argparse.Namespace) -> int:
    import signal

    from crawler.config import ConfigFileError
    from crawler.notify import ConfigError
    from crawler.profiles import ProfileError
    from crawler.schedule import crawl_status, request_stop, run_pass, stopping
    from crawler.watch import RulesError

    config = _config(args)
    stopping.clear()
    # SIGTERM (systemd, a timeout) or Ctrl-C: the running crawl stops cleanly, nothing else runs.
    previous = {signum: signal.signal(signum, lambda *_: request_stop())
                for signum in (signal.SIGTERM, signal.SIGINT)}  # fmt: skip
    try:
        result = run_pass(
            config,
            only_due=args.due or not (args.all or args.portals),
            portals=args.portals or None,
        )
    except (ConfigError, ConfigFileError, ProfileError, RulesError, ReplicaError) as error:
        print(f"govwatch run: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)
    problems = []
    for portal, summary in result.crawls.items():
        status = crawl_status(summary)
        if "requests" in summary:
            print(f"{portal}: {status}: {summary['requests']} requests, {summary['documents_new']} new, "
                  f"{summary['documents_changed']} changed, {summary['documents_gone']} gone, "
                  f"{summary['errors']} errors, {len(summary['blocked'])} blocked"
                  + (f" ({summary['error']})" if summary.get("error") else ""))  # fmt: skip
        else:
            print(f"{portal}: {status}: {summary.get('error')}")
        if status != "done":
            problems.append(f"{portal} {status}")
    if not result.crawls and not result.interrupted:
        print("no portal is due")
    delivery = result.delivery
    print(f"alerts: {delivery.delivered} delivered, {delivery.waiting} waiting for a retry"
          + (f" ({'; '.join(delivery.errors)})" if delivery.errors else ""))  # fmt: skip
    if result.interrupted:
        problems.append("interrupted: alerts stay in the outbox for the next run")
    if delivery.failed:
        problems.append(f"{delivery.waiting} alert deliveries waiting ({delivery.errors[0]})")
    if result.exit_code:
        print(f"govwatch run: {'; '.join(problems)}", file=sys.stderr)
    return result.exit_code


def cmd_schedule(args: argparse.Namespace) -> int:
    from crawler.config import ConfigFileError
    from crawler.notify import ConfigError
    from crawler.profiles import ProfileError
    from crawler.schedule import Scheduler, SchedulerLocked
    from crawler.watch import RulesError

    config = _config(args)
    try:
        Scheduler(config).run_forever()
    except (SchedulerLocked, ConfigError, ConfigFileError, ProfileError, RulesError) as error:
        print(f"govwatch schedule: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    return 0


def cmd_status(args: argparse.Namespace) -> int:
    from crawler.config import ConfigFileError
    from crawler.profiles import ProfileError
    from crawler.schedule import status

    config = _config(args)
    with _store(argparse.Namespace(db=config.db)) as store:
        counts = store.counts()
    try:
        rows = status(config)
    except (ProfileError, ConfigFileError) as error:
        print(f"govwatch status: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    if args.json:
        print(json.dumps({"documents": counts, "portals": rows}, ensure_ascii=False))
        return 0
    print(
        f"{config.db}: {counts['documents']} documents ({counts['live']} live), {counts['versions']} versions"
    )
    for row in rows:
        print(
            f"{row['portal']:14} last run {row['last_run'] or '—':26} {row['health']:24} next {row['next_run']}"
        )
    return 0


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="govwatch",
        description="Monitor Chinese government information-disclosure portals (政府信息公开).",
    )
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    extract = commands.add_parser(
        "extract",
        help="extract every field of saved disclosure pages as JSON",
        description="Print one JSON object per FILE (one per line) with every extracted field. "
        "Example: govwatch extract page.html --url http://jxj.hangzhou.gov.cn/art/…html",
    )
    extract.add_argument("files", nargs="+", metavar="FILE", help="a saved HTML page")
    extract.add_argument(
        "--url", help="the page's address (default: its Url meta tag, else the file)"
    )
    extract.add_argument("--encoding", help="the charset the server declared (default: detect)")
    extract.add_argument("--pretty", action="store_true", help="indent the JSON")
    extract.set_defaults(func=cmd_extract)

    demo = commands.add_parser(
        "demo",
        help="show the whole job on the embedded default",
        description="Start the replica before 2023-11-03, crawl it into a fresh SQLite file, move "
        "time past 2023-11-03, run one scheduler pass and print the alert for the real 西湖31号 reply.",
    )
    demo.add_argument(
        "--dir", default="govwatch-demo", help="where the database, alerts and feeds go"
    )
    demo.add_argument("--docs", type=int, default=300, help="documents per replica site")
    demo.set_defaults(func=cmd_demo)

    portals = commands.add_parser(
        "portals",
        help="list and validate the portal profiles",
        description="List the portal profiles (shipped, $GOVWATCH_PROFILES, --profiles) and "
        "validate them. Example: govwatch portals --profiles ./my-portals",
    )
    portals.add_argument("--profiles", metavar="DIR", help="a directory of your own profiles")
    portals.set_defaults(func=cmd_portals)

    crawl_cmd = commands.add_parser(
        "crawl",
        help="crawl portals once into the corpus",
        description="Crawl the named portals (all by default) once. Example: govwatch crawl "
        "hangzhou-jxj --db corpus.db, or govwatch crawl --replica http://127.0.0.1:8400 --json",
    )
    crawl_cmd.add_argument("portals", nargs="*", metavar="PORTAL")
    crawl_cmd.add_argument(
        "--db", default=default_db(), help="the corpus (default govwatch.db or $GOVWATCH_DB)"
    )
    crawl_cmd.add_argument(
        "--full", action="store_true", help="walk every listing page and revisit every document"
    )
    crawl_cmd.add_argument(
        "--replica", metavar="URL", help="crawl the portals a running replica serves"
    )
    crawl_cmd.add_argument("--profiles", metavar="DIR", help="a directory of your own profiles")
    crawl_cmd.add_argument(
        "--rules", metavar="FILE", help="watch rules for alerts (default: the shipped rules)"
    )
    crawl_cmd.add_argument("--json", action="store_true", help="print the run's summary as JSON")
    crawl_cmd.add_argument("--verbose", action="store_true", help="log every request")
    crawl_cmd.add_argument(
        "--progress", action="store_true", help="print progress every 10 s (on at a terminal)"
    )
    crawl_cmd.set_defaults(func=cmd_crawl)

    search = commands.add_parser(
        "search",
        help="full-text search of the corpus",
        description="Search titles, bodies, reply fields and attachment names, in either script; "
        "two-character words work. Example: govwatch search 开源软件 --kind reply",
    )
    search.add_argument("query")
    search.add_argument(
        "--db", default=default_db(), help="the corpus (default govwatch.db or $GOVWATCH_DB)"
    )
    search.add_argument("--portal", help="only this portal")
    search.add_argument("--kind", choices=("reply", "co_handling_opinion", "other"))
    search.add_argument("--since", metavar="DATE", help="published on or after this ISO date")
    search.add_argument("--limit", type=int, default=20)
    search.add_argument("--json", action="store_true", help="one JSON object per hit")
    search.set_defaults(func=cmd_search)

    export_cmd = commands.add_parser(
        "export",
        help="export the corpus as JSONL, CSV or WARC",
        description="One record per document with provenance; warc writes the stored raw "
        "responses. Example: govwatch export --format jsonl --kind reply -o replies.jsonl",
    )
    export_cmd.add_argument("--format", choices=("jsonl", "csv", "warc"), default="jsonl")
    export_cmd.add_argument(
        "--db", default=default_db(), help="the corpus (default govwatch.db or $GOVWATCH_DB)"
    )
    export_cmd.add_argument("--kind", choices=("reply", "co_handling_opinion", "other"))
    export_cmd.add_argument("--since", metavar="DATE", help="published on or after this ISO date")
    export_cmd.add_argument(
        "-o", "--output", metavar="FILE", help="write here (default standard output)"
    )
    export_cmd.set_defaults(func=cmd_export)

    serve = commands.add_parser(
        "serve",
        help="browse the corpus with Datasette",
        description="Datasette on the corpus, with facets and canned queries (latest replies, "
        "open-source hits, search). Example: govwatch serve --db govwatch.db --port 8001",
    )
    serve.add_argument(
        "--db", default=default_db(), help="the corpus (default govwatch.db or $GOVWATCH_DB)"
    )
    serve.add_argument("--host", default="127.0.0.1", help="interface (default loopback)")
    serve.add_argument("--port", type=int, default=8001)
    serve.add_argument("--immutable", action="store_true", help="open the database read-only")
    serve.set_defaults(func=cmd_serve)

    migrate = commands.add_parser(
        "migrate",
        help="copy a corpus to another database, counts and hashes checked",
        description="Copies every table (raw responses, runs, alerts, deliveries) into a new, "
        "empty corpus in one transaction, then counts and hashes both sides. Example: govwatch "
        "migrate --from govwatch.db --to postgresql://govwatch@db.example/govwatch",
    )
    migrate.add_argument("--from", dest="source", required=True, help="the corpus to copy")
    migrate.add_argument("--to", dest="target", required=True, help="a new, empty corpus")
    migrate.set_defaults(func=cmd_migrate)

    nodes = commands.add_parser(
        "nodes",
        help="crawl nodes on Scrapyd: list with health and jobs, add, remove",
        description="Examples: govwatch nodes add http://10.0.0.5:6800 --tag cn; govwatch nodes",
    )
    nodes.add_argument("action", nargs="?", choices=("add", "remove"))
    nodes.add_argument("url", nargs="?", help="the node's Scrapyd URL")
    nodes.add_argument("--tag", action="append", default=[], help="where it stands, e.g. cn")
    nodes.add_argument(
        "--db", default=default_db(), help="the corpus (default govwatch.db or $GOVWATCH_DB)"
    )
    nodes.set_defaults(func=cmd_nodes)

    cluster = commands.add_parser(
        "cluster",
        help="the scaled-out setup on this machine: PostgreSQL, two Scrapyd nodes, a node killed",
        description="Example: govwatch cluster demo (needs Debian's postgresql and scrapyd)",
    )
    cluster.add_argument("action", choices=("demo",))
    cluster.add_argument("--docs", type=int, default=60, help="documents per replica site")
    cluster.set_defaults(func=cmd_cluster)

    rules = commands.add_parser(
        "rules",
        help="test watch rules on files, or on the stored corpus",
        description="Watch rules decide which documents deserve an alert (default: the shipped "
        "open-source and open-source-replies rules).",
    )
    rule_actions = rules.add_subparsers(dest="action", required=True, metavar="ACTION")
    rules_test = rule_actions.add_parser(
        "test",
        help="whether each rule matches saved pages (.html) or plain text (.txt)",
        description="Example: govwatch rules test page.html notes.txt --rule open-source-replies. A page "
        "is judged on its extracted document; a text file as a body of unknown kind.",
    )
    rules_test.add_argument("files", nargs="+", metavar="FILE")
    rules_test.set_defaults(func=cmd_rules_test)
    rules_backtest = rule_actions.add_parser(
        "backtest",
        help="what the rules would have flagged in the stored corpus",
        description="Example: govwatch rules backtest --rule open-source-replies --db govwatch.db",
    )
    rules_backtest.add_argument(
        "--db", default=default_db(), help="the corpus (default govwatch.db or $GOVWATCH_DB)"
    )
    rules_backtest.set_defaults(func=cmd_rules_backtest)
    for action in (rules_test, rules_backtest):
        action.add_argument(
            "--rules", metavar="FILE", help="a rules file (default: the shipped rules)"
        )
        action.add_argument("--rule", metavar="NAME", help="only this rule")
        action.add_argument("--json", action="store_true", help="one JSON object per line")

    run = commands.add_parser(
        "run",
        help="one scheduler pass: crawl the due portals, then deliver alerts",
        description="One pass, for people who prefer system cron: crawl the portals that are due "
        "(or those named, or --all), each in a child process with a timeout, then deliver the "
        "alerts to the sinks of govwatch.yaml. Example: govwatch run --due --config govwatch.yaml",
    )
    run.add_argument("portals", nargs="*", metavar="PORTAL")
    run.add_argument(
        "--due", action="store_true", help="only the portals that are due (the default)"
    )
    run.add_argument("--all", action="store_true", help="every portal, due or not")
    schedule = commands.add_parser(
        "schedule",
        help="run crawls on schedule and deliver alerts, until stopped",
        description="Each portal on its own trigger (interval or cron with jitter) from its "
        "profile or govwatch.yaml; overdue portals run at start; one scheduler per database. "
        "Example: govwatch schedule --config govwatch.yaml",
    )
    status_cmd = commands.add_parser(
        "status",
        help="each portal's last run, health and next run",
        description="Example: govwatch status --config govwatch.yaml",
    )
    status_cmd.add_argument("--json", action="store_true", help="print JSON")
    for command, func in ((run, cmd_run), (schedule, cmd_schedule), (status_cmd, cmd_status)):
        command.add_argument(
            "--config", metavar="FILE", help="govwatch.yaml (default ./govwatch.yaml if present)"
        )
        command.add_argument(
            "--db", help="the corpus (default: the config's, $GOVWATCH_DB or govwatch.db)"
        )
        command.set_defaults(func=func)

    replica = commands.add_parser(
        "replica",
        help="local portals that behave like the real ones",
        description="Serve simulated disclosure portals (Hanweb classic and its traditional "
        "mirror, jpaas, TRS WCM, www.gov.cn) or print the truth about their documents.",
    )
    actions = replica.add_subparsers(dest="action", required=True, metavar="ACTION")
    from crawler.replica.faults import __doc__ as faults_help

    for name, func, text in (
        ("serve", cmd_replica_serve, "serve every site on consecutive ports from --port"),
        (
            "truth",
            cmd_replica_truth,
            "print JSONL: every document live on --day, with its true fields",
        ),
    ):
        action = actions.add_parser(
            name,
            help=text,
            description=f"{text}. Example: govwatch replica {name} --docs 1000 --day 2023-11-03",
            epilog=f"--faults: {faults_help}" if name == "serve" else None,
            formatter_class=argparse.RawDescriptionHelpFormatter,
        )
        action.add_argument("--docs", type=int, default=200, help="documents per site (≤ 50000)")
        action.add_argument("--day", help="ISO date or day number from 2023-01-01 (default: today)")
        action.add_argument("--seed", type=int, default=1, help="corpus seed (default 1)")
        if name == "serve":
            action.add_argument("--host", default="127.0.0.1", help="interface (default loopback)")
            action.add_argument("--port", type=int, default=8400, help="first port (default 8400)")
            action.add_argument("--faults", metavar="SPEC", help="opt-in faults, see below")
        action.set_defaults(func=func)
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    import sqlite3

    from crawler.store import ClockError, StoreError, utcnow

    args = build_parser().parse_args(argv)
    try:
        utcnow()  # a $GOVWATCH_NOW that is no time: said once, here
        result: int = args.func(args)
        sys.stdout.flush()
        return result
    except BrokenPipeError:
        # `govwatch … | head`: the reader has gone, and wants no more. Nothing to report.
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())
        return 141
    except (ClockError, StoreError) as error:
        print(f"govwatch: {one_line(error)}", file=sys.stderr)
        return EXIT_USAGE
    except sqlite3.DatabaseError as error:
        db = getattr(args, "db", None) or "the database"
        print(f"govwatch: {db}: {error}; restore it from a backup, or salvage what is readable "
              f"with `sqlite3 {db} .recover`", file=sys.stderr)  # fmt: skip
        return EXIT_USAGE


if __name__ == "__main__":
    sys.exit(main())
