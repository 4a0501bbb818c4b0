"""`python -m bench` (= `make bench`): every benchmark, measured beside its peers in this one run,
written to bench/results.json and shown as a table. `--quick` runs smaller sizes, same keys.

- crawl: a full crawl of a replica site (delays lifted, the replica in its own process), pages/s,
  against `scrapy bench` run now: crawl_ratio = ours / scrapy bench (goal ≥ 0.8, while we extract
  and store everything and it parses nothing);
- extraction: extract_document against trafilatura on the same pages (goal ≥ 10×, ≥ 500 pages/s)
  and as a share of a bare lxml parse of the same bytes, on the replica's pages and on the real
  development pages (`python -m bench.extract`; the real row skipped, and said so, without them);
- incremental: requests and seconds of a re-crawl with nothing new, and with about 10 new documents,
  beside the full crawl's requests;
- store and search: documents/s written with versions and the full-text index; search p50 and p95;
  the count of all hits (what `govwatch search` prints) p50 and p95; on SQLite and, beside it, on
  a throwaway PostgreSQL (`pg_`: goal as many documents/s, counts as fast); and documents/s of
  four processes writing at once (`_4_writers`), as nodes do;
- memory: the crawl's peak RSS, and time and memory across corpus sizes (`scale`);
- challenge: a full crawl behind a script challenge (the browser passing it once) beside the same
  crawl unchallenged: seconds, requests, browser solves (skipped, and said so, without Chromium);
- attachments: text of PDF, DOCX, XLSX, OFD and ZIP files, files/s and MB/s, beside the best-known
  peer of each type in this run (pypdf, pdfminer.six, docx2txt, openpyxl); OCR seconds per
  scanned page and its character accuracy (`python -m bench.attachments`);
- many portals: a replica of 1,000 portals (`--quick`: 20), each its own origin and profile,
  with one and with three documents a portal, crawled with the profiles' politeness on by one
  local process, one Scrapyd node and two (batch jobs), into PostgreSQL: seconds, the ratio to
  the local process (goal: one node ≥ 0.8, two nodes no slower than one), each figure with what
  bounds it (`python -m bench.nodes --portals 1000 --docs 1 3`; skipped, and said so, without
  PostgreSQL's server or scrapyd);
- export: seconds and megabytes of each export format of one replica corpus (10,000 documents;
  `--quick`: 2,000) — Parquet, partitioned Parquet, XLSX and the Excel CSV beside JSONL — and the
  Parquet read back in DuckDB and pandas (`python -m bench.export --docs 10000`);
- accuracy: the scores of `python -m bench.accuracy` on the real development sets in
  ../shared/data/real/ (skipped, and said so, where they are absent).
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path
from typing import Any

from bench import accuracy, attachments, crawl, extract, nodes, store
from bench import export as exports

RESULTS = Path(__file__).parent / "results.json"
GOALS = {
    "crawl_ratio": ">= 0.8",
    "extract_ratio": ">= 10",
    "extract_pages_per_s": ">= 500",
    "extract_parse_share": ">= 0.35",
    "extract_real_ratio": ">= 10",
    "extract_real_parse_share": ">= 0.25",
    "portals_1doc_1node_ratio": ">= 0.8",
    "portals_3doc_1node_ratio": ">= 0.8",
    "portals_1doc_2nodes_vs_1node": ">= 1",
    "portals_3doc_2nodes_vs_1node": ">= 1",
}


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__,
                                     formatter_class=argparse.RawDescriptionHelpFormatter)  # fmt: skip
    parser.add_argument(
        "--quick", action="store_true", help="smaller sizes, same keys (under 2 minutes)"
    )
    args = parser.parse_args()
    sizes = (500, 2000, 5000) if args.quick else (1000, 10000, 50000)
    main_size = sizes[1]
    started = time.monotonic()
    results: dict[str, Any] = {}

    incremental = crawl.full_and_incremental(main_size)
    bench_pages = crawl.scrapy_bench(8 if args.quick else 15)
    results.update({
        "crawl_pages_per_s": incremental["crawl_pages_per_s"],
        "scrapy_bench_pages_per_s": bench_pages,
        "crawl_ratio": round(incremental["crawl_pages_per_s"] / bench_pages, 2),
    })  # fmt: skip
    measured, real_extract = _extraction(results, args.quick)
    results.update({key: incremental[key] for key in (
        "recrawl_nochange_requests", "recrawl_nochange_s", "recrawl_10new_requests", "full_crawl_requests")})  # fmt: skip
    stored = store.side_by_side(20000 if args.quick else 100000, 5 if args.quick else 20)
    results.update(
        {key: stored[key] for key in ("store_docs_per_s", "search_p50_ms", "search_p95_ms")}
    )
    # PostgreSQL beside SQLite, same documents and queries: writes and the count of hits.
    # Then four processes writing at once, as nodes do: SQLite one at a time, PostgreSQL all.
    for key in ("count_p50_ms", "count_p95_ms", "store_docs_per_s_4_writers", "pg_store_docs_per_s",
                "pg_store_docs_per_s_4_writers", "pg_search_p50_ms", "pg_search_p95_ms",
                "pg_count_p50_ms", "pg_count_p95_ms"):  # fmt: skip
        if key in stored:
            results[key] = stored[key]
    results["crawl_peak_rss_mb"] = incremental["crawl_peak_rss_mb"]
    files = attachments.measure(5 if args.quick else 20, 2 if args.quick else 5)
    for kind in ("pdf", "docx", "xlsx", "ofd", "zip"):
        results[f"attachment_{kind}_files_per_s"] = files[kind]["govwatch"]["files_per_s"]
    results["ocr_seconds_per_page"] = files["ocr"].get("seconds_per_page")
    results["ocr_char_accuracy"] = files["ocr"].get("char_accuracy")
    results["scale"] = [
        {
            "docs": main_size,
            "seconds": incremental["full_crawl_s"],
            "peak_rss_mb": incremental["crawl_peak_rss_mb"],
        }
        if size == main_size
        else {key: value for key, value in crawl.scale(size).items() if key != "pages"}
        for size in sizes
    ]
    fleet = _fleet(results, args.quick)
    challenge = crawl.challenged(main_size // 5)
    if "skipped" not in challenge:
        results["challenge_overhead_s"] = challenge["challenge_overhead_s"]
    exported = exports.measure(2000 if args.quick else 10000)
    results.update({key: value for key, value in exported.items() if key.endswith(("_s", "_mb"))})
    results["details"] = {"export": exported, "challenge": challenge, "crawl": incremental, "store": stored, "extract": measured, "extract_real": real_extract,
                          "attachments": files, "portals": fleet,
                          "quick": args.quick, "seconds": round(time.monotonic() - started, 1)}  # fmt: skip
    real = accuracy.data_dir()
    if (real / "replies-dev.jsonl").exists():
        results["accuracy"] = accuracy.measure(real)[0]
        results["accuracy"]["headline"] = accuracy.headline(results["accuracy"])
    else:
        print(f"accuracy skipped: no real development sets in {real}")
    RESULTS.write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    show(results)


def _extraction(results: dict[str, Any], quick: bool) -> tuple[dict[str, Any], dict[str, Any]]:
    """Extraction on the replica's pages and on the real development pages (their rows added to
    `results`); both measurements, for the details."""
    measured = extract.measure(100 if quick else 400, 2 if quick else 3)
    results.update({
        "extract_pages_per_s": measured["govwatch_pages_per_s"],
        "trafilatura_pages_per_s": measured["trafilatura_pages_per_s"],
        "extract_ratio": measured["ratio"],
        "extract_parse_share": measured["parse_share"],
    })  # fmt: skip
    real_extract = extract.measure_real(repeat=2 if quick else 5)
    if "skipped" in real_extract:
        print(f"extraction on real pages skipped: {real_extract['skipped']}")
    else:
        results.update({
            "extract_real_pages_per_s": real_extract["govwatch_pages_per_s"],
            "extract_real_ratio": real_extract["ratio"],
            "extract_real_parse_share": real_extract["parse_share"],
        })  # fmt: skip
    return measured, real_extract


def _fleet(results: dict[str, Any], quick: bool) -> dict[str, Any]:
    """A fleet of portals crawled locally, on one node and on two (rows added to `results`)."""
    fleet = nodes.measure(20 if quick else 1000, (1, 3))
    for setting in fleet["settings"]:
        docs = setting["docs_per_portal"]
        for key, label in (("local", "local"), ("nodes_1", "1node"), ("nodes_2", "2nodes")):
            results[f"portals_{docs}doc_{label}_s"] = setting[key]["seconds"]
        results[f"portals_{docs}doc_1node_ratio"] = setting["nodes_1"]["ratio"]
        results[f"portals_{docs}doc_2nodes_vs_1node"] = round(
            setting["nodes_1"]["seconds"] / setting["nodes_2"]["seconds"], 2
        )
    return fleet


def show(results: dict[str, Any]) -> None:
    """The table of figures, then the details that explain them."""
    details = results["details"]
    incremental, challenge, fleet = details["crawl"], details["challenge"], details["portals"]
    print(f"{'figure':28} {'value':>12}  goal")
    for key, value in results.items():
        if key in ("scale", "details", "accuracy"):
            continue
        print(f"{key:28} {value:>12}  {GOALS.get(key, '')}")
    print(f"\n{'scale: documents':20} {'crawl s':>10} {'peak RSS MB':>12}")
    for row in results["scale"]:
        print(f"{row['docs']:>20} {row['seconds']:>10} {row['peak_rss_mb']:>12}")
    print(f"\nfull crawl: {incremental['full_crawl_requests']} requests for {incremental['full_crawl_documents']} "
          f"documents; with nothing new: {incremental['recrawl_nochange_requests']} requests; with "
          f"{incremental['recrawl_10new_documents']} new: {incremental['recrawl_10new_requests']} requests")  # fmt: skip
    if "skipped" in challenge:
        print(f"challenge skipped: {challenge['skipped']}")
    else:
        plain, hard = challenge["plain"], challenge["challenged"]
        print(f"challenged crawl ({challenge['docs']} docs): {hard['seconds']} s, {hard['requests']} "
              f"requests, {hard['browser_solves']} browser solve(s) taking {hard['browser_s']} s; "
              f"unchallenged: {plain['seconds']} s, {plain['requests']} requests")  # fmt: skip
    print("\n".join(nodes.lines(fleet)))
    print("\n".join(exports.lines(details["export"])))
    if "accuracy" in results:
        print()
        accuracy.print_table(results["accuracy"])
    print(f"written to {RESULTS} in {results['details']['seconds']} s")


if __name__ == "__main__":
    main()
