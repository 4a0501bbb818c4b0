"""Alerts arrive exactly once, on every sink: outbox written with the version, sinks retried."""

from __future__ import annotations

import hashlib
import hmac
import json
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path
from typing import Any, ClassVar

import pytest
from delivery_helpers import receiving

from crawler.store import Store, open_store
from crawler.store.outbox import write_alert
from crawler.watch.notify import (
    AppriseSink,
    AtomSink,
    ConfigError,
    ConsoleSink,
    JsonlSink,
    SinkError,
    WebhookSink,
    deliver,
    describe,
    sinks_from_config,
)
from crawler.watch.rules import alerts_for, load_rules, parse_rules

RULES = load_rules()
SECRET = "s3cret-for-tests"


def _record(number: int, body: str = "支持开源软件发展。", kind: str = "reply") -> dict[str, Any]:
    return {"url": f"http://jxj.hangzhou.gov.cn/art/{number}.html", "title": f"关于第{number}号建议的答复", "body_text": body,
            "kind": kind, "published_at": "2023-11-03T11:04:00+08:00", "attachments": [], "warnings": [],
            "reply": {"addressee": "何征宇", "addressee_role": "代表", "proposal_no": "西湖31号",
                      "session": "市十四届人大三次会议", "lead_agency": "市经信局", "co_agencies": ["市科技局"]}}  # fmt: skip


def _save(store: Store, number: int, **change: Any) -> int:
    record = {**_record(number), **change}
    return store.save(portal="hangzhou-jxj", identity=f"hangzhou-jxj:{number}", record=record, fetched_url=record["url"],
                      fetched_at="2023-11-03T12:00:00+00:00", status=200, headers={}, raw=b"", etag=None,
                      last_modified=None, run_id=None, alerts=alerts_for(RULES, record, "hangzhou-jxj")).alerts  # fmt: skip


@pytest.fixture
def store(corpus: str) -> Iterator[Store]:
    """Every test here runs on SQLite and on PostgreSQL."""
    with open_store(corpus) as opened:
        yield opened


def test_alerts_are_written_with_the_version_and_once(store: Store) -> None:
    assert _save(store, 1) == 1  # one alert naming open-source-replies and open-source
    assert _save(store, 1) == 0  # seen again, unchanged
    assert (
        _save(store, 1, body_text="支持开源软件发展。（更新）") == 0
    )  # changed: these rules do not re-alert
    assert _save(store, 2, body_text="坚持开源节流。") == 0  # the other sense
    assert [a["rules"] for a in store.alerts()] == [["open-source-replies", "open-source"]]
    assert [a["key"] for a in store.alerts()] == ["doc:hangzhou-jxj:1:v1"]
    assert [a["key"] for a in store.alerts("open-source")] == ["doc:hangzhou-jxj:1:v1"]


def test_a_failed_save_writes_no_alert(store: Store) -> None:
    record = _record(3)
    with pytest.raises(TypeError):
        store.save(portal="p", identity="p:3", record=record, fetched_url="u", fetched_at="t", status=200, headers={},
                   raw="not bytes", etag=None, last_modified=None, run_id=None,  # type: ignore[arg-type]
                   alerts=alerts_for(RULES, record, "p"))  # fmt: skip
    assert store.alerts() == [] and store.document("p:3") is None


def test_console_jsonl_and_atom(store: Store, tmp_path: Path) -> None:
    _save(store, 1)
    lines: list[str] = []

    class Out:
        def write(self, text: str) -> None:
            lines.append(text)

        def flush(self) -> None:
            pass

    jsonl = tmp_path / "out" / "alerts.jsonl"
    sinks = [
        ConsoleSink(out=Out()),
        JsonlSink(jsonl),
        AtomSink(tmp_path / "feeds", "http://127.0.0.1/feeds"),
    ]  # type: ignore[arg-type]
    result = deliver(store, sinks)
    assert (result.delivered, result.failed) == (3, 0)  # one alert for the document, per sink
    text = "".join(lines)
    assert text.count("何征宇代表") == 1 and "[open-source-replies, open-source]" in text
    assert (
        "何征宇代表" in text
        and "西湖31号" in text
        and "市经信局 (lead); 市科技局 (co-handling)" in text
    )
    assert deliver(store, sinks).delivered == 0  # nothing pending: exactly once
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [r["key"] for r in rows] == ["doc:hangzhou-jxj:1:v1"]
    assert rows[0]["rules"] == ["open-source-replies", "open-source"]
    # Each rule's feed carries the document.
    assert (tmp_path / "feeds" / "open-source.atom").exists()
    feed = ET.parse(tmp_path / "feeds" / "open-source-replies.atom").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    assert feed.tag == f"{atom}feed" and feed.find(f"{atom}id") is not None
    entries = feed.findall(f"{atom}entry")
    assert (
        len(entries) == 1
        and entries[0].find(f"{atom}link").get("href") == "http://jxj.hangzhou.gov.cn/art/1.html"
    )  # type: ignore[union-attr]
    assert "何征宇" in (entries[0].find(f"{atom}summary").text or "")  # type: ignore[union-attr]


