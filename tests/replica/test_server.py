"""The served replica: ports, control, validators, redirects, faults acted out, clean stop."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from urllib.parse import urlsplit

import pytest

UA = {"User-Agent": "Mozilla/5.0 govwatch-test"}
SEED_PATH = "/art/2023/11/3/art_1229265378_4216448.html"


def fetch(url: str, **headers: str) -> tuple[int, dict[str, str], bytes]:
    request = urllib.request.Request(url, headers={**UA, **headers})
    try:
        with urllib.request.urlopen(request, timeout=10) as answer:
            return answer.status, dict(answer.headers), answer.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def test_sites_on_consecutive_loopback_ports(served: dict[str, str]) -> None:
    ports = [urlsplit(origin).port for origin in served.values()]
    assert ports == list(range(ports[0], ports[0] + len(ports)))
    assert all(urlsplit(origin).hostname == "127.0.0.1" for origin in served.values())
    for origin in served.values():
        status, _, body = fetch(origin + "/__replica__/sites")
        assert status == 200 and json.loads(body) == served


def test_robots_everywhere(served: dict[str, str]) -> None:
    for origin in served.values():
        status, _, body = fetch(origin + "/robots.txt")
        assert status == 200 and body.startswith(b"User-agent: *")


def test_seed_page_with_validators_and_304(served: dict[str, str]) -> None:
    status, headers, body = fetch(served["hangzhou-jxj"] + SEED_PATH)
    assert status == 200 and "西湖31号" in body.decode()
    assert headers["ETag"] and headers["Last-Modified"]
    assert fetch(served["hangzhou-jxj"] + SEED_PATH, **{"If-None-Match": headers["ETag"]})[0] == 304
    assert (
        fetch(
            served["hangzhou-jxj"] + SEED_PATH, **{"If-Modified-Since": headers["Last-Modified"]}
        )[0]
        == 304
    )


def test_trs_pages_are_gbk_and_their_counter_changes(served: dict[str, str]) -> None:
    origin = served["hubei-jxt"]
    _, headers, index = fetch(origin + "/fbjd/xxgkml/jytabl/rddbjy/index.html")
    assert "gbk" in headers["Content-Type"]
    link = re.search(r'href="\./(\d{6}/t[^"]+)"', index.decode("gbk")).group(1)  # type: ignore[union-attr]
    first = fetch(origin + "/fbjd/xxgkml/jytabl/rddbjy/" + link)[2]
    second = fetch(origin + "/fbjd/xxgkml/jytabl/rddbjy/" + link)[2]
    assert first != second and "浏览次数".encode("gbk") in first


def test_jpaas_attachment_redirect_chain(served: dict[str, str]) -> None:
    origin = served["hangzhou-gov"]
    from replica.jpaas import attachment_path

    url = origin + attachment_path("附件1：材料.pdf", "hangzhou-gov-3-0.pdf")
    connection = http.client.HTTPConnection(urlsplit(origin).netloc, timeout=10)
    connection.request("GET", url[len(origin) :])
    first = connection.getresponse()
    first.read()
    assert first.status == 302 and first.headers["Location"].startswith("/cms_files/")
    connection.request("GET", first.headers["Location"])
    second = connection.getresponse()
    second.read()
    assert second.status == 301 and second.headers["Location"].startswith("/oss/")
    status, headers, body = fetch(url)  # urllib follows both
    assert (
        status == 200 and body.startswith(b"%PDF-") and headers["Content-Type"] == "application/pdf"
    )


def test_day_control_moves_time(served: dict[str, str]) -> None:
    origin = served["govcn"]
    request = urllib.request.Request(
        origin + "/__replica__/day", data=b"day=2023-11-02", headers=UA
    )
    with urllib.request.urlopen(request, timeout=10) as answer:
        assert json.loads(answer.read())["date"] == "2023-11-02"
    try:
        assert fetch(served["hangzhou-jxj"] + SEED_PATH)[0] == 404
    finally:
        back = urllib.request.Request(origin + "/__replica__/day", data=b"day=1425", headers=UA)
        urllib.request.urlopen(back, timeout=10).read()
    assert fetch(served["hangzhou-jxj"] + SEED_PATH)[0] == 200


def test_faults_acted_out(served: dict[str, str]) -> None:
    status, headers, _ = fetch(served["hangzhou-jxj"] + "/faulty/x.html")
    assert status == 503 and headers["Retry-After"] == "1"
    started = time.monotonic()
    assert fetch(served["hubei-jxt"] + "/slow/x.html")[0] == 404
    assert time.monotonic() - started >= 0.3
    with pytest.raises((ConnectionError, http.client.RemoteDisconnected, urllib.error.URLError)):
        fetch(served["govcn"] + "/reset/x.htm")
    with pytest.raises(http.client.IncompleteRead):
        fetch(served["govcn"] + "/trunc/x.htm")


def test_bad_arguments_are_clear_errors() -> None:
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "replica", "serve", "--faults", "/x=boom"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and "unknown fault 'boom'" in result.stderr
    result = subprocess.run(
        [sys.executable, "-m", "crawler", "replica", "truth", "--day", "someday"],
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    assert result.returncode == 2 and "ISO date" in result.stderr


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT])
def test_stops_cleanly(signum: int) -> None:
    # Port 0: ports the system picks (a block found free could be taken before the replica binds
    # it by a test beside this one).
    process = subprocess.Popen(
        [sys.executable, "-m", "crawler", "replica", "serve", "--docs", "10", "--port", "0"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
        env={**os.environ, "PYTHONFAULTHANDLER": "1"},  # SIGABRT prints where it hangs
        # A test run started in the background (`make test &`) has SIGINT ignored, which its
        # children inherit, and a program leaves an ignored SIGINT ignored: the replica's own.
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    line = process.stdout.readline()
    assert line, process.stderr.read()
    assert json.loads(line)["sites"]
    process.send_signal(signum)
    try:
        code = process.wait(timeout=10)
    except subprocess.TimeoutExpired:  # (once under load: say where it was)
        process.send_signal(signal.SIGABRT)
        _, stderr = process.communicate(timeout=10)
        raise AssertionError(f"the replica did not stop in 10 s:\n{stderr[-4000:]}") from None
    assert code == 0
    assert process.stderr is not None and "Traceback" not in process.stderr.read()
