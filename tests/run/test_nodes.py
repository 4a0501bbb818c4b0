"""Crawl nodes: chosen by tags and health, one lease per portal (on both backends), a dead
node's portal crawled elsewhere once its lease expires; a real Scrapyd node crawls the replica."""

from __future__ import annotations

import datetime as dt
import os
import shutil
import signal
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from crawl_helpers import free_block, served_replica, set_day, truth

from crawler.run.nodes.dispatch import _summary, choose, dispatch, reconcile, stand_in_settings
from crawler.run.nodes.scrapyd import node_status, start_node
from crawler.store import RunStats, Store, open_store
from crawler.store.nodes import Node

T0 = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def ok(**change: Any) -> dict[str, Any]:
    return {"status": "ok", "running": [], "pending": 0, "finished": [], **change}


def test_choose_by_tags_health_and_load() -> None:
    nodes = [Node("http://a", ("cn",)), Node("http://b", ("cn", "gz")), Node("http://c")]
    statuses = {"http://a": ok(running=["j1"]), "http://b": ok(), "http://c": ok()}
    assert choose(("cn",), nodes, statuses) == nodes[1]  # the less busy of the two cn nodes
    assert choose((), nodes, statuses) == nodes[1]  # b and c idle: by URL
    assert choose(("gz",), nodes, {**statuses, "http://b": {"status": "down"}}) is None
    assert choose(("us",), nodes, statuses) is None


def test_one_lease_per_portal_until_it_expires(corpus: str) -> None:
    with open_store(corpus) as store:
        assert store.acquire_lease("govcn", "http://a", "s1", 60, T0)
        assert not store.acquire_lease("govcn", "http://b", "s2", 60, T0 + dt.timedelta(seconds=59))
        assert store.renew_lease("govcn", "s1", 60, T0 + dt.timedelta(seconds=30), job="j1")
        assert not store.renew_lease("govcn", "s2", 60, T0)  # not its lease
        assert not store.acquire_lease("govcn", "http://b", "s2", 60, T0 + dt.timedelta(seconds=89))
        later = T0 + dt.timedelta(seconds=91)  # s1 stopped renewing: expired
        assert store.acquire_lease("govcn", "http://b", "s2", 60, later)
        (lease,) = store.leases()
        assert (lease["node"], lease["holder"], lease["job"]) == ("http://b", "s2", None)
        store.release_lease("govcn", "s1")  # a stale holder releases nothing
        assert len(store.leases()) == 1
        store.release_lease("govcn", "s2")
        assert store.leases() == []


def test_a_dead_nodes_portal_goes_elsewhere_after_its_lease(corpus: str) -> None:
    scheduled: list[tuple[str, str]] = []

    def schedule(url: str, run_id: int, settings: dict[str, str]) -> str:
        scheduled.append((url, str(run_id)))
        assert settings["GOVWATCH_DB"] == corpus and int(settings["GOVWATCH_RUN_ID"]) == run_id
        return f"job-{len(scheduled)}"

    portals = [("hubei-jxt", "trs", ("cn",)), ("govcn", "govcn", ())]
    with open_store(corpus) as store:
        store.add_node("http://a:6800/", ["cn"])
        store.add_node("http://b:6800", ["cn"])
        statuses = {"http://a:6800": ok(), "http://b:6800": ok(running=["x", "y"])}
        first = dispatch(store, portals, "s1", corpus, 120, statuses, schedule, T0)
        assert [(d.portal, d.node, d.job) for d in first] == [
            ("hubei-jxt", "http://a:6800", "job-1"), ("govcn", "http://a:6800", "job-2")]  # fmt: skip
        # Another scheduler at once: both portals are leased, nothing runs twice.
        again = dispatch(store, portals, "s2", corpus, 120, statuses, schedule, T0)
        assert [d.reason for d in again] == ["leased: a node crawls it now"] * 2
        # Node a dies (kill -9): its leases are not renewed...
        down = {"http://a:6800": {"status": "down"}, "http://b:6800": ok()}
        assert set(reconcile(store, "s1", 120, down, T0 + dt.timedelta(seconds=60)).values()) == {
            "node down: lease left to expire"
        }
        early = dispatch(
            store, portals[:1], "s1", corpus, 120, down, schedule, T0 + dt.timedelta(seconds=100)
        )
        assert early[0].reason.startswith("leased")
        # ...and once they expire, the portal goes to b.
        late = dispatch(
            store, portals[:1], "s1", corpus, 120, down, schedule, T0 + dt.timedelta(seconds=121)
        )
        assert (late[0].node, late[0].job) == ("http://b:6800", "job-3")
        # job-3 records its run as it closes (NodeJob, on the node), then its node says finished.
        (lease,) = [lease for lease in store.leases() if lease["portal"] == "hubei-jxt"]
        store.finish_run(lease["run_id"], RunStats(documents_new=4), 1.0, "done")
        done = {"http://b:6800": ok(finished=["job-3"])}
        assert reconcile(store, "s1", 120, done, T0 + dt.timedelta(seconds=130)) == {
            "govcn": "node down: lease left to expire", "hubei-jxt": "finished"}  # fmt: skip
        runs = {row["id"]: row["status"] for row in store.db.query("SELECT id, status FROM runs")}
        assert len(runs) == 3 and list(runs.values()).count("done") == 1
        assert runs[lease["run_id"]] == "done"  # the job's own record stands


