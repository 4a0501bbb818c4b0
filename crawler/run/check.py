"""`govwatch check`: the configuration, profiles, rules and sinks checked in one pass, every
problem named with its file, field and fix; and a marked test alert through every sink."""

from __future__ import annotations

import tempfile
from pathlib import Path
from typing import Any

from crawler.config import DEFAULT_FILE, ConfigFileError, load_config
from crawler.portals.profiles import ProfileError, load_profile, load_profiles
from crawler.watch.notify import ConfigError, Sink, SinkError, check_routes, sinks_from_config
from crawler.watch.rules import RulesError, load_rules


def _profile_files(directory: str | None) -> list[Path]:
    from crawler.portals.profiles import SUFFIXES, profile_dirs

    return [path for place in profile_dirs(directory) for path in sorted(place.iterdir())
            if path.suffix in SUFFIXES and path.is_file()]  # fmt: skip


def checkup(
    config_path: str | None, db: str | None, profiles_dir: str | None
) -> tuple[list[str], list[str], list[Sink]]:
    """(problems, what checked out, the sinks that can be used)."""
    problems: list[str] = []
    notes: list[str] = []
    sinks: list[Sink] = []
    try:
        config = load_config(config_path, db)
    except ConfigFileError as error:
        return [" ".join(str(error).split())], notes, sinks
    where = str(config.path or f"{DEFAULT_FILE} (none: the defaults)")
    notes.append(f"config {where}: database {config.db}")
    # Profiles: each file on its own, so that one broken file hides no other's problem.
    directory = profiles_dir or config.profiles
    names: list[str] = []
    try:
        files = _profile_files(directory)
    except ProfileError as error:
        problems.append(" ".join(str(error).split()))
        files = []
    for path in files:
        try:
            names.append(load_profile(path).name)
        except ProfileError as error:
            problems.append(" ".join(str(error).split()))
    if not problems:
        try:
            names = list(load_profiles(directory))
        except ProfileError as error:  # two files of one name, and what only the set shows
            problems.append(" ".join(str(error).split()))
    notes.append(f"{len(names)} portal profile(s): {', '.join(names)}")
    try:
        watched = config.watched({name: None for name in names})
        notes.append(f"run and schedule crawl {len(watched)} portal(s)")
        found, said = where_crawls_run(config.db, _needs(directory, list(watched)))
        problems += found
        notes += said
    except ConfigFileError as error:
        problems.append(" ".join(str(error).split()))
    rule_names: list[str] | None = None
    try:
        rules = load_rules(config.rules)
        rule_names = [rule.name for rule in rules]
        notes.append(f"rules {config.rules or 'shipped'}: {', '.join(rule.name for rule in rules)}")
        for rule in rules:
            unknown = [portal for portal in rule.portals if portal not in names]
            if unknown:
                problems.append(f"{config.rules or 'shipped rules'}: rule {rule.name!r} field "
                                f"'portals': no portal {unknown[0]!r}; the portals are {', '.join(names)}")  # fmt: skip
    except RulesError as error:
        problems.append(" ".join(str(error).split()))
    for index, entry in enumerate(config.sinks):
        try:
            built = sinks_from_config([entry], config.base)
            if rule_names is not None:  # a sink routed to no rule there gets nothing
                check_routes(built, rule_names)
            sinks += built
        except ConfigError as error:
            problems.append(
                f"{where}: field '{str(error).replace('sinks[0]', f'sinks[{index}]', 1)}'"
            )
    names_seen: dict[str, int] = {}
    for sink in sinks:
        names_seen[sink.name] = names_seen.get(sink.name, 0) + 1
    for name, count in names_seen.items():
        if count > 1:
            problems.append(f"{where}: field 'sinks': {count} sinks are called {name!r}; give each "
                            "its own name (deliveries are recorded per name)")  # fmt: skip
    notes.append(f"sinks: {', '.join(s.name for s in sinks) or 'none'}")
    return problems, notes, sinks


