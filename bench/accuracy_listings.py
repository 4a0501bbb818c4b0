"""Accuracy of the listing parsers and the stub detection on real saved pages.

    python -m bench.accuracy_listings [--data DIR] [--misses] [--json]

Reads `pages/` of the real development material (`../shared/data/real/`, never copied here):

- listings: each listing page through the parser of its family (TRS `trs.parse_index`, Hanweb
  classic `hanweb.parse_column_page`, jpaas `jpaas.entries_from_html`, any other family the
  generic `links.document_links` with every known article pattern); per parser, the share of pages
  whose entry count is exact, whose first and last entries are right (URL as the href resolves,
  title after NFKC without spaces, date), and whose next page is right (`index_1.html` resolved
  against the page, or none where the truth says the page has no static next page);
- answers: every page through `answers.read_answer`: stubs and challenges must be recognised as
  the kind the truth gives (a redirect stub as `redirect` or `postmeta`, a challenge as
  `blocked`, `soft-404`, `app-shell`, `wrong-page`), and every article and listing must stay
  content (a false alarm would drop a real document).

`measure(pages_dir)` returns the scores and the misses; `headline(scores)` the figures a test
holds up; `main()` prints a table.
"""

from __future__ import annotations

import argparse
import json
import re
from collections import defaultdict
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

from bench.real import data_dir, encoding_of, group_of, norm
from bench.real import jsonl as _jsonl
from crawler.extract.decode import decode_html
from crawler.items import ListingEntry
from crawler.listings import hanweb, jpaas, trs
from crawler.listings.answers import CONTENT, Answer, read_answer
from crawler.listings.links import ANY_ARTICLE, document_links, is_article

#: A truth kind → the kinds of `read_answer` that are right for it.
KINDS = {
    "redirect-stub": frozenset(("redirect", "postmeta")),
    "anti-bot-challenge": frozenset(("blocked",)),
    "soft-404": frozenset(("soft-404",)),
    "app-shell": frozenset(("app-shell",)),
    "wrong-page": frozenset(("wrong-page",)),
}
LISTING_SCORES = ("count_exact", "first_right", "last_right", "next_right")
_ANY_ARTICLE = re.compile(ANY_ARTICLE)


@dataclass
class Listing:
    entries: list[ListingEntry]
    next_page: str | None


def _encoding(entry: dict[str, Any]) -> str | None:
    return encoding_of(entry)


def read_page(pages_dir: Path, entry: dict[str, Any]) -> bytes:
    return Path(pages_dir, str(entry["file"])).read_bytes()


def parser_of(family: str) -> str:
    return {"trs": "trs", "hanweb-classic": "hanweb", "hanweb-jpaas": "jpaas"}.get(
        family, "generic"
    )


def parse_listing(entry: dict[str, Any], body: bytes) -> Listing:
    """A listing page through the parser of its family."""
    url, parser = entry["url"], parser_of(entry["family"])
    if parser == "trs":
        page = trs.parse_index(body, url, _encoding(entry))
        return Listing(page.entries, page.next_page)
    text = decode_html(body, _encoding(entry)).text
    if parser == "hanweb":
        return Listing(hanweb.parse_column_page(text, url).entries, None)
    if parser == "jpaas":
        return Listing(jpaas.entries_from_html(text, url), None)
    return Listing(document_links(text, url, _ANY_ARTICLE).entries, None)


def expected_next(page_url: str, truth: str | None) -> str | None:
    """The truth's next page as a URL; None where it says there is no static next page."""
    if not truth or " " in truth.strip():
        return None
    return urljoin(page_url, truth.strip())


def expected_kind(truth: dict[str, Any]) -> frozenset[str]:
    return KINDS.get(str(truth.get("kind")), frozenset((CONTENT,)))


def read_kind(pages_dir: Path, entry: dict[str, Any]) -> Answer:
    """What `read_answer` makes of a saved page, asked for as the URL it was saved from."""
    requested = entry.get("requested_url") or entry["url"]
    document = entry["type"] != "listing" and is_article(requested, _ANY_ARTICLE)
    return read_answer(
        int(entry.get("http_status") or 200), read_page(pages_dir, entry), entry["url"],
        encoding=_encoding(entry), document=document, requested=requested,
    )  # fmt: skip


def _same(got: ListingEntry | None, want: dict[str, Any], page_url: str) -> bool:
    return (
        got is not None
        and got.url == urljoin(page_url, want["url"])
        and norm(got.title) == norm(want["title"])
        and got.date == want["date"]
    )


def _show(entry: ListingEntry | None) -> str:
    return "none" if entry is None else f"{entry.url} {entry.title!r} {entry.date}"