def test_a_job_that_ends_without_recording_its_run_is_a_failed_run(corpus: str) -> None:
    with open_store(corpus) as store:
        store.add_node("http://a:6800", [])
        sent = dispatch(store, [("govcn", "govcn", ())], "s1", corpus, 120, {"http://a:6800": ok()},
                        lambda *args: "job-1", T0)  # fmt: skip
        assert sent[0].job == "job-1"
        (lease,) = store.leases()
        finished = {"http://a:6800": ok(finished=["job-1"])}
        assert reconcile(store, "s1", 120, finished, T0) == {"govcn": "finished"}
        (run,) = list(store.db.query("SELECT status, errors FROM runs"))
        assert run == {"status": "failed", "errors": 1}
        summary = _summary(store, lease)
        assert summary["status"] == "failed" and "without recording its run" in summary["error"]


@pytest.fixture
def scrapyd_url(tmp_path: Path) -> Iterator[str]:
    """A Scrapyd crawl node on loopback, for one test."""
    if not (Path(sys.executable).parent / "scrapyd").exists() and not shutil.which("scrapyd"):
        pytest.skip("scrapyd missing: pip install -e '.[dev]'")
    port = free_block(1)
    node = start_node(tmp_path / "node", port)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        os.killpg(node.pid, signal.SIGKILL)  # its session: the daemon and any job it left running
        node.wait()


def test_a_scrapyd_node_crawls_a_portal_into_the_corpus(
    corpus: str, tmp_path: Path, scrapyd_url: str
) -> None:
    from crawler.cli import main

    url = scrapyd_url
    with served_replica(20, 1400) as replica:
        set_day(replica, 1400)
        assert main(["nodes", "add", url, "--tag", "cn", "--db", corpus]) == 0
        assert main(["nodes", "add", "http://127.0.0.1:9", "--db", corpus]) == 1  # down: said
        assert main(["nodes", "--db", corpus]) == 1  # one node is down: said, exit 1
        settings = stand_in_settings(replica)
        with open_store(corpus) as store:
            statuses = {
                url: node_status(url),
                "http://127.0.0.1:9": node_status("http://127.0.0.1:9"),
            }
            (sent,) = dispatch(store, [("hangzhou-jxj", "hanweb", ("cn",))], "t", corpus, 300,
                               statuses, settings=settings)  # fmt: skip
            assert sent.node == url and sent.job
            deadline = time.monotonic() + 120
            while (
                reconcile(store, "t", 300, {url: node_status(url)}).get("hangzhou-jxj")
                != "finished"
            ):
                assert time.monotonic() < deadline, (tmp_path / "node").glob("logs/**/*.log")
                time.sleep(0.5)
            stored = {r["url"] for r in store.records() if r["portal"] == "hangzhou-jxj"}
            # The portal is finished once its batch recorded it; the job records the run's end
            # as it closes, a moment later (under load, after the portal was seen finished).
            while (run := _only_run(store))["status"] == "running":
                assert time.monotonic() < deadline, "the node's job never recorded its run's end"
                time.sleep(0.2)
    expected = {u for u, r in truth(20, 1400).items() if r["portal"] == "hangzhou-jxj"}
    assert stored == expected and run == {"status": "done", "documents_new": len(expected)}


