"""Accuracy on real material: the development sets in `../shared/data/real/` (never copied here).

    python -m bench.accuracy [--data DIR] [--misses] [--json]

Three scores, each on real government text that the project did not write:

- sense: the shipped `open-source` rule on 178 real passages with 开源/開源 (`oss-sense-dev.jsonl`);
  a passage labelled `oss` or `both` must match, one labelled `other` must not. Precision, recall.
- replies: 157 real page texts (`replies-dev.jsonl`), each laid out as a page would carry it — one
  block element per line straight in `<body>` (`lines`), and the same lines inside a plain `<div>`
  (`div`), with no `<title>` and no known container. Reply / not-a-reply precision and recall
  (a co-handling opinion counts as a reply), the three-way kind accuracy, and for the 93 replies and
  opinions the share of their human-read fields that extraction gets right, per field.
- pages: the real saved article pages (`pages/`), every field of `truth.jsonl` compared with what
  `extract_document` reads off the page's bytes: per field and per template family, the older
  pages (001–093) beside those from portals first seen later (101 and up), and once more with
  the known body containers switched off (the body found by scoring alone), and once more with
  every id and class removed (no template known at all: titles, chrome and bodies found by
  their words and their shape), and with the metadata tables rewritten in the other shapes
  portals print them in (`SHAPES`: the same real values, other markup);
- listings and answers: the listing parsers on the real listing pages and the stub and challenge
  detection on every page (`bench/accuracy_listings.py`).

String fields compare after NFKC and with every space removed; dates as YYYY-MM-DD; a `null` in the
truth must be `null` in the output. Results go under `accuracy` in bench/results.json.
"""

from __future__ import annotations

import argparse
import html
import json
import re
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from functools import partial
from pathlib import Path
from typing import Any

from lxml import etree

from bench import accuracy_listings
from bench.real import data_dir, encoding_of, group_of, norm
from bench.real import jsonl as _jsonl
from crawler.extract import body as body_finder
from crawler.extract import extract_document
from crawler.extract.decode import decode_html
from crawler.extract.labels import whole_label
from crawler.extract.page import parse_html, text_content
from crawler.extract.text import fold
from crawler.items import Document
from crawler.watch.rules import Rule, load_rules

RESULTS = Path(__file__).parent / "results.json"
__all__ = ["data_dir", "headline", "measure", "norm", "print_table"]
REPLY_FIELDS = (
    "title", "addressee", "addressee_role", "session", "proposal_no", "proposal_title",
    "lead_agency", "co_agencies", "contact_person", "contact_phone", "signed_date", "result_class",
)  # fmt: skip
PAGE_FIELDS = (
    "title", "index_no", "doc_no", "publisher", "written_date", "published_at", "category",
    "is_reply", "proposal_no", "addressee", "body_starts", "attachments",
)  # fmt: skip
LAYOUTS: dict[str, Callable[[list[str]], str]] = {
    "lines": lambda lines: "<html><body>" + "".join(f"<p>{line}</p>" for line in lines) + "</body></html>",
    "div": lambda lines: "<html><body><div>" + "".join(f"<p>{line}</p>" for line in lines) + "</div></body></html>",
}  # fmt: skip


@dataclass
class Tally:
    """Right / total per field, and the misses for `--misses`."""

    right: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    total: dict[str, int] = field(default_factory=lambda: defaultdict(int))
    misses: list[str] = field(default_factory=list)

    def add(self, name: str, where: str, got: Any, want: Any) -> None:
        self.total[name] += 1
        if norm(got) == norm(want):
            self.right[name] += 1
        else:
            self.misses.append(f"{where} {name}: got {got!r}, want {want!r}")

    def share(self) -> float:
        total = sum(self.total.values())
        return round(sum(self.right.values()) / total, 4) if total else 0.0

    def per_field(self) -> dict[str, float]:
        return {name: round(self.right[name] / self.total[name], 4) for name in self.total}


def _pr(pairs: list[tuple[bool, bool]]) -> dict[str, Any]:
    """Precision and recall of (predicted, actual) pairs."""
    tp = sum(1 for p, a in pairs if p and a)
    fp = sum(1 for p, a in pairs if p and not a)
    fn = sum(1 for p, a in pairs if a and not p)
    return {
        "precision": round(tp / (tp + fp), 4) if tp + fp else 1.0,
        "recall": round(tp / (tp + fn), 4) if tp + fn else 1.0,
        "n": len(pairs),
        "false_positives": fp,
        "false_negatives": fn,
    }


