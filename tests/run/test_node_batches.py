"""Batch jobs on crawl nodes: portals leased in batches sized from the nodes' free slots and the
portals' politeness; a batch's portals collected as it records them; a node killed mid-batch
loses only the portals in flight, which another node crawls once their leases expire, nothing
doubled; the leases of a batch kept together; `govwatch nodes` shows each batch's progress."""

from __future__ import annotations

import datetime as dt
import json
from types import SimpleNamespace
from typing import Any

import pytest

from crawler.run.nodes.dispatch import _summaries, dispatch, plan, reconcile
from crawler.run.nodes.job import LeaseKeeper
from crawler.run.nodes.report import node_views, view_lines
from crawler.store import open_store
from crawler.store.nodes import Node

T0 = dt.datetime(2026, 11, 26, 12, 0, tzinfo=dt.UTC)


def ok(**change: Any) -> dict[str, Any]:
    return {"status": "ok", "running": [], "pending": 0, "finished": [], **change}


def test_batches_fill_every_free_slot_evenly_within_tags_and_politeness() -> None:
    nodes = [Node("http://a", ("cn",)), Node("http://b")]
    statuses = {"http://a": ok(), "http://b": ok(running=["j"])}  # b: one of its 2 slots busy
    portals = [(f"p{n}", (), 0.5, False) for n in range(9)] + [("cn-only", ("cn",), 0.5, False)]
    batches, waiting = plan(portals, nodes, statuses, slots=2)
    assert waiting == {}
    assert sorted(len(b.portals) for b in batches) == [3, 3, 4]  # 10 portals, 3 free slots
    assert "cn-only" in next(b.portals for b in batches if "cn-only" in b.portals)
    assert all(b.node.url == "http://a" for b in batches if "cn-only" in b.portals)
    # One process serves so many requests a second: portals that would ask more wait.
    greedy = [(f"q{n}", (), 30.0, False) for n in range(6)]
    batches, waiting = plan(greedy, nodes, statuses, slots=2, capacity=60.0)
    assert sorted(len(b.portals) for b in batches) == [2, 2, 2]
    batches, waiting = plan(greedy, nodes, statuses, slots=1, capacity=60.0)
    assert [len(b.portals) for b in batches] == [2] and len(waiting) == 4
    assert set(waiting.values()) == {"waiting for a free slot on a node"}
    # A full walk and a routine one never share a batch (a run is one or the other).
    mixed = [("f", (), 0.5, True), ("r", (), 0.5, False)]
    batches, _ = plan(mixed, nodes[:1], {"http://a": ok()}, slots=1)
    assert [b.portals for b in batches] == [["f"]]
    assert plan(mixed, nodes, {"http://a": {"status": "down"}, "http://b": ok()}, slots=2)[0]
    assert plan([("x", ("gd",), 0.5, False)], nodes, statuses)[1] == {
        "x": "no healthy node tagged ['gd']"
    }


def test_a_node_killed_mid_batch_loses_only_the_portals_in_flight(corpus: str) -> None:
    scheduled: list[tuple[str, int, dict[str, str]]] = []

    def schedule(url: str, run_id: int, settings: dict[str, str]) -> str:
        scheduled.append((url, run_id, settings))
        return f"job-{len(scheduled)}"

    portals = [(name, "govcn", ()) for name in ("p1", "p2", "p3", "p4")]
    with open_store(corpus) as store:
        store.add_node("http://a:6800", [])
        store.add_node("http://b:6800", [])
        up = {"http://a:6800": ok(), "http://b:6800": ok(running=["x", "y"])}
        sent = dispatch(store, portals, "s1", corpus, 60, up, schedule, T0, slots=2)
        assert {d.job for d in sent} == {"job-1", "job-2"} and {d.node for d in sent} == {
            "http://a:6800"
        }
        (url, run_id, settings), _ = scheduled
        assert settings["GOVWATCH_RUN_ID"] == str(run_id) and settings["GOVWATCH_NODE_RUN"] == "1"
        batch = json.loads(store.run(run_id)["portals"])  # type: ignore[index]
        assert len(batch) == 2
        # The job records its first portal as it finishes; the scheduler collects it at once.
        store.record_portal(run_id, batch[0], {"status": "done", "requests": 3, "documents_new": 1})
        running = ok(running=["job-1", "job-2"])
        outcome = reconcile(store, "s1", 60, {"http://a:6800": running}, T0)
        assert outcome[batch[0]] == "finished" and outcome[batch[1]] == "running"
        (summary,) = _summaries(store, [{"portal": batch[0], "run_id": run_id, "node": url,
                                         "job": "job-1"}]).values()  # fmt: skip
        assert (summary["status"], summary["requests"], summary["documents_new"]) == ("done", 3, 1)
        assert batch[0] not in {lease["portal"] for lease in store.leases()}
        # kill -9 of node a: nothing renews the rest; once they expire, b crawls them.
        down = {"http://a:6800": {"status": "down"}, "http://b:6800": ok()}
        assert set(reconcile(store, "s1", 60, down, T0 + dt.timedelta(seconds=30)).values()) == {
            "node down: lease left to expire"
        }
        rest = [p for p in portals if p[0] != batch[0]]
        early = dispatch(
            store, rest, "s1", corpus, 60, down, schedule, T0 + dt.timedelta(seconds=59)
        )
        assert {d.reason for d in early} == {"leased: a node crawls it now"}
        late = dispatch(
            store, rest, "s1", corpus, 60, down, schedule, T0 + dt.timedelta(seconds=61)
        )
        assert {d.node for d in late} == {"http://b:6800"} and len(late) == 3
        # The dead batch's run: interrupted, with the portal it finished (nothing lost).
        dead = store.run(run_id)
        assert dead is not None and dead["status"] == "interrupted"
        assert set(json.loads(dead["stats"])) == {batch[0]}
        # Each portal leased once, to one node: none doubled.
        assert sorted(lease["portal"] for lease in store.leases()) == sorted(p for p, *_ in rest)


