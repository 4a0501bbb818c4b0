"""Watch rules on files or the corpus."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import click

from crawler.cli import cli, db_option, fail, json_option, one_line, rules_options

# Watch rules


@cli.group()
def rules() -> None:
    """Test watch rules on files, or on the stored corpus.

    Watch rules decide which documents deserve an alert (default: the shipped open-source and
    open-source-replies rules).
    """


def chosen_rules(path: str | None, only: str | None) -> list[Any]:
    from crawler.watch.rules import RulesError, load_rules

    try:
        found = load_rules(path)
    except RulesError as error:
        raise fail("rules", error) from None
    if not only:
        return found
    chosen = [rule for rule in found if rule.name == only]
    if not chosen:
        names = ", ".join(rule.name for rule in found)
        raise fail("rules", f"no rule {only!r}; the rules are {names}") from None
    return chosen


@rules.command("test")
@click.argument("files", nargs=-1, required=True, metavar="FILE…")
@rules_options
@json_option()
def rules_test(files: tuple[str, ...], rules: str | None, rule: str | None, as_json: bool) -> int:
    """Whether each rule matches saved pages (.html) or plain text (.txt).

    A page is judged on its extracted document; a text file as a body of unknown kind.

    \b
    Example: govwatch rules test page.html notes.txt --rule open-source-replies
    """
    from crawler.cli.documents import extract_file

    chosen = chosen_rules(rules, rule)
    for name in files:
        path = Path(name)
        try:
            if path.suffix.lower() in (".html", ".htm", ".shtml"):
                record = extract_file(path, None, None).to_record()
            else:
                record = {"title": None, "body_text": path.read_text(encoding="utf-8", errors="replace"),
                          "kind": None, "attachments": []}  # fmt: skip
        except OSError as error:
            raise fail("rules test", f"cannot read {name}: {error.strerror or error}") from None
        results: dict[str, dict[str, Any]] = {}
        for each in chosen:
            hits, rejected = each.judge(record)
            results[each.name] = {"matched": bool(hits), "snippets": [hit.snippet for hit in hits],
                                  "evidence": [hit.explanation for hit in hits],
                                  "rejected": [{"snippet": r.snippet, "why": r.why} for r in rejected]}  # fmt: skip
        if as_json:
            click.echo(json.dumps({"file": name, "rules": results}, ensure_ascii=False))
            continue
        click.echo(f"{name}  (kind: {record.get('kind') or 'unknown'})")
        for rule_name, result in results.items():
            click.echo(f"  {rule_name:24} {'MATCH' if result['matched'] else 'no match'}")
            for snippet, why in list(zip(result["snippets"], result["evidence"], strict=True))[:3]:
                click.echo(f"      {snippet}\n        ← {why}")
            for rejected in result["rejected"][:3]:
                click.echo(f"      set aside: {rejected['snippet']}\n        ← {rejected['why']}")
    return 0


@rules.command("backtest")
@db_option
@rules_options
@json_option()
def rules_backtest(db: str, rules: str | None, rule: str | None, as_json: bool) -> int:
    """What the rules would have flagged in the stored corpus.

    \b
    Example: govwatch rules backtest --rule open-source-replies --db govwatch.db
    """
    from crawler.cli.documents import read_corpus

    chosen = chosen_rules(rules, rule)
    counts = dict.fromkeys((each.name for each in chosen), 0)
    from crawler.run.progress import progress

    with read_corpus(db) as store:
        total = store.counts()["documents"]
        for record in progress(store.records(), total, "backtest"):  # at a terminal only
            for each in chosen:
                hits = each.match(record, record.get("portal"))
                if not hits:
                    continue
                counts[each.name] += 1
                if as_json:
                    click.echo(json.dumps({"rule": each.name, "url": record["url"], "title": record["title"],
                                           "kind": record["kind"], "published_at": record["published_at"],
                                           "snippets": [h.snippet for h in hits][:3]}, ensure_ascii=False))  # fmt: skip
                else:
                    click.echo(f"{each.name:24} {(record['published_at'] or '')[:10]}  {record['title']}\n"
                               f"{'':24} {record['url']}\n{'':24} {hits[0].snippet}")  # fmt: skip
    if not as_json:
        click.echo("; ".join(f"{name}: {count} document(s)" for name, count in counts.items()))
    return 0


__all__ = ["one_line"]
