"""What bounds each figure of `python -m bench.nodes` is decided from what was measured, and a
batch job's log is read for its crawl time and every portal's requests."""

from __future__ import annotations

import os
from pathlib import Path

from bench.nodes import _job_log_stats, cpu_seconds, limit, lines

NODE = {"nodes": 1, "jobs": 2, "longest_job_s": 14.0, "longest_crawl_s": 10.0}
LOCAL = {"crawl_s": 9.0, "max_portal_requests": 5}


def test_a_node_figure_is_delay_cpu_or_contention_bound() -> None:
    quick = limit({**NODE, "own_cpu_share": 0.3, "cpu_busy": 0.5}, 8)
    assert quick.startswith("delay-bound: 2 batch job(s) on 1 node(s), the longest 14 s")
    slow = {**NODE, "longest_crawl_s": 40.0}
    assert limit({**slow, "own_cpu_share": 0.8, "cpu_busy": 0.9}, 8).startswith("CPU-bound")
    assert limit({**slow, "own_cpu_share": 0.3, "cpu_busy": 0.95}, 8).startswith("CPU-contended")
    assert limit({**slow, "own_cpu_share": 0.1, "cpu_busy": 0.2}, 8).startswith("process-bound")


def test_a_local_figure_is_delay_or_cpu_bound() -> None:
    assert limit({**LOCAL, "own_cpu_share": 0.2, "cpu_busy": 0.9}, 8).startswith("delay-bound")
    slow = {**LOCAL, "crawl_s": 40.0, "own_cpu_share": 0.2}
    assert limit({**slow, "own_cpu_share": 0.9, "cpu_busy": 1.0}, 8).startswith("CPU-bound")
    assert limit({**slow, "cpu_busy": 0.95}, 8).startswith("CPU-contended")
    assert limit({**slow, "cpu_busy": 0.3}, 8).startswith("process-bound")


def test_job_logs_and_cpu_are_read(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    # A batch's log: each portal's stats dump, then the batch spider's own (its elapsed time).
    log.write_text(
        "{'downloader/request_count': 4,\n 'elapsed_time_seconds': 6.25,\n}\n"
        "{'downloader/request_count': 3,\n 'elapsed_time_seconds': 5.5,\n}\n"
        "{'elapsed_time_seconds': 9.0,\n}"
    )
    assert _job_log_stats(log) == (9.0, 7)
    assert _job_log_stats(tmp_path / "missing.log") == (None, 0)
    assert cpu_seconds(os.getpid()) > 0


def test_the_table_gives_each_setup_its_ratio_rate_cpu_and_memory() -> None:
    one = {"seconds": 100.0, "ratio": 1.0, "passes_per_hour": 36.0, "documents_per_s": 10.0,
           "own_cpu_share": 0.4, "peak_rss_mb": 600.0, "limit": "delay-bound: x"}  # fmt: skip
    node = {**one, "seconds": 80.0, "ratio": 1.25, "cpu_per_node_s": [50.0]}
    two = {**one, "seconds": 90.0, "ratio": 1.11, "cpu_per_node_s": [30.0, 28.0]}
    setting = {"portals": 1000, "docs_per_portal": 3, "requests_per_portal": 5.0,
               "truth_documents": 3000, "local": one, "nodes_1": node, "nodes_2": two}  # fmt: skip
    text = "\n".join(lines({"portals": 1000, "settings": [setting]}))
    assert "1000 portals, politeness on, 3 document(s) a portal" in text
    assert "  one Scrapyd node      80.0     1.25      36.0" in text
    assert "two Scrapyd nodes: delay-bound: x; CPU per node 30, 28 s" in text


def test_the_local_crawl_of_a_fleet_reaches_its_portals_and_says_it_in_one_short_line(
    tmp_path: Path,
) -> None:
    """The local child crawls the replica's origins (it passed none, and every request went to the
    portals' real host names) and prints one short line (the whole summary of 1,000 portals
    filled the pipe its parent reads at the end, and the child waited for ever)."""
    from bench.nodes import fleet_replica, local

    with fleet_replica(4, 1, tmp_path / "profiles") as (url, replica):
        result = local(url, replica, tmp_path / "profiles", str(tmp_path / "fleet.db"))
    assert (result["status"], result["documents"], result["errors"]) == ("done", 4, 0)
    assert result["max_portal_requests"] >= 3  # robots.txt, the listing, the document
