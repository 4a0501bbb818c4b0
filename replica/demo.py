"""`govwatch demo`: the whole job on the embedded default — the replica and a fresh SQLite file.

Start the replica a few days before 2023-11-03; crawl it (the baseline: history, not news);
advance past 2023-11-03; run one scheduler pass; print the alerts — the real 西湖31号 reply on
open-source software among them, no 开源节流 false alarm; write the Atom feeds and the JSONL file.
"""

from __future__ import annotations

import contextlib
import json
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from crawler.config import Config
from crawler.run.schedule import run_pass
from replica.client import set_day

BEFORE, AFTER = "2023-10-30", "2023-11-06"


def _new_documents(db: str, second: Any) -> tuple[int, int]:
    """(new documents the rules flagged, new documents with 开源 in another sense only)."""
    from crawler.store import open_store

    runs = [summary["run"] for summary in second.crawls.values() if "run" in summary]
    with open_store(db) as store:
        rows = store.first_stored_in(runs)
        alerted = store.alerted_documents()
    flagged = sum(1 for row in rows if row["id"] in alerted)
    other = sum(
        1
        for row in rows
        if row["id"] not in alerted and "开源" in (row["title"] or "") + (row["body_text"] or "")
    )
    return flagged, other


SEED = "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"


def _live_on(docs: int, day: str) -> dict[str, int]:
    """Documents live on that day, per portal the demo crawls (mirrors are not portals)."""
    from replica.app import Replica
    from replica.corpus import day_number

    counts: dict[str, int] = {}
    for record in Replica(docs, day_number(day), 1).truth():
        counts[record["portal"]] = counts.get(record["portal"], 0) + 1
    return counts


def _left_out(name: str) -> str:
    """Why the demo does not crawl a site the replica serves."""
    from replica.sites import SITES_BY_NAME

    site = SITES_BY_NAME.get(name)
    if site is not None and site.mirror_of:
        return (f"the traditional-script mirror of {site.mirror_of}: the same documents, so it is "
                "left out (each would be stored twice)")  # fmt: skip
    family = site.family if site is not None else "another"
    return (f"a {family} portal with no shipped profile (the catalogue's or the tests'), served "
            "for the crawl tests; `govwatch portals enable` turns catalogue portals on")  # fmt: skip


def _command() -> str:
    """`govwatch` as the reader can type it: the bare name when the shell finds this very
    program, else the path it was started by (`.venv/bin/govwatch` after `make demo`)."""
    import os

    program = Path(sys.argv[0])
    found = shutil.which("govwatch")
    if program.name != "govwatch":
        return "govwatch" if found else f"{sys.executable} -m crawler"
    if found and Path(found).resolve() == program.resolve():
        return "govwatch"
    try:
        relative = os.path.relpath(program)
    except ValueError:
        return str(program)
    return str(program.resolve()) if relative.startswith("..") else relative


def run_demo(directory: Path, docs: int = 300, out: Any = None) -> dict[str, Any]:
    """Run the demo in `directory` (made afresh); what happened, for tests."""
    out = out or sys.stdout

    def say(text: str = "") -> None:
        print(text, file=out, flush=True)

    if directory.exists():
        shutil.rmtree(directory)
    directory.mkdir(parents=True)
    replica = subprocess.Popen(  # on ports the system picks: no race with what else runs
        [sys.executable, "-m", "crawler", "replica", "serve", "--docs", str(docs), "--day", BEFORE,
         "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True,
    )  # fmt: skip
    previous = signal.signal(signal.SIGTERM, lambda *_: (_ for _ in ()).throw(KeyboardInterrupt()))
    try:
        assert replica.stdout is not None
        sites = json.loads(replica.stdout.readline())["sites"]
        origin = next(iter(sites.values()))
        live = _live_on(docs, BEFORE)
        mirrors = [site for site in sites if site not in live]
        ports = sorted(int(url.rsplit(":", 1)[1]) for url in sites.values())
        say(f"1. The replica serves {len(sites)} portal sites on 127.0.0.1 (ports {ports[0]}–{ports[-1]}), "
            f"each with {docs} documents that appear over its simulated years; on {BEFORE}, "
            f"{sum(live.values())} of them are live on the {len(live)} portals govwatch crawls.")  # fmt: skip
        for name in mirrors:
            say(f"   {name}: {_left_out(name)}")
        config = Config(
            path=None,
            db=str(directory / "govwatch.db"),
            sinks=[{"type": "console"}, {"type": "jsonl", "path": str(directory / "alerts.jsonl")},
                   {"type": "atom", "dir": str(directory / "feeds"), "base_url": "http://127.0.0.1:8001/feeds"}],
            replica=origin,
        )  # fmt: skip
        started = time.monotonic()
        first = run_pass(config, only_due=False)
        new = sum(s.get("documents_new", 0) for s in first.crawls.values())
        requests = sum(s.get("requests", 0) for s in first.crawls.values())
        say(f"2. First crawl of {', '.join(first.crawls)}: {requests} requests, {new} documents stored "
            f"in {time.monotonic() - started:.1f} s. A first crawl is the baseline: history, not news, "
            "so it raises no alerts.")  # fmt: skip
        set_day(origin, AFTER)
        say(
            f"3. Time passes: the replica moves to {AFTER}; one scheduler pass crawls every portal again.\n"
        )
        with contextlib.redirect_stdout(out):  # the console sink prints where the demo does
            second = run_pass(config, only_due=False)
        new_docs = sum(s.get("documents_new", 0) for s in second.crawls.values())
        flagged, other_sense = _new_documents(config.db, second)
        say(f"4. The pass found {new_docs} new documents; the rules flagged {flagged} of them "
            f"({second.delivery.delivered} deliveries to {len(config.sinks)} sinks). "
            f"{other_sense} new document(s) use 开源 only in another sense (开源节流, 开源证券, 开源路…) "
            "and raised no alert.")  # fmt: skip
        say(
            f"\n5. Written: {directory / 'alerts.jsonl'} and the Atom feeds in {directory / 'feeds'}."
        )
        command, db = _command(), directory / "govwatch.db"
        say(f"   Next: {command} search 开源 --db {db}")
        say(f"         {command} alerts --db {db}")
        say(f"         {command} show {SEED} --db {db}")
        say(f"         {command} serve --db {db}   (Datasette on 127.0.0.1:8001)")
        alerts = [
            json.loads(line)
            for line in (directory / "alerts.jsonl").read_text(encoding="utf-8").splitlines()
        ]
        return {"first": first, "second": second, "alerts": alerts}
    finally:
        signal.signal(signal.SIGTERM, previous)
        replica.terminate()
        try:
            replica.wait(timeout=10)
        except subprocess.TimeoutExpired:
            replica.kill()
