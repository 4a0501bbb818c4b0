"""Answers that are not the page asked for: anti-bot challenges and block pages (DOMAIN.md §5).

Such an answer is reported as blocked — never stored as a document, never read as an empty
listing.
"""

from __future__ import annotations

_MARKERS = (
    (b"$_ts", "瑞数 challenge ($_ts)"),
    (b"__jsl_clearance", "加速乐/创宇盾 challenge (__jsl_clearance)"),
    (b"acw_sc__v2", "Alibaba WAF challenge (acw_sc__v2)"),
    ("访问被拦截".encode(), "访问被拦截 block page"),
    ("非法请求".encode(), "非法请求 page"),
)


def blocked_reason(status: int, body: bytes, *, expect_body: bool = True) -> str | None:
    """Why an answer is a block rather than content, or None when it looks like content.

    `expect_body`: an empty 200 is a block where content must come (dataproxy answers empty to
    clients it does not like).
    """
    if status in (412, 418):
        for marker, reason in _MARKERS:
            if marker in body[:8192]:
                return f"HTTP {status}: {reason}"
        return f"HTTP {status}: anti-bot block"
    if status == 403 and "非法请求".encode() in body[:2048]:
        return "HTTP 403: 非法请求"
    if status != 200:
        return None
    if expect_body and not body.strip():
        return "empty answer"
    head = body[:4096]
    # A real page may mention these words in its text; a block page is short and little else.
    if len(body) < 4096:
        for marker, reason in _MARKERS:
            if marker in head:
                return reason
    return None
