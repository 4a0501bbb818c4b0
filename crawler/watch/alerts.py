"""The alert policy: which of the rules a document matched become alerts, and how many.

One alert per document and version for every rule it matched (the most specific rule leads),
and one of its own for each rule that stands alone (`alone: true`). A new document alerts every
rule it matches; a changed one only the rules that re-alert on change. Pure: the store writes
what `due` returns in the transaction that stores the version.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from crawler.items import DueAlerts, OutboxAlert


@dataclass(frozen=True)
class Alert:
    """A rule a document matched, with what the alert will say."""

    rule: str
    payload: dict[str, Any]
    on_change: bool = False
    alone: bool = False


def merged(alerts: list[Alert]) -> list[OutboxAlert]:
    """One alert per document for every rule it matched (the first leads), and one per rule
    that stands alone."""
    together = [alert for alert in alerts if not alert.alone]
    out = [OutboxAlert(alert.rule, [alert.rule], {**alert.payload, "rules": [alert.rule]})
           for alert in alerts if alert.alone]  # fmt: skip
    if together:
        payload = dict(together[0].payload)
        pairs: list[tuple[str, str]] = []
        for alert in together:
            for pair in zip(alert.payload.get("snippets") or [], alert.payload.get("evidence") or [],
                            strict=False):  # fmt: skip
                if pair not in pairs:
                    pairs.append(pair)
        payload["snippets"] = [snippet for snippet, _ in pairs[:3]]
        payload["evidence"] = [why for _, why in pairs[:3]]
        payload["rules"] = [alert.rule for alert in together]
        out.insert(0, OutboxAlert("doc", payload["rules"], payload))
    return out


def due(alerts: list[Alert]) -> DueAlerts:
    """What the outbox gets for a document that matched `alerts`: when it is new, every rule;
    when it changed, the rules that re-alert on change."""
    return DueAlerts(merged(alerts), merged([alert for alert in alerts if alert.on_change]))
