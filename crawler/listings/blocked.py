"""Answers that are not the page asked for: anti-bot challenges and block pages (docs/DOMAIN.md §5, §6).

Such an answer is reported as blocked — never stored as a document, never read as an empty
listing. Many come with HTTP 200: the "Virtual Container Shield" shell, a ~380-byte page setting
a `C3VK=` cookie, 加速乐's `__jsl_clearance` and Alibaba's `acw_sc__v2` scripts, pages asking
`请输入验证码` or `访问验证`.
"""

from __future__ import annotations

import re

# Markers of challenge scripts and shells. A page that passed a challenge may still load its
# script, so with HTTP 200 a marker counts only on a page with little else to read.
_MARKERS = (
    (b"$_ts", "瑞数 challenge ($_ts)"),
    # Written in pieces by the real script, ('_')+('_')+('jsl_clearance'): the tail is enough.
    (b"jsl_clearance", "加速乐/创宇盾 challenge (__jsl_clearance)"),
    (b"acw_sc__v2", "Alibaba WAF challenge (acw_sc__v2)"),
    (b"Virtual Container Shield", "Virtual Container Shield challenge"),
    (b"C3VK=", "cookie challenge (C3VK)"),
)
#: Blocks no browser passes: the answer depends on where the crawler is, or on a person.
_GEO = (b"GeoBL", "geo-block (GeoBL)")
# Words of block and verification pages, as printed (a document's comment form may ask
# 请输入验证码 too: like the markers, they count with HTTP 200 only on a page with little else
# to read).
_WORDS = (
    ("访问被拦截".encode(), "访问被拦截 block page"),
    ("非法请求".encode(), "非法请求 page"),
    ("请输入验证码".encode(), "verification page (请输入验证码)"),
    ("访问验证".encode(), "verification page (访问验证)"),
    ("人机验证".encode(), "verification page (人机验证)"),
    ("滑动验证".encode(), "verification page (滑动验证)"),
)
_CHALLENGE_MAX = 65536
_SHORT_TEXT = 300
_INVISIBLE = re.compile(rb"<(script|style|noscript|template)\b.*?</\1\s*>|<!--.*?-->", re.S | re.I)
_TAG = re.compile(rb"<[^>]*>")
_SPACE = re.compile(rb"\s+|&nbsp;")


def visible_text(body: bytes) -> bytes:
    """About the text a browser would show (scripts, styles, comments and tags left out)."""
    return _SPACE.sub(b"", _TAG.sub(b"", _INVISIBLE.sub(b"", body[:_CHALLENGE_MAX])))


def _marker(body: bytes, text: bytes) -> str | None:
    head = body[:_CHALLENGE_MAX]
    for marker, reason in _MARKERS:
        if marker in head:
            return reason
    if _GEO[0] in head:
        return _GEO[1]
    for word, reason in _WORDS:
        if word in text:
            return reason
    return None


def blocked_reason(status: int, body: bytes, *, expect_body: bool = True) -> str | None:
    """Why an answer is a block rather than content, or None when it looks like content.

    `expect_body`: an empty 200 is a block where content must come (dataproxy answers empty to
    clients it does not like).
    """
    if status in (412, 418, 521):
        reason = _marker(body, body)
        return f"HTTP {status}: {reason or 'anti-bot block'}"
    if status == 403 and "非法请求".encode() in body[:2048]:
        return "HTTP 403: 非法请求"
    if status in (403, 451) and _GEO[0] in body[:_CHALLENGE_MAX]:
        return f"HTTP {status}: {_GEO[1]}"
    if status != 200:
        return None
    if expect_body and not body.strip():
        return "empty answer"
    if len(body) > _CHALLENGE_MAX:
        return None
    text = visible_text(body)
    # Words count as printed (not in a form's placeholder); nothing counts on a page with text.
    return _marker(body, text) if len(text) < _SHORT_TEXT else None


#: What each kind of block means and what an operator can do about it, in the order tried.
_REMEDIES = (
    (
        "geo-block",
        "the portal refuses addresses outside mainland China (GeoBL); crawl it from "
        "a node inside China (a Scrapyd node or proxy there)",
    ),
    (
        "验证码",
        "the portal asks a person to type a captcha; no browser passes it: lower the "
        "portal's politeness.concurrency, raise its delay, or crawl from another address",
    ),
    (
        "验证",
        "the portal asks a person to verify; lower the crawl rate or crawl from another address",
    ),
    (
        "访问被拦截",
        "a web application firewall blocked the crawler's address; wait, lower the "
        "crawl rate, or crawl from another address",
    ),
    (
        "非法请求",
        "the portal wants a session cookie it did not give; check the portal in a "
        "browser and report it",
    ),
    (
        "empty answer",
        "the portal answers empty to clients it does not like; crawl with "
        "`render: browser` in its profile",
    ),
)
_SOLVE = (
    "a JavaScript challenge: install Chromium (Debian package `chromium`) so govwatch can solve "
    "it in a headless browser"
)


def solvable(reason: str) -> bool:
    """Whether a block (a `blocked_reason`) is a script challenge a real browser passes: the
    script computes a cookie, and requests carrying it get the page."""
    return any(name in reason for _, name in _MARKERS)


def remedy(reason: str) -> str:
    """The likely cause of a block and what to do about it, for people (health, `status`)."""
    if solvable(reason):
        return _SOLVE
    for key, text in _REMEDIES:
        if key in reason:
            return text
    return (
        "an anti-bot layer refused the crawler; check the portal in a browser from the crawl node"
    )
