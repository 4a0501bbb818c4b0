"""`python -m bench` (= `make bench`): every benchmark, written to bench/results.json and shown as
a table. `--quick` runs smaller sizes with the same keys.

Today: extraction beside trafilatura. Crawl, recrawl, store, search and memory figures join as
the crawl and store land.
"""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from bench import extract

RESULTS = Path(__file__).parent / "results.json"


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument("--quick", action="store_true", help="smaller sizes, same keys")
    args = parser.parse_args()
    pages, repeat = (200, 2) if args.quick else (400, 3)
    measured = extract.measure(pages, repeat)
    results = {
        "extract_pages_per_s": measured["govwatch_pages_per_s"],
        "trafilatura_pages_per_s": measured["trafilatura_pages_per_s"],
        "extract_ratio": measured["ratio"],
        "extract_pages": measured["pages"],
        "extract_mean_page_kib": measured["mean_page_kib"],
    }
    RESULTS.write_text(json.dumps(results, indent=2) + "\n", encoding="utf-8")
    goals = {"extract_pages_per_s": ">= 500", "extract_ratio": ">= 10"}
    print(f"{'figure':28} {'value':>10}  goal")
    for key, value in results.items():
        print(f"{key:28} {value:>10}  {goals.get(key, '')}")
    print(f"\nwritten to {RESULTS}")


if __name__ == "__main__":
    main()
