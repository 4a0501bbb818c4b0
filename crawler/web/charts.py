"""The pictures of the monitor page, as Apache ECharts options (JSON) that the page's small script
hands to the vendored ECharts (crawler/web/static/echarts/): documents per month per portal, and
watch-topic replies over time — the replies and co-handling opinions each watch rule matches,
judged as the crawl judges them (their attachments' text too), per month of publication."""

from __future__ import annotations

from collections import Counter
from typing import Any

from crawler.store import Store
from crawler.store.stats import monthly
from crawler.watch.explain import matched_rules
from crawler.watch.rules import Rule

#: Portals drawn one by one; the rest are summed as "others" (a chart of 60 colours says nothing).
TOP_PORTALS = 8
REPLY_KINDS = ("reply", "co_handling_opinion")
#: (database, document, content hash) → the rules its stored content matches: judged once.
_JUDGED: dict[tuple[str, str, str], list[str]] = {}


def _months(first: str, last: str) -> list[str]:
    """Every month from `first` to `last` (YYYY-MM), so that a quiet month shows as zero."""
    year, month = int(first[:4]), int(first[5:7])
    found = []
    while f"{year:04d}-{month:02d}" <= last:
        found.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return found


def per_month(store: Store) -> dict[str, Any]:
    """{months, series: {portal: counts per month}}: documents per month of publication, the
    busiest portals by name and the rest as "others"."""
    rows = [(p, m, n) for p, m, n in monthly(store) if len(m) == 7 and m[:4].isdigit()]
    if not rows:
        return {"months": [], "series": {}}
    months = _months(min(m for _, m, _ in rows), max(m for _, m, _ in rows))
    totals = Counter[str]()
    for portal, _, count in rows:
        totals[portal] += count
    shown = {portal for portal, _ in totals.most_common(TOP_PORTALS)}
    series: dict[str, list[int]] = {}
    place = {month: index for index, month in enumerate(months)}
    for portal, month, count in rows:
        name = portal if portal in shown else "others"
        series.setdefault(name, [0] * len(months))[place[month]] += count
    return {"months": months, "series": series}


def topic_replies(store: Store, rules: list[Rule], database: str = "") -> dict[str, Any]:
    """{months, series: {rule: replies matching it per month}}, for the rules that match any."""
    found: dict[str, Counter[str]] = {}
    for kind in REPLY_KINDS:
        for record in store.records(kind=kind):
            month = str(record.get("published_at") or "")[:7]
            if len(month) != 7:
                continue
            key = (database, record["id"], record["content_hash"])
            if key not in _JUDGED:
                _JUDGED[key] = matched_rules(_with_files(store, record), rules)
            for rule in _JUDGED[key]:
                found.setdefault(rule, Counter())[month] += 1
    every = sorted({month for counts in found.values() for month in counts})
    if not every:
        return {"months": [], "series": {}}
    months = _months(every[0], every[-1])
    return {"months": months,
            "series": {rule: [counts.get(m, 0) for m in months] for rule, counts in found.items()}}  # fmt: skip


def _with_files(store: Store, record: dict[str, Any]) -> dict[str, Any]:
    """The record with its attachments' stored text, as the crawl's rules read it."""
    if not record.get("attachments"):
        return record
    texts = {file["url"]: file.get("text") for file in store.attachment_texts(record["id"])}
    return {**record, "attachments": [{**a, "text": texts.get(a.get("url"))}
                                      for a in record["attachments"]]}  # fmt: skip


def option(title: str, data: dict[str, Any], kind: str = "bar") -> dict[str, Any]:
    """An ECharts option: one series per name over the months, stacked bars or lines."""
    return {
        "animation": False,  # drawn at once: a monitor page, and a screenshot, show the figures
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0, "type": "scroll"},
        "grid": {"left": 48, "right": 24, "top": 40, "bottom": 56},
        "xAxis": {"type": "category", "data": data["months"]},
        "yAxis": {"type": "value", "minInterval": 1},
        "series": [
            {"name": name, "type": kind, "data": counts, **({"stack": "all"} if kind == "bar" else {})}
            for name, counts in data["series"].items()
        ],
    }  # fmt: skip