def _only_run(store: Store) -> dict[str, Any]:
    (run,) = list(store.db.query("SELECT status, documents_new FROM runs"))
    return run


def test_a_scheduler_pass_crawls_on_the_nodes(
    pg_cluster: Any, tmp_path: Path, scrapyd_url: str
) -> None:
    from crawler.config import Config
    from crawler.run.schedule import run_pass

    db = pg_cluster.create_database()
    url = scrapyd_url
    with served_replica(20, 1400) as replica:
        set_day(replica, 1400)
        with open_store(db) as store:
            store.add_node(url, ["cn"])
        config = Config(path=None, db=db, replica=replica,
                        sinks=[{"type": "jsonl", "path": str(tmp_path / "alerts.jsonl")}])  # fmt: skip
        result = run_pass(config, only_due=False)
        assert result.crawls and {s["node"] for s in result.crawls.values()} == {url}
        assert {s["status"] for s in result.crawls.values()} == {"done"}
        with open_store(db) as store:
            stored = {r["url"] for r in store.records() if r["status"] == "live"}
            assert store.leases() == []  # every lease released
        # The next pass finds nothing due: the node's runs count as the portals' runs.
        assert run_pass(config).crawls == {}
    expected = {u for u, r in truth(20, 1400).items() if r["portal"] in result.crawls}
    assert stored == expected


def job_logs(tmp_path: Path) -> str:
    """The ends of the node's job logs (under the `scrapyd_url` fixture's directory)."""
    logs = sorted((tmp_path / "node" / "logs").glob("**/*.log"))
    return "\n".join(f"{log.name}: {log.read_text(errors='replace')[-3000:]}" for log in logs)


def test_a_stopped_scheduler_cancels_the_jobs_it_dispatched(
    corpus: str, tmp_path: Path, scrapyd_url: str
) -> None:
    from crawler.run.nodes.dispatch import crawl_round

    url = scrapyd_url
    with served_replica(20, 1400) as replica, open_store(corpus) as store:
        set_day(replica, 1400)
        store.add_node(url, ["cn"])
        running: list[str] = []

        def poll(statuses: dict[str, dict[str, Any]]) -> None:
            running.extend(statuses[url].get("running", []))

        started = time.monotonic()
        # Politeness delays on (seconds between requests): the crawl outlasts the stop.
        done = crawl_round(store, corpus, {"hangzhou-jxj": ("hanweb", ("cn",))}, "t", 300,
                           stand_in_settings(replica, polite=True), 120, on_poll=poll,
                           stop=lambda: bool(running))  # fmt: skip
        assert time.monotonic() - started < 60
        assert done["hangzhou-jxj"]["status"] == "interrupted"
        assert "job cancelled" in done["hangzhou-jxj"]["error"]
        (run,) = list(store.db.query("SELECT status FROM runs"))
        assert run["status"] == "interrupted"
        deadline = time.monotonic() + 30
        while node_status(url)["running"]:  # the node stops the job (SIGINT, a clean close)
            assert time.monotonic() < deadline, (
                f"the cancelled job kept running: {job_logs(tmp_path)}"
            )
            time.sleep(0.3)
        assert running[0] in node_status(url)["finished"]
        (lease,) = store.leases()  # left to expire: no one restarts it while it closes
        assert lease["holder"] == "t"


