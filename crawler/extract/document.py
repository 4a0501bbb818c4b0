"""One disclosure page in, one `Document` out. Pure: no Scrapy, no clock, no network."""

from __future__ import annotations

import re
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field

from lxml import etree
from parsel import Selector

from crawler.extract.body import (
    before_neighbours,
    body_proper,
    find_body,
    link_lines,
    metadata_below,
    only_links,
    opening_lines,
)
from crawler.extract.dates import DAY, ParsedDate, parse_date
from crawler.extract.decode import decode_html
from crawler.extract.kind import Decision, classify
from crawler.extract.labels import RANKED
from crawler.extract.meta import find_attachments, read_meta
from crawler.extract.numbers import doc_series, parse_doc_no, parse_index_no
from crawler.extract.page import (
    EMPTY_CELL,
    Cells,
    Scan,
    cells,
    line_cells,
    parse_html,
    render_text,
    scan,
    text_content,
    without_empty_cells,
)
from crawler.extract.reply import extract_reply, unit_name
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
    title_atop,
    title_from_head,
    whole_below,
)
from crawler.items import DocNumber, Document, Reply

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
_BARE_DATE = re.compile(r"(?<![\d/.\-])" + DAY + r"(?:\s*\d{1,2}\s*:\s*\d{2}(?:\s*:\s*\d{2})?)?")
_OTHER_DATE_LABEL = re.compile(
    r"(?:成文|生成|印发|发文|登记|签发|归档|生效|废止|失效|实施|有效|截止|开始|结束|交办|答复)\S{0,4}$"
)


def _under_title(lines: list[str], title: str | None, count: int) -> Iterator[list[str]]:
    """For each line that holds the title, from the last up: what follows the title on its
    line (squeezed: `…年度报告 2024-01-26`), then the `count` lines under it (under the heading's
    title, where the content repeats it below)."""
    if not title:
        return
    key = squeeze(title)
    for index in range(len(lines) - 1, -1, -1):
        line = squeeze(lines[index])
        if len(line) >= 4 and (key in line or line in key):
            after = line.split(key, 1)[1] if key in line else ""
            yield [after, *lines[index + 1 : index + 1 + count]]


def _date_near_title(lines: list[str], title: str | None) -> str | None:
    """A date printed without a label in the lines just under the title (at most four)."""
    for below in _under_title(lines, title, 4):
        for line in below:
            for match in _BARE_DATE.finditer(line):
                if not _OTHER_DATE_LABEL.search(line[: match.start()].rstrip(" :：|｜")):
                    return match.group(0)
    return None


# An announcement's number alone on its line (`财政部 税务总局公告2025年第17号`): what a reader
# takes for its document number where no label names one. (A 文号 printed alone under a notice's
# title, `长府办发〔2017〕65号`, is no labelled value and is left out.)
_NOTICE_NUMBER = re.compile(
    r"^[^\s，。,;；()（）]{1,20}(?: [^\s，。,;；()（）]{1,20})?公告\s*(?:19|20)\d\d\s*年\s*第\s*\d+\s*[号號]$"
)


def _notice_number(lines: list[str], title: str | None) -> str | None:
    """An announcement's number printed alone in the lines just under its title (at most
    three), or None."""
    if not any("公告" in line for line in lines):
        return None  # (the common case, told without squeezing the lines)
    for below in _under_title(lines, title, 3):
        for line in below:
            if _NOTICE_NUMBER.match(line.strip()):
                return line.strip()
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


#: The publication's labels, an update's left out (`_read_dates`).
_PRINTED = tuple(name for name in RANKED["published_at"] if name != "published_at_updated")


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


@dataclass
class _Reading:
    """What the steps of `extract_document` read off one page and hand to the next."""

    url: str
    root: etree._Element
    page: Selector
    scan: Scan
    meta: dict[str, str]
    chosen: dict[str, list[etree._Element]]
    body_els: list[etree._Element]
    warnings: list[str]
    article_title: str | None = None
    head_title: str | None = None
    heading: str | None = None
    heading_date: str | None = None
    page_cells: Cells = field(default_factory=lambda: Cells([], []))
    titles: frozenset[str] = frozenset()
    fields: dict[str, list[str]] = field(default_factory=dict)
    labelled_title: str | None = None
    title: str | None = None
    body_text: str | None = None
    addressee: str | None = None
    above: list[str] = field(default_factory=list)

    def first(self, name: str) -> str | None:
        """A field's first value (a differing later one is a warning)."""
        named = name.split("_", 1)[0] if name.startswith(("category", "publisher")) else name
        return _first(self.fields.get(name, []), named, self.warnings)

    @property
    def above_body(self) -> list[str]:
        """The page's lines above the body: its cells, then the content's top."""
        return self.page_cells.original[: self.page_cells.body_at] + self.above


