"""The store pipeline stores documents several a transaction: each waits for its batch (at most
`BATCH_WAIT`, or until `BATCH_SIZE` wait), a bad document fails only itself, and an item is done
only once its document is stored."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from scrapy.utils.test import get_crawler
from twisted.python.failure import Failure

import pipelines.store as store_pipeline
from crawler.items import Fetched
from crawler.store import Outcome, open_store
from pipelines.store import BATCH_SIZE, BATCH_WAIT, StorePipeline


class _Timer:
    def __init__(self, delay: float, call: Any) -> None:
        self.delay, self.call, self.cancelled = delay, call, False

    def cancel(self) -> None:
        self.cancelled = True


def _item(number: int, **record: Any) -> Fetched:
    url = f"http://x.gov.cn/{number}.html"
    return Fetched(portal="p", identity=f"p:{number}", url=url, fetched_url=url,
                   fetched_at="2026-01-01T00:00:00+00:00", status=200, raw=b"<html></html>",
                   record={"url": url, "title": f"文件{number}", "body_text": "正文",
                           "attachments": [], "warnings": [], **record})  # fmt: skip


@pytest.fixture
def pipeline(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Any:
    timers: list[_Timer] = []

    def call_later(delay: float, call: Any) -> _Timer:
        timers.append(_Timer(delay, call))
        return timers[-1]

    monkeypatch.setattr(store_pipeline, "call_later", call_later)
    crawler = get_crawler()
    assert crawler.stats is not None
    made = StorePipeline(str(tmp_path / "c.db"), None, crawler.stats, None)
    made.open_spider()
    yield made, timers
    made.close_spider()


def _results(deferreds: list[Any]) -> list[Outcome | Failure | None]:
    found: list[Outcome | Failure | None] = [None] * len(deferreds)
    for index, deferred in enumerate(deferreds):
        deferred.addBoth(lambda result, index=index: found.__setitem__(index, result))
    return found


def test_documents_wait_for_their_batch_and_a_bad_one_fails_alone(pipeline: Any) -> None:
    made, timers = pipeline
    items = [_item(0), _item(1), _item(2, warnings={"not JSON"}), _item(3)]
    results = _results([made._queued(made._save(item, {})) for item in items])
    assert results == [None] * 4  # waiting: nothing stored yet
    assert made.store.counts()["documents"] == 0
    assert [timer.delay for timer in timers] == [BATCH_WAIT]  # one wait for the batch
    timers[0].call()
    assert [r.kind for r in results if isinstance(r, Outcome)] == ["new", "new", "new"]
    failed = results[2]
    assert isinstance(failed, Failure) and failed.check(TypeError)
    failed.trap(TypeError)  # (handled: not an unhandled error in a Deferred)
    with open_store(made.db_path) as store:  # another connection sees them committed
        assert store.counts() == {"documents": 3, "live": 3, "versions": 3}
        assert store.document("p:2") is None


def test_a_full_batch_is_stored_at_once(pipeline: Any) -> None:
    made, timers = pipeline
    results = _results([made._queued(made._save(_item(n), {})) for n in range(BATCH_SIZE + 1)])
    assert all(isinstance(r, Outcome) for r in results[:BATCH_SIZE])
    assert timers[0].cancelled  # the batch's wait ended when it filled
    assert results[BATCH_SIZE] is None and not timers[1].cancelled  # the next one waits
    made.close_spider()  # closing stores what still waits
    assert isinstance(results[BATCH_SIZE], Outcome)
    with open_store(made.db_path) as store:
        assert store.counts()["documents"] == BATCH_SIZE + 1