def test_a_nodes_job_records_its_run_as_a_local_crawl_does(corpus: str) -> None:
    """NodeJob on a node: a blocked column reaches the run, the summary and the health alerts."""
    from types import SimpleNamespace

    from scrapy.settings import Settings

    from crawler.run.nodes.job import NodeJob
    from crawler.run.schedule import health_checks

    with open_store(corpus) as store:
        store.add_node("http://a:6800", [])
        dispatch(store, [("govcn", "govcn", ())], "s1", corpus, 120, {"http://a:6800": ok()},
                 lambda *args: "job-1", T0)  # fmt: skip
        (lease,) = store.leases()
    problem = {"kind": "blocked", "portal": "govcn", "column": "zcwj", "url": "http://x/zcwj/",
               "message": "HTTP 412: a script challenge"}  # fmt: skip
    stats = {"downloader/request_count": 7, "govwatch/documents_new": 2, "govwatch/blocked": 1,
             "govwatch/problems": [problem], "start_time": dt.datetime.now(dt.UTC)}  # fmt: skip
    crawler = SimpleNamespace(
        settings=Settings(
            {"GOVWATCH_NODE_RUN": True, "GOVWATCH_RUN_ID": lease["run_id"], "GOVWATCH_DB": corpus}
        ),
        stats=SimpleNamespace(get_stats=lambda: stats),
        signals=SimpleNamespace(connect=lambda *args, **kwargs: None),
    )
    NodeJob.from_crawler(crawler).closed(
        SimpleNamespace(profile=SimpleNamespace(name="govcn")), "finished"
    )
    with open_store(corpus) as store:
        reconcile(store, "s1", 120, {"http://a:6800": ok(finished=["job-1"])}, T0)
        summary = _summary(store, lease)
        assert (summary["status"], summary["requests"], summary["documents_new"]) == (
            "blocked",
            7,
            2,
        )
        assert summary["blocked"] == [
            {k: problem[k] for k in ("portal", "column", "url", "message")}
        ]
        assert health_checks(store, "govcn", summary) == 1
        (alert,) = store.alerts()
        assert "column zcwj blocked" in alert["message"]


def test_a_nodes_job_keeps_its_lease_and_stops_when_it_is_lost(corpus: str) -> None:
    from types import SimpleNamespace

    from scrapy.settings import Settings

    from crawler.run.nodes.job import NodeJob

    closed: list[str] = []
    crawler = SimpleNamespace(
        settings=Settings(
            {
                "GOVWATCH_NODE_RUN": True,
                "GOVWATCH_DB": corpus,
                "GOVWATCH_LEASE_HOLDER": "s1",
                "GOVWATCH_LEASE_SECONDS": 120,
            }
        ),
        engine=SimpleNamespace(close_spider=lambda spider, reason: closed.append(reason)),
        signals=SimpleNamespace(connect=lambda *args, **kwargs: None),
    )
    job = NodeJob.from_crawler(crawler)
    spider = SimpleNamespace(profile=SimpleNamespace(name="govcn"), logger=SimpleNamespace(
        warning=lambda message: None, error=lambda message: None))  # fmt: skip
    with open_store(corpus) as store:
        assert store.acquire_lease("govcn", "http://a:6800", "s1", 120)
        before = store.leases()[0]["expires_at"]
    time.sleep(1.1)  # expiry times are kept to the second
    job.keep(spider)  # renewed: the scheduler that dispatched it may be gone
    with open_store(corpus) as store:
        assert store.leases()[0]["expires_at"] > before and closed == []
        store.release_lease("govcn", "s1")  # it expired, and another scheduler took it
        assert store.acquire_lease("govcn", "http://b:6800", "s2", 120)
    job.keep(spider)
    assert closed == ["lease_lost"]
    with open_store(corpus) as store:
        assert store.leases()[0]["holder"] == "s2"  # the other node's lease is untouched


def test_check_names_down_nodes_and_portals_no_node_can_crawl(
    corpus: str, capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from crawler.cli import main
    from crawler.run.check import where_crawls_run

    with open_store(corpus) as store:
        pass  # the corpus exists, with no node yet
    assert where_crawls_run(corpus, {"govcn": ()})[0] == []
    with open_store(corpus) as store:
        store.add_node("http://127.0.0.1:9", ["cn"])  # nothing listens there: down
    problems, notes = where_crawls_run(corpus, {"govcn": ("gd",), "hangzhou-jxj": ("cn",)})
    assert problems[0].startswith("crawl node http://127.0.0.1:9: down")
    assert (
        "profile govcn: field 'nodes' asks for tags ['gd']; no crawl node carries them"
        in (problems[1])
    )
    assert problems[2] == "profile hangzhou-jxj: every crawl node tagged ['cn'] is down"
    assert notes == ["crawl nodes: 0 of 1 up; crawls run there"]
    monkeypatch.chdir(tmp_path)
    assert main(["check", "--db", corpus]) == 2  # the same, from the command
    assert "PROBLEM  crawl node http://127.0.0.1:9: down" in capsys.readouterr().out
