"""Delivery tests' helpers: a receiving server on loopback, and deliverers killed mid-send for the
claim tests of both backends (tests/watch/test_claims.py, tests/store/test_backends.py)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

from crawler.store import Store

#: A deliverer that writes each alert's key to a file (argv[2]) as it sends, and SIGKILLs itself
#: after sending the alert whose key ends in ":3", before recording it: the worst moment.
#: `python -c DIES_MID_SEND CORPUS FILE`.
DIES_MID_SEND = """
import os, signal, sys
from crawler.store import open_store
from crawler.watch.notify import deliver

class Dying:
    name, batch = "file", False
    def send(self, alerts, store):
        with open(sys.argv[2], "a") as out:
            out.write(alerts[0]["key"] + "\\n")
        if alerts[0]["key"].endswith(":3"):  # sent, not yet recorded: the worst moment
            os.kill(os.getpid(), signal.SIGKILL)

with open_store(sys.argv[1]) as store:
    deliver(store, [Dying()], retries=0)
"""


class FileSink:
    """The same sink, living: each alert's key written to `path` as it is sent."""

    name, batch = "file", False

    def __init__(self, path: Path) -> None:
        self.path = path

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        with self.path.open("a") as out:
            out.write(alerts[0]["key"] + "\n")


@contextmanager
def receiving(handler: type[BaseHTTPRequestHandler]) -> Iterator[int]:
    """`handler` serving on a loopback port of the system's choosing, in a thread; its port."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        yield int(server.server_address[1])
    finally:
        server.shutdown()
