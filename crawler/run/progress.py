"""Live progress of long crawls on standard error: pages, new and changed documents, errors."""

from __future__ import annotations

import sys
import time
from typing import Any

from scrapy import signals
from scrapy.crawler import Crawler
from scrapy.exceptions import NotConfigured
from twisted.internet import task


class Progress:
    """Prints a line every GOVWATCH_PROGRESS_INTERVAL seconds (on when standard error is a terminal,
    or with GOVWATCH_PROGRESS)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler, self.interval = crawler, interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        settings = crawler.settings
        if not (settings.getbool("GOVWATCH_PROGRESS") or sys.stderr.isatty()):
            raise NotConfigured
        extension = cls(crawler, settings.getfloat("GOVWATCH_PROGRESS_INTERVAL", 10.0))
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        self.loop = task.LoopingCall(self.report, spider)
        self.loop.start(self.interval, now=False)

    def report(self, spider: Any) -> None:
        stats = self.crawler.stats
        if stats is None:
            return
        value = stats.get_value
        print(
            f"[{spider.name}] {int(time.monotonic() - self.started)} s: "
            f"{value('response_received_count', 0)} pages, {value('govwatch/documents_new', 0)} new, "
            f"{value('govwatch/documents_changed', 0)} changed, {value('govwatch/error', 0)} errors, "
            f"{value('govwatch/blocked', 0)} blocked",
            file=sys.stderr,
            flush=True,
        )

    def closed(self, spider: Any) -> None:
        if self.loop is not None and self.loop.running:
            self.loop.stop()
        self.report(spider)
