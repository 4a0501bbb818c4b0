"""What an HTTP answer really is: content, or one of the answers real portals give in its place.

All of these come with HTTP 200 (docs/DOMAIN.md §6); none is a document or a listing:

- `blocked`: an anti-bot challenge or block page (`crawler.listings.blocked`);
- `redirect`: a JavaScript (`document.location.href = …`, `location.replace(…)`) or meta-refresh
  stub — a column index that only sends the browser to its first sub-column, a moved page;
  `target` is where it leads;
- `postmeta`: Guangdong's legacy `/gkml/…/post_{id}.html` stub that fetches
  `/postmeta/p/{id//1e6}/{id//1e3}/{id}.json` and goes to its `gkml_url`; `target` is the JSON;
- `soft-404`: an error page ("该信息不存在", "您访问的页面不存在或已删除"), often in full site chrome;
- `app-shell`: a single-page app's empty shell (`<div id="app"></div>` and scripts);
- `wrong-page`: a document's URL answered with another page (the home page): the document's id
  is nowhere on it, it links to many other documents and carries no article metadata;
- `blank`: a page with nothing to read and nothing to run (a deep `index_N` page left broken).

Pure: bytes and URLs in, an `Answer` out.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from urllib.parse import urljoin, urlsplit

from lxml import etree

from crawler.extract.decode import decode_html
from crawler.listings.blocked import blocked_reason
from crawler.listings.links import ANY_ARTICLE, is_article, parse_tree

CONTENT = "content"
KINDS = (CONTENT, "blocked", "redirect", "postmeta", "soft-404", "app-shell", "wrong-page", "blank")

# Stubs have next to nothing to read.
_STUB_TEXT = 200
# An error page's own text, menus' links left out, is short (a document's is not).
_ERROR_PAGE_TEXT = 800
_SHELL_TEXT = 30
_HIDDEN = frozenset(("script", "style", "noscript", "template", "head", "title", "select"))
_SOFT_404 = re.compile(
    r"(?:该|此|本|您(?:所)?(?:要)?(?:访问|请求|查看|浏览|查找)的|你(?:所)?(?:访问|请求|查看)的)"
    r"(?:信息|页面|网页|文章|内容|稿件|资源|链接|文件|栏目)(?:已经|已|可能已)?"
    r"(?:不存在|被删除|删除|撤销|撤稿|下线|过期|失效|找不到|无法找到|无法访问|被移除|移除)"
    r"|(?:页面|网页)(?:不存在|未找到|找不到|无法找到)"
    r"|\b404\s*(?:Not\s*Found|错误|页面)",
    re.I,
)
_REFRESH_URL = re.compile(r"""^\s*\d*(?:\.\d+)?\s*[;,]?\s*url\s*=\s*['"]?([^'"\s>]+)""", re.I)
_JS_TARGET = re.compile(
    r"""(?:(?:window|document|top|self|parent)\s*\.\s*)?location(?:\s*\.\s*href)?\s*=\s*"""
    r"""(?!=)\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z_$][\w$]*))"""
    r"""|location\s*\.\s*(?:replace|assign)\s*\(\s*(?:"([^"]*)"|'([^']*)'|([A-Za-z_$][\w$]*))\s*\)"""
)
_POST_ID = re.compile(r"""postId\s*=\s*['"]?(\d+)""")
_POSTMETA_PATH = re.compile(r"""['"](/postmeta/p/\d+/\d+/\d+\.json)['"]""")
_MOUNT = re.compile(r"^(?:app|root|__nuxt|__next|q-app|main-app)$")
_ID_IN_URL = re.compile(r"([0-9a-f]{32}|\d{4,})(?=\D*$)", re.I)
_DOCUMENT_META = frozenset(("articletitle", "pubdate", "firstpublishedtime", "contentsource"))
_ANY_ARTICLE = re.compile(ANY_ARTICLE)
_HREF = re.compile(r"""href\s*=\s*["']([^"'#]+)["']""", re.I)
_INVISIBLE = re.compile(
    r"<(script|style|noscript|template|title|select)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I
)
_TAG = re.compile(r"<[^>]*>")
_SPACE_RUN = re.compile(r"\s+|&nbsp;")
_HOME_PATHS = frozenset(("", "/", "/index.html", "/index.htm", "/index.shtml"))


@dataclass(frozen=True)
class Answer:
    kind: str
    reason: str = ""
    #: Where a redirect stub leads, or the JSON a postmeta stub fetches (absolute URLs).
    target: str | None = None

    @property
    def is_content(self) -> bool:
        return self.kind == CONTENT


def _visible(root: etree._Element, skip: frozenset[str] = frozenset()) -> str:
    """The text a browser shows, spaces left out (and the text of `skip` elements)."""
    parts: list[str] = []
    stack = [root]
    while stack:
        el = stack.pop()
        if not isinstance(el.tag, str) or el.tag in _HIDDEN or el.tag in skip:
            if el.tail and el is not root:
                parts.append(el.tail)
            continue
        if el.text:
            parts.append(el.text)
        if el.tail and el is not root:
            parts.append(el.tail)
        stack.extend(reversed(el))
    return re.sub(r"\s+", "", "".join(parts))


def _refresh_target(root: etree._Element, url: str) -> str | None:
    for meta in root.iter("meta"):
        if (meta.get("http-equiv") or "").strip().lower() == "refresh":
            found = _REFRESH_URL.match(meta.get("content") or "")
            if found:
                return str(urljoin(url, found.group(1).strip()))
    return None


def _depth(script: str, end: int) -> int:
    """How deep in braces a position of a script is (strings not told apart: near enough)."""
    head = script[:end]
    return head.count("{") - head.count("}")