def score_sense(path: Path, rule: Rule | None = None) -> tuple[dict[str, Any], list[str]]:
    rule = rule or next(r for r in load_rules() if r.name == "open-source")
    pairs, misses = [], []
    for number, record in enumerate(_jsonl(path), 1):
        predicted = bool(rule.match({"body_text": record["text"], "kind": "other"}))
        actual = record["label"] in ("oss", "both")
        pairs.append((predicted, actual))
        if predicted != actual:
            shown = record["text"].replace("\n", " ")[:90]
            misses.append(f"sense #{number} [{record['label']}] predicted {predicted}: {shown}")
    return _pr(pairs), misses


def page_from_lines(text: str, layout: str) -> str:
    lines = [html.escape(line.strip()) for line in text.splitlines() if line.strip()]
    return LAYOUTS[layout](lines)


def _reply_value(document: Document, name: str) -> Any:
    if name == "title":
        return document.title
    reply = document.reply
    return getattr(reply, name) if reply is not None else None


def score_replies(path: Path) -> tuple[dict[str, Any], list[str]]:
    records = list(_jsonl(path))
    result: dict[str, Any] = {}
    misses: list[str] = []
    for layout in LAYOUTS:
        pairs, kinds_right, tally = [], 0, Tally()
        for number, record in enumerate(records, 1):
            document = extract_document(page_from_lines(record["text"], layout), record["source"])
            label = record["label"]
            wanted_kind = "other" if label == "not_reply" else label
            pairs.append((document.kind != "other", label != "not_reply"))
            kinds_right += document.kind == wanted_kind
            where = f"replies/{layout} #{number} {record['source']}"
            if document.kind != wanted_kind:
                tally.misses.append(f"{where} kind: got {document.kind}, want {wanted_kind}")
            for name, want in (record.get("fields") or {}).items():
                if name in REPLY_FIELDS:
                    tally.add(name, where, _reply_value(document, name), want)
        result[layout] = {
            **_pr(pairs),
            "kind_accuracy": round(kinds_right / len(records), 4),
            "fields": tally.share(),
            "per_field": tally.per_field(),
        }
        misses += tally.misses
    return result, misses


def _page_value(document: Document, name: str) -> Any:
    if name == "published_at":
        return document.published_at[:10] if document.published_at else None
    if name == "is_reply":
        return document.kind == "reply"
    if name == "proposal_no":
        return document.reply.proposal_no if document.reply else None
    if name == "body_starts":
        return "".join((document.body_text or "").split())[:15] or None
    if name == "attachments":
        return [attachment.name for attachment in document.attachments]
    return getattr(document, name)


def _breakdown(tallies: dict[str, Tally]) -> dict[str, Any]:
    """Per key (a group of pages, a family): pages, the share of fields right, and per field."""
    return {
        key: {"fields": tally.share(), "per_field": tally.per_field()}
        for key, tally in sorted(tallies.items())
    }


# Every id and class attribute of a page: without them no template is known at all.
_NAMES = re.compile(rb"""\s(?:id|class)\s*=\s*(?:"[^"]*"|'[^']*'|[^\s>]+)""", re.IGNORECASE)


def bare(page: bytes, encoding: str | None = None) -> bytes:
    """A page with its ids and classes removed: the markup of a template nobody has seen."""
    return _NAMES.sub(b"", page)


#: How `reshape` rewrites a metadata table's label/value pairs, each a shape portals use.
SHAPES: dict[str, Callable[[list[tuple[str, str]]], str]] = {
    # TRS list items with the label in brackets and the value in nested spans.
    "brackets": lambda pairs: "<ul>" + "".join(
        f"<li>[{k}] <span><span>{v}</span></span></li>" for k, v in pairs
    ) + "</ul>",
    "definition-list": lambda pairs: "<dl>" + "".join(
        f"<dt>{k}：</dt><dd>{v}</dd>" for k, v in pairs
    ) + "</dl>",
    # A row of labels over a row of values.
    "header-row": lambda pairs: "<table><tr>" + "".join(f"<th>{k}</th>" for k, _ in pairs)
    + "</tr><tr>" + "".join(f"<td>{v}</td>" for _, v in pairs) + "</tr></table>",
    # Each label broken over two block elements, the value in a third.
    "split-labels": lambda pairs: "".join(
        f"<div><div>{k[:2]}</div><div>{k[2:]}：</div><div>{v}</div></div>" for k, v in pairs
    ),
    "bullets": lambda pairs: "".join(f"<p>· {k}：{v}</p>" for k, v in pairs),
    "full-width-spaces": lambda pairs: "".join(
        f"<li>{chr(0x3000).join(k)}\u3000：<span>{v}</span></li>" for k, v in pairs
    ),
    "one-line": lambda pairs: "<p>" + "\u3000".join(f"{k}：{v}" for k, v in pairs) + "</p>",
}  # fmt: skip


