"""One disclosure page in, one `Document` out. Pure: no Scrapy, no clock, no network."""

from __future__ import annotations

import re
from collections.abc import Mapping

from lxml import etree
from parsel import Selector

from crawler.extract.body import (
    body_proper,
    find_body,
    link_lines,
    metadata_below,
    only_links,
    opening_lines,
)
from crawler.extract.dates import ParsedDate, parse_date
from crawler.extract.decode import decode_html
from crawler.extract.kind import classify
from crawler.extract.labels import RANKED
from crawler.extract.meta import find_attachments, read_meta
from crawler.extract.numbers import doc_series, parse_doc_no, parse_index_no
from crawler.extract.page import cells, line_cells, parse_html, render_text, text_content
from crawler.extract.reply import extract_reply
from crawler.extract.select import elements
from crawler.extract.table import read_fields
from crawler.extract.text import clean, detect_script, fold, squeeze
from crawler.extract.title import (
    Heading,
    choose,
    headings,
    split_date,
    strip_markup,
    title_above,
    title_from_head,
)
from crawler.items import Document

# How much of the text's top the kind and the reply fields are read from (folded once, shared).
_OPENING = 2500
# The label each field is known by, for warnings a person can check against the page.
_FIELD_NAMES = {
    "index_no": "索引号",
    "doc_no": "文号",
    "publisher": "发布机构",
    "source": "来源",
    "category": "信息分类",
    "disclosure_form": "公开形式",
    "written_date": "成文日期",
    "published_at": "发布日期",
    "title": "标题",
    "keywords": "主题词",
}


def _first(values: list[str], field: str, warnings: list[str]) -> str | None:
    """The first value; a later one that differs (beyond script and spacing) is a warning."""
    if not values:
        return None
    first = values[0]
    if all(other == first for other in values):
        return first
    key = squeeze(fold(first).folded)
    for other in values[1:]:
        if squeeze(fold(other).folded) != key:
            warnings.append(f"conflicting {_FIELD_NAMES[field]} values: {first!r} and {other!r}")
            break
    return first


# Words without which no text is a reply or an opinion (either script): a cheap first look.
_REPLY_WORDS = re.compile(
    r"建议|建議|提案|议案|議案|代表|委员|委員|答复|答覆|答復|回复|回覆|回復|复函|復函|会办|會辦|协办|協辦|收悉"
)
# A date and time printed without a label; a date that a label of another kind precedes
# (成文日期, 生效日期 …) is not a publication date.
_BARE_DATE = re.compile(
    r"(?<![\d/.\-])(?:19|20)\d\d\s*[-/.年]\s*\d{1,2}\s*[-/.月]\s*\d{1,2}\s*日?"
    r"(?:\s*\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2})?)?"
)
_OTHER_DATE_LABEL = re.compile(
    r"(?:成文|生成|印发|生效|废止|失效|实施|有效|截止|开始|结束|交办|答复)\S{0,4}$"
)


def _date_near_title(lines: list[str], title: str | None) -> str | None:
    """A date printed without a label in the lines just under the title (at most four); under
    the heading's title, where the content repeats it (with its number, not its date) below."""
    if not title:
        return None
    key = squeeze(title)
    for index in range(len(lines) - 1, -1, -1):
        line = squeeze(lines[index])
        if len(line) >= 4 and (key in line or line in key):
            for line in lines[index + 1 : index + 5]:
                for match in _BARE_DATE.finditer(line):
                    if not _OTHER_DATE_LABEL.search(line[: match.start()].rstrip(" :：")):
                        return match.group(0)
    return None


_DATE_LINE = re.compile(
    r"^\s*(?:(?:19|20)\d\d|[〇○零Oo一二三四五六七八九]{4})\s*年[\s\d〇○零Oo一二三四五六七八九十]{1,6}月"
    r"[\s\d〇○零Oo一二三四五六七八九十]{1,6}日\s*$"
)


def _signed_dates(body_text: str | None) -> set[str]:
    """The dates printed on a line of their own in the text (under a signature), ISO."""
    found: set[str] = set()
    for line in (body_text or "").split("\n"):
        if _DATE_LINE.match(line):
            parsed = parse_date(line)
            if parsed is not None:
                found.add(parsed.date.isoformat())
    return found