def test_jsonl_never_writes_an_alert_twice(store: Store, tmp_path: Path) -> None:
    _save(store, 1)
    jsonl = tmp_path / "alerts.jsonl"
    JsonlSink(jsonl).send(
        store.pending_alerts("jsonl"), store
    )  # written, then a crash before recording
    deliver(store, [JsonlSink(jsonl)])
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == 1


class Receiver(BaseHTTPRequestHandler):
    """A webhook receiver that checks signatures, dedupes on the key, and can be told to fail."""

    received: ClassVar[list[dict[str, Any]]] = []
    keys: ClassVar[list[str]] = []
    fail_next = 0

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers["Content-Length"]))
        if Receiver.fail_next > 0:
            Receiver.fail_next -= 1
            self.send_response(503)
            self.end_headers()
            return
        expected = "sha256=" + hmac.new(SECRET.encode(), body, hashlib.sha256).hexdigest()
        assert hmac.compare_digest(expected, self.headers["X-Govwatch-Signature"])
        key = self.headers["Idempotency-Key"]
        Receiver.keys.append(key)
        if key not in {r["key"] for r in Receiver.received}:
            Receiver.received.append(json.loads(body))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: Any) -> None:
        pass


@pytest.fixture
def receiver() -> Iterator[str]:
    Receiver.received, Receiver.keys, Receiver.fail_next = [], [], 0
    with receiving(Receiver) as port:
        yield f"http://127.0.0.1:{port}/hook"


def test_signed_webhook_retried_then_delivered_once(store: Store, receiver: str) -> None:
    _save(store, 1)
    sink = WebhookSink(receiver, SECRET)
    Receiver.fail_next = 10  # down for longer than one run's retries
    first = deliver(store, [sink], retries=2, backoff=0, sleep=lambda s: None)
    assert (first.delivered, first.failed) == (0, 1) and Receiver.received == []
    Receiver.fail_next = 1  # recovers after one more failure
    second = deliver(store, [sink], retries=2, backoff=0, sleep=lambda s: None)
    assert (second.delivered, second.failed) == (1, 0)
    assert deliver(store, [sink]).delivered == 0
    assert sorted(r["key"] for r in Receiver.received) == sorted(set(Receiver.keys))
    assert [r["rules"] for r in Receiver.received] == [["open-source-replies", "open-source"]]
    assert Receiver.received[0]["reply"]["proposal_no"] == "西湖31号"


def test_apprise_json_to_a_loopback_receiver(store: Store, receiver: str) -> None:
    _save(store, 1)

    class Plain(Receiver):
        def do_POST(self) -> None:
            Receiver.received.append(
                json.loads(self.rfile.read(int(self.headers["Content-Length"])))
            )
            self.send_response(200)
            self.end_headers()

    with receiving(Plain) as port:
        assert deliver(store, [AppriseSink([f"json://127.0.0.1:{port}/notify"])]).delivered == 1
    assert len(Receiver.received) == 1 and "何征宇" in Receiver.received[0]["message"]


def test_apprise_mailto_to_a_local_smtp_server(store: Store) -> None:
    from aiosmtpd.controller import Controller

    messages: list[bytes] = []

    class Handler:
        async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
            messages.append(envelope.content)
            return "250 OK"

    import socket

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    controller = Controller(Handler(), hostname="127.0.0.1", port=port)
    controller.start()
    try:
        _save(store, 1)
        url = f"mailto://127.0.0.1:{port}?to=watcher@example.org&from=govwatch@example.org&mode=insecure"
        result = deliver(store, [AppriseSink([url], digest=True)], retries=0)
        assert result.delivered == 1, result.errors
    finally:
        controller.stop()
    assert len(messages) == 1 and b"watcher@example.org" in messages[0]


def test_config_names_the_field(tmp_path: Path) -> None:
    with pytest.raises(ConfigError, match=r"sinks\[0\]\.type: 'pager'"):
        sinks_from_config([{"type": "pager"}], tmp_path)
    with pytest.raises(ConfigError, match="set the environment variable HOOK_SECRET"):
        sinks_from_config(
            [{"type": "webhook", "url": "http://x", "secret_env": "HOOK_SECRET"}], tmp_path, env={}
        )
    sinks = sinks_from_config([{"type": "webhook", "url": "http://x", "secret_env": "HOOK_SECRET"}], tmp_path,
                              env={"HOOK_SECRET": "abc"})  # fmt: skip
    assert "abc" not in repr(describe({"rule": "health", "portal": "p", "message": "m"}))
    assert sinks[0].name == "webhook"


