"""The corpus against its cap, $GOVWATCH_DB_MAX_MB (SQLite's max_page_count): how much of it is
used, a health alert well before it is reached, and what a write refused at the cap says — the
cap, not a full disk, and the way out (`govwatch prune`, or a higher cap)."""

from __future__ import annotations

import os
import shutil
from dataclasses import dataclass
from typing import Any

from crawler.clock import today_in_china
from crawler.store.core import max_pages

CAP = "GOVWATCH_DB_MAX_MB"
#: Shares of the cap at which the scheduler raises a health alert (each once a day).
LEVELS = (0.90, 0.95, 0.99)
MB = 1024 * 1024


@dataclass(frozen=True)
class Usage:
    """Bytes of the corpus in use (its pages, less the free ones a write reuses) and the cap."""

    used: int
    cap: int
    setting: str  # $GOVWATCH_DB_MAX_MB as given

    @property
    def share(self) -> float:
        return self.used / self.cap

    def said(self) -> str:
        return (f"{self.used / MB:.1f} MB used of the cap {CAP}={self.setting} "
                f"({self.share:.0%})")  # fmt: skip


def usage(store: Any) -> Usage | None:
    """How full a SQLite corpus is against $GOVWATCH_DB_MAX_MB (None: no cap, or PostgreSQL,
    whose size the server's disk and quotas bound)."""
    setting = os.environ.get(CAP)
    found = store.file_pages() if setting else None
    if not setting or found is None:
        return None
    _, page_size, pages, free = found
    return Usage((pages - free) * page_size, max_pages(setting, page_size) * page_size, setting)


def _way_out(where: str) -> str:
    return (f"prune old versions (govwatch prune --older-than 180d --db {where}) or raise "
            f"{CAP}")  # fmt: skip


def cap_reached(store: Any) -> str | None:
    """Why a write was refused as full, when the cap (not the disk) refused it: the disk still
    had room for the corpus to grow to its cap. None: no cap, or the disk is the one full."""
    found = usage(store)
    if found is None:
        return None
    free = shutil.disk_usage(store.file_pages()[0].resolve().parent).free
    if free < found.cap - found.used:
        return None
    return f"the corpus reached its cap, {found.said()}; {_way_out(store.where)}"


def cap_check(store: Any) -> int:
    """A health alert when the corpus holds 90% of its cap or more (again at 95% and 99%, each
    level once a day), so that a monitor is pruned before its crawls store nothing more; the
    number raised (0 or 1)."""
    found = usage(store)
    if found is None or found.share < LEVELS[0]:
        return 0
    level = max(level for level in LEVELS if found.share >= level)
    message = (f"{store.where}: {found.said()}; at the cap crawls store nothing more: "
               f"{_way_out(store.where)}")  # fmt: skip
    key = f"health:corpus:cap:{level:.0%}:{today_in_china().isoformat()}"
    return int(store.add_health_alert(key, "corpus", {"message": message}))