def _read_page(
    body: bytes | str, url: str, encoding: str | None, selectors: Mapping[str, str]
) -> _Reading:
    """Decode and parse once, scan the elements once; the meta tags, a profile's selectors'
    picks, and the elements that hold the main text."""
    warnings: list[str] = []
    utf8 = None
    if isinstance(body, bytes):
        decoded = decode_html(body, encoding)
        text, warnings, utf8 = decoded.text, list(decoded.warnings), decoded.utf8
    else:
        text = body
    root = parse_html(text, utf8)
    page = Selector(root=root)  # parsel over the tree already parsed
    page_scan = scan(root)
    chosen = _chosen(page, selectors)
    body_els = chosen.get("body") or find_body(root, page_scan)
    return _Reading(url, root, page, page_scan, read_meta(root), chosen, body_els, warnings)


def _read_headings(reading: _Reading) -> list[Heading]:
    """The titles the page prints or names (meta, `<title>`, headings above the body), and
    the heading taken for the title, a date beside it cut off."""
    meta = reading.meta
    names = [name for name in (meta.get("SiteName"), meta.get("ColumnName")) if name]
    reading.article_title = strip_markup(meta.get("ArticleTitle"))
    reading.head_title = title_from_head(reading.root, names)
    not_titles = frozenset(squeeze(name) for name in names)
    printed = headings(reading.scan, reading.body_els, not_titles)
    heading = choose(
        printed, reading.article_title, reading.head_title, nearest_last=bool(reading.body_els)
    )
    if heading:
        heading, reading.heading_date = split_date(heading)
    reading.heading = heading
    return printed


def _read_cells(reading: _Reading, printed: list[Heading]) -> None:
    """The page's text cells outside the body, read as a disclosure table; the title a 标题
    label names, unless the page's own titles say otherwise (a truncated cell)."""
    reading.page_cells = cells(reading.scan, reading.body_els)
    # Texts that are never a label's value: the page's titles (folded together, in one call).
    article_title, head_title = reading.article_title, reading.head_title
    candidates = [t for t in (article_title, head_title, *(h.text for h in printed)) if t]
    reading.titles = frozenset(
        squeeze(t) for t in fold("\n".join(candidates)).folded.split("\n") if t
    )
    reading.fields = read_fields(reading.page_cells, reading.titles)
    chosen_title = reading.chosen.get("title")
    labelled = _text_of(chosen_title) or reading.first("title")
    if labelled and not chosen_title and (reading.heading or article_title or head_title):
        labelled = choose([Heading(labelled, False)], reading.heading or article_title, head_title)
    reading.labelled_title = labelled
    reading.title = labelled or reading.heading or article_title


def _read_body(reading: _Reading) -> None:
    """The body's text, rendered once, from its salutation or first paragraph on; a metadata
    table at its top or below it read as the page's table."""
    body_els, page = reading.body_els, reading.scan
    if only_links(body_els):
        return
    # Empty cells kept as lines of their own while the top and the bottom of the text are
    # read: a table there (a row of labels over a row of values, one of them empty) keeps each
    # value under its label.
    text = "\n".join(filter(None, (render_text(el, page, empty_cells=True) for el in body_els)))
    if not text.replace(EMPTY_CELL, "").strip():
        return
    text, reading.addressee, above = body_proper(text, reading.title, lambda: link_lines(body_els))
    text, below = metadata_below(before_neighbours(text))
    reading.body_text = "\n".join(without_empty_cells(text.split("\n")))
    reading.above = without_empty_cells(above)
    # A metadata table inside the content area, above the salutation or below the text, is
    # read as well.
    for name, values in read_fields(line_cells(above + below), reading.titles).items():
        reading.fields.setdefault(name, values)
    # A 标题 label in that table names the title where the page printed no other.
    if not reading.labelled_title and not reading.heading and reading.fields.get("title"):
        labelled = reading.first("title")
        if labelled and (reading.article_title or reading.head_title):
            labelled = choose([Heading(labelled, False)], reading.article_title, reading.head_title)
        reading.labelled_title = labelled
        reading.title = labelled or reading.title
        _reread_with_title(reading)


def _reread_with_title(reading: _Reading) -> None:
    """The body proper read again with a title found only after the first reading, which
    skips the title the page repeats at its top (below a metadata block too: what was above
    stays above)."""
    if reading.title and reading.body_text:
        body_els = reading.body_els
        text, addressee, above = body_proper(
            reading.body_text, reading.title, lambda: link_lines(body_els)
        )
        reading.body_text, reading.addressee = text, addressee or reading.addressee
        reading.above = reading.above + above


def _read_unmarked_title(reading: _Reading) -> None:
    """On pages without heading markup: the line above the header line, the table or the
    salutation; the body proper then read again with the title found only now."""
    if reading.labelled_title or reading.heading:
        return
    body_text, above_body = reading.body_text, reading.above_body
    printed = title_above(above_body or (opening_lines(body_text) if body_text else []))
    if not printed and above_body and body_text:
        # (What stood above the text held no title: a breadcrumb, a metadata block.)
        printed = title_atop(body_text, above_body)
    elif printed and body_text:
        printed = whole_below(printed, body_text)
    if printed and choose([Heading(printed, False)], reading.article_title, reading.head_title):
        reading.title = printed
    elif not reading.title:
        reading.title = reading.head_title
    _reread_with_title(reading)


