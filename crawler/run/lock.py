"""The one lock of a corpus's runs: `govwatch schedule` holds it while it runs, `govwatch run` for
its pass, so that two never crawl and deliver at once (two passes delivering side by side once
sent 178 alerts twice). On SQLite it is a lock file beside the database (`flock`, which the
kernel drops with a dead holder); on PostgreSQL an advisory lock in the database, held on a
connection of its own, for every machine (dropped with a dead holder's connection).

The lock file says who holds it (`PID COMMAND`), so that the one refused can say so."""

from __future__ import annotations

import fcntl
import os
import threading
import time
from collections.abc import Callable
from pathlib import Path
from typing import IO, Any

from crawler.store import is_url


class SchedulerLocked(RuntimeError):
    """Another govwatch run or scheduler already holds the database's lock."""


class RunLock:
    """The lock of the runs on database `db`, taken for `command` (run or schedule)."""

    def __init__(self, db: str, command: str) -> None:
        self.db, self.command = db, command
        self.path = Path(db + ".scheduler.lock")
        self._file: IO[str] | None = None
        self._advisory: Any = None

    def try_acquire(self) -> bool:
        """Take the lock if it is free; whether it was."""
        if is_url(self.db):
            from crawler.store.postgres import LOCK_SCHEDULER, AdvisoryLock

            lock = AdvisoryLock(self.db, LOCK_SCHEDULER)
            if not lock.try_acquire():
                return False
            self._advisory = lock
            return True
        handle = self.path.open("a+", encoding="utf-8")
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            return False
        handle.seek(0)
        handle.truncate()
        handle.write(f"{os.getpid()} {self.command}\n")
        handle.flush()
        self._file = handle
        return True

    def acquire(
        self, wait: float = 0.0, *, poll: float = 0.5, stop: Callable[[], bool] = lambda: False
    ) -> None:
        """Take the lock, waiting up to `wait` seconds (float('inf'): until it is free, or
        `stop()` says to give up); SchedulerLocked, naming who holds it, when it stays held."""
        deadline = time.monotonic() + wait
        while not self.try_acquire():
            if time.monotonic() >= deadline or stop():
                raise SchedulerLocked(self.held())
            threading.Event().wait(min(poll, max(deadline - time.monotonic(), 0.01)))

    def holder(self) -> str:
        """Who holds the lock, as the lock file says: 'schedule', 'run', or 'scheduler' when it
        does not say (a govwatch before this one, or PostgreSQL's lock)."""
        if is_url(self.db):
            return "scheduler (or run)"  # the server does not say whose lock it is
        try:
            words = self.path.read_text(encoding="utf-8").split()
        except OSError:
            return "scheduler"
        return {"schedule": "scheduler", "run": "run"}.get(
            words[1] if len(words) > 1 else "", "scheduler"
        )

    @property
    def where(self) -> str:
        """The database as messages name it (a URL without its password)."""
        if is_url(self.db):
            from crawler.store.postgres import redact

            return redact(self.db)
        return self.db

    def held(self) -> str:
        """Why the lock cannot be had, for people: who holds it, where."""
        holder = self.holder()
        if is_url(self.db):
            return f"another govwatch {holder} runs on {self.where} (a database lock)"
        try:
            pid = self.path.read_text(encoding="utf-8").split()[0]
        except (OSError, IndexError):
            pid = "?"
        return f"another govwatch {holder} runs on {self.db} (pid {pid}, lock {self.path})"

    def release(self) -> None:
        if self._advisory is not None:
            self._advisory.release()
            self._advisory = None
        if self._file is not None:
            fcntl.flock(self._file, fcntl.LOCK_UN)
            self._file.close()
            self._file = None
