"""What `govwatch nodes` shows: each node's health and jobs, and per batch job its run, how many
of its portals are done and how many it still holds leases for."""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from crawler.run.nodes.scrapyd import node_status
from crawler.store import Store


@dataclass
class BatchView:
    """One batch job on a node: its run's portals, those done, the leases it still holds."""

    job: str
    run: int | None
    portals: int
    done: int
    leased: int
    until: str  # when its latest lease expires unless renewed
    holder: str


@dataclass
class NodeView:
    url: str
    tags: tuple[str, ...]
    status: str
    running: int = 0
    pending: int = 0
    error: str = ""
    batches: list[BatchView] = field(default_factory=list)

    @property
    def healthy(self) -> bool:
        return self.status == "ok"


def node_views(
    store: Store, status: Callable[[str], dict[str, Any]] | None = None
) -> list[NodeView]:
    """Every registered node with its health (asked now, `node_status`) and the batches it
    holds leases for."""
    status = status or node_status
    jobs: dict[tuple[str, str, int | None], list[dict[str, Any]]] = {}
    for lease in store.leases():
        key = (lease["node"], lease["job"] or "(not started)", lease["run_id"])
        jobs.setdefault(key, []).append(lease)
    views = []
    for node in store.nodes():
        state = status(node.url)
        view = NodeView(node.url, node.tags, str(state.get("status")),
                        len(state.get("running", [])), int(state.get("pending", 0)),
                        str(state.get("error", "")))  # fmt: skip
        for (url, job, run_id), leases in sorted(jobs.items(), key=lambda item: str(item[0])):
            if url == node.url:
                view.batches.append(_batch(store, job, run_id, leases))
        views.append(view)
    return views


def _batch(store: Store, job: str, run_id: int | None, leases: list[dict[str, Any]]) -> BatchView:
    run = store.run(int(run_id)) if run_id else None
    portals = len(json.loads(run["portals"] or "[]")) if run else len(leases)
    done = len(store.recorded_portals(int(run_id))) if run_id else 0
    return BatchView(job, run_id, portals, done, len(leases),
                     max(lease["expires_at"] for lease in leases), leases[0]["holder"])  # fmt: skip


def view_lines(view: NodeView) -> list[str]:
    """A node in a line, then a line per batch job it runs."""
    detail = f"{view.running} running, {view.pending} pending" if view.healthy else view.error
    lines = [f"{view.url:32} [{', '.join(view.tags)}] {view.status}: {detail}"]
    for batch in view.batches:
        lines.append(
            f"  batch job {batch.job[:12]} run {batch.run}: {batch.done} of {batch.portals} "
            f"portals done, {batch.leased} leased until {batch.until} (for {batch.holder})"
        )
    return lines
