"""Politeness per portal: every replica portal (127.0.0.1, one port each) has its own download
slot with its profile's delay and concurrency, as a real portal on its own host has; the spider
puts its profile's politeness on its slots wherever it runs (a local crawl, a Scrapyd node)."""

from __future__ import annotations

from pathlib import Path
from types import SimpleNamespace
from typing import Any, cast

import pytest
from scrapy import Request
from scrapy.core.downloader import Downloader
from scrapy.crawler import Crawler
from scrapy.settings import Settings
from scrapy.utils.reactor import install_reactor, is_reactor_installed
from scrapy.utils.test import get_crawler
from twisted.internet.defer import Deferred

from crawler.fetch import middlewares
from crawler.fetch.middlewares import OriginSlotMiddleware, RetryDelayMiddleware, drop_waiting
from crawler.fetch.slots import Stopped, politeness, slot_key
from crawler.portals.profiles import load_profiles
from spiders.hanweb import HanwebSpider
from spiders.trs import TrsSpider


@pytest.fixture(autouse=True)
def reactor() -> None:
    """Scrapy's downloader asks which event loop it runs on: the one a crawl installs."""
    if not is_reactor_installed():
        install_reactor("twisted.internet.asyncioreactor.AsyncioSelectorReactor")


def test_slot_key_per_origin_on_loopback_per_host_elsewhere() -> None:
    assert slot_key("127.0.0.1:18400") != slot_key("127.0.0.1:18401")
    assert slot_key("127.0.0.1:18400") == "127.0.0.1:18400"
    assert slot_key("localhost:8080") == "localhost:8080"
    assert slot_key("[::1]:8080") == "[::1]:8080"
    # Real portals: the host, whatever the port (one server, one politeness), as Scrapy keys it.
    assert slot_key("jxj.hangzhou.gov.cn") == "jxj.hangzhou.gov.cn"
    assert slot_key("jxj.hangzhou.gov.cn:8080") == "jxj.hangzhou.gov.cn"
    assert slot_key("127.0.0.1") == "127.0.0.1"


def _downloader_slot(downloader: Downloader, url: str) -> tuple[str, float, int]:
    request = Request(url)
    OriginSlotMiddleware().process_request(request)
    key, slot = downloader._get_slot(request)
    return key, slot.delay, slot.concurrency


def test_two_replica_portals_have_their_own_slots_and_politeness() -> None:
    profiles = load_profiles()
    jxj = profiles["hangzhou-jxj"].with_origin("http://127.0.0.1:18400")
    hubei = profiles["hubei-jxt"].with_origin("http://127.0.0.1:18403")
    assert jxj.delay != hubei.delay  # else this test could not tell the slots apart
    crawler = get_crawler(settings_dict={"DOWNLOAD_SLOTS": politeness([jxj, hubei])})
    downloader = Downloader(crawler)
    first = _downloader_slot(downloader, "http://127.0.0.1:18400/col/col1229265378/index.html")
    second = _downloader_slot(downloader, "http://127.0.0.1:18403/fbjd/xxgkml/index.shtml")
    assert first == ("127.0.0.1:18400", jxj.delay, jxj.concurrency)
    assert second == ("127.0.0.1:18403", hubei.delay, hubei.concurrency)
    # A real portal keeps Scrapy's own key: no download_slot is set for it.
    request = Request("http://jxj.hangzhou.gov.cn/col/col1229265378/index.html")
    OriginSlotMiddleware().process_request(request)
    assert "download_slot" not in request.meta


def _unstarted(spider: type[HanwebSpider | TrsSpider], settings: dict[str, str]) -> Crawler:
    """A crawler as Crawler.crawl has it when it makes the spider: settings not yet frozen."""
    return Crawler(spider, Settings(settings))