def reshape(page: bytes, encoding: str | None, shape: str) -> str:
    """The page with every table of label/value cell pairs (two pairs or more) rewritten in
    another shape: the same real values, laid out as other templates lay them out."""
    root = parse_html(decode_html(page, encoding).text)
    for table in list(root.iter("table")):
        cells = list(table.iter("td", "th"))
        pairs: list[tuple[str, str]] = []
        at = 0
        while at < len(cells) - 1:
            label = text_content(cells[at]).strip()
            if label and whole_label(fold(label).folded):
                value = text_content(cells[at + 1]).strip()
                pairs.append((html.escape(label.rstrip("：: ")), html.escape(value)))
                at += 2
            else:
                at += 1
        parent = table.getparent()
        if len(pairs) < 2 or parent is None:
            continue
        new = etree.fromstring(f"<div>{SHAPES[shape](pairs)}</div>", etree.HTMLParser())
        block = new.find(".//div")
        if block is None:
            continue
        block.tail = table.tail
        parent.replace(table, block)
    return etree.tostring(root, encoding="unicode", method="html")


def _reshaped(page: bytes, encoding: str | None, shape: str) -> str:
    return reshape(page, encoding, shape)


def score_pages(
    directory: Path, transform: Callable[[bytes, str | None], bytes | str] | None = None
) -> tuple[dict[str, Any], list[str]]:
    """Every field of every article page; overall, per group (`older`, `new`: pages 101 and up,
    from portals never seen when the first rules were written) and per template family."""
    index = {record["file"]: record for record in _jsonl(directory / "index.jsonl")}
    tally = Tally()
    groups: dict[str, Tally] = defaultdict(Tally)
    families: dict[str, Tally] = defaultdict(Tally)
    family_groups: dict[str, dict[str, Tally]] = defaultdict(lambda: defaultdict(Tally))
    counts: dict[str, int] = defaultdict(int)
    family_counts: dict[str, int] = defaultdict(int)
    for truth in _jsonl(directory / "truth.jsonl"):
        entry = index[truth["file"]]
        if entry["type"] != "article":
            continue
        group, family = group_of(truth["file"]), str(entry["family"])
        counts[group] += 1
        family_counts[family] += 1
        raw = (directory / truth["file"]).read_bytes()
        encoding = encoding_of(entry)
        page = transform(raw, encoding) if transform else raw
        document = extract_document(page, entry["url"], encoding=encoding)
        for name in PAGE_FIELDS:
            if name in truth:
                got = _page_value(document, name)
                tally.add(name, truth["file"], got, truth[name])
                for other in (groups[group], families[family], family_groups[family][group]):
                    other.add(name, truth["file"], got, truth[name])
    by_group = _breakdown(groups)
    for group, row in by_group.items():
        row["pages"] = counts[group]
    by_family = _breakdown(families)
    for family, row in by_family.items():
        row["pages"] = family_counts[family]
        row.update({group: t.share() for group, t in family_groups[family].items()})
    scores = {
        "pages": sum(counts.values()),
        "fields": tally.share(),
        "per_field": tally.per_field(),
        "groups": by_group,
        "families": by_family,
    }
    return scores, tally.misses


@contextmanager
def without_known_containers() -> Iterator[None]:
    """Extraction as on a template nobody has seen: the known body containers (TRS_Editor,
    #zoom …) switched off, so that the body is found by scoring alone."""
    saved = body_finder._ID_RANK, body_finder._CLASS_RANK
    body_finder._ID_RANK, body_finder._CLASS_RANK = {}, {}
    try:
        yield
    finally:
        body_finder._ID_RANK, body_finder._CLASS_RANK = saved


def measure(directory: Path) -> tuple[dict[str, Any], list[str]]:
    """Every score on the development sets in `directory`, and the misses behind them."""
    sense, sense_misses = score_sense(directory / "oss-sense-dev.jsonl")
    replies, reply_misses = score_replies(directory / "replies-dev.jsonl")
    pages, page_misses = score_pages(directory / "pages")
    with without_known_containers():
        unknown, _ = score_pages(directory / "pages")
    pages["unknown_layout"] = {"fields": unknown["fields"], "per_field": unknown["per_field"]}
    stripped, _ = score_pages(directory / "pages", bare)
    pages["bare_markup"] = {"fields": stripped["fields"], "per_field": stripped["per_field"]}
    pages["reshaped"] = {
        shape: score_pages(directory / "pages", partial(_reshaped, shape=shape))[0]["fields"]
        for shape in SHAPES
    }
    listings, listing_misses = accuracy_listings.measure(directory / "pages")
    return (
        {"sense": sense, "replies": replies, "pages": pages, "listings": listings},
        sense_misses + reply_misses + page_misses + listing_misses,
    )


