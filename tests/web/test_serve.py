"""govwatch serve: Datasette on the corpus, with its metadata, facets, canned queries and search."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path
from typing import Any

from datasette.app import Datasette

from crawler.store import open_store
from crawler.web import PLUGINS, metadata


def _corpus(path: Path) -> None:
    with open_store(path) as store:
        for number, (title, body, kind) in enumerate([
            ("市经信局关于“西湖31号”建议的答复", "何征宇代表：您的《关于支持开源软件发展的建议》收悉。", "reply"),
            ("关于做好预算执行工作的通知", "坚持开源节流、量入为出。", "other"),
        ]):  # fmt: skip
            record = {"url": f"http://x.gov.cn/{number}.html", "title": title, "body_text": body, "kind": kind,
                      "published_at": f"2023-11-0{number + 1}", "reply": None, "attachments": [], "warnings": []}  # fmt: skip
            store.save(portal="hangzhou-jxj", identity=f"hangzhou-jxj:{number}", record=record,
                       fetched_url=record["url"], fetched_at="2023-11-03T00:00:00+00:00", status=200, headers={},
                       raw=b"", etag=None, last_modified=None, run_id=None)  # fmt: skip


def _get(datasette: Datasette, path: str) -> Any:
    async def fetch() -> Any:
        return await datasette.client.get(path)

    return asyncio.run(fetch())


def test_datasette_pages(tmp_path: Path) -> None:
    db = tmp_path / "corpus.db"
    _corpus(db)
    datasette = Datasette([str(db)], metadata=metadata("corpus"), plugins_dir=str(PLUGINS))
    home = _get(datasette, "/")
    assert home.status_code == 200 and "govwatch" in home.text
    table = _get(datasette, "/corpus/documents.json?_shape=array")
    assert table.status_code == 200 and len(table.json()) == 2
    facets = _get(datasette, "/corpus/documents.json?_facet=kind")
    assert {f["value"] for f in facets.json()["facet_results"]["kind"]["results"]} == {
        "reply",
        "other",
    }
    latest = _get(datasette, "/corpus/latest_replies.json?_shape=array")
    assert [row["title"] for row in latest.json()] == ["市经信局关于“西湖31号”建议的答复"]
    search = _get(datasette, "/corpus/search.json?_shape=array&q=" + "開源軟件")
    assert [row["url"] for row in search.json()] == ["http://x.gov.cn/0.html"]
    open_source = _get(datasette, "/corpus/open_source.json?_shape=array")
    assert [row["url"] for row in open_source.json()] == ["http://x.gov.cn/0.html"]
    page = _get(datasette, "/corpus/search?q=" + "何征宇")
    assert page.status_code == 200 and "西湖31号" in page.text


def test_metadata_is_json() -> None:
    assert json.loads(json.dumps(metadata("govwatch"), ensure_ascii=False))["title"] == "govwatch"


def test_govwatch_serve_command(tmp_path: Path) -> None:
    """The command itself: Datasette in a child process on loopback, the plugin and metadata in."""
    import subprocess
    import sys
    import time
    import urllib.request

    from crawl_helpers import free_block

    db = tmp_path / "corpus.db"
    _corpus(db)
    port = free_block(1)
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--db", str(db), "--port", str(port),
                                "--immutable"], stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    try:
        query = urllib.request.quote("開源軟件")
        url = f"http://127.0.0.1:{port}/corpus/search.json?_shape=array&q={query}"
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(url, timeout=5) as answer:
                    rows = json.loads(answer.read())
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise
                time.sleep(0.3)
        assert [row["url"] for row in rows] == ["http://x.gov.cn/0.html"]
    finally:
        process.terminate()
        process.wait(timeout=30)


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="utf-8") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] != "Z"  # a zombie is gone
    except FileNotFoundError:
        return False


def test_sigterm_stops_datasette_too_and_leaves_no_file(tmp_path: Path) -> None:
    import os
    import signal
    import subprocess
    import sys
    import time
    import urllib.request

    from crawl_helpers import free_block

    db = tmp_path / "corpus.db"
    _corpus(db)
    temp = tmp_path / "tmp"
    temp.mkdir()
    port = free_block(1)
    process = subprocess.Popen([sys.executable, "-m", "crawler", "serve", "--db", str(db), "--port", str(port)],
                               stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                               env={**os.environ, "TMPDIR": str(temp)})  # fmt: skip
    children: list[int] = []
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/corpus.json", timeout=5).read()
                break
            except OSError:
                assert time.monotonic() < deadline
                time.sleep(0.3)
        with open(f"/proc/{process.pid}/task/{process.pid}/children", encoding="utf-8") as found:
            children = [int(pid) for pid in found.read().split()]
        assert children and all(_alive(pid) for pid in children)
        process.send_signal(signal.SIGTERM)
        assert process.wait(timeout=30) == 0
        deadline = time.monotonic() + 10
        while any(_alive(pid) for pid in children) and time.monotonic() < deadline:
            time.sleep(0.1)
        assert not any(_alive(pid) for pid in children)  # Datasette went with it
        assert list(temp.iterdir()) == []  # and its metadata file
    finally:
        for pid in children:
            if _alive(pid):
                os.kill(pid, signal.SIGKILL)
        if process.poll() is None:
            process.kill()


def test_a_port_in_use_is_one_line(tmp_path: Path) -> None:
    import socket
    import subprocess
    import sys

    db = tmp_path / "corpus.db"
    _corpus(db)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = subprocess.run([sys.executable, "-m", "crawler", "serve", "--db", str(db), "--port", str(port)],
                                capture_output=True, text=True, timeout=60)  # fmt: skip
    assert result.returncode == 2
    assert result.stderr.splitlines() == [
        f"govwatch serve: cannot listen on 127.0.0.1:{port}: Address already in use; give another "
        f"--port (e.g. --port {port + 1}), or stop what listens there"
    ]
