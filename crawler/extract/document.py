"""One disclosure page in, one `Document` out. Pure: no Scrapy, no clock, no network."""

from __future__ import annotations

from crawler.extract.dates import ParsedDate, parse_date
from crawler.extract.decode import decode_html
from crawler.extract.meta import find_attachments, page_heading, read_meta, title_from_head
from crawler.extract.numbers import doc_series, parse_doc_no, parse_index_no
from crawler.extract.page import cells, find_body, parse_html, render_text
from crawler.extract.reply import classify, extract_reply
from crawler.extract.table import read_fields
from crawler.extract.text import detect_script, fold, squeeze
from crawler.items import Document

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


def _published(candidates: list[str], warnings: list[str]) -> ParsedDate | None:
    """The first publication date on the page, with the time of another candidate of that day."""
    parsed = [date for date in map(parse_date, candidates) if date is not None]
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
    return chosen


def extract_document(body: bytes | str, url: str, *, encoding: str | None = None) -> Document:
    """Every field of a disclosure page. `encoding` is the transport's declaration, if any."""
    warnings: list[str] = []
    if isinstance(body, bytes):
        decoded = decode_html(body, encoding)
        text, warnings = decoded.text, list(decoded.warnings)
    else:
        text = body
    root = parse_html(text)
    meta = read_meta(root)
    body_el = find_body(root)
    site_name, column_name = meta.get("SiteName"), meta.get("ColumnName")
    # The heading and <title> are read only where the ArticleTitle meta tag is missing.
    article_title = meta.get("ArticleTitle")
    heading = head_title = None
    if article_title is None:
        heading = page_heading(root, body_el)
        head_title = title_from_head(root, [name for name in (site_name, column_name) if name])
    titles = frozenset(
        squeeze(fold(candidate).folded)
        for candidate in (article_title, heading, head_title)
        if candidate
    )
    fields = read_fields(cells(root, skip=[body_el] if body_el is not None else []), titles)

    def first(field: str) -> str | None:
        return _first(fields.get(field, []), field, warnings)

    title = article_title or first("title") or heading or head_title
    if title is None:
        warnings.append("no title: no ArticleTitle meta tag, 标题 label, heading or <title>")

    body_text = render_text(body_el) if body_el is not None else None
    if not body_text:
        body_text = None
        warnings.append("no body text found (the text may be in an attachment)")

    written = parse_date(first("written_date"))
    published = _published(
        fields.get("published_at", [])
        + [meta[name] for name in ("PubDate", "firstpublishedtime") if name in meta],
        warnings,
    )
    if written and published and published.date < written.date:
        warnings.append(
            f"published ({published.date.isoformat()}) before written ({written.date.isoformat()})"
        )

    doc_no, index_no = first("doc_no"), first("index_no")
    doc_number = parse_doc_no(doc_no)
    publisher = first("publisher")
    category = first("category")
    folded_title = fold(title).folded if title else None
    kind = classify(
        folded_title,
        fold(category).folded if category else None,
        doc_series(doc_number),
        fold(body_text[:400]).folded if body_text else None,
    )
    reply = None
    if kind != "other":
        reply = extract_reply(title, body_text, kind, publisher)

    return Document(
        url=url,
        title=title,
        index_no=index_no,
        doc_no=doc_no,
        publisher=publisher,
        source=first("source") or meta.get("ContentSource"),
        category=category,
        disclosure_form=first("disclosure_form"),
        written_date=written.date.isoformat() if written else None,
        published_at=published.iso() if published else None,
        kind=kind,
        reply=reply,
        body_text=body_text,
        attachments=find_attachments(root, url),
        site_name=site_name,
        column_name=column_name,
        script=detect_script(" ".join(filter(None, (title, body_text)))),
        warnings=warnings,
        doc_number=doc_number,
        index_number=parse_index_no(index_no),
        keywords=first("keywords") or meta.get("Keywords"),
        meta=meta,
    )