def _js_target(scripts: list[str], url: str, anywhere: bool) -> str | None:
    """Where a script sends the browser as the page loads: an assignment to `location` at the
    script's top level (inside a function it is a link or a button's doing), or anywhere in a
    page with nothing else on it."""
    for script in scripts:
        for found in _JS_TARGET.finditer(script):
            if not anywhere and _depth(script, found.start()) > 0:
                continue
            literal = next((g for g in found.groups() if g is not None), None)
            if literal is None:
                continue
            name = found.group(3) or found.group(6)
            if name is not None:
                # `htm = "./lxbltj/"; document.location.href = htm;`: the variable's last value.
                values = re.findall(
                    rf"""\b{re.escape(name)}\s*=\s*(?:"([^"]*)"|'([^']*)')""",
                    script[: found.start()],
                )
                literal = next((a or b for a, b in reversed(values) if a or b), None)
            if literal:
                return str(urljoin(url, literal.strip()))
    return None


def _postmeta(scripts: list[str], url: str) -> str | None:
    for script in scripts:
        if "postmeta" not in script:
            continue
        path = _POSTMETA_PATH.search(script)
        if path:
            return str(urljoin(url, path.group(1)))
        post = _POST_ID.search(script)
        if post:
            number = int(post.group(1))
            return urljoin(url, f"/postmeta/p/{number // 1000000}/{number // 1000}/{number}.json")
    return None


def gkml_url(body: bytes | str, url: str) -> str | None:
    """The `gkml_url` a postmeta JSON names (absolute), or None."""
    try:
        data = json.loads(body)
    except ValueError:
        return None
    target = data.get("gkml_url") if isinstance(data, dict) else None
    return urljoin(url, target) if isinstance(target, str) and target.strip() else None


def _document_links(text: str, url: str, own: str) -> int:
    found = {urljoin(url, href) for href in _HREF.findall(text)}
    return sum(1 for link in found if link != own and is_article(link, _ANY_ARTICLE))


def _looks_like_document(root: etree._Element) -> bool:
    return any(
        (meta.get("name") or "").strip().lower() in _DOCUMENT_META for meta in root.iter("meta")
    )


def _wrong_page(text: str, root: etree._Element, url: str, requested: str) -> bool:
    """A document's URL answered with another page: its id nowhere, many other documents."""
    path = urlsplit(requested).path
    if path in _HOME_PATHS:
        return False
    if urlsplit(url).path in _HOME_PATHS:
        return True  # redirected to the home page
    own = _ID_IN_URL.search(path)
    if own is None or own.group(1) in text:
        return False
    return _document_links(text, url, requested) >= 10 and not _looks_like_document(root)


def read_answer(
    status: int,
    body: bytes,
    url: str,
    *,
    encoding: str | None = None,
    expect_body: bool = True,
    document: bool = False,
    requested: str | None = None,
) -> Answer:
    """What an answer is. `url` is where it came from, `requested` what was asked for (when a
    redirect happened on the way); `document`: a document was asked for (not a listing)."""
    reason = blocked_reason(status, body, expect_body=expect_body)
    if reason:
        return Answer("blocked", reason)
    if status != 200 or not body.strip():
        return Answer(CONTENT)
    requested = requested or url
    text = decode_html(body, encoding).text
    # Most answers are content: a page with text to read, no error message, and (when a document
    # was asked for) its own id or few links to other documents. Told without building a tree.
    rough = _rough_visible(text)
    if (
        len(rough) >= _STUB_TEXT
        and not _SOFT_404.search(rough)
        and not (document and _wrong_page_possible(text, url, requested))
    ):
        return Answer(CONTENT)
    root = parse_tree(text)
    visible = _visible(root)
    scripts = [script.text or "" for script in root.iter("script")]
    # An error page that sends the browser home after ten seconds is an error page. Its message
    # stands in its title or nearly alone amid menus: a document that quotes "404 Not Found" has
    # text of its own around it.
    soft = _SOFT_404.search(visible)
    title = root.findtext(".//title") or ""
    if soft and (
        _SOFT_404.search(title) or len(_visible(root, frozenset(("a",)))) < _ERROR_PAGE_TEXT
    ):
        return Answer("soft-404", f"error page with HTTP 200: {soft.group(0)}")
    if len(visible) < _STUB_TEXT:
        target = _postmeta(scripts, url)
        if target:
            return Answer("postmeta", f"postmeta stub: the page is named by {target}", target)
        target = _refresh_target(root, url) or _js_target(
            scripts, url, anywhere=len(visible) < _SHELL_TEXT
        )
        if target and target.split("#")[0] != url.split("#")[0]:
            return Answer("redirect", f"redirect stub to {target}", target)
    if len(visible) < _SHELL_TEXT and root.find(".//a[@href]") is None:
        mount = any(_MOUNT.match(el.get("id") or "") for el in root.iter("div"))
        if mount or any(script.get("src") for script in root.iter("script")):
            return Answer("app-shell", "an empty app shell: the page is built by JavaScript")
        return Answer("blank", "a page with nothing on it")
    if document and _wrong_page(text, root, url, requested):
        return Answer("wrong-page", f"another page answered for {requested}")
    return Answer(CONTENT)


def _wrong_page_possible(text: str, url: str, requested: str) -> bool:
    if urlsplit(url).path in _HOME_PATHS:
        return True
    own = _ID_IN_URL.search(urlsplit(requested).path)
    return (
        own is not None and own.group(1) not in text and _document_links(text, url, requested) >= 10
    )


def _rough_visible(text: str) -> str:
    """About the text a browser shows: scripts, styles, the title, comments and tags left out."""
    return _SPACE_RUN.sub("", _TAG.sub("", _INVISIBLE.sub("", text)))
