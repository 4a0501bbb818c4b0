"""A crawl's start imports Scrapy's TLS modules without walking the stack: Scrapy names their
deprecated aliases with `inspect.stack()`, which reads the source of every frame, and the crawl
imports them first through crawler.fetch.tls, which lets it see the caller's frame alone."""

from __future__ import annotations

import subprocess
import sys

from saved_pages import ROOT

# In a fresh process: every walk of the stack counted while a crawl's modules are imported.
PROBE = """
import inspect
walks = []
real = inspect.stack
def counted(*args, **kwargs):
    walks.append(1)
    return real(*args, **kwargs)
inspect.stack = counted

import crawler.run.crawl
import scrapy.utils.deprecate
from scrapy.core.downloader import contextfactory, tls

assert not walks, f"{len(walks)} walks of the stack"
assert scrapy.utils.deprecate.inspect is inspect, "Scrapy's inspect not given back"
assert contextfactory.ScrapyClientContextFactory.__module__ == contextfactory.__name__
assert tls.ScrapyClientTLSOptions.__module__ == tls.__name__
# (The alias still stands for the class it renames.)
assert issubclass(contextfactory.BrowserLikeContextFactory, contextfactory.ScrapyClientContextFactory)
print("ok")
"""


def test_a_crawls_start_imports_scrapys_tls_modules_without_walking_the_stack() -> None:
    result = subprocess.run([sys.executable, "-c", PROBE], capture_output=True, text=True,
                            cwd=ROOT, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "ok"