def _written(fields: dict[str, list[str]], body_text: str | None) -> list[str]:
    """The written date's candidates, the one to take first.

    成文日期 and its kin decide alone. Without them, 发文日期 is the written date on most
    templates; but where a page prints both 发文日期 and 登记日期, or a 登记日期 alone, the one
    that the signature under the text confirms is the written date (the other is the
    publication, or a registration)."""
    strong = fields.get("written_date", [])
    if strong:
        return strong
    issued = fields.get("written_date_issued", [])
    registered = fields.get("written_date_registered", [])
    if registered:
        signed = _signed_dates(body_text)
        confirmed = [
            value
            for value in issued + registered
            if (date := parse_date(value)) is not None and date.date.isoformat() in signed
        ]
        if confirmed:
            return confirmed
    return issued


def _published(
    candidates: list[str | None], meta_times: list[str], warnings: list[str]
) -> ParsedDate | None:
    """The first publication date printed on the page, with the time of another candidate of
    that day — printed, or from a `PubDate` meta tag of the same day (a meta tag alone never
    makes the date: what the page does not print, it does not say)."""
    parsed = [date for date in map(parse_date, filter(None, candidates)) if date is not None]
    if not parsed:
        return None
    chosen = parsed[0]
    for other in parsed[1:]:
        if other.date != chosen.date:
            dates = f"{chosen.date.isoformat()} and {other.date.isoformat()}"
            warnings.append(f"conflicting 发布日期 values: {dates}")
            break
        if chosen.time is None and other.time is not None:
            chosen = other
    for other in (date for date in map(parse_date, meta_times) if date is not None):
        if chosen.time is None and other.date == chosen.date and other.time is not None:
            chosen = other
    return chosen


def _chosen(page: Selector, selectors: Mapping[str, str]) -> dict[str, list[etree._Element]]:
    """What a profile's own selectors pick on the page (a selector that matches nothing is
    as good as none: the extractor's own reading then stands)."""
    found: dict[str, list[etree._Element]] = {}
    for name, query in selectors.items():
        matched = elements(page, query)
        if matched:
            found[name] = matched
    return found


def _text_of(found: list[etree._Element] | None) -> str | None:
    return clean(" ".join(text_content(el) for el in found)) if found else None


