"""Extraction speed: govwatch's `extract_document` beside trafilatura and a bare lxml parse of the
same bytes, on the replica's pages and on the real development pages.

    python -m bench.extract [--pages N] [--repeat R] [--data DIR]

Prints one JSON object per row: {"pages", "govwatch_pages_per_s", "trafilatura_pages_per_s",
"ratio", "parse_pages_per_s", "parse_share"}. Everything runs in this process, one core, on the
same bytes; trafilatura extracts text and metadata (`bare_extraction(..., with_metadata=True)`),
as govwatch does; the bare parse is lxml's HTML parser alone (`parse_share` = govwatch's speed
as a share of it: how near extraction comes to the cost of reading the page at all).

The real row reads the article pages of the real development set (`bench.real.data_dir()`,
never copied here) and is skipped, with the reason, where they are absent.
"""

from __future__ import annotations

import argparse
import json
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from lxml import etree

from bench.pages import realistic_pages
from bench.real import data_dir, encoding_of, jsonl
from crawler.extract import extract_document

URL = "http://jxj.hangzhou.gov.cn/art/2024/1/1/art_1229265378_4300000.html"

# One page as the bench hands it to each side: its bytes, URL and the transport's charset.
Page = tuple[bytes, str, str | None]


def _seconds(pages: list[Page], run: Callable[[Page], object]) -> float:
    # CPU time of this process: the machine is shared, and time spent waiting for a core is
    # nobody's speed.
    start = time.process_time()
    for page in pages:
        run(page)
    return time.process_time() - start


def measure_pages(pages: list[Page], repeat: int = 3) -> dict[str, Any]:
    """The three speeds on the same pages, and govwatch's ratios to the other two."""
    import trafilatura  # a peer, installed with the dev extra

    def ours(page: Page) -> object:
        return extract_document(page[0], page[1], encoding=page[2])

    def theirs(page: Page) -> object:
        return trafilatura.bare_extraction(page[0], url=page[1], with_metadata=True)

    def parse(page: Page) -> object:
        # A parser of its own per call, as lxml.html does: the bare cost of a tree of the bytes.
        return etree.fromstring(page[0], etree.HTMLParser(encoding=page[2]))

    for run in (ours, theirs, parse):  # warm caches (OpenCC dictionaries, compiled patterns)
        run(pages[0])
    # Passes alternate, and each side keeps its best, so a busy moment of the machine
    # does not fall on one side only.
    best = {"ours": float("inf"), "theirs": float("inf"), "parse": float("inf")}
    for _ in range(repeat):
        for name, run in (("ours", ours), ("theirs", theirs), ("parse", parse)):
            best[name] = min(best[name], _seconds(pages, run))
    govwatch, peer, bare = (
        len(pages) / max(best[name], 1e-9) for name in ("ours", "theirs", "parse")
    )
    return {
        "pages": len(pages),
        "mean_page_kib": round(sum(len(page[0]) for page in pages) / len(pages) / 1024, 1),
        "govwatch_pages_per_s": round(govwatch, 1),
        "trafilatura_pages_per_s": round(peer, 1),
        "ratio": round(govwatch / peer, 2),
        "parse_pages_per_s": round(bare, 1),
        "parse_share": round(govwatch / bare, 3),
    }


def measure(count: int = 240, repeat: int = 3) -> dict[str, Any]:
    """The replica's row: `count` realistic pages (bench/pages.py)."""
    return measure_pages([(page, URL, None) for page in realistic_pages(count)], repeat)


def real_pages(directory: Path) -> list[Page]:
    """The article pages of the real development set, with their URLs and charsets."""
    pages = directory / "pages"
    return [
        ((pages / entry["file"]).read_bytes(), str(entry["url"]), encoding_of(entry))
        for entry in jsonl(pages / "index.jsonl")
        if entry.get("type") == "article"
    ]


def measure_real(directory: Path | None = None, repeat: int = 5) -> dict[str, Any]:
    """The real pages' row, or {"skipped": why} where the real development set is absent."""
    directory = data_dir(directory)
    if not (directory / "pages" / "index.jsonl").exists():
        return {"skipped": f"no real development pages in {directory / 'pages'}"}
    pages = real_pages(directory)
    if not pages:
        return {"skipped": f"no article page listed in {directory / 'pages' / 'index.jsonl'}"}
    return measure_pages(pages, repeat)


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench.extract", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument("--pages", type=int, default=240, help="replica pages (default 240)")
    parser.add_argument("--repeat", type=int, default=3, help="passes, the best kept (default 3)")
    parser.add_argument("--data", help="the real-material directory (default: bench.real)")
    args = parser.parse_args()
    print(json.dumps({"replica": measure(args.pages, args.repeat)}))
    print(json.dumps({"real": measure_real(args.data, args.repeat)}))


if __name__ == "__main__":
    main()
