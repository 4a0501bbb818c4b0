"""`govwatch cluster demo`: PostgreSQL, two Scrapyd nodes, one killed mid-crawl — the corpus
equals the truth and each alert reaches the sink once."""

from __future__ import annotations

import io
import shutil
import sys
from pathlib import Path

import pytest

from replica.pgcluster import missing_reason


def test_the_cluster_demo_survives_a_node_killed_mid_crawl() -> None:
    if reason := missing_reason():
        pytest.skip(reason)
    if not (Path(sys.executable).parent / "scrapyd").exists() and not shutil.which("scrapyd"):
        pytest.skip("scrapyd missing: pip install -e '.[dev]'")
    from replica.cluster import run_cluster_demo

    out = io.StringIO()
    result = run_cluster_demo(docs=40, out=out)
    text = out.getvalue()
    assert result["same"] and result["once"], text
    assert result["alerts"] > 0 and result["documents"] > 0
    assert "kill -9 " in text and "— equal" in text and "each once" in text
    # Every portal finished on the node that survived.
    assert set(result["finished"].values()) == {
        text.split("crawl nodes: ")[1].split(", ")[1].split(" ")[0]
    }
