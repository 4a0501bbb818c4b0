"""The two backends agree: the same search hits on the same corpus, several writers at once
losing and duplicating nothing, migrations run once, a PostgreSQL URL kept as given."""

from __future__ import annotations

import hashlib
import multiprocessing
import random
from pathlib import Path
from typing import Any

import pytest
from delivery_helpers import DIES_MID_SEND, FileSink

from crawler.store import RunStats, Save, Store, is_url, open_store
from crawler.watch.alerts import Alert, due

# Words in both scripts, two-character words, words hiding in others (开源节流), Latin and digits.
VOCABULARY = ["开源", "開源", "软件", "軟件", "开源节流", "节流", "社区", "社區", "建议", "答复", "数据",
              "數據", "政府", "信息", "公开", "OpenHarmony", "Linux", "2024", "v2", "第31号", "开",
              "源", "一", "鸿蒙", "操作系统", "人工智能", "12e3abc", "1e5x"]  # fmt: skip
QUERIES = ["开源", "開源", "开源软件", "源软", "节流", "开", "源", "开源 社区", "openharmony", "linux 开源",
           "2024", "数据 公开", "數據", "第31号", "操作系统", "系统操作", "人工", "智能 鸿蒙", "一", "v2",
           "12e3abc", "1e5x", "12e3", "abc",
           "开源节流", "信息公开", "不存在", "开源 OR 鸿蒙", "开源 -节流", "软件 NOT 社区", '"linux 开源"',
           "鸿蒙 OR 第31号 -2024", "-开源",
           # Search-box syntax: AND in words and signs, |, parentheses (OR distributed), NOT (…).
           "开源 AND 软件", "开源 && 社区", "开源 +软件", "开源 | 鸿蒙", "(开源 OR 鸿蒙) 软件",
           "(开源 软件) OR 鸿蒙", "(开源 社区) OR (数据 政府)", "开源 NOT (节流 OR 社区)",
           '-("开源 节流" | 2024) 开源', "(开源 -节流) 数据"]  # fmt: skip
# Field filters, compared with their value written differently (brackets, spaces, width, case).
FIELD_QUERIES = [{"doc_no": "杭经信提[2024]3 号"}, {"doc_no": "２０２４"}, {"deputy": "何征宇"},
                 {"proposal": "西湖3"}, {"publisher": "经信局"}, {"deputy": "无此人"}]  # fmt: skip


def _corpus(seed: int, count: int) -> list[dict[str, Any]]:
    rng = random.Random(seed)
    records = []
    for number in range(count):
        title = "".join(rng.choice(VOCABULARY) for _ in range(rng.randint(1, 4)))
        body = "，".join(
            " ".join(rng.choice(VOCABULARY) for _ in range(rng.randint(1, 5)))
            for _ in range(rng.randint(0, 6))
        )
        deputy = rng.choice(["何征宇", "李明", None])
        records.append({"url": f"http://x.gov.cn/{number}.html", "title": title, "body_text": body,
                        "kind": rng.choice(["reply", "notice"]), "attachments": [], "warnings": [],
                        "published_at": f"2024-0{rng.randint(1, 9)}-1{rng.randint(0, 9)}",
                        "doc_no": f"杭经信提〔2024〕{rng.randint(1, 40)}号" if rng.random() < 0.5 else None,
                        "publisher": rng.choice(["市经信局", "市科技局"]),
                        "reply": {"addressee": deputy, "proposal_no": f"西湖{rng.randint(1, 60)}号"}
                        if deputy else None})  # fmt: skip
    return records


def _shared(number: int, rule: Alert) -> Save:
    record = {"url": f"http://x/{number}", "title": f"共同{number}", "body_text": "开源",
              "attachments": [{"url": f"http://x/{number}.pdf", "name": "附件"}], "warnings": []}  # fmt: skip
    return Save(portal="p", identity=f"p:{number}", record=record, fetched_url=record["url"],
                fetched_at="2024-01-01T00:00:00+00:00", status=200, headers={}, raw=b"x",
                alerts=due([rule]))  # fmt: skip


def _save(
    store: Store, identity: str, record: dict[str, Any], alerts: list[Alert] | None = None
) -> str:
    return store.save(portal="p", identity=identity, record=record, fetched_url=record["url"],
                      fetched_at="2024-01-01T00:00:00+00:00", status=200, headers={}, raw=record["url"].encode(),
                      etag=None, last_modified=None, run_id=None,
                      alerts=due(alerts) if alerts is not None else None).kind  # fmt: skip


