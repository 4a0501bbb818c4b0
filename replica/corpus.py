"""The replica's corpus: which documents exist on which day, where they are listed, and their URLs.

Deterministic from a seed and a size (documents per site). Only small specs are built up front;
a document's text is generated when it is first asked for, so 50,000 documents per site start in
seconds and stay small. Day 0 is 2023-01-01; a document is listed from its publication day, some
are edited later (same URL, new text) and some withdrawn (gone from listings, 404).
"""

from __future__ import annotations

import bisect
import datetime as dt
import hashlib
import random
import re
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from typing import Any

from crawler.clock import CHINA
from crawler.extract.text import to_simplified
from replica import sites as S
from replica.content import Attachment, Doc, edited, generate

EPOCH = dt.date(2023, 1, 1)
LAST_DAY = 1425  # 2026-11-26
SEED_SERIAL = -1  # the real 西湖31号 reply
SEED_ARTID = "4216448"
SEED_COLUMN = "1229265378"
SEED_DAY = (dt.date(2023, 11, 3) - EPOCH).days


def day_number(value: str | int) -> int:
    """An ISO date or a day count from 2023-01-01 → the day count."""
    if isinstance(value, int):
        return value
    text = str(value).strip()
    if text.lstrip("-").isdigit():
        return int(text)
    try:
        return (dt.date.fromisoformat(text) - EPOCH).days
    except ValueError:
        raise ValueError(f"day {value!r}: give an ISO date (2023-11-03) or a day number") from None


def date_of(day: int) -> dt.date:
    return EPOCH + dt.timedelta(days=day)


def morning(day: int) -> dt.datetime:
    """When a day's listings were last regenerated (their Last-Modified)."""
    return dt.datetime.combine(date_of(day), dt.time(8, 0), CHINA)


