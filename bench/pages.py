"""Realistic disclosure pages for benchmarks, deterministic from a seed.

Each page is one of the saved fixture pages (Hanweb, TRS, gov.cn, jpaas and odd layouts, both
scripts, UTF-8 and GBK) with its own title and body, wrapped in the chrome real portals carry:
navigation bars, a sidebar of related documents, link groups, scripts and a footer, so that
sizes (20–50 KiB) and markup density match live pages.
"""

from __future__ import annotations

import random
import re
from pathlib import Path

FIXTURES = Path(__file__).parent.parent / "tests" / "fixtures"

_SENTENCES = (
    "坚持以数字化改革为引领，推动软件和信息技术服务业高质量发展。",
    "支持企业参与开源社区建设，培育具有国际影响力的开源项目。",
    "进一步加强财政资金管理，坚持开源节流、量入为出。",
    "完善政策体系，优化营商环境，强化要素保障和服务供给。",
    "加快推进公共数据开放共享，提升数据资源开发利用水平。",
    "组织开展专项督查，确保各项任务按时保质完成。",
    "强化人才支撑，深化人才评价机制改革，集聚高层次人才。",
    "下一步，我们将认真研究代表提出的意见建议，持续推动工作落实。",
    "围绕集成电路、人工智能、工业互联网等重点领域，实施一批重大项目。",
    "加强统筹协调，明确责任分工，形成工作合力。",
)
_NAV = ("首页", "机构概况", "政务公开", "政务服务", "互动交流", "专题专栏", "数据发布", "政策解读")


def _related(rng: random.Random) -> str:
    month, day = rng.randint(1, 12), rng.randint(1, 28)
    link = f"/art/2024/{month}/{day}/art_1229{rng.randrange(10**6)}_{rng.randrange(10**7)}.html"
    title = rng.choice(_SENTENCES)
    return (
        f'<li><a href="{link}" title="{title}" target="_blank">{title[:18]}...</a>'
        f"<span>2024-{month:02d}-{day:02d}</span></li>"
    )


def _chrome(rng: random.Random) -> tuple[str, str]:
    """Navigation (desktop and mobile copies), related documents, link groups and a footer."""
    nav = "".join(
        f'<li class="nav-item"><a href="/col/col{1229000000 + rng.randrange(99999)}/index.html">'
        f"{name}</a><ul class='sub'>"
        + "".join(
            f'<li><a href="/col/col{rng.randrange(10**9)}/index.html">{name}子栏目{k}</a></li>'
            for k in range(rng.randint(5, 10))
        )
        + "</ul></li>"
        for name in _NAV
    )
    related = "".join(_related(rng) for _ in range(rng.randint(8, 20)))
    options = "".join(
        f'<option value="http://site{k}.gov.cn">部门网站{k}</option>' for k in range(30)
    )
    links = "".join(
        f'<a href="http://www{k}.gov.cn" target="_blank">区县（市）网站{k}</a>' for k in range(15)
    )
    top = (
        '<div class="g-header"><div class="logo"><img src="/images/logo.png" alt="logo"></div>'
        '<form class="search" action="/jsearchfront/search.do"><input name="q" type="text">'
        f'<button type="submit">搜索</button></form><ul class="g-nav">{nav}</ul></div>'
        f'<div class="m-nav" style="display:none"><ul>{nav}</ul></div>'
    )
    bottom = (
        f'<div class="g-side"><h3>相关信息</h3><ul>{related}</ul></div>'
        f'<div class="g-links"><select onchange="window.open(this.value)">{options}</select>'
        f'<div class="links">{links}</div></div>'
        '<div class="g-footer"><p>主办单位：某某市人民政府办公厅　承办：某某市大数据发展管理局</p>'
        "<p>网站标识码：3301000001　浙ICP备05011437号　浙公网安备 33010302000001号</p>"
        '<script type="text/javascript">var _hmt = _hmt || []; (function () { var hm = '
        'document.createElement("script"); hm.src = "/stat.js"; var s = '
        'document.getElementsByTagName("script")[0]; s.parentNode.insertBefore(hm, s); })();'
        + "function zoomFont(size){document.getElementById('zoom').style.fontSize=size+'px';}" * 8
        + "</script></div>"
    )
    return top, bottom


def _charset(raw: bytes) -> str:
    match = re.search(rb"charset=['\"]?([A-Za-z0-9_-]+)", raw[:2048])
    label = match.group(1).decode().lower() if match else "utf-8"
    return "gb18030" if label in ("gb2312", "gbk") else "utf-8"


def realistic_pages(count: int, seed: int = 20231103) -> list[bytes]:
    """`count` distinct pages, cycling through the fixture templates."""
    templates = sorted(FIXTURES.rglob("*.html"))
    rng = random.Random(seed)
    pages: list[bytes] = []
    for index in range(count):
        path = templates[index % len(templates)]
        raw = path.read_bytes()
        charset = _charset(raw)
        text = raw.decode(charset, errors="replace")
        top, bottom = _chrome(rng)
        paragraphs = "".join(
            f"<p>　　{''.join(rng.sample(_SENTENCES, rng.randint(2, 6)))}</p>"
            for _ in range(rng.randint(3, 25))
        )
        body_tag = re.search(r"<body[^>]*>", text)
        if body_tag:
            text = text[: body_tag.end()] + top + text[body_tag.end() :]
        text = text.replace("</body>", bottom + "</body>", 1)
        # A document of its own: a numbered title and more body text after the first paragraph.
        text = text.replace("</p>", "</p>" + paragraphs, 1)
        text = text.replace("通知", f"通知（第{index}号）", 1)
        pages.append(text.encode(charset, errors="replace"))
    return pages