def measure(pages_dir: Path) -> tuple[dict[str, Any], list[str]]:
    """Listing and answer scores on the saved pages in `pages_dir`, and the misses behind them."""
    index = {record["file"]: record for record in _jsonl(pages_dir / "index.jsonl")}
    right: dict[str, dict[str, int]] = defaultdict(lambda: dict.fromkeys(LISTING_SCORES, 0))
    pages: dict[str, int] = defaultdict(int)
    misses: list[str] = []
    stubs = stubs_right = content = content_right = 0
    # group (older, new) → [stubs recognised, stubs, listings wholly right, listings]
    by_group: dict[str, list[int]] = defaultdict(lambda: [0, 0, 0, 0])
    for truth in _jsonl(pages_dir / "truth.jsonl"):
        entry = index[truth["file"]]
        where = truth["file"]
        answer = read_kind(pages_dir, entry)
        wanted = expected_kind(truth)
        if CONTENT in wanted:
            content += 1
            content_right += answer.kind == CONTENT
        else:
            stubs += 1
            stubs_right += answer.kind in wanted
            by_group[group_of(where)][0] += answer.kind in wanted
            by_group[group_of(where)][1] += 1
        if answer.kind not in wanted:
            misses.append(
                f"{where} answer: got {answer.kind} ({answer.reason}), want {truth.get('kind', CONTENT)}"
            )
        if entry["type"] != "listing":
            continue
        parser = parser_of(entry["family"])
        pages[parser] += 1
        listing = parse_listing(entry, read_page(pages_dir, entry))
        first = listing.entries[0] if listing.entries else None
        last = listing.entries[-1] if listing.entries else None
        next_page = expected_next(entry["url"], truth.get("next_page"))
        checks = {
            "count_exact": (len(listing.entries) == truth["entries"], f"{len(listing.entries)} entries, want {truth['entries']}"),
            "first_right": (_same(first, truth["first"], entry["url"]), f"first {_show(first)}, want {truth['first']}"),
            "last_right": (_same(last, truth["last"], entry["url"]), f"last {_show(last)}, want {truth['last']}"),
            "next_right": (listing.next_page == next_page, f"next {listing.next_page}, want {next_page}"),
        }  # fmt: skip
        by_group[group_of(where)][2] += all(ok for ok, _ in checks.values())
        by_group[group_of(where)][3] += 1
        for name, (ok, message) in checks.items():
            right[parser][name] += ok
            if not ok:
                misses.append(f"{where} {parser}: {message}")
    listings = {
        parser: {"pages": count, **{k: round(right[parser][k] / count, 4) for k in LISTING_SCORES}}
        for parser, count in sorted(pages.items())
    }
    total = sum(pages.values())
    overall = {
        "pages": total,
        **{
            k: round(sum(right[p][k] for p in pages) / total, 4) if total else 0.0
            for k in LISTING_SCORES
        },
    }
    answers = {
        "stubs": stubs,
        "stubs_recognised": stubs_right,
        "stub_detection": round(stubs_right / stubs, 4) if stubs else 0.0,
        "content": content,
        "content_recognised": content_right,
        "content_kept": round(content_right / content, 4) if content else 0.0,
        "groups": {
            group: {
                "stubs_recognised": row[0],
                "stubs": row[1],
                "listings_right": row[2],
                "listings": row[3],
            }
            for group, row in sorted(by_group.items())
        },
    }
    return {"listings": {"all": overall, **listings}, "answers": answers}, misses


def headline(scores: dict[str, Any]) -> dict[str, float]:
    """One number each, the same keys whatever families the pages hold."""
    overall = scores["listings"]["all"]
    return {
        **{f"listing_{name}": overall[name] for name in LISTING_SCORES},
        "stub_detection": scores["answers"]["stub_detection"],
        "content_kept": scores["answers"]["content_kept"],
    }


def print_table(scores: dict[str, Any]) -> None:
    print(f"{'parser':10} {'pages':>5} " + " ".join(f"{name:>12}" for name in LISTING_SCORES))
    for parser, row in scores["listings"].items():
        values = " ".join(f"{row[name]:>12}" for name in LISTING_SCORES)
        print(f"{parser:10} {row['pages']:>5} {values}")
    answers = scores["answers"]
    print(
        f"\nstubs and challenges recognised: {answers['stubs_recognised']} of {answers['stubs']}"
        f" ({answers['stub_detection']})"
    )
    print(
        f"articles and listings kept as content: {answers['content_recognised']} of "
        f"{answers['content']} ({answers['content_kept']})"
    )
    for group, row in answers.get("groups", {}).items():
        print(
            f"  {group}: stubs recognised {row['stubs_recognised']} of {row['stubs']}, "
            f"listings wholly right {row['listings_right']} of {row['listings']}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.accuracy_listings", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--data", help="the real-material directory (default ../shared/data/real)")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    parser.add_argument("--json", action="store_true", help="print the scores as JSON")
    args = parser.parse_args()
    pages_dir = data_dir(args.data) / "pages"
    if not (pages_dir / "truth.jsonl").exists():
        raise SystemExit(
            f"{pages_dir}: no saved pages here (truth.jsonl, index.jsonl); pass --data DIR or "
            "set GOVWATCH_REAL_DATA"
        )
    scores, misses = measure(pages_dir)
    if args.misses:
        print("\n".join(misses))
    if args.json:
        print(json.dumps(scores, ensure_ascii=False, indent=2))
    else:
        print_table(scores)


if __name__ == "__main__":
    main()
