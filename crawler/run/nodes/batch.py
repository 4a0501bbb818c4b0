"""A node's job that crawls a batch of portals in one Scrapy process: the `batch` spider.

Scrapyd runs one `scrapy crawl SPIDER` process per job, so a job per portal paid a Scrapy start
per portal and ran only max_proc portals at once, each slot idle under its portal's politeness
delays. A batch job is `scrapy crawl batch -a run=RUN`: the spider asks for nothing itself; it
starts a crawler for each portal of its run (the run's `portals`, leased to this node by the
scheduler, `crawler.run.nodes.dispatch`) in the same process, as a local `govwatch crawl` does
(`crawler.run.crawl.start_crawlers`), and closes when they have all closed, recording the run as
a local crawl records it (`crawler.run.crawl.finish`). Each portal's crawler keeps its lease
and records its outcome as it finishes (`crawler.run.nodes.job.NodeJob`).

Scrapyd's cancel (SIGINT) closes the batch spider with reason `shutdown`; it stops every crawl
of the batch first, so the run is recorded `interrupted` with what each portal did.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections.abc import AsyncIterator
from typing import Any

import scrapy
from scrapy import signals
from scrapy.crawler import Crawler, CrawlerRunner
from scrapy.exceptions import DontCloseSpider
from scrapy.utils.defer import deferred_from_coro, maybe_deferred_to_future

from crawler.fetch.middlewares import drop_waiting
from crawler.portals.profiles import load_profiles
from crawler.run.crawl import finish, start_crawlers, stop_when_started
from crawler.store import open_store

#: The spider name a batch job is scheduled as.
BATCH = "batch"
#: Seconds a cancelled batch waits for its crawls to close (transfers under way to finish and
#: be stored) before it records its run and lets the process end.
STOP_GRACE = 10.0


async def _stopped(runner: CrawlerRunner) -> None:
    """Every crawl of `runner` asked to stop, and closed."""
    await maybe_deferred_to_future(runner.stop())
    await maybe_deferred_to_future(runner.join())


class BatchSpider(scrapy.Spider):
    """`scrapy crawl batch -a run=RUN`: every portal of run RUN, crawled in this process."""

    name = BATCH

    def __init__(self, run: str = "", **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if not str(run).isdigit():
            raise ValueError("batch: say which run, e.g. -a run=42 (the scheduler does)")
        self.run_id = int(run)
        self.runner: CrawlerRunner | None = None
        self.crawlers: dict[str, Crawler] = {}
        self.failures: dict[str, str] = {}
        self.names: list[str] = []
        self.started = time.monotonic()
        self.done = False
        self.interrupted = False
        self.summary: dict[str, Any] = {}

    @classmethod
    def from_crawler(cls, crawler: Crawler, *args: Any, **kwargs: Any) -> BatchSpider:
        spider: BatchSpider = super().from_crawler(crawler, *args, **kwargs)
        crawler.signals.connect(spider.idle, signal=signals.spider_idle)
        # Scrapyd's cancel while this job starts: closed once its engine runs, before `start`.
        crawler.signals.connect(
            stop_when_started(crawler), signal=signals.spider_opened, weak=False
        )
        return spider

    async def start(self) -> AsyncIterator[Any]:
        """Start the batch's crawls; this spider itself requests nothing. A batch that cannot
        start is recorded failed, each portal with why, rather than left idle."""
        if self.interrupted or not self.crawler.crawling:
            return  # cancelled before its crawls started
        try:
            self.launch()
        except Exception as error:  # a run or profile this node cannot read: said per portal
            self.logger.error(f"batch run {self.run_id} cannot start: {error}")
            for name in self.names:
                self.failures.setdefault(name, f"could not start: {error}")
            self.all_closed(None)
        return
        yield  # an async generator that yields nothing

    def launch(self) -> None:
        settings = self.crawler.settings
        db = str(settings.get("GOVWATCH_DB"))
        with open_store(db) as store:
            run = store.run(self.run_id)
        if run is None:
            raise ValueError(f"batch: no run {self.run_id} in {db}")
        self.names = list(json.loads(run["portals"] or "[]"))
        found = load_profiles(settings.get("GOVWATCH_PROFILES"))
        unknown = [name for name in self.names if name not in found]
        for name in unknown:
            self.failures[name] = f"could not start: no profile {name!r} on this node"
        child = settings.copy()
        child.frozen = False  # a copy of the batch's own settings, for its portals' crawlers
        # The portals' crawlers record their portal each, and leave the run's end to the batch.
        child.set("GOVWATCH_BATCH", True, priority="cmdline")
        child.set("GOVWATCH_RUN_ID", self.run_id, priority="cmdline")
        self.runner = CrawlerRunner(child)
        known = [found[name] for name in self.names if name in found]
        start_crawlers(self.runner, known, self.crawlers, self.failures)
        self.runner.join().addBoth(self.all_closed)

    def all_closed(self, _: Any) -> None:
        """Every crawl of the batch closed: the run recorded, and this spider closed (unless it
        is closing already: a shutdown)."""
        if self.done:
            return
        self.done = True
        self.summary = finish(
            self.run_id, str(self.crawler.settings.get("GOVWATCH_DB")), self.names,
            self.crawlers, self.failures, self.interrupted, self.started,
        )  # fmt: skip
        self.logger.info(
            "batch run %s: %s portals, %s", self.run_id, len(self.names), self.summary["status"]
        )
        engine = self.crawler.engine
        if not self.interrupted and engine is not None and engine.spider is not None:
            deferred_from_coro(engine.close_spider_async(reason="finished"))

    def idle(self) -> None:
        if not self.done:
            raise DontCloseSpider

    async def closed(self, reason: str) -> None:
        """Closed before its crawls (Scrapyd's cancel, a shutdown): stop them, dropping what
        waits for a delay, then record."""
        if self.done:
            return
        self.interrupted = True
        if self.runner is None:  # before its crawls started: none to stop, and none will start
            return
        for crawler in self.crawlers.values():
            drop_waiting(crawler)
        runner = self.runner
        try:
            stopped = asyncio.ensure_future(_stopped(runner))
            # Transfers under way finish and are stored; a crawl still open after the grace is
            # left to the process's end (its in-flight pages are fetched again next time): a
            # cancel ends the job in bounded time whatever a crawler does while it starts.
            _, late = await asyncio.wait({stopped}, timeout=STOP_GRACE)
            if late:
                self.logger.warning(
                    "batch run %s: crawls still closing after %s s; recorded as they stand",
                    self.run_id, STOP_GRACE,
                )  # fmt: skip
        finally:
            self.all_closed(None)
