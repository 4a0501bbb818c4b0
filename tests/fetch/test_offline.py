"""An offline or firewalled deployment never reaches the network behind the crawl's back: Scrapy's
cookie middleware asks tldextract about cookie domains, and tldextract must answer from the suffix
list it ships, never download one."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

from saved_pages import ROOT

# In a fresh process (the suffix list is loaded once per process) with an empty tldextract cache:
# the downloader's middlewares as a crawl builds them, then a cookie with a Domain attribute —
# what made tldextract fetch the Public Suffix List. Every name lookup and connection is recorded.
PROBE = """
import socket
looked = []
def refuse(*args, **kwargs):
    looked.append(args[0] if args else None)
    raise OSError("no network here")
socket.getaddrinfo = refuse
socket.create_connection = refuse

from scrapy.core.downloader.middleware import DownloaderMiddlewareManager
from scrapy.downloadermiddlewares.cookies import CookiesMiddleware, _is_public_domain
from scrapy.http import Request, Response
from scrapy.utils.project import get_project_settings
from scrapy.utils.reactor import install_reactor
from scrapy.utils.test import get_crawler

from spiders.hanweb import HanwebSpider

settings = get_project_settings()
install_reactor(settings["TWISTED_REACTOR"])
crawler = get_crawler(HanwebSpider, settings.copy_to_dict())
manager = DownloaderMiddlewareManager.from_crawler(crawler)
cookies = next(m for m in manager.middlewares if isinstance(m, CookiesMiddleware))
request = Request("http://jxj.hangzhou.gov.cn/col/col1229265378/index.html")
answer = Response(request.url, request=request,
                  headers={"Set-Cookie": "JSESSIONID=abc; Domain=.hangzhou.gov.cn; Path=/"})
cookies.process_response(request, answer)
print(_is_public_domain("gov.cn"), _is_public_domain("hangzhou.gov.cn"), looked)
"""


def test_cookies_never_make_tldextract_reach_the_network(tmp_path: Path) -> None:
    cache = tmp_path / "tldextract"
    cache.mkdir()
    env = {"PATH": "/usr/bin:/bin", "HOME": str(tmp_path), "TLDEXTRACT_CACHE": str(cache)}
    result = subprocess.run([sys.executable, "-c", PROBE], cwd=ROOT, capture_output=True, text=True,
                            env=env, timeout=120)  # fmt: skip
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip() == "True False []"  # the shipped list answers; nothing looked up
    assert "Traceback" not in result.stderr
    assert list(cache.iterdir()) == []  # nor anything cached