def test_a_batch_keeps_its_leases_together_and_stops_only_the_portal_lost(corpus: str) -> None:
    closed: list[tuple[str, str]] = []

    def crawl(name: str) -> tuple[Any, Any]:
        spider = SimpleNamespace(profile=SimpleNamespace(name=name),
                                 logger=SimpleNamespace(error=lambda message: None))  # fmt: skip
        engine = SimpleNamespace(
            close_spider=lambda s, reason: closed.append((s.profile.name, reason))
        )
        return SimpleNamespace(engine=engine), spider

    with open_store(corpus) as store:
        for name in ("p1", "p2", "p3"):
            assert store.acquire_lease(name, "http://a", "s1", 60)
        keeper = LeaseKeeper(corpus, "s1", 60)
        keeper.crawls = {name: crawl(name) for name in ("p1", "p2", "p3")}
        assert keeper.keep() == [] and closed == []
        store.release_lease("p2", "s1")  # it expired and another scheduler took it
        assert store.acquire_lease("p2", "http://b", "s2", 60)
        assert keeper.keep() == ["p2"]
        assert closed == [("p2", "lease_lost")]
        assert {lease["portal"]: lease["holder"] for lease in store.leases()} == {
            "p1": "s1", "p2": "s2", "p3": "s1"}  # fmt: skip
        assert store.renew_leases(["p1", "p2", "p3"], "s1", 60) == {"p1", "p3"}


def test_nodes_shows_each_batch_and_its_progress(
    corpus: str, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.cli import main

    with open_store(corpus) as store:
        store.add_node("http://a:6800", ["cn"])
        store.add_node("http://b:6800", [])
        sent = dispatch(store, [(f"p{n}", "govcn", ()) for n in range(5)], "s1", corpus, 60,
                        {"http://a:6800": ok(), "http://b:6800": {"status": "down"}},
                        lambda url, run, settings: f"job-{run}", T0, slots=1)  # fmt: skip
        run_id = sent[0].run
        assert run_id is not None
        store.record_portal(run_id, "p0", {"status": "done"})
        statuses = {"http://a:6800": ok(running=[f"job-{run_id}"]),
                    "http://b:6800": {"status": "down", "error": "connection refused"}}  # fmt: skip
        (a, b) = node_views(store, lambda url: statuses[url])
    assert (a.running, len(a.batches), b.batches, b.healthy) == (1, 1, [], False)
    assert view_lines(a)[1].startswith(
        f"  batch job job-{run_id} run {run_id}: 1 of 5 portals done"
    )
    monkeypatch.setattr("crawler.run.nodes.report.node_status", lambda url: statuses[url])
    assert main(["nodes", "--db", corpus]) == 1  # b is down: said, exit 1
    out = capsys.readouterr().out
    assert "1 of 5 portals done, 5 leased until 2026-11-26T12:01:00+00:00 (for s1)" in out
    assert "http://b:6800" in out and "down: connection refused" in out


def test_a_cancelled_batch_records_its_run_when_a_crawl_will_not_close(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Scrapyd's cancel closes the batch spider, which stops its crawls and waits for them to
    close; one that never does (a crawler stopped in the moment its engine starts) no longer
    holds the job open: after `STOP_GRACE` the run is recorded, and the process can end (it
    did not, once in a few full suites: "the cancelled job kept running")."""
    import asyncio

    from twisted.internet.defer import Deferred, succeed

    from crawler.run.nodes import batch

    class Runner:
        def stop(self) -> Deferred[None]:
            return succeed(None)

        def join(self) -> Deferred[None]:
            return Deferred()  # a crawl that never closes

    spider = batch.BatchSpider(run="7")
    spider.runner = Runner()  # type: ignore[assignment]
    recorded: list[Any] = []
    monkeypatch.setattr(batch, "STOP_GRACE", 0.05)
    monkeypatch.setattr(spider, "all_closed", recorded.append)
    asyncio.run(asyncio.wait_for(spider.closed("shutdown"), 5))
    assert recorded == [None] and spider.interrupted