def test_a_health_alert_reaches_every_sink_with_its_portal(store: Store, tmp_path: Path) -> None:
    """A health alert has no URL: the Atom feed still takes it, and the sinks after it still
    receive everything; every sink names the portal."""
    _save(store, 1)
    store.add_health_alert("health:hubei-jxt:rddbjy:blocked:1", "hubei-jxt",
                           {"message": "column rddbjy blocked: HTTP 412"})  # fmt: skip
    lines: list[str] = []

    class Out:
        def write(self, text: str) -> None:
            lines.append(text)

        def flush(self) -> None:
            pass

    jsonl = tmp_path / "alerts.jsonl"
    sinks = [AtomSink(tmp_path / "feeds"), ConsoleSink(out=Out()), JsonlSink(jsonl)]  # type: ignore[arg-type]
    result = deliver(store, sinks)
    assert (result.delivered, result.failed, result.errors) == (6, 0, [])  # 2 alerts × 3 sinks
    assert "[health] hubei-jxt: column rddbjy blocked: HTTP 412" in "".join(lines)
    rows = [json.loads(line) for line in jsonl.read_text(encoding="utf-8").splitlines()]
    assert [r["portal"] for r in rows if r["rule"] == "health"] == ["hubei-jxt"]
    feed = ET.parse(tmp_path / "feeds" / "health.atom").getroot()
    atom = "{http://www.w3.org/2005/Atom}"
    (entry,) = feed.findall(f"{atom}entry")
    assert "HTTP 412" in (entry.find(f"{atom}content").text or "")  # type: ignore[union-attr]


def test_a_sink_that_raises_anything_fails_alone(store: Store, tmp_path: Path) -> None:
    _save(store, 1)

    class Broken:
        name, batch = "broken", False

        def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
            raise ValueError("a library's surprise")

    jsonl = tmp_path / "alerts.jsonl"
    result = deliver(store, [Broken(), JsonlSink(jsonl)], retries=0)  # type: ignore[list-item]
    assert (result.delivered, result.failed, result.waiting) == (1, 1, 1)
    assert result.errors == ["broken: ValueError: a library's surprise"]
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == 1


def test_two_sinks_of_one_type_each_receive_everything(store: Store, tmp_path: Path) -> None:
    _save(store, 1)
    sinks = sinks_from_config([{"type": "jsonl", "path": "a.jsonl"},
                               {"type": "jsonl", "path": "b.jsonl", "name": "archive"}], tmp_path)  # fmt: skip
    assert [sink.name for sink in sinks] == ["jsonl", "archive"]
    assert deliver(store, sinks).delivered == 2
    for name in ("a.jsonl", "b.jsonl"):
        assert len((tmp_path / name).read_text(encoding="utf-8").splitlines()) == 1
    # Two unnamed sinks of one type would share their deliveries: a clear error instead.
    with pytest.raises(
        ConfigError, match=r"sinks\[1\]\.name: sinks\[0\] is already called 'jsonl'"
    ):
        sinks_from_config([{"type": "jsonl", "path": "a.jsonl"}, {"type": "jsonl", "path": "b.jsonl"}],
                          tmp_path)  # fmt: skip
    with pytest.raises(ConfigError, match=r"sinks\[0\]\.pth: not a jsonl sink field"):
        sinks_from_config([{"type": "jsonl", "pth": "a.jsonl"}], tmp_path)


def test_every_pending_alert_is_counted_and_delivered(store: Store, tmp_path: Path) -> None:
    """More alerts than one page of the outbox: all are delivered; and what waits is counted."""
    with store.transaction() as conn:
        for number in range(1203):  # in one transaction: quicker than 1203 of their own
            write_alert(conn, f"r:{number}", ["r"], None, None, "p", {"title": f"{number}"})
    jsonl = tmp_path / "alerts.jsonl"
    assert deliver(store, [JsonlSink(jsonl)]).delivered == 1203
    assert len(jsonl.read_text(encoding="utf-8").splitlines()) == 1203

    class Down:
        name, batch = "down", False

        def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
            raise SinkError("receiver down")

    result = deliver(store, [Down()], retries=0)  # type: ignore[list-item]
    assert (result.delivered, result.failed, result.waiting) == (0, 1, 1203)