def test_search_returns_the_same_documents_on_both_backends(
    tmp_path: Path, pg_cluster: Any
) -> None:
    records = _corpus(7, 300)
    with open_store(tmp_path / "s.db") as lite, open_store(pg_cluster.create_database()) as pg:
        for number, record in enumerate(records):
            _save(lite, f"p:{number}", record)
            _save(pg, f"p:{number}", record)
        checked = 0
        for query in QUERIES:
            for options in ({}, {"kind": "reply"}, {"since": "2024-05-01"}):
                expected = {hit["id"] for hit in lite.search(query, limit=1000, **options)}
                got = {hit["id"] for hit in pg.search(query, limit=1000, **options)}
                assert got == expected, (query, options)
                checked += bool(expected)
        assert checked > 30  # most queries find something: the comparison means something
        for fields in FIELD_QUERIES:
            for query in ("", "开源"):
                expected = {hit["id"] for hit in lite.search(query, limit=1000, fields=fields)}
                got = {hit["id"] for hit in pg.search(query, limit=1000, fields=fields)}
                assert got == expected, (query, fields)
                assert pg.search_count(query, fields=fields) == len(expected)
                checked += bool(expected)
        assert [r["id"] for r in pg.records()] == [r["id"] for r in lite.records()]
        # Ranking: a title hit comes before a body-only hit on both.
        _save(lite, "t:title", {**records[0], "title": "鸿蒙", "body_text": "无关"})
        _save(pg, "t:title", {**records[0], "title": "鸿蒙", "body_text": "无关"})
        assert pg.search("鸿蒙", limit=1)[0]["snippet"]


def _title_first_then_newest(hits: list[dict[str, Any]], query: str) -> list[str]:
    """PostgreSQL's ranking, computed here: a title holding any of the query's bigrams (a lone
    character: any bigram it starts) first, then the newest, then by id."""
    from crawler.store.query import _CJK_RUN, parse, search_form

    wanted = [w for term in parse(query).groups for t in term for w in t.words]
    singles = [w for w in wanted if _CJK_RUN.fullmatch(w) and len(w) == 1]
    tokens = {t for w in wanted if w not in singles for t in search_form(w).split()}

    def in_title(hit: dict[str, Any]) -> bool:
        held = search_form(hit["title"]).split()
        return any(t in tokens or any(t.startswith(s) for s in singles) for t in held)

    ranked = sorted(hits, key=lambda hit: hit["id"])
    ranked.sort(key=lambda hit: hit["published_at"] or "", reverse=True)
    ranked.sort(key=lambda hit: not in_title(hit))
    return [hit["id"] for hit in ranked]


@pytest.mark.parametrize("probe_rows", [1000, 40])
def test_postgresql_pages_are_the_top_of_its_ranking_and_counts_agree(
    tmp_path: Path, pg_cluster: Any, monkeypatch: pytest.MonkeyPatch, probe_rows: int
) -> None:
    # Rows are ranked before adjacency, NOT and fields are checked, and a small page is first
    # sought among the newest documents (all of them, or only some: probe_rows): a page must
    # still be the first hits of the full ranking, and the count (checked in one pass) the same.
    from crawler.store import open_store
    from crawler.store import postgres as pgstore

    monkeypatch.setattr(pgstore, "PROBE_ROWS", probe_rows)
    records = _corpus(11, 250)
    for record in records[::7]:
        record["published_at"] = None  # undated: ranked after every dated document
    with open_store(tmp_path / "s.db") as lite, open_store(pg_cluster.create_database()) as pg:
        for number, record in enumerate(records):
            _save(lite, f"p:{number}", record)
            _save(pg, f"p:{number}", record)
        checked = 0
        for query in [*QUERIES, '开源 -"开源 软件"', '"开源 社区" OR 鸿蒙', "开源软件 -社区"]:
            for options in ({}, {"kind": "reply"}, {"fields": {"deputy": "何征宇"}}):
                everything = pg.search(query, limit=1000, **options)
                full = [hit["id"] for hit in everything]
                assert full == _title_first_then_newest(everything, query), (query, options)
                for limit in (1, 3, 10):
                    page = [hit["id"] for hit in pg.search(query, limit=limit, **options)]
                    assert page == full[:limit], (query, options, limit)
                count = len(lite.search(query, limit=1000, **options))
                assert pg.search_count(query, **options) == len(full) == count, (query, options)
                checked += len(full) > 10
        assert checked > 20  # most queries fill a page: the prefixes mean something