def extract_document(
    body: bytes | str,
    url: str,
    *,
    encoding: str | None = None,
    selectors: Mapping[str, str] | None = None,
) -> Document:
    """Every field of a disclosure page. `encoding` is the transport's declaration, if any;
    `selectors` an odd template's own CSS or XPath for its title, body, date or attachments
    (a profile's `selectors`), tried before everything else."""
    warnings: list[str] = []
    if isinstance(body, bytes):
        decoded = decode_html(body, encoding)
        text, warnings = decoded.text, list(decoded.warnings)
    else:
        text = body
    root = parse_html(text)
    page = Selector(root=root)  # parsel over the tree already parsed
    meta = read_meta(root)
    chosen = _chosen(page, selectors or {})
    body_els = chosen.get("body") or find_body(root)
    site_name, column_name = meta.get("SiteName"), meta.get("ColumnName")
    names = [name for name in (site_name, column_name) if name]
    article_title = strip_markup(meta.get("ArticleTitle"))
    head_title = title_from_head(root, names)
    not_titles = frozenset(squeeze(name) for name in names)
    printed_headings = headings(root, body_els, not_titles)
    heading = choose(printed_headings, article_title, head_title, nearest_last=bool(body_els))
    heading_date = None
    if heading:
        heading, heading_date = split_date(heading)
    page_cells = cells(root, skip=body_els)
    # Texts that are never a label's value: the page's titles (folded together, in one call).
    candidates = [t for t in (article_title, head_title, *(h.text for h in printed_headings)) if t]
    titles = frozenset(squeeze(t) for t in fold("\n".join(candidates)).folded.split("\n") if t)
    fields = read_fields(page_cells, titles)

    def first(field: str) -> str | None:
        named = field.split("_", 1)[0] if field.startswith("category") else field
        return _first(fields.get(field, []), named, warnings)

    # A 标题/名称 label's value, unless the page's own titles say otherwise (a truncated cell).
    labelled_title = _text_of(chosen.get("title")) or first("title")
    if labelled_title and not chosen.get("title") and (heading or article_title or head_title):
        labelled_title = choose(
            [Heading(labelled_title, False)], heading or article_title, head_title
        )
    title = labelled_title or heading or article_title

    body_text = None
    if not only_links(body_els):
        body_text = "\n".join(filter(None, (render_text(el) for el in body_els)))
    addressee: str | None = None
    above: list[str] = []
    if body_text:
        body_text, addressee, above = body_proper(body_text, title, lambda: link_lines(body_els))
        body_text, below = metadata_below(body_text)
        # A metadata table inside the content area, above the salutation or below the text, is
        # read as well.
        for name, values in read_fields(line_cells(above + below), titles).items():
            fields.setdefault(name, values)
        # A 标题 label in that table names the title where the page printed no other.
        if not labelled_title and not heading and fields.get("title"):
            labelled_title = first("title")
            if labelled_title and (article_title or head_title):
                labelled_title = choose([Heading(labelled_title, False)], article_title, head_title)
            title = labelled_title or title
    # Pages without heading markup: the line above the header line, the table or the salutation.
    above_body = page_cells.original[: page_cells.body_at] + above
    if not labelled_title and not heading:
        printed = title_above(above_body or (opening_lines(body_text) if body_text else []))
        if printed and choose([Heading(printed, False)], article_title, head_title):
            title = printed
        elif not title:
            title = head_title
        # The body proper skips the title the page repeats at its top, whichever source named
        # it: read again with the title found only now.
        if title and body_text and not above:
            body_text, addressee, above = body_proper(
                body_text, title, lambda: link_lines(body_els)
            )
    if title is None:
        warnings.append("no title: no 标题 label, heading, title line, ArticleTitle or <title>")
    if not body_text:
        body_text = None
        warnings.append("no body text found (the text may be in an attachment)")

    written = parse_date(_first(_written(fields, body_text), "written_date", warnings))
    # Only a date the page prints (labelled, or beside or under the title); a `PubDate` meta tag
    # of the same day may lend its time, never its date.
    printed_dates: list[str | None] = (
        [_text_of(chosen.get("published_at"))]
        if chosen.get("published_at")
        else [value for name in RANKED["published_at"] for value in fields.get(name, [])]
        or [heading_date or _date_near_title(above_body, title)]
    )
    published = _published(
        printed_dates,
        [meta[name] for name in ("PubDate", "firstpublishedtime") if name in meta],
        warnings,
    )
    if written and published and published.date < written.date:
        warnings.append(
            f"published ({published.date.isoformat()}) before written ({written.date.isoformat()})"
        )

    doc_no, index_no = first("doc_no"), first("index_no")
    doc_number = parse_doc_no(doc_no)
    publisher = first("publisher")
    category = next((first(name) for name in RANKED["category"] if fields.get(name)), None)
    folded_title = fold(title).folded if title else None
    # Reply fields also stand above the salutation (类别, 文号, 签发人): read the text from there.
    full_text = "\n".join([*above, body_text]) if body_text else None
    folded_above = page_cells.folded[: page_cells.body_at]
    opening = (full_text or "")[:_OPENING]
    # Most pages say nothing of suggestions or proposals: no need to fold their text to know.
    maybe_reply = _REPLY_WORDS.search(" ".join([title or "", category or "", opening]))
    decision = classify(
        folded_title,
        fold(category).folded if category else None,
        doc_series(doc_number),
        "\n".join([*folded_above[-12:], fold(opening).folded if maybe_reply else ""]),
    )
    kind = decision.kind
    reply = None
    if kind != "other":
        # The number as the page prints it: one that only a <meta name="KeyWords"> holds (Fujian's
        # platform) is no part of what a reader sees; it stays in `keywords`.
        reply = extract_reply(title, body_text, kind, publisher, above)

    return Document(
        url=url,
        title=title,
        addressee=addressee,
        index_no=index_no,
        doc_no=doc_no,
        publisher=publisher,
        source=first("source") or meta.get("ContentSource"),
        category=category,
        disclosure_form=first("disclosure_form"),
        written_date=written.date.isoformat() if written else None,
        published_at=published.iso() if published else None,
        kind=kind,
        kind_evidence=list(decision.evidence),
        reply=reply,
        body_text=body_text,
        attachments=find_attachments(page, url, within=chosen.get("attachments")),
        site_name=site_name,
        column_name=column_name,
        script=detect_script(" ".join(filter(None, (title, (body_text or "")[:1000])))),
        warnings=warnings,
        doc_number=doc_number,
        index_number=parse_index_no(index_no),
        keywords=first("keywords") or meta.get("Keywords"),
        meta=meta,
    )