def headline(scores: dict[str, Any]) -> dict[str, float]:
    """The figures a test holds up and the README shows: one number each."""
    figures = {
        "sense_precision": scores["sense"]["precision"],
        "sense_recall": scores["sense"]["recall"],
        "pages_fields": scores["pages"]["fields"],
    }
    for group, row in scores["pages"].get("groups", {}).items():
        figures[f"pages_fields_{group}"] = row["fields"]
    for variant in ("unknown_layout", "bare_markup"):
        if variant in scores["pages"]:
            figures[f"pages_fields_{variant}"] = scores["pages"][variant]["fields"]
    if "reshaped" in scores["pages"]:
        figures["pages_fields_reshaped_worst"] = min(scores["pages"]["reshaped"].values())
    for layout, row in scores["replies"].items():
        figures[f"reply_precision_{layout}"] = row["precision"]
        figures[f"reply_recall_{layout}"] = row["recall"]
        figures[f"reply_kind_{layout}"] = row["kind_accuracy"]
        figures[f"reply_fields_{layout}"] = row["fields"]
    return figures


def write_results(scores: dict[str, Any]) -> None:
    """Merge the scores into bench/results.json under `accuracy`, keeping the other keys."""
    try:
        results = json.loads(RESULTS.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        results = {}
    results["accuracy"] = {"headline": headline(scores), **scores}
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")


def _cell(value: float | None) -> str:
    return f"{value:>9}" if value is not None else f"{'-':>9}"


def print_pages(pages: dict[str, Any]) -> None:
    """Per field and per family, all pages beside the older ones and the new ones (101 and up):
    a rule that fits only the older pages shows up as a gap between the two columns."""
    groups = pages.get("groups", {})
    names = [name for name in ("older", "new") if name in groups]
    counts = " ".join(f"{name} ({groups[name]['pages']})" for name in names)
    print(f"\nper field (pages; all {pages['pages']}, {counts}):")
    print(f"  {'field':20} {'all':>9}" + "".join(f" {name:>9}" for name in names))
    for name, value in pages["per_field"].items():
        row = "".join(" " + _cell(groups[group]["per_field"].get(name)) for group in names)
        print(f"  {name:20} {value:>9}{row}")
    fields = "".join(" " + _cell(groups[group]["fields"]) for group in names)
    print(f"  {'(all fields)':20} {pages['fields']:>9}{fields}")
    if "unknown_layout" in pages:
        print(
            f"  with the known body containers switched off (scoring alone): "
            f"{pages['unknown_layout']['fields']}"
        )
    if "bare_markup" in pages:
        print(
            f"  with every id and class removed (no template known): {pages['bare_markup']['fields']}"
        )
    for shape, value in pages.get("reshaped", {}).items():
        print(f"  with the metadata tables rewritten as {shape}: {value}")
    print("\nper family (share of fields right):")
    print(f"  {'family':24} {'pages':>5} {'all':>9}" + "".join(f" {n:>9}" for n in names))
    for family, row in pages.get("families", {}).items():
        shares = "".join(" " + _cell(row.get(group)) for group in names)
        print(f"  {family:24} {row['pages']:>5} {row['fields']:>9}{shares}")
    print()


def print_table(scores: dict[str, Any]) -> None:
    goals = {"sense": 0.95, "reply": 0.95, "pages_fields": 0.97}
    print(f"{'score':32} {'value':>7}  goal")
    for key, value in headline(scores).items():
        goal = next((f">= {g}" for prefix, g in goals.items() if key.startswith(prefix)), "")
        print(f"{key:32} {value:>7}  {goal}")
    print_pages(scores["pages"])
    for layout, row in scores["replies"].items():
        print(f"per field (replies, {layout}):")
        for name, value in row["per_field"].items():
            print(f"  {name:20} {value:>7}")
    if "listings" in scores:
        print()
        accuracy_listings.print_table(scores["listings"])


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--data", help="the real-material directory (default ../shared/data/real)")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args()
    directory = data_dir(args.data)
    if not (directory / "replies-dev.jsonl").exists():
        raise SystemExit(
            f"{directory}: no real development sets here (oss-sense-dev.jsonl, replies-dev.jsonl, "
            "pages/); pass --data DIR or set GOVWATCH_REAL_DATA"
        )
    scores, misses = measure(directory)
    write_results(scores)
    if args.misses:
        print("\n".join(misses))
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        print_table(scores)
        print(f"\nwritten under 'accuracy' in {RESULTS}")


if __name__ == "__main__":
    main()