def test_a_torn_last_line_does_not_swallow_the_next_alert(store: Store, tmp_path: Path) -> None:
    jsonl = tmp_path / "alerts.jsonl"
    jsonl.write_text(
        '{"key": "old", "title": "written in full"}\n{"key": "torn", "ti', encoding="utf-8"
    )
    _save(store, 1)
    _save(store, 2)
    assert deliver(store, [JsonlSink(jsonl)]).delivered == 2
    lines = jsonl.read_text(encoding="utf-8").splitlines()
    assert lines[1] == '{"key": "torn", "ti'
    assert [json.loads(line)["key"] for line in lines[2:]] == [
        "doc:hangzhou-jxj:1:v1",
        "doc:hangzhou-jxj:2:v1",
    ]


def test_a_webhook_url_with_a_token_stays_secret(store: Store, tmp_path: Path) -> None:
    token = "0123456789abcdef-secret-token"
    url = f"http://127.0.0.1:9/robot/send?access_token={token}"
    (sink,) = sinks_from_config([{"type": "webhook", "url_env": "HOOK_URL", "secret_env": "HOOK_SECRET"}],
                                tmp_path, env={"HOOK_URL": url, "HOOK_SECRET": "s"})  # fmt: skip
    assert isinstance(sink, WebhookSink) and sink.url == url
    with pytest.raises(ConfigError, match="set the environment variable HOOK_URL"):
        sinks_from_config(
            [{"type": "webhook", "url_env": "HOOK_URL"}],
            tmp_path,
            env={"GOVWATCH_WEBHOOK_SECRET": "s"},
        )
    _save(store, 1)
    result = deliver(store, [WebhookSink(url, "s")], retries=0)
    assert result.failed and result.errors[0].startswith("webhook http://127.0.0.1:9/…: ")
    stored = json.dumps(list(store.db.query("SELECT * FROM deliveries")))
    assert token not in " ".join(result.errors) and token not in stored


def test_an_apprise_failure_says_why(store: Store) -> None:
    _save(store, 1)
    result = deliver(
        store, [AppriseSink(["json://127.0.0.1:9/notify?token=abcdef123456"])], retries=0
    )
    assert result.failed == 1
    (error,) = result.errors
    assert error.startswith("apprise: delivery to json://127.0.0.1:9/… failed: ")
    assert "no reason given" not in error and "refused" in error.lower()
    assert "abcdef123456" not in error


def test_an_alert_says_why_its_open_source_matched() -> None:
    from crawler.watch.rules import alert_payload, load_rules

    rule = next(r for r in load_rules() if r.name == "open-source")
    record = {"url": "u", "title": "关于支持开源软件发展的建议的答复", "kind": "other",
              "body_text": "坚持开源节流。支持企业参与开源社区建设。"}  # fmt: skip
    payload = alert_payload(rule.name, record, "p", rule.match(record))
    lines = describe(payload)
    assert any(line.startswith("  because:") and "软件" in line for line in lines)
    assert not any("节流" in line for line in lines if line.startswith("  because:"))


def test_a_rule_that_stands_alone_gets_its_own_alert(store: Store) -> None:
    """`alone: true`: that rule's alerts are never merged into the document's one alert."""
    rules = parse_rules({"rules": [
        {"name": "open-source", "any": ["开源"], "sense": "open-source"},
        {"name": "oss-desk", "any": ["开源软件"], "alone": True},
        {"name": "replies", "any": ["开源"], "kinds": ["reply"], "sense": "open-source"},
    ]}, "rules.yaml")  # fmt: skip
    record = _record(7)
    store.save(portal="p", identity="p:7", record=record, fetched_url=record["url"], fetched_at="t",
               status=200, headers={}, raw=b"", etag=None, last_modified=None, run_id=None,
               alerts=alerts_for(rules, record, "p"))  # fmt: skip
    assert sorted((a["key"], tuple(a["rules"])) for a in store.alerts()) == [
        ("doc:p:7:v1", ("replies", "open-source")),
        ("oss-desk:p:7:v1", ("oss-desk",)),
    ]


def test_a_health_alert_without_a_url_prints_no_empty_line() -> None:
    """The console printed '  ' under a health alert that points nowhere (issue 24, item 13)."""
    import io

    out = io.StringIO()
    health = {"rule": "health", "portal": "hubei-jxt", "message": "3 runs in a row failed"}
    ConsoleSink(out=out).send([health, {**health, "url": "http://x.gov.cn/col/1"}], None)  # type: ignore[arg-type]
    assert out.getvalue().splitlines() == [
        "[health] hubei-jxt: 3 runs in a row failed", "",
        "[health] hubei-jxt: 3 runs in a row failed", "  http://x.gov.cn/col/1", ""]  # fmt: skip
    assert all(line.strip() for line in describe({**_record(1), "rules": ["r"], "url": None}))
