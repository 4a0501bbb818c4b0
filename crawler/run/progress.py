"""Live progress on standard error, where a terminal is attached, quiet otherwise: of long crawls
(pages, new and changed documents, errors: the `Progress` extension), and of any other long job
(export, backtest, migrate: `progress()`, one line redrawn in place)."""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Iterable, Iterator
from typing import IO, TYPE_CHECKING, Any, TypeVar

if TYPE_CHECKING:
    from scrapy.crawler import Crawler
    from twisted.internet import task

T = TypeVar("T")


def shows_progress(stream: IO[str] | None = None) -> bool:
    """Whether to show progress: standard error is a terminal, or $GOVWATCH_PROGRESS says so
    (1 on, 0 off)."""
    forced = os.environ.get("GOVWATCH_PROGRESS", "")
    if forced in ("0", "1"):
        return forced == "1"
    stream = stream or sys.stderr
    return bool(getattr(stream, "isatty", lambda: False)())


def progress(
    items: Iterable[T], total: int | None, label: str, *, stream: IO[str] | None = None,
    every: float = 0.5,
) -> Iterator[T]:  # fmt: skip
    """The items, unchanged; on a terminal, `label: done/total (percent), rate/s, ETA` redrawn
    at most every `every` seconds, and a last line when they are done. Nothing otherwise, so
    pipes, logs and cron mail stay clean."""
    if not shows_progress(stream):
        yield from items
        return
    out = stream or sys.stderr
    started = last = time.monotonic()
    done = 0

    def draw(final: bool = False) -> None:
        elapsed = max(time.monotonic() - started, 1e-6)
        rate = done / elapsed
        line = f"{label}: {done:,}"
        if total:
            line += f"/{total:,} ({100 * done // total}%)"
        line += f", {rate:,.0f}/s"
        if total and rate and not final:
            line += f", {int((total - done) / rate)} s left"
        elif final:
            line += f", {elapsed:.1f} s"
        out.write("\r" + line.ljust(70) + ("\n" if final else ""))
        out.flush()

    for item in items:
        yield item
        done += 1
        if time.monotonic() - last >= every:
            last = time.monotonic()
            draw()
    draw(final=True)


class Progress:
    """Prints a line every GOVWATCH_PROGRESS_INTERVAL seconds (on when standard error is a terminal,
    or with GOVWATCH_PROGRESS)."""

    def __init__(self, crawler: Crawler, interval: float) -> None:
        self.crawler, self.interval = crawler, interval
        self.loop: task.LoopingCall | None = None
        self.started = time.monotonic()

    @classmethod
    def from_crawler(cls, crawler: Crawler) -> Progress:
        from scrapy import signals
        from scrapy.exceptions import NotConfigured

        settings = crawler.settings
        if not (settings.getbool("GOVWATCH_PROGRESS") or sys.stderr.isatty()):
            raise NotConfigured
        extension = cls(crawler, settings.getfloat("GOVWATCH_PROGRESS_INTERVAL", 10.0))
        crawler.signals.connect(extension.opened, signal=signals.spider_opened)
        crawler.signals.connect(extension.closed, signal=signals.spider_closed)
        return extension

    def opened(self, spider: Any) -> None:
        from twisted.internet import task

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