def _read_dates(reading: _Reading) -> tuple[ParsedDate | None, ParsedDate | None]:
    """(the written date, the publication date): only dates the page prints (labelled, or
    beside or under the title); a `PubDate` meta tag of the same day may lend its time."""
    fields, warnings, chosen = reading.fields, reading.warnings, reading.chosen
    written = parse_date(_first(_written(fields, reading.body_text), "written_date", warnings))
    near_title = reading.heading_date or _date_near_title(reading.above_body, reading.title)
    printed_dates: list[str | None] = (
        [_text_of(chosen.get("published_at"))]
        if chosen.get("published_at")
        else [value for name in _PRINTED for value in fields.get(name, [])]
        or ([near_title] if near_title else [])
        # (The day of the last update only where the page prints no other: no conflict.)
        or list(fields.get("published_at_updated", []))
    )
    meta = reading.meta
    published = _published(
        printed_dates,
        [meta[name] for name in ("PubDate", "firstpublishedtime") if name in meta],
        warnings,
    )
    if written and published and published.date < written.date:
        warnings.append(
            f"published ({published.date.isoformat()}) before written ({written.date.isoformat()})"
        )
    return written, published


def _classify(
    reading: _Reading, category: str | None, publisher: str | None, doc_number: DocNumber | None
) -> tuple[Decision, Reply | None]:
    """The kind (with its evidence) and, for a reply or an opinion, the reply's fields."""
    title, body_text, above = reading.title, reading.body_text, reading.above
    # Reply fields also stand above the salutation (类别, 文号, 签发人): read the text from there.
    full_text = "\n".join([*above, body_text]) if body_text else None
    folded_above = reading.page_cells.folded[: reading.page_cells.body_at]
    opening = (full_text or "")[:_OPENING]
    # Most pages say nothing of suggestions or proposals: no need to fold their text to know.
    maybe_reply = _REPLY_WORDS.search(" ".join([title or "", category or "", opening]))
    decision = classify(
        fold(title).folded if title else None,
        fold(category).folded if category else None,
        doc_series(doc_number),
        "\n".join([*folded_above[-12:], fold(opening).folded if maybe_reply else ""]),
    )
    if decision.kind == "other":
        return decision, None
    # The number as the page prints it: one that only a <meta name="KeyWords"> holds (Fujian's
    # platform) is no part of what a reader sees; it stays in `keywords`.
    return decision, extract_reply(title, body_text, decision.kind, publisher, above)


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
    reading = _read_page(body, url, encoding, selectors or {})
    _read_cells(reading, _read_headings(reading))
    _read_body(reading)
    _read_unmarked_title(reading)
    if reading.title is None:
        reading.warnings.append(
            "no title: no 标题 label, heading, title line, ArticleTitle or <title>"
        )
    if not reading.body_text:
        reading.body_text = None
        reading.warnings.append("no body text found (the text may be in an attachment)")
    written, published = _read_dates(reading)
    doc_no = reading.first("doc_no") or _notice_number(reading.above_body, reading.title)
    index_no = reading.first("index_no")
    doc_number = parse_doc_no(doc_no)
    publisher = next(
        (reading.first(name) for name in RANKED["publisher"] if reading.fields.get(name)), None
    )
    category = next(
        (reading.first(name) for name in RANKED["category"] if reading.fields.get(name)), None
    )
    # A reply's lead agency, where nothing else names one, may be the unit its 来源 line names.
    source = reading.first("source")
    decision, reply = _classify(reading, category, publisher or unit_name(source), doc_number)
    meta, body_text, title = reading.meta, reading.body_text, reading.title
    return Document(
        url=url,
        title=title,
        addressee=reading.addressee,
        index_no=index_no,
        doc_no=doc_no,
        publisher=publisher,
        source=source or meta.get("ContentSource"),
        category=category,
        disclosure_form=reading.first("disclosure_form"),
        written_date=written.date.isoformat() if written else None,
        published_at=published.iso() if published else None,
        kind=decision.kind,
        kind_evidence=list(decision.evidence),
        reply=reply,
        body_text=body_text,
        attachments=find_attachments(
            reading.page,
            url,
            within=reading.chosen.get("attachments"),
            anchors=reading.scan.anchors,
        ),
        site_name=meta.get("SiteName"),
        column_name=meta.get("ColumnName"),
        script=detect_script(" ".join(filter(None, (title, (body_text or "")[:1000])))),
        warnings=reading.warnings,
        doc_number=doc_number,
        index_number=parse_index_no(index_no),
        keywords=reading.first("keywords") or meta.get("Keywords"),
        meta=meta,
    )
