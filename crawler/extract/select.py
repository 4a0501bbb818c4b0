"""CSS or XPath selectors, through parsel, over a tree already parsed.

A profile names its own selectors for odd templates (`list_selector` for a listing; `selectors`
for an article's body, title, date or attachments); both forms are accepted and told apart the
way a person writes them: an XPath starts with `/`, `./`, `(` or an axis.
`Selector(root=…)` wraps the lxml tree the extractor already has: nothing is parsed twice.
"""

from __future__ import annotations

from lxml import etree
from parsel import Selector

#: What a profile's `selectors` may name, and what each selects.
ARTICLE_SELECTORS = {
    "title": "the element whose text is the title",
    "body": "the elements that hold the main text",
    "published_at": "the element whose text holds the publication date",
    "attachments": "the elements that hold the attachment links",
}


class SelectorError(ValueError):
    """A selector that is neither valid CSS nor valid XPath."""


def is_xpath(query: str) -> bool:
    return query.lstrip().startswith(("/", "./", "(", "descendant", "child::"))


def select(selector: Selector, query: str) -> list[Selector]:
    """The matches of a CSS selector or an XPath expression; ValueError for a malformed one."""
    try:
        found = selector.xpath(query) if is_xpath(query) else selector.css(query)
    except Exception as error:  # cssselect and lxml raise their own kinds
        raise ValueError(str(error)) from None
    return list(found)


def elements(root: etree._Element | Selector, query: str) -> list[etree._Element]:
    """The elements a query selects in a tree (text and attribute results left out)."""
    selector = root if isinstance(root, Selector) else Selector(root=root)
    return [
        found.root for found in select(selector, query) if isinstance(found.root, etree._Element)
    ]


def check_selector(query: str) -> None:
    """Raise SelectorError unless `query` is a valid CSS selector or XPath expression."""
    try:
        select(Selector(text="<html><body></body></html>"), query)
    except ValueError as error:
        raise SelectorError(f"{query!r} is neither CSS nor XPath: {error}") from None