@dataclass(frozen=True, slots=True)
class Spec:
    """What exists, when and where: everything but the text."""

    site: str
    serial: int
    day: int
    minute: int
    column: str  # home column
    also: str | None  # a second column that lists it (cross-posted)
    kind: str
    edit_day: int | None
    withdraw_day: int | None
    family: str  # the site's CMS family (its article ids)

    def live(self, day: int) -> bool:
        return self.day <= day and (self.withdraw_day is None or day < self.withdraw_day)

    @property
    def published(self) -> dt.datetime:
        return dt.datetime.combine(
            date_of(self.day), dt.time(self.minute // 60, self.minute % 60), CHINA
        )

    @property
    def key(self) -> str:
        """The family's article id: Hanweb artid, jpaas uuid, TRS id, gov.cn content id."""
        if self.serial == SEED_SERIAL:
            return SEED_ARTID
        family = self.family
        if family == "hanweb":
            return str(4000000 + self.serial * 7 + 3)
        if family == "jpaas":
            return hashlib.md5(f"{self.site}/{self.serial}".encode()).hexdigest()
        if family == "trs":
            return str(26000000 + self.serial * 3 + 1)
        if family == "gkmlpt":
            return str(7000000 + self.serial * 13 + 5)
        if family == "generic":  # a slug: the URL carries no number
            return hashlib.md5(f"{self.site}/{self.serial}".encode()).hexdigest()[:10]
        return str(5200000 + self.serial * 11)


def _weighted(rng: random.Random, pairs: tuple[tuple[str, int], ...]) -> str:
    return rng.choices([k for k, _ in pairs], weights=[w for _, w in pairs])[0]


def _specs(site: S.Site, docs: int, seed: int) -> list[Spec]:
    rng = random.Random(f"{seed}/{site.name}/specs")
    columns = site.columns
    specs: list[Spec] = []
    for serial in range(docs):
        day = serial * LAST_DAY // max(docs, 1)
        month = date_of(day).month
        weights = [
            3 if c.kinds[0][0].startswith("reply") and 6 <= month <= 11 else 1 for c in columns
        ]
        column = rng.choices(columns, weights=weights)[0]
        kind = _weighted(rng, column.kinds)
        also = None
        if len(columns) > 1 and rng.random() < 0.04:
            also = rng.choice([c.id for c in columns if c.id != column.id])
        edit_day = day + rng.randint(1, 60) if rng.random() < 0.03 else None
        withdraw_day = day + rng.randint(2, 90) if rng.random() < 0.01 else None
        minute = 8 * 60 + rng.randint(0, 10 * 60)
        spec = Spec(site.name, serial, day, minute, column.id, also, kind, edit_day, withdraw_day,
                    site.family)  # fmt: skip
        specs.append(spec)
    if site.name == "hangzhou-jxj":
        seed_spec = Spec(site.name, SEED_SERIAL, SEED_DAY, 11 * 60 + 4, SEED_COLUMN, None,
                         S.REPLY_SUGGESTION, None, None, site.family)  # fmt: skip
        specs.append(seed_spec)
    specs.sort(key=lambda s: (s.day, s.minute, s.serial))
    return specs


def seed_doc() -> Doc:
    """The real reply of the Hangzhou bureau to deputy 何征宇 (西湖31号), as the official page has it."""
    text = resources.files("replica").joinpath("seed/hangzhou-jxj-xihu31-reply.txt")
    lines = [line.strip() for line in to_simplified(text.read_text(encoding="utf-8")).splitlines()]
    lines = [line for line in lines if line]
    end = lines.index("2023年6月9日")
    body = lines[6 : end + 1]
    body[0] = body[0].replace(":", "：")  # the official page writes the salutation's colon wide
    return Doc(
        title=lines[4],
        kind="reply",
        publisher="市经信局",
        source="杭州市经济和信息化局",
        category="人大代表建议",
        column_name="人大代表建议",
        index_no="002489452/2023-00334",
        doc_no="杭经信提〔2023〕140号",
        disclosure_form="主动公开",
        written_date=dt.date(2023, 11, 3),
        published=dt.datetime(2023, 11, 3, 11, 4, tzinfo=CHINA),
        paragraphs=body,
        salutation="何征宇代表",
        reply={
            "addressee": "何征宇",
            "addressee_role": "代表",
            "body_type": "suggestion",
            "session": "市十四届人大三次会议",
            "proposal_no": "西湖31号",
            "proposal_title": "关于支持开源软件发展的建议",
            "lead_agency": "市经信局",
            "co_agencies": ["市委组织部", "市科技局", "市数据资源局"],
            "contact_person": "软件处蔡荣",
            "contact_phone": "85257067",
            "signed_date": "2023-06-09",
            "result_class": None,
        },
        open_source=True,
    )


class Corpus:
    """Every site's documents for one (docs per site, seed); the sites are the replica's
    (`sites.SITES`) unless others are given (`replica.fleet`)."""

    def __init__(self, docs: int = 200, seed: int = 1, sites: tuple[S.Site, ...] = S.SITES) -> None:
        if not 0 <= docs <= 50_000:
            raise ValueError(f"--docs {docs}: give between 0 and 50000 documents per site")
        self.docs, self.seed = docs, seed
        self.sites = {site.name: site for site in sites}
        self.specs: dict[str, list[Spec]] = {}
        self._by_key: dict[tuple[str, str], Spec] = {}
        self._position: dict[tuple[str, int], int] = {}
        for site in sites:
            if site.mirror_of:
                continue
            specs = _specs(site, docs, seed)
            self.specs[site.name] = specs
            for position, spec in enumerate(specs):
                self._by_key[(site.name, spec.key)] = spec
                self._position[(site.name, spec.serial)] = position
        self._listing = lru_cache(maxsize=256)(self._compute_listing)
        self._doc = lru_cache(maxsize=4096)(self._compute_doc)

    def real_site(self, site: str) -> str:
        """A mirror serves the documents of the site it copies."""
        return self.sites[site].mirror_of or site

    def spec(self, site: str, key: str) -> Spec | None:
        return self._by_key.get((self.real_site(site), key))

    def listing(self, site: str, column: str, day: int) -> list[Spec]:
        """Live documents listed in a column on `day`, newest first."""
        return self._listing(self.real_site(site), column, day)

    def _compute_listing(self, site: str, column: str, day: int) -> list[Spec]:
        specs = self.specs[site]
        upto = bisect.bisect_right(specs, day, key=lambda s: s.day)
        listed = [
            s for s in specs[:upto] if (s.column == column or s.also == column) and s.live(day)
        ]
        listed.reverse()
        return listed

    def document(self, spec: Spec, day: int) -> Doc:
        """The text of a document as it reads on `day` (edited documents change)."""
        version = 2 if spec.edit_day is not None and spec.edit_day <= day else 1
        return self._doc(spec, version)

    def _compute_doc(self, spec: Spec, version: int) -> Doc:
        if spec.serial == SEED_SERIAL:
            doc = seed_doc()
        else:
            site = self.sites[spec.site]
            column = site.column(spec.column)
            if column is None:
                raise KeyError(f"{spec.site} has no column {spec.column}")
            doc = generate(site, column, spec.kind, spec.serial, spec.published, self.seed)
        if version == 2 and spec.edit_day is not None:
            doc = edited(doc, date_of(spec.edit_day))
        return doc

    def attachment(self, key: str) -> Attachment | None:
        """The attachment a file key (`<site>-<serial>-<n>.<type>`) names, as first published."""
        match = re.match(r"^(.+)-(\d+)-(\d+)\.\w+$", key)
        if match is None:
            return None
        site, serial = match.group(1), int(match.group(2))
        position = self._position.get((site, serial))
        if position is None:
            return None
        doc = self._doc(self.specs[site][position], 1)
        return next((a for a in doc.attachments if a.key == key), None)

    def older(self, spec: Spec, count: int, scan: int = 400) -> list[Spec]:
        """Up to `count` documents of the same home column published before `spec`, newest
        first (an article's 相关文章; they may since have been withdrawn, as real links go stale)."""
        specs = self.specs[spec.site]
        position = self._position[(spec.site, spec.serial)]
        found: list[Spec] = []
        for other in reversed(specs[max(0, position - scan) : position]):
            if other.column == spec.column:
                found.append(other)
                if len(found) == count:
                    break
        return found

    def newer(self, spec: Spec, day: int, scan: int = 400) -> Spec | None:
        """The next document of the same home column live on `day` (an article's 下一篇)."""
        specs = self.specs[spec.site]
        position = self._position[(spec.site, spec.serial)]
        for other in specs[position + 1 : position + 1 + scan]:
            if other.day > day:
                return None
            if other.column == spec.column and other.live(day):
                return other
        return None

    def live(self, site: str, day: int) -> list[Spec]:
        """Every live document of a site on `day`, oldest first."""
        return [s for s in self.specs[self.real_site(site)] if s.live(day)]

    def stats(self) -> dict[str, Any]:
        return {name: len(specs) for name, specs in self.specs.items()}
