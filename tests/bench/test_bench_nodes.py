"""What bounds each figure of `python -m bench.nodes` is decided from what was measured."""

from __future__ import annotations

import os
from pathlib import Path

from bench.nodes import _job_log_stats, cpu_seconds, limit

NODE = {"nodes": 1, "slots": 4, "parallel": 3.8, "mean_job_s": 10.0, "mean_crawl_s": 6.0,
        "cpu_per_job_s": 1.6, "slot_bound_s": 500.0}  # fmt: skip
LOCAL = {"crawl_s": 9.0, "max_portal_requests": 5}


def test_a_node_figure_is_cpu_bound_contended_or_slot_bound() -> None:
    few = {**NODE, "parallel": 2.0}
    assert limit({**few, "own_cpu_share": 0.8, "cpu_busy": 0.9}, 8).startswith("CPU-bound")
    assert limit({**few, "own_cpu_share": 0.3, "cpu_busy": 0.95}, 8).startswith("CPU-contended")
    slot = limit({**NODE, "own_cpu_share": 0.3, "cpu_busy": 0.5}, 8)
    assert slot.startswith("slot-bound, delay-bound within") and "4.0 s of it starting" in slot
    starts = limit({**NODE, "mean_crawl_s": 3.0, "own_cpu_share": 0.3, "cpu_busy": 0.5}, 8)
    assert starts.startswith("slot-bound, process-start-bound within")
    assert limit({**NODE, "parallel": 1.0, "own_cpu_share": 0.1, "cpu_busy": 0.2}, 8).startswith(
        "dispatch-bound"
    )


def test_a_local_figure_is_delay_or_cpu_bound() -> None:
    assert limit({**LOCAL, "own_cpu_share": 0.2, "cpu_busy": 0.9}, 8).startswith("delay-bound")
    slow = {**LOCAL, "crawl_s": 40.0, "own_cpu_share": 0.2}
    assert limit({**slow, "own_cpu_share": 0.9, "cpu_busy": 1.0}, 8).startswith("CPU-bound")
    assert limit({**slow, "cpu_busy": 0.95}, 8).startswith("CPU-contended")
    assert limit({**slow, "cpu_busy": 0.3}, 8).startswith("process-bound")


def test_job_logs_and_cpu_are_read(tmp_path: Path) -> None:
    log = tmp_path / "job.log"
    log.write_text("{'downloader/request_count': 4,\n 'elapsed_time_seconds': 6.25,\n}")
    assert _job_log_stats(log) == (6.25, 4)
    assert _job_log_stats(tmp_path / "missing.log") == (None, 0)
    assert cpu_seconds(os.getpid()) > 0
