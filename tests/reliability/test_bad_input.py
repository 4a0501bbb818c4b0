"""Bad input everywhere a user can give it: a clear error or a bounded, reported degradation —
never a traceback, never lost data."""

from __future__ import annotations

import json
import os
import re
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from crawl_helpers import ROOT, served_replica

from crawler.listings import hanweb
from crawler.store import open_store


def govwatch(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "crawler", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, env={**os.environ, **(env or {})})  # fmt: skip


def here(*args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    """`govwatch ARGS` run in this process (faster than a child) for commands that stop before
    any crawl, server or reactor starts: its exit code and what it printed."""
    import contextlib
    import io

    from crawler.cli import main

    saved = {name: os.environ.get(name) for name in env or {}}
    out, err = io.StringIO(), io.StringIO()
    try:
        os.environ.update(env or {})
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            try:
                code = main(list(args))
            except SystemExit as exit:
                code = int(exit.code or 0)
    finally:
        for name, value in saved.items():
            if value is None:
                os.environ.pop(name, None)
            else:
                os.environ[name] = value
    return subprocess.CompletedProcess(list(args), code, out.getvalue(), err.getvalue())


def clear(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    assert result.returncode != 0
    assert "Traceback" not in result.stderr, result.stderr[-2000:]
    for fragment in fragments:
        assert fragment in result.stderr, (fragment, result.stderr[-1000:])


@pytest.fixture
def newer_db(tmp_path: Path) -> Path:
    path = tmp_path / "newer.db"
    open_store(path).close()
    with sqlite3.connect(path) as conn:
        conn.execute("UPDATE meta SET value = '99' WHERE key = 'schema_version'")
    return path


def test_broken_files(tmp_path: Path) -> None:
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "my-portal.yaml").write_text(
        "name: my-portal\nfamily: hanweb\norigin: ftp://x\ncolumns: []\n", encoding="utf-8"
    )
    clear(govwatch("portals", "--profiles", str(profiles)), "my-portal.yaml", "'origin'")
    clear(govwatch("crawl", "--profiles", str(profiles)), "my-portal.yaml")
    rules = tmp_path / "rules.yaml"
    rules.write_text("rules:\n  - name: r\n    kinds: [memo]\n    any: [开源]\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("开源", encoding="utf-8")
    clear(govwatch("rules", "test", str(page), "--rules", str(rules)), "rule 'r' field 'kinds'")
    config = tmp_path / "govwatch.yaml"
    config.write_text("sinks: {type: console}\n", encoding="utf-8")
    clear(govwatch("run", "--config", str(config), "--db", str(tmp_path / "x.db")), "'sinks'")
    config.write_text("sinks: [{type: pager}]\n", encoding="utf-8")
    clear(
        govwatch("run", "--config", str(config), "--db", str(tmp_path / "x.db"), "govcn"),
        "sinks[0].type",
    )
    config.write_text(": not yaml [", encoding="utf-8")
    clear(govwatch("status", "--config", str(config)), "not valid YAML")


def test_unknown_names(tmp_path: Path) -> None:
    clear(govwatch("crawl", "nowhere", "--db", str(tmp_path / "x.db")), "unknown portal nowhere")
    clear(
        govwatch("rules", "backtest", "--rule", "nope", "--db", str(tmp_path / "x.db")),
        "no rule 'nope'",
    )
    clear(govwatch("search", "开源", "--db", str(tmp_path / "missing.db")), "no such database")


def test_a_database_from_a_newer_govwatch(newer_db: Path) -> None:
    for command in (("search", "开源"), ("export",), ("crawl", "govcn"), ("status",)):
        clear(govwatch(*command, "--db", str(newer_db)), "newer govwatch", "Upgrade govwatch")


def test_a_full_disk_loses_nothing(tmp_path: Path) -> None:
    db = tmp_path / "full.db"
    with served_replica(200, 1400) as url:
        assert govwatch("crawl", "hubei-jxt", "--replica", url, "--db", str(db)).returncode == 0
        with open_store(db) as store:
            before = {r["id"]: r["content_hash"] for r in store.records()}
        size_mb = db.stat().st_size / 1024 / 1024 + 0.2
        result = govwatch(
            "crawl", "--replica", url, "--db", str(db), env={"GOVWATCH_DB_MAX_MB": f"{size_mb:.2f}"}
        )
    assert result.returncode != 0
    # The cap simulates a full disk here; what refused the write is named (it used to be called
    # "database or disk is full; free disk space", sending the operator to a disk with room).
    assert "the corpus reached its cap" in result.stderr, result.stderr[-2000:]
    assert f"of the cap GOVWATCH_DB_MAX_MB={size_mb:.2f} (" in result.stderr
    assert "govwatch prune --older-than 180d" in result.stderr
    assert "free disk space" not in result.stderr and "Traceback" not in result.stderr
    with sqlite3.connect(db) as conn:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    with open_store(db) as store:
        after = {r["id"]: r["content_hash"] for r in store.records()}
    assert {k: after[k] for k in before} == before  # nothing already stored lost or changed


def test_an_unwritable_database_path(tmp_path: Path) -> None:
    (tmp_path / "file").write_text("x")
    clear(
        govwatch("crawl", "govcn", "--db", str(tmp_path / "file" / "x.db")),
        "cannot open the database",
    )


def test_billion_laughs_in_a_dataproxy_answer() -> None:
    bomb = '<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol">' + "".join(
        f'<!ENTITY lol{i} "{"&lol{}".format(i - 1 if i > 1 else "") * 10};">'.replace("&lol0", "&lol")
        for i in range(1, 10)
    ) + ']><datastore><recordset><record><![CDATA[<li><a href="/art/2023/1/1/art_1_1.html">&lol9;</a></li>]]></record>' \
        "</recordset><totalrecord>1</totalrecord></datastore>"  # fmt: skip
    started = time.perf_counter()
    group = hanweb.parse_datastore(bomb, "http://x.gov.cn/")
    assert time.perf_counter() - started < 1.0
    assert group.total == 1 and len(group.entries) == 1
    assert len(group.entries[0].title or "") < 100  # entities were not expanded


def test_json_summaries_stay_json_on_errors(tmp_path: Path) -> None:
    with served_replica(30, 1400, "govcn:/search-gov/data=418") as url:
        result = govwatch(
            "crawl", "govcn", "--replica", url, "--db", str(tmp_path / "b.db"), "--json"
        )
    assert result.returncode == 3  # blocked: cron and systemd see it
    summary = json.loads(result.stdout.strip().splitlines()[-1])
    assert summary["blocked"] and summary["blocked"][0]["column"] == "gongwen"
    assert summary["status"] == "blocked"
    assert result.stderr.strip().splitlines()[-1].startswith("govwatch crawl: govcn blocked: ")


def _corpus(path: Path, documents: int = 3) -> Path:
    with open_store(path) as store:
        for number in range(documents):
            record = {"url": f"http://x.gov.cn/{number}.html", "title": f"关于开源软件的答复{number}",
                      "body_text": "开源软件。" * 200 + str(number), "kind": "reply", "attachments": [], "warnings": []}  # fmt: skip
            store.save(portal="p", identity=f"p:{number}", record=record, fetched_url=record["url"],
                       fetched_at="2024-01-01T00:00:00+00:00", status=200, headers={}, raw=b"<html></html>",
                       etag=None, last_modified=None, run_id=None)  # fmt: skip
    return path


def one_line(result: subprocess.CompletedProcess[str], *fragments: str) -> None:
    """A clear error: non-zero, no traceback, exactly one line, saying what it should."""
    clear(result, *fragments)
    assert len(result.stderr.strip().splitlines()) == 1, result.stderr[-2000:]


def test_read_commands_never_change_a_database(tmp_path: Path) -> None:
    import hashlib

    foreign = tmp_path / "other.db"
    with sqlite3.connect(foreign) as conn:
        conn.execute("CREATE TABLE invoices (id INTEGER PRIMARY KEY, total REAL)")
    before = hashlib.sha256(foreign.read_bytes()).hexdigest()
    config = tmp_path / "govwatch.yaml"
    config.write_text(f"db: {foreign}\n", encoding="utf-8")
    for command in (("search", "开源", "--db", str(foreign)), ("export", "--db", str(foreign)),
                    ("rules", "backtest", "--db", str(foreign)), ("status", "--config", str(config)),
                    ("serve", "--db", str(foreign))):  # fmt: skip
        one_line(here(*command), str(foreign), "not a govwatch corpus")
    # Nor does a writer take it over: no WAL mode, no tables added.
    one_line(here("crawl", "govcn", "--db", str(foreign)), "not a govwatch corpus")
    assert hashlib.sha256(foreign.read_bytes()).hexdigest() == before
    with sqlite3.connect(foreign) as conn:
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
        assert [r[0] for r in conn.execute("SELECT name FROM sqlite_master")] == ["invoices"]
    # An older govwatch corpus is read by none of them until a crawl upgrades it.
    older = _corpus(tmp_path / "older.db")
    with sqlite3.connect(older) as conn:
        conn.execute("UPDATE meta SET value = '2' WHERE key = 'schema_version'")
    one_line(here("search", "开源", "--db", str(older)), "older govwatch", "govwatch crawl --db")


def _read_only(directory: Path) -> list[str]:
    """A command prefix that runs with `directory` on read-only media (a read-only bind mount in
    a mount namespace of its own), or skip when this machine cannot."""
    import shutil

    if os.geteuid() != 0:
        directory.chmod(0o555)
        return []
    mount = f"mount --bind {directory} {directory} && mount -o remount,ro,bind {directory}"
    probe = subprocess.run(["unshare", "-m", "sh", "-c", f"{mount} && ! touch {directory}/probe"],
                           capture_output=True) if shutil.which("unshare") else None  # fmt: skip
    if probe is None or probe.returncode != 0:
        pytest.skip(
            "cannot make read-only media here (needs unshare and mount, or a non-root user)"
        )
    return ["unshare", "-m", "sh", "-c", f'{mount} && exec "$@"', "sh"]


def test_a_corpus_on_read_only_media_is_read(tmp_path: Path) -> None:
    media = tmp_path / "media"
    media.mkdir()
    db = _corpus(media / "corpus.db")
    prefix = _read_only(media)
    for command in (["search", "开源", "--db", str(db), "--json"], ["export", "--db", str(db)]):
        result = subprocess.run([*prefix, sys.executable, "-m", "crawler", *command], cwd=ROOT,
                                capture_output=True, text=True, timeout=120)  # fmt: skip
        assert result.returncode == 0, result.stderr[-2000:]
        assert len(result.stdout.strip().splitlines()) == 3


def test_the_config_db_beats_the_environment(tmp_path: Path) -> None:
    """--db, else the config's db:, else $GOVWATCH_DB — as the help says."""
    config = tmp_path / "govwatch.yaml"
    config.write_text("db: from-config.db\n", encoding="utf-8")
    env = {"GOVWATCH_DB": str(tmp_path / "from-env.db")}
    one_line(here("status", "--config", str(config), env=env), "from-config.db", "no such database")
    given = here("status", "--config", str(config), "--db", str(tmp_path / "given.db"), env=env)
    one_line(given, "given.db", "no such database")
    config.write_text("schedule: {timeout: 1h}\n", encoding="utf-8")
    one_line(here("status", "--config", str(config), env=env), "from-env.db", "no such database")


def _profile(directory: Path, text: str, name: str = "my-portal", suffix: str = ".yaml") -> Path:
    directory.mkdir(exist_ok=True)
    path = directory / f"{name}{suffix}"
    path.write_text("name: my-portal\nfamily: hanweb\norigin: http://x.gov.cn\n"
                    "columns: [{id: '1', name: 栏目}]\n" + text, encoding="utf-8")  # fmt: skip
    return path


@pytest.mark.parametrize(
    ("extra", "fragments"),
    [
        ("colums: []\n", ("'colums'", "not a field govwatch knows")),
        ("schedule: {interval: 0}\n", ("'schedule.interval'", "at least 5m")),
        ("schedule: {cron: '0 25 * * *'}\n", ("'schedule.cron'", "not a cron expression")),
        ("schedule: {every: 6h}\n", ("'schedule.every'",)),
        ("revisit_days: month\n", ("'revisit_days'", "whole number of days")),
        ("revisit_days: 99999999999\n", ("'revisit_days'", "from 0 to 3650")),
        ("origins: http://x\n", ("'origins'", "expected a mapping")),
        ("politeness: {delay: 0}\n", ("'politeness'", "delay from 2 s")),
        ("article_pattern: '/art/(\\d+'\n", ("'article_pattern'", "not a regular expression")),
        ("list_selector: [a, b]\n", ("'list_selector'", "expected text")),
    ],
)
def test_profile_values_are_checked(tmp_path: Path, extra: str, fragments: tuple[str, ...]) -> None:
    from crawler.portals.profiles import ProfileError, load_profiles

    path = _profile(tmp_path / "profiles", extra)
    with pytest.raises(ProfileError) as error:
        load_profiles(path.parent)
    message = str(error.value)
    assert str(path) in message and "\n" not in message
    assert all(fragment in message for fragment in fragments), message


def test_a_broken_profile_is_one_line_for_the_command(tmp_path: Path) -> None:
    path = _profile(tmp_path / "profiles", "revisit_days: 99999999999\n")
    one_line(govwatch("portals", "--profiles", str(path.parent)), str(path), "'revisit_days'")


def test_yml_profiles_and_the_listing_keys_are_read(tmp_path: Path) -> None:
    from crawler.portals.profiles import load_profiles

    directory = tmp_path / "profiles"
    directory.mkdir()
    (directory / "my-portal.yml").write_text(
        "name: my-portal\nfamily: hanweb\norigin: http://x.gov.cn\n"
        "article_pattern: '/art/\\d{4}/.*\\.html'\nlist_selector: ul.list li a\n"
        "columns: [{id: '1', name: 栏目, article_pattern: 'art_\\d+', list_selector: '//div[@id=\"docs\"]//a'}]\n",
        encoding="utf-8",
    )
    assert load_profiles(directory)["my-portal"].source.endswith("my-portal.yml")


def test_a_gbk_file_is_named(tmp_path: Path) -> None:
    path = tmp_path / "profiles" / "my-portal.yaml"
    path.parent.mkdir()
    path.write_bytes("name: my-portal\nfamily: hanweb\norigin: http://x.gov.cn\ncolumns: [{id: '1', name: 栏目}]\n"
                     .encode("gbk"))  # fmt: skip
    one_line(here("portals", "--profiles", str(path.parent)), str(path), "not UTF-8")
    config = tmp_path / "govwatch.yaml"
    config.write_bytes("db: 语料.db\n".encode("gbk"))
    one_line(here("status", "--config", str(config)), str(config), "not UTF-8")


def test_config_values_are_checked(tmp_path: Path) -> None:
    """A bad cron or interval, a misspelt portal or field: `status` and `run` say which, in one
    line, before anything runs."""
    from crawler.config import ConfigFileError, load_config
    from crawler.portals.profiles import load_profiles

    config = tmp_path / "govwatch.yaml"
    cases = {
        "schedule: {portals: {govcn: {cron: '0 8 * * 8'}}}": "'schedule.portals.govcn.cron'",
        "schedule: {portals: {govcn: {interval: 0}}}": "'schedule.portals.govcn.interval'",
        "schedule: {portals: {gocvn: {interval: 2h}}}": "no such portal",
        "schedule: {timout: 1h}": "'schedule.timout'",
        "sink: []": "'sink'",
    }
    for text, fragment in cases.items():
        config.write_text(f"db: govwatch.db\n{text}\n", encoding="utf-8")
        with pytest.raises(ConfigFileError, match=re.escape(fragment)):
            load_config(config).check_portals(list(load_profiles()))
    _corpus(tmp_path / "govwatch.db")
    config.write_text("schedule: {portals: {govcn: {cron: '0 8 * * 8'}}}\n", encoding="utf-8")
    one_line(here("status", "--config", str(config)), "'schedule.portals.govcn.cron'")
    one_line(here("run", "govcn", "--config", str(config)), "'schedule.portals.govcn.cron'")


@pytest.mark.parametrize(
    ("command", "env", "fragments"),
    [
        (
            ("export", "--db", "{db}", "-o", "{tmp}/no/such/x.jsonl"),
            {},
            ("cannot write", "no/such"),
        ),
        (
            ("crawl", "govcn", "--db", "{tmp}/n.db"),
            {"GOVWATCH_DB_MAX_MB": "abc"},
            ("GOVWATCH_DB_MAX_MB='abc'",),
        ),
        (
            ("search", "开源", "--db", "{db}"),
            {"GOVWATCH_NOW": "tuesday"},
            ("GOVWATCH_NOW='tuesday'",),
        ),
        (
            ("crawl", "--replica", "notaurl", "--db", "{tmp}/r.db"),
            {},
            ("--replica notaurl", "govwatch replica serve"),
        ),
        (("run", "nosuch", "--db", "{db}"), {}, ("unknown portal nosuch", "known: ")),
    ],
)
def test_one_line_for_bad_input(
    tmp_path: Path, command: tuple[str, ...], env: dict[str, str], fragments: tuple[str, ...]
) -> None:
    db = _corpus(tmp_path / "c.db")
    args = [part.format(db=db, tmp=tmp_path) for part in command]
    one_line(here(*args, env=env), *fragments)


def test_a_replica_port_in_use_is_one_line() -> None:
    import socket

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        one_line(
            govwatch("replica", "serve", "--docs", "5", "--port", str(port)), f"{port}", "--port"
        )


def test_a_reader_that_leaves_early(tmp_path: Path) -> None:
    db = _corpus(tmp_path / "c.db", 400)
    process = subprocess.Popen([sys.executable, "-m", "crawler", "export", "--db", str(db)], cwd=ROOT,
                               stdout=subprocess.PIPE, stderr=subprocess.PIPE)  # fmt: skip
    assert process.stdout is not None and process.stderr is not None
    process.stdout.readline()
    process.stdout.close()  # `| head -1`
    err = process.stderr.read().decode()
    assert process.wait(timeout=60) == 141 and err == ""


def test_a_corrupt_page_mid_file_is_one_line(tmp_path: Path) -> None:
    db = _corpus(tmp_path / "c.db", 400)
    size = db.stat().st_size
    with db.open("r+b") as handle:
        handle.seek(size // 2 // 4096 * 4096)
        handle.write(b"\xa5" * 4096 * 8)
    for command in (("export", "--db", str(db)), ("search", "开源", "--db", str(db))):
        one_line(here(*command), str(db), "malformed", "restore it from a backup")


def test_a_gbk_rules_file_is_named_by_every_command(tmp_path: Path) -> None:
    """A rules file saved in GBK: every command that reads rules says which file and how to fix
    it, in one line, exit 2 (as profiles and govwatch.yaml do)."""
    rules = tmp_path / "rules.yaml"
    rules.write_bytes("rules:\n  - name: r\n    any: [开源]\n".encode("gbk"))
    config = tmp_path / "govwatch.yaml"
    config.write_text(f"rules: {rules}\n", encoding="utf-8")
    page = tmp_path / "page.txt"
    page.write_text("开源", encoding="utf-8")
    db = _corpus(tmp_path / "c.db")
    for command in (
        ("crawl", "govcn", "--db", str(tmp_path / "new.db"), "--rules", str(rules)),
        ("run", "govcn", "--config", str(config), "--db", str(db)),
        ("rules", "test", str(page), "--rules", str(rules)),
        ("rules", "backtest", "--rules", str(rules), "--db", str(db)),
        ("show", "p:0", "--rules", str(rules), "--db", str(db)),
    ):
        result = here(*command)
        one_line(result, str(rules), "not UTF-8", "iconv -f GBK -t UTF-8")
        assert result.returncode == 2, (command, result.stderr)
    # `check` lists every problem on its own line, then counts them.
    checked = here("check", "--config", str(config), "--db", str(db))
    assert checked.returncode == 2 and "Traceback" not in checked.stderr
    assert f"PROBLEM  {rules}: not UTF-8 text (GBK?)" in checked.stdout, checked.stdout


def _on_media(prefix: list[str], *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([*prefix, sys.executable, "-m", "crawler", *args], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)  # fmt: skip


def test_a_corpus_on_read_only_media_is_no_place_to_crawl_into(tmp_path: Path) -> None:
    """Read commands read it (above); crawl, check and serve say it is read-only, and the fix."""
    media = tmp_path / "media"
    media.mkdir()
    db = _corpus(media / "corpus.db")
    prefix = _read_only(media)
    crawled = _on_media(prefix, "crawl", "govcn", "--db", str(db))
    one_line(crawled, str(db), "on read-only media: it cannot be crawled into", "writable storage")
    assert crawled.returncode == 2
    checked = _on_media(prefix, "check", "--db", str(db))
    assert checked.returncode == 2
    assert f"PROBLEM  {db}: on read-only media: it cannot be crawled into" in checked.stdout
    served = _on_media(prefix, "serve", "--db", str(db), "--port", "1")
    one_line(served, str(db), "on read-only media", "add --immutable")
    assert served.returncode == 2


def test_a_damaged_corpus_is_one_line_for_every_command(tmp_path: Path) -> None:
    # Bytes that are not UTF-8 in a text column: SQLite's message quotes them (binary junk,
    # terminal escapes) unless govwatch says what they are.
    db = _corpus(tmp_path / "c.db")
    with sqlite3.connect(db) as conn:
        conn.execute("UPDATE documents SET search_body = CAST(X'00FFFE1B5B324A' AS TEXT)")
    searched = here("search", "开源", "--db", str(db))
    one_line(searched, str(db), "column 'search_body' holds bytes that are not UTF-8 text",
             "restore it from a backup")  # fmt: skip
    assert searched.returncode == 2 and "\x1b" not in searched.stderr
    assert "\ufffd" not in searched.stderr
    # A damaged page: a crawl says so before it stores anything (it failed half-way, exit 1).
    damaged = _corpus(tmp_path / "d.db", 400)
    with damaged.open("r+b") as handle:
        handle.seek(damaged.stat().st_size // 2 // 4096 * 4096)
        handle.write(b"\xa5" * 4096 * 8)
    profiles = tmp_path / "profiles"  # a portal nowhere, should the crawl start after all
    profiles.mkdir()
    (profiles / "here.yaml").write_text("name: here\nfamily: hanweb\norigin: http://127.0.0.1:9\n"
                                        "columns: [{id: '1', name: 栏目}]\n", encoding="utf-8")  # fmt: skip
    crawled = here("crawl", "here", "--profiles", str(profiles), "--db", str(damaged))
    one_line(crawled, str(damaged), "the database is damaged", f"sqlite3 {damaged} .recover")
    assert crawled.returncode == 2
