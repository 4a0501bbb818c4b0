"""Scrapy log lines for people: a dropped item is one line with its reason, not the whole item."""

from __future__ import annotations

import logging
from typing import Any

from scrapy import Spider
from scrapy.http import Response
from scrapy.logformatter import LogFormatter, LogFormatterResult


class GovwatchLogFormatter(LogFormatter):
    def dropped(  # type: ignore[override]
        self,
        item: Any,
        exception: BaseException,
        response: Response | None,
        spider: Spider | None = None,
    ) -> LogFormatterResult:
        return {
            "level": logging.INFO,
            "msg": "Dropped: %(exception)s",
            "args": {"exception": exception},
        }