def test_the_spider_puts_its_profiles_politeness_on_its_slots(tmp_path: Path) -> None:
    db = str(tmp_path / "slots.db")
    profiles = load_profiles()
    real = _unstarted(HanwebSpider, {"GOVWATCH_DB": db})
    real.spider = HanwebSpider.from_crawler(real, portal="hangzhou-jxj")
    assert real.settings.getdict("DOWNLOAD_SLOTS") == {
        "jxj.hangzhou.gov.cn": {"delay": profiles["hangzhou-jxj"].delay, "concurrency": 1}
    }
    origin = "http://127.0.0.1:18403"
    # On a replica the delays are lifted, unless GOVWATCH_POLITENESS asks for them.
    lifted = _unstarted(TrsSpider, {"GOVWATCH_DB": db, "GOVWATCH_REPLICA": origin})
    lifted.spider = TrsSpider.from_crawler(lifted, portal="hubei-jxt", origin=origin)
    assert lifted.settings.getdict("DOWNLOAD_SLOTS") == {}
    polite = _unstarted(
        TrsSpider, {"GOVWATCH_DB": db, "GOVWATCH_REPLICA": origin, "GOVWATCH_POLITENESS": "True"}
    )
    polite.spider = TrsSpider.from_crawler(polite, portal="hubei-jxt", origin=origin)
    assert polite.settings.getdict("DOWNLOAD_SLOTS") == {
        "127.0.0.1:18403": {"delay": profiles["hubei-jxt"].delay, "concurrency": 1}
    }


def test_autothrottle_never_takes_a_slot_below_its_profiles_delay() -> None:
    from types import SimpleNamespace

    from scrapy.extensions.throttle import AutoThrottle
    from scrapy.http import Response

    from crawler.fetch.middlewares import ProfileFloorThrottle

    settings = {"AUTOTHROTTLE_ENABLED": True, "DOWNLOAD_DELAY": 2.0, "AUTOTHROTTLE_START_DELAY": 2.0,
                "DOWNLOAD_SLOTS": {"127.0.0.1:18400": {"delay": 3.0, "concurrency": 1}}}  # fmt: skip

    def after_a_fast_answer(throttle_class: type[AutoThrottle], url: str) -> float:
        crawler = get_crawler(settings_dict=settings)
        downloader = Downloader(crawler)
        crawler.engine = SimpleNamespace(downloader=downloader)  # type: ignore[assignment]
        throttle = throttle_class(crawler)
        throttle._spider_opened(None)  # type: ignore[arg-type]
        request = Request(url, meta={"download_latency": 0.005})
        OriginSlotMiddleware().process_request(request)
        key, slot = downloader._get_slot(request)
        request.meta["download_slot"] = key
        throttle._response_downloaded(Response(url, request=request), request, None)  # type: ignore[arg-type]
        return slot.delay

    profiled, other = "http://127.0.0.1:18400/a.html", "http://127.0.0.1:18401/a.html"
    assert after_a_fast_answer(AutoThrottle, profiled) == 2.0  # Scrapy's: the profile's 3 s lost
    assert after_a_fast_answer(ProfileFloorThrottle, profiled) == 3.0
    assert after_a_fast_answer(ProfileFloorThrottle, other) == 2.0  # no profile: DOWNLOAD_DELAY


def test_a_stopping_crawl_drops_the_requests_waiting_for_a_delay(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """`drop_waiting`: a request queued in its slot behind the politeness delay, and a retry
    waiting out its backoff, both fail at once with `Stopped` (which the spiders let pass
    without an error), and the delays' calls are cancelled; a crawl not yet started has none."""
    timers: list[Any] = []

    class Timer:
        def __init__(self, delay: float, call: Any, *args: Any) -> None:
            self.cancelled = False
            timers.append(self)

        def cancel(self) -> None:
            self.cancelled = True

    monkeypatch.setattr(middlewares, "call_later", Timer)
    crawler = get_crawler()
    downloader = Downloader(crawler)
    _, slot = downloader._get_slot(Request("http://jxj.hangzhou.gov.cn/a.html"))
    queued: Deferred[Any] = Deferred()
    slot.queue.append((Request("http://jxj.hangzhou.gov.cn/a.html"), queued))
    retries = RetryDelayMiddleware()
    retry = Request("http://jxj.hangzhou.gov.cn/b.html", meta={middlewares.DELAY_KEY: 30.0})
    waiting = retries.process_request(retry)
    assert waiting is not None and retries.process_request(Request("http://x.gov.cn/")) is None
    failures: list[Any] = []
    for deferred in (queued, waiting):
        deferred.addErrback(failures.append)
    started = SimpleNamespace(engine=SimpleNamespace(downloader=downloader),
                              get_downloader_middleware=lambda cls: retries)  # fmt: skip
    assert drop_waiting(cast(Crawler, started)) == 2
    assert [f.type for f in failures] == [Stopped, Stopped]
    assert not slot.queue and not retries.waiting and [t.cancelled for t in timers] == [True]
    assert drop_waiting(crawler) == 0  # get_crawler's crawler has no engine yet
