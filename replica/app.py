"""The replica as a whole: the corpus, one handler per site, the simulated day, faults, truth."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, Protocol

from replica import generic, gkmlpt, govcn, hanweb, jpaas, trs
from replica.content import Doc
from replica.corpus import Corpus, Spec
from replica.faults import Faults, parse
from replica.sites import SITES, Site
from replica.web import Request, Response


class Family(Protocol):
    def handle(self, request: Request, day: int) -> Response: ...


def article_path(site: Site, spec: Spec, day: int = 0) -> str:
    """A document's path under its home column (on `day`, for sites that move documents)."""
    if site.family == "hanweb":
        return hanweb.article_path(spec)
    if site.family == "jpaas":
        return jpaas.article_path(spec)
    if site.family == "trs":
        return trs.article_path(site, spec)
    if site.family == "gkmlpt":
        return gkmlpt.article_path(spec)
    if site.family == "generic":
        return generic.article_path(site, spec, day)
    return govcn.article_path(spec)


def attachment_paths(site: Site, spec: Spec, names: list[tuple[str, str]]) -> list[str]:
    """Paths of a document's attachments, as its page links them (name, key pairs)."""
    if site.family == "hanweb":
        return [hanweb.attachment_path(site, key) for _, key in names]
    if site.family == "jpaas":
        return [jpaas.attachment_path(name, key) for name, key in names]
    if site.family == "trs":
        return [trs.attachment_path(site, spec, key) for _, key in names]
    if site.family == "gkmlpt":
        return [gkmlpt.attachment_path(spec, key) for _, key in names]
    if site.family == "generic":
        return [generic.attachment_path(key) for _, key in names]
    return [govcn.attachment_path(spec, key) for _, key in names]


class Replica:
    def __init__(
        self, docs: int = 200, day: int = 1425, seed: int = 1, faults: str | None = None,
        sites: tuple[Site, ...] = SITES,
    ) -> None:  # fmt: skip
        self.sites = sites
        self.corpus = Corpus(docs, seed, sites)
        self.day = day
        self.faults = Faults(parse(faults), seed)
        self.handlers: dict[str, Family] = {}
        for site in sites:
            family: Family
            if site.family == "hanweb":
                family = hanweb.Hanweb(site, self.corpus)
            elif site.family == "jpaas":
                family = jpaas.Jpaas(site, self.corpus)
            elif site.family == "trs":
                family = trs.Trs(site, self.corpus)
            elif site.family == "gkmlpt":
                family = gkmlpt.Gkmlpt(site, self.corpus)
            elif site.family == "generic":
                family = generic.Generic(site, self.corpus)
            else:
                family = govcn.GovCn(site, self.corpus)
            self.handlers[site.name] = family

    def handle(self, site: str, request: Request) -> Response:
        return self.handlers[site].handle(request, self.day)

    def truth(
        self, day: int | None = None, optional: tuple[str, ...] = (), *, crawled: bool = True
    ) -> Iterator[dict[str, Any]]:
        """Every document live on `day`, once, with its real URL and true fields; of the
        optional sites (no shipped profile) only those named.

        As a crawl that reads the attachments stores it (`crawled`, the default: a reply whose
        page says only 详见附件 has the kind and reply fields its file gives, and the warning the
        crawl adds), or as its page alone reads (`crawled=False`: what `govwatch extract`
        prints)."""
        for site, doc, url, links in self._live(day, optional):
            record = doc.crawl_truth(url, site, links) if crawled else doc.truth(url, site, links)
            yield {"portal": site.name, **record}

    def attachment_truth(
        self, day: int | None = None, optional: tuple[str, ...] = ()
    ) -> Iterator[dict[str, Any]]:
        """Every attachment of the documents live on `day`: its URL, name, type, the text reading
        it gives (None: no readable text) and whether that text is read by OCR."""
        for site, doc, url, links in self._live(day, optional):
            for truth in doc.attachment_truth(links):
                yield {"portal": site.name, "document": url, **truth}

    def _live(
        self, day: int | None, optional: tuple[str, ...]
    ) -> Iterator[tuple[Site, Doc, str, list[str]]]:
        """(site, document, its URL, its attachments' URLs) of every document live on `day`,
        on the sites a crawl's truth covers (no mirror; of the optional sites, those named)."""
        day = self.day if day is None else day
        for site in self.sites:
            if site.mirror_of or (site.optional and site.name not in optional):
                continue
            for spec in self.corpus.live(site.name, day):
                doc = self.corpus.document(spec, day)
                url, links = self._urls(site, spec, doc, day)
                yield site, doc, url, links

    def _urls(self, site: Site, spec: Spec, doc: Doc, day: int) -> tuple[str, list[str]]:
        links = attachment_paths(site, spec, [(a.name, a.key) for a in doc.attachments])
        return site.origin + article_path(site, spec, day), [site.origin + link for link in links]

    def record(self, site: Site, spec: Spec, day: int, origin: str | None = None) -> dict[str, Any]:
        """The true record of one document, with URLs on `origin` (default: the real one)."""
        base = origin or site.origin
        doc = self.corpus.document(spec, day)
        links = attachment_paths(site, spec, [(a.name, a.key) for a in doc.attachments])
        return doc.truth(
            base + article_path(site, spec, day), site, [base + link for link in links]
        )