def _needs(directory: str | None, names: list[str]) -> dict[str, tuple[str, ...]]:
    """portal → the node tags its profile asks for (`nodes: [cn]`); {} when profiles are broken
    (their problems are listed already)."""
    try:
        profiles = load_profiles(directory)
    except ProfileError:
        return {}
    return {name: tuple(profiles[name].nodes) for name in names if name in profiles}


def where_crawls_run(
    db: str, needs: dict[str, tuple[str, ...]]
) -> tuple[list[str], list[str]]:  # fmt: skip
    """(problems, notes) of the corpus database and of where crawls run: reachable; with crawl
    nodes registered, each node's health, and for every watched portal a healthy node carrying
    the tags its profile asks for (else its crawls would wait for one until they time out)."""
    from crawler.run.nodes.scrapyd import node_status
    from crawler.store import StoreError, is_url, open_store
    from crawler.store.sqlite import unwritable

    # Readable is not enough: crawls write (read-only media, a file or directory not writable).
    problems = [problem for problem in [None if is_url(db) else unwritable(db)] if problem]
    if not is_url(db) and not Path(db).exists():
        return problems, [] if problems else [
            f"database {db}: not created yet (the first crawl creates it)"]  # fmt: skip
    try:
        with open_store(db, readonly=True) as store:
            nodes = store.nodes()
    except StoreError as error:
        return [*problems, " ".join(str(error).split())], []
    if not nodes:
        return problems, [
            f"database {store.where}: readable; crawls run on this machine (no crawl nodes)"
        ]
    healthy = []
    for node in nodes:
        state = node_status(node.url)
        if state["status"] == "ok":
            healthy.append(node)
        else:
            problems.append(f"crawl node {node.url}: down ({state.get('error', state['status'])}); "
                            "start its Scrapyd, or `govwatch nodes remove` it")  # fmt: skip
    for portal, need in needs.items():
        if not any(set(need) <= set(node.tags) for node in nodes):
            problems.append(f"profile {portal}: field 'nodes' asks for tags {list(need)}; no "
                            f"crawl node carries them (add one: govwatch nodes add URL "
                            f"{' '.join(f'--tag {tag}' for tag in need)})")  # fmt: skip
        elif not any(set(need) <= set(node.tags) for node in healthy):
            problems.append(
                f"profile {portal}: every crawl node tagged {list(need) or 'any'} is down"
            )
    return problems, [f"crawl nodes: {len(healthy)} of {len(nodes)} up; crawls run there"]


TEST_ALERT: dict[str, Any] = {
    "rule": "govwatch-test", "rules": ["govwatch-test"], "portal": "govwatch-test",
    "title": "[govwatch test alert] 测试：这是一条测试提醒，不是新文件 — a test, not a new document",
    "url": "https://example.org/govwatch-test-alert", "kind": "other", "snippets": [], "evidence": [],
    "message": "govwatch check --send-test-alert", "published_at": None,
}  # fmt: skip


def send_test(sinks: list[Sink]) -> list[tuple[str, str | None]]:
    """Send the marked test alert through each sink: (sink name, error or None). A throwaway
    store serves the sinks that read the outbox (Atom): the corpus is never touched."""
    from crawler.clock import now
    from crawler.store import open_store

    results: list[tuple[str, str | None]] = []
    with tempfile.TemporaryDirectory() as scratch, open_store(Path(scratch) / "test.db") as store:
        store.add_alert(f"govwatch-test:{now()}", ["govwatch-test"], TEST_ALERT,
                        portal="govwatch-test")  # fmt: skip
        alert = store.alerts(limit=1)[0]
        for sink in sinks:
            try:
                sink.send([alert], store)
                results.append((sink.name, None))
            except SinkError as error:
                results.append((sink.name, str(error)))
            except Exception as error:  # a sink's bug is its failure, never the check's
                results.append((sink.name, f"{type(error).__name__}: {error}"))
    return results
