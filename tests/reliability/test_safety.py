"""Safety: only a profile's hosts are fetched, servers bind loopback by default, secrets stay
out of logs and exports."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from crawl_helpers import ROOT

from crawler.cli import cli
from crawler.items import ListingEntry
from crawler.portals.profiles import load_profiles
from crawler.store import open_store
from crawler.watch.notify import WebhookSink, deliver
from spiders.hanweb import HanwebSpider


def test_links_outside_the_profile_hosts_are_never_followed() -> None:
    spider = HanwebSpider(profile=load_profiles()["hangzhou-jxj"])
    entries = [
        ListingEntry("http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"),
        ListingEntry("http://evil.example/art/2023/11/3/art_1229265378_1.html"),
        ListingEntry("http://jxj.hangzhou.gov.cn.evil.example/art/2023/1/1/art_1_2.html"),
        ListingEntry("http://10.0.0.1/art/2023/1/1/art_1_3.html"),
    ]
    requests, _ = spider.follow_entries(entries, "1229265378")
    assert [r.url for r in requests] == [
        "http://jxj.hangzhou.gov.cn/art/2023/11/3/art_1229265378_4216448.html"
    ]


def test_servers_bind_loopback_by_default() -> None:
    for argv in (["serve"], ["replica", "serve"]):
        context = cli.make_context("govwatch", list(argv), resilient_parsing=True)
        command = cli
        for name in argv:  # asked as Click asks: `replica` is a plugin's command
            found = command.get_command(context, name)  # type: ignore[attr-defined]
            assert found is not None, name
            command = found
        sub = command.make_context(name, [], parent=context)
        assert sub.params["host"] == "127.0.0.1"


def test_the_webhook_secret_never_appears(tmp_path: Path) -> None:
    secret = "do-not-leak-4f9c2a"
    db = tmp_path / "s.db"
    with open_store(db) as store:
        record = {"url": "http://x.gov.cn/1.html", "title": "开源软件的答复", "body_text": "支持开源软件。", "kind": "reply",
                  "attachments": [], "warnings": []}  # fmt: skip
        from crawler.watch.rules import alerts_for, load_rules

        store.save(portal="p", identity="p:1", record=record, fetched_url=record["url"], fetched_at="t", status=200,
                   headers={}, raw=b"", etag=None, last_modified=None, run_id=None,
                   alerts=alerts_for(load_rules(), record, "p"))  # fmt: skip
        result = deliver(store, [WebhookSink("http://127.0.0.1:9/hook", secret)], retries=0)
        assert result.failed and all(secret not in error for error in result.errors)
        stored = json.dumps(list(store.db.query("SELECT * FROM deliveries")), ensure_ascii=False)
        assert secret not in stored
    config = tmp_path / "govwatch.yaml"
    config.write_text(json.dumps({"db": str(db), "sinks": [{"type": "webhook", "url": "http://127.0.0.1:9/hook",
                                                            "secret_env": "HOOK"}]}), encoding="utf-8")  # fmt: skip
    run = subprocess.run([sys.executable, "-m", "crawler", "status", "--config", str(config)], cwd=ROOT,
                         capture_output=True, text=True, env={**os.environ, "HOOK": secret})  # fmt: skip
    export = subprocess.run([sys.executable, "-m", "crawler", "export", "--db", str(db)], cwd=ROOT,
                            capture_output=True, text=True)  # fmt: skip
    for output in (run.stdout + run.stderr, export.stdout + export.stderr):
        assert secret not in output