def _writer(db: str, worker: int, shared: int, own: int, batch: int) -> None:
    rule = Alert("r", {"message": "m"})
    with open_store(db) as store:
        run = store.start_run(["p"], False)
        numbers = list(range(shared))
        random.Random(worker).shuffle(numbers)  # batches overlapping in every order
        for start in range(0, shared, batch):
            # every worker saves these: one document, one version each
            store.save_many([_shared(number, rule) for number in numbers[start : start + batch]])
        for number in range(own):
            record = {
                "url": f"http://x/{worker}/{number}",
                "title": "自己",
                "attachments": [],
                "warnings": [],
            }
            _save(store, f"p:{worker}:{number}", record, [rule])
        store.finish_run(run, RunStats(), 0.0)


@pytest.mark.parametrize("failure", ["in the client", "on the server"])
def test_a_save_failing_midway_leaves_nothing_and_the_store_writes_on(
    corpus: str, failure: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A save's statements may be in flight together (PostgreSQL pipelines them): a failure
    after the document's row was sent rolls everything back, and the next save works."""
    import crawler.store.documents as documents

    def failing(conn: Any, *args: Any, **kwargs: Any) -> None:
        if failure == "on the server":
            conn.execute("INSERT INTO no_such_table VALUES (?)", (1,))
        else:
            raise RuntimeError("failed mid-save")

    record = _corpus(7, 1)[0]
    with open_store(corpus) as store:
        monkeypatch.setattr(documents, "save_files", failing)
        with pytest.raises(Exception, match=r"no_such_table|failed mid-save"):
            _save(store, "p:1", record, [Alert("r", {"message": "m"})])
        assert store.counts() == {"documents": 0, "live": 0, "versions": 0}
        assert store.alerts("r", limit=10) == []
        monkeypatch.undo()
        assert _save(store, "p:1", record, [Alert("r", {"message": "m"})]) == "new"
        assert store.counts() == {"documents": 1, "live": 1, "versions": 1}


def test_odd_tokens_a_long_run_and_a_book_length_text_are_searched_alike(
    tmp_path: Path, pg_cluster: Any
) -> None:
    """Tokens the full-text parser would cut (`12e3abc`), a run of letters longer than any index
    takes whole, and a search text past 650 kB (indexed by the parser on PostgreSQL): both
    backends find the same documents, and counts agree with hits."""
    long_run = "a" * 3000
    records = [
        {"url": "http://x/0", "title": "十二", "body_text": "12e3abc 与 1e5 e", "attachments": []},
        {"url": "http://x/1", "title": "长", "body_text": f"{long_run} 开源 b", "attachments": []},
        {"url": "http://x/2", "title": "书", "attachments": [],
         "body_text": "开源软件。" * 60000 + "鸿蒙操作系统"},
    ]  # fmt: skip
    queries = [
        "12e3abc",
        "1e5e",
        "1e5",
        "开源",
        "b",
        "a" * 255,
        "鸿蒙",
        "鸿蒙操作",
        "开源软件",
        "软件开源",
    ]
    with open_store(tmp_path / "s.db") as lite, open_store(pg_cluster.create_database()) as pg:
        for number, record in enumerate(records):
            _save(lite, f"p:{number}", record)
            _save(pg, f"p:{number}", record)
        for query in queries:
            expected = {hit["id"] for hit in lite.search(query, limit=100)}
            assert {hit["id"] for hit in pg.search(query, limit=100)} == expected, query
            assert pg.search_count(query) == lite.search_count(query) == len(expected), query
        assert {hit["id"] for hit in pg.search("鸿蒙操作系统")} == {"p:2"}
        assert {hit["id"] for hit in pg.search("12e3abc")} == {"p:0"}
        assert {hit["id"] for hit in pg.search("b")} == {"p:1"}


def test_a_batch_is_stored_in_order_and_whole(corpus: str, monkeypatch: pytest.MonkeyPatch) -> None:
    """`save_many`: each document as its own `save` would store it, in order (a document twice
    in one batch: new, then changed), with its alerts; a failure in the batch stores none."""
    import crawler.store.documents as documents

    rule = Alert("r", {"message": "m"}, on_change=True)
    first, second, third = (_shared(number, rule) for number in range(3))
    changed = Save(**{**vars(first), "record": {**first.record, "body_text": "开源软件"}})
    with open_store(corpus) as store:
        outcomes = store.save_many([first, second, changed, first])
        assert [(o.kind, o.identity, o.version, o.alerts) for o in outcomes] == [
            ("new", "p:0", 1, 1), ("new", "p:1", 1, 1), ("changed", "p:0", 2, 1),
            ("changed", "p:0", 3, 1),
        ]  # fmt: skip
        assert store.counts() == {"documents": 2, "live": 2, "versions": 4}
        assert len(store.alerts("r", limit=10)) == 4  # new, then each change

        def failing(conn: Any, identity: str, *args: Any, **kwargs: Any) -> None:
            if identity == "p:2":  # the last of the batch, after the others' rows were sent
                conn.execute("INSERT INTO no_such_table VALUES (?)", (1,))

        monkeypatch.setattr(documents, "save_files", failing)
        renamed = Save(**{**vars(second), "record": {**second.record, "title": "改名"}})
        with pytest.raises(Exception, match="no_such_table"):
            store.save_many([renamed, third])
        assert store.counts() == {"documents": 2, "live": 2, "versions": 4}
        assert len(store.alerts("r", limit=10)) == 4
        assert store.document("p:1")["title"] == "共同1"
        monkeypatch.undo()
        assert [o.kind for o in store.save_many([renamed, third])] == ["changed", "new"]


@pytest.mark.parametrize("batch", [1, 7])
def test_several_writers_at_once_lose_and_duplicate_nothing(corpus: str, batch: int) -> None:
    """Each writer saves the shared documents in an order of its own, one or seven a
    transaction: a batch locks its documents in one order, so none waits on another forever."""
    workers, shared, own = 4, 40, 15
    open_store(corpus).close()  # migrated first; the race below is on the documents
    context = multiprocessing.get_context("spawn")
    processes = [
        context.Process(target=_writer, args=(corpus, worker, shared, own, batch))
        for worker in range(workers)
    ]
    for process in processes:
        process.start()
    for process in processes:
        process.join(120)
        assert process.exitcode == 0
    expected = shared + workers * own
    with open_store(corpus) as store:
        assert store.counts() == {"documents": expected, "live": expected, "versions": expected}
        keys = [alert["key"] for alert in store.alerts("r", limit=10_000)]
        assert len(keys) == len(set(keys)) == expected  # each alert once
        rows = store.conn.execute("SELECT COUNT(*) FROM attachments", ()).fetchone()
        assert rows[0] == shared
        finished = store.conn.execute(
            "SELECT COUNT(*) FROM runs WHERE status = 'done'", ()
        ).fetchone()
        assert finished[0] == workers


def _with_file(worker: int, number: int, content: bytes) -> Save:
    url = f"http://x/{worker}/{number}.pdf"
    record = {"url": f"http://x/{worker}/{number}", "title": "标题", "body_text": "正文",
              "warnings": [], "attachments": [{"url": url, "name": "附件"}]}  # fmt: skip
    file = {"url": url, "name": "附件", "fetched_url": url, "status": 200, "raw": content,
            "fetched_at": "2024-01-01T00:00:00+00:00", "content_type": "text/plain",
            "reading": {"sha256": hashlib.sha256(content).hexdigest(), "type": "txt",
                        "size": len(content), "page_count": 1, "ocr": False,
                        "ocr_confidence": None, "text": "附件", "pages": [], "warnings": []}}  # fmt: skip
    return Save(portal="p", identity=f"p:{worker}:{number}", record=record, files=[file],
                fetched_url=record["url"], fetched_at="2024-01-01T00:00:00+00:00", status=200,
                headers={}, raw=b"x")  # fmt: skip


def _file_writer(db: str, worker: int, rounds: int, errors: Any, ready: Any) -> None:
    found: list[str] = []
    with open_store(db) as store:
        ready.wait(timeout=60)
        for round_ in range(rounds):
            contents = [f"shared-{round_}-{k}".encode() for k in range(20)]
            if worker % 2:
                contents.reverse()
            try:
                store.save_many([_with_file(worker, round_ * 100 + k, content)
                                 for k, content in enumerate(contents)])  # fmt: skip
            except Exception as error:
                found.append(f"{type(error).__name__}: {error}")
    errors.put(found)


def test_batches_storing_the_same_files_in_other_orders_never_deadlock(corpus: str) -> None:
    """Two writers' batches store the same attachment files in opposite orders (documents of
    their own): the files are locked with the documents, in one order, so neither waits on the
    other (PostgreSQL found 30-41 deadlocks in 200 batches without)."""
    open_store(corpus).close()
    context = multiprocessing.get_context("spawn")
    errors, ready = context.Queue(), context.Barrier(2)
    processes = [context.Process(target=_file_writer, args=(corpus, worker, 40, errors, ready))
                 for worker in range(2)]  # fmt: skip
    for process in processes:
        process.start()
    found = [errors.get(timeout=120) for _ in processes]
    for process in processes:
        process.join(60)
    assert found == [[], []]
    with open_store(corpus) as store:
        assert store.counts()["documents"] == 2 * 40 * 20
        files = store.conn.execute("SELECT COUNT(*) FROM attachment_files", ()).fetchone()[0]
        assert files == 40 * 20  # each content once


def test_stores_opening_together_migrate_once(pg_cluster: Any) -> None:
    url = pg_cluster.create_database()
    context = multiprocessing.get_context("spawn")
    processes = [context.Process(target=_open, args=(url,)) for _ in range(4)]
    for process in processes:
        process.start()
    for process in processes:
        process.join(60)
        assert process.exitcode == 0
    with open_store(url) as store:
        assert store.conn.execute("SELECT COUNT(*) FROM meta", ()).fetchone()[0] == 1


def _open(url: str) -> None:
    open_store(url).close()


def test_the_search_text_stays_in_the_row_and_the_body_goes_out(pg_cluster: Any) -> None:
    """A phrase is checked in each candidate's search text: PostgreSQL keeps that text in the
    row (storage MAIN), so a wide row moves its body to the TOAST table instead, and a count
    reads no other table per hit."""
    with open_store(pg_cluster.create_database()) as store:
        body = "开源软件的答复。" * 800  # a row far over 2 kB
        _save(store, "p:0", {"url": "http://x/0", "title": "答复", "body_text": body,
                             "attachments": []})  # fmt: skip
        storage = dict(store.conn.execute(
            "SELECT attname, attstorage FROM pg_attribute WHERE attrelid = "
            "'documents'::regclass AND attname IN ('search_title', 'search_body', 'body_text')",
            (),
        ).fetchall())  # fmt: skip
        assert storage == {"search_title": "m", "search_body": "m", "body_text": "x"}
        assert store.search_count("软件的答") == 1


def test_a_url_is_a_database_not_a_file(tmp_path: Path) -> None:
    from crawler.config import load_config

    config = tmp_path / "govwatch.yaml"
    config.write_text("db: postgresql://govwatch@db.example/corpus\n", encoding="utf-8")
    assert load_config(config).db == "postgresql://govwatch@db.example/corpus"
    assert is_url("postgres://h/d") and not is_url(tmp_path / "postgresql:")


def test_an_unreachable_server_is_one_clear_line(tmp_path: Path) -> None:
    from crawler.store import StoreError, open_store

    socket_dir = tmp_path / "nothing-here"
    socket_dir.mkdir()
    with pytest.raises(StoreError, match=r"cannot connect to PostgreSQL: .*check the URL") as error:
        open_store(f"postgresql://u:secret@/db?host={socket_dir}")
    assert "secret" not in str(error.value) and "\n" not in str(error.value)


def test_readonly_postgresql_refuses_writes(pg_cluster: Any) -> None:
    from crawler.store import StoreWriteError, open_store

    url = pg_cluster.create_database()
    open_store(url).close()
    with open_store(url, readonly=True) as store, pytest.raises(StoreWriteError, match="read-only"):
        store.start_run(["p"], False)


def test_migrate_names_a_bad_request_in_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    from crawler.cli import main

    db = str(tmp_path / "s.db")
    assert main(["migrate", "--from", db, "--to", db]) == 2
    assert (
        main(["migrate", "--from", str(tmp_path / "none.db"), "--to", str(tmp_path / "t.db")]) == 2
    )
    err = capsys.readouterr().err.strip().splitlines()
    assert err[0].endswith("the same database") and "no such database" in err[1]


def _hold_scheduler_lock(url: str) -> None:
    import time

    from crawler.config import Config
    from crawler.run.schedule import Scheduler, SchedulerLocked

    scheduler = Scheduler(Config(path=None, db=url))
    while True:  # the test's own probe may hold it for a moment
        try:
            scheduler.acquire()
            break
        except SchedulerLocked:
            time.sleep(0.05)
    time.sleep(600)
    scheduler.release()


def test_a_dead_schedulers_database_lock_is_free_for_another_machine(pg_cluster: Any) -> None:
    import time

    from crawler.config import Config
    from crawler.run.schedule import Scheduler, SchedulerLocked

    url = pg_cluster.create_database()
    holder = multiprocessing.get_context("spawn").Process(target=_hold_scheduler_lock, args=(url,))
    holder.start()
    other = Scheduler(Config(path=None, db=url))
    deadline = time.monotonic() + 60
    while True:  # until the holder has it
        try:
            other.acquire()
            other.release()
        except SchedulerLocked:
            break
        assert time.monotonic() < deadline
        time.sleep(0.1)
    holder.kill()  # kill -9: no release, the server drops its connection and the lock
    holder.join()
    deadline = time.monotonic() + 30
    while True:
        try:
            other.acquire()
            break
        except SchedulerLocked:
            assert time.monotonic() < deadline
            time.sleep(0.1)
    other.release()


class _CountingSink:
    """A sink slow enough for two deliverers to overlap; it counts what it receives."""

    name = "counter"
    batch = False

    def __init__(self) -> None:
        import threading

        self.received: list[str] = []
        self.lock = threading.Lock()

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        import time

        time.sleep(0.01)
        with self.lock:
            self.received.extend(alert["key"] for alert in alerts)


def _deliver_at_once(url: str, sink: Any, deliverers: int) -> list[Any]:
    """Each deliverer's result, several delivering one sink's alerts at once, a store each."""
    import threading

    from crawler.watch.notify import deliver

    results: list[Any] = []

    def deliverer() -> None:
        with open_store(url) as own:
            results.append(deliver(own, [sink], retries=0))

    threads = [threading.Thread(target=deliverer) for _ in range(deliverers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return results


def test_two_deliverers_at_once_send_each_alert_once(pg_cluster: Any) -> None:
    url = pg_cluster.create_database()
    with open_store(url) as store:
        for number in range(60):
            store.add_health_alert(f"health:p:{number}", "p", {"message": f"m{number}"})
    sink = _CountingSink()
    results = _deliver_at_once(url, sink, 3)
    assert sorted(sink.received) == sorted(f"health:p:{n}" for n in range(60))
    assert sum(result.delivered for result in results) == 60
    with open_store(url) as store:
        assert store.pending_count("counter") == 0


class _MeetingSink:
    """A sink whose every send waits until `parties` deliverers are sending at once: they can
    only meet if claims are per alert (row locks), not one deliverer per sink."""

    name = "meeting"
    batch = False

    def __init__(self, parties: int) -> None:
        import threading

        self.barrier = threading.Barrier(parties, timeout=20)
        self.senders: set[int] = set()
        self.lock = threading.Lock()

    def send(self, alerts: list[dict[str, Any]], store: Store) -> None:
        import threading

        with self.lock:
            first = threading.get_ident() not in self.senders
            self.senders.add(threading.get_ident())
        if first:
            self.barrier.wait()


def test_deliverers_share_one_sinks_outbox_without_waiting(pg_cluster: Any) -> None:
    url = pg_cluster.create_database()
    with open_store(url) as store:
        for number in range(10):
            store.add_health_alert(f"health:q:{number}", "q", {"message": f"m{number}"})
    results = _deliver_at_once(url, _MeetingSink(2), 2)
    assert [result.errors for result in results] == [[], []]
    assert all(result.delivered > 0 for result in results)
    assert sum(result.delivered for result in results) == 10


def test_a_deliverer_killed_mid_send_repeats_only_the_alert_in_flight(
    pg_cluster: Any, tmp_path: Path
) -> None:
    import subprocess
    import sys

    from crawler.watch.notify import deliver

    url = pg_cluster.create_database()
    with open_store(url) as store:
        for number in range(8):
            store.add_health_alert(f"health:k:{number}", "k", {"message": f"m{number}"})
    received = tmp_path / "received.txt"
    killed = subprocess.run([sys.executable, "-c", DIES_MID_SEND, url, str(received)], timeout=60)
    assert killed.returncode == -9
    assert received.read_text().split() == [f"health:k:{n}" for n in range(4)]
    with open_store(url) as store:  # the dead deliverer's row lock went with its connection
        result = deliver(store, [FileSink(received)], retries=0)  # type: ignore[list-item]
        assert store.pending_count("file") == 0
    assert result.delivered == 5
    keys = received.read_text().split()
    assert sorted(set(keys)) == sorted(f"health:k:{n}" for n in range(8))
    assert [key for key in set(keys) if keys.count(key) > 1] == ["health:k:3"]
