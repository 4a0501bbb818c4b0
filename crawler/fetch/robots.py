"""robots.txt per portal: Scrapy's middleware, obeyed unless a portal's profile says
`robots: ignore`, and quiet about what it forbids.

Scrapy reads ROBOTSTXT_OBEY once per process; govwatch crawls several portals in one process, so
the choice is read from each request's spider's profile here instead. A URL a portal's
robots.txt forbids is not fetched, counted (`robotstxt/forbidden`, Scrapy's stat) and the first
kept (`govwatch/robots_first`): the run's summary says so in one line per portal, never a warning
per URL (one crawl of a jpaas portal, whose robots.txt forbids its download API, warned 17 times).
"""

from __future__ import annotations

from typing import Any

from scrapy import Request, Spider
from scrapy.downloadermiddlewares.robotstxt import RobotsTxtMiddleware
from scrapy.exceptions import IgnoreRequest

#: The stat that keeps the first URL a portal's robots.txt forbade.
FIRST = "govwatch/robots_first"


class PortalRobotsMiddleware(RobotsTxtMiddleware):
    """RobotsTxtMiddleware, skipped for portals whose profile says `robots: ignore`."""

    async def process_request(self, request: Request, spider: Spider | None = None) -> None:
        profile: Any = getattr(self.crawler.spider, "profile", None)
        if getattr(profile, "robots", "obey") == "ignore":
            return  # its robots.txt is not even fetched
        await super().process_request(request)

    def process_request_2(self, rp: Any, request: Request) -> None:
        try:
            super().process_request_2(rp, request)
        except IgnoreRequest:
            if not self._stats.get_value(FIRST):
                self._stats.set_value(FIRST, request.url)
            raise
