"""`govwatch cluster demo`: PostgreSQL, two Scrapyd nodes, one killed mid-crawl — the corpus
equals the truth and each alert reaches the sink once; nothing is left behind."""

from __future__ import annotations

import io
import shutil
import sys
import tempfile
from pathlib import Path
from typing import Any

import pytest

import replica.cluster
from replica.pgcluster import missing_reason


def test_the_cluster_demo_survives_a_node_killed_mid_crawl(monkeypatch: pytest.MonkeyPatch) -> None:
    if reason := missing_reason():
        pytest.skip(reason)
    if not (Path(sys.executable).parent / "scrapyd").exists() and not shutil.which("scrapyd"):
        pytest.skip("scrapyd missing: pip install -e '.[dev]'")
    made: list[str] = []
    mkdtemp = tempfile.mkdtemp

    def watched(*args: Any, **kwargs: Any) -> str:
        made.append(mkdtemp(*args, **kwargs))
        return made[-1]

    monkeypatch.setattr(tempfile, "mkdtemp", watched)
    out = io.StringIO()
    # As `make cluster-demo` runs it: 60 documents a site, among them a reply published only as
    # its file, which the crawl reads there (issue 24: compared with the page truth, it failed).
    result = replica.cluster.run_cluster_demo(out=out)
    text = out.getvalue()
    assert result["same"] and result["once"], text
    assert result["alerts"] > 0 and result["documents"] > 0
    assert "kill -9 " in text and "— equal" in text and "each once" in text
    # Every portal finished on the node that survived.
    assert set(result["finished"].values()) == {
        text.split("crawl nodes: ")[1].split(", ")[1].split(" ")[0]
    }
    ours = [path for path in made if Path(path).name.startswith("govwatch-cluster-")]
    assert ours and not any(Path(path).exists() for path in ours), "its directory was left behind"


def test_the_demo_removes_its_directory_when_it_fails(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    class NoPostgres:
        def __enter__(self) -> Any:
            raise RuntimeError("initdb failed")

        def __exit__(self, *exc: object) -> None:
            return None

    monkeypatch.setattr(tempfile, "tempdir", str(tmp_path))
    monkeypatch.setattr(replica.cluster, "TempCluster", NoPostgres)
    with pytest.raises(RuntimeError, match="initdb"):
        replica.cluster.run_cluster_demo(docs=5, out=io.StringIO())
    assert list(tmp_path.iterdir()) == []
