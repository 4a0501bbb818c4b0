"""Site chrome as real portals print it around every listing and article (docs/DOMAIN.md §6).

Modelled on the real saved pages: a top bar of links to other governments, a navigation menu as a
`<ul>` (and its hidden mobile copy), hidden drop-down groups of sub-columns, a breadcrumb of links
to parent columns, a left menu of sibling columns, sidebars of hot and related documents (links to
other documents, dated), share widgets of `#` and `javascript:` links, unrendered template rows
(`ms-attr-href`, `{{el.url}}`), prev/next links, a footer of link groups and a friendly-links
`<select>`, and a "you are leaving the site" dialog.

Nothing here carries a disclosure label or an attachment link: chrome must not change what a
correct extractor reads off a page, only make finding it harder.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from replica.sites import Site
from replica.web import esc

OTHER_GOVERNMENTS = (
    ("https://www.gov.cn/", "中国政府网"),
    ("https://www.zj.gov.cn/", "浙江省人民政府"),
    ("https://www.hubei.gov.cn/", "湖北省人民政府"),
)
FRIENDLY = (
    ("https://www.npc.gov.cn/", "中国人大网"),
    ("http://www.cppcc.gov.cn/", "中国政协网"),
    ("https://www.miit.gov.cn/", "工业和信息化部"),
    ("https://www.ndrc.gov.cn/", "国家发展改革委"),
)


def top_bar(site: Site) -> str:
    links = " | ".join(
        f'<a href="{href}" target="_blank">{name}</a>' for href, name in OTHER_GOVERNMENTS
    )
    return (
        f'<div class="top"><div class="top-con"><p class="welcome">欢迎访问{esc(site.site_name)}</p>'
        f'<div class="lagu">{links} | <a id="toolbarSwitch" href="javascript:void(0);">无障碍阅读</a>'
        ' | <a href="javascript:;" class="jft">繁體</a></div></div></div>'
    )


def nav(items: Sequence[tuple[str, str]], groups: Sequence[Sequence[tuple[str, str]]] = ()) -> str:
    """The main menu, its hidden drop-down groups, and the hidden copy the mobile layout shows."""
    main = "".join(
        f'<li><a href="{href}" target="_top">{esc(name)}</a></li>' for href, name in items
    )
    hidden = "".join(
        '<div class="nav-con-nr undis" style="display:none"><ul class="nav-sub">'
        + "".join(f'<li><a href="{href}" title="{esc(n)}">{esc(n)}</a></li>' for href, n in group)
        + "</ul></div>"
        for group in groups
    )
    mobile = "".join(f'<a href="{href}">{esc(name)}</a>' for href, name in items)
    return (
        f'<div class="nav"><ul class="nav-tit">{main}</ul>{hidden}</div>'
        f'<div class="m-nav" style="display:none">{mobile}</div>'
    )


def search_box(origin_path: str = "/search") -> str:
    return (
        f'<form class="search" action="{origin_path}" method="get" target="_blank">'
        '<input type="text" name="searchWord" placeholder="请输入关键字" />'
        '<input type="submit" value="搜索" /></form>'
    )


def breadcrumb(crumbs: Sequence[tuple[str, str]]) -> str:
    links = "&gt;".join(
        f'<a href="{href}" title="{esc(name)}" class="CurrChnlCls">{esc(name)}</a>'
        for href, name in crumbs
    )
    return f'<div class="position">当前位置：{links}</div>'


def column_menu(title: str, items: Sequence[tuple[str, str]], current: str) -> str:
    rows = "".join(
        f'<li{" class=on" if href == current else ""}><a href="{href}"><span>{esc(name)}</span></a></li>'
        for href, name in items
    )
    return (
        f'<div class="list-left"><div class="list-left-tit"><h3>{esc(title)}</h3></div>'
        f'<div class="list-left-con"><ul>{rows}</ul></div></div>'
    )


def hot_box(title: str, docs: Sequence[tuple[str, str, dt.date]], css: str = "side-hot") -> str:
    """A sidebar of documents with dates: links to article URLs that are not this list's."""
    rows = "".join(
        f'<li><a href="{href}" title="{esc(name)}" target="_blank">{esc(_cut(name, 16))}</a>'
        f"<span>{day:%m-%d}</span></li>"
        for href, name, day in docs
    )
    return f'<div class="{css}"><div class="hd"><h4>{esc(title)}</h4></div><ul>{rows}</ul></div>'


def related(docs: Sequence[tuple[str, str]]) -> str:
    """相关文章 under an article: a list of links, every item a link."""
    if not docs:
        return ""
    rows = "".join(
        f'<li><a href="{href}" target="_blank">{esc(name)}</a></li>' for href, name in docs
    )
    return f'<div class="xgwz"><div class="xgwz-tit">相关文章</div><ul>{rows}</ul></div>'


def prev_next(previous: tuple[str, str] | None, following: tuple[str, str] | None) -> str:
    def one(label: str, item: tuple[str, str] | None, css: str) -> str:
        link = f'<a href="{item[0]}">{esc(item[1])}</a>' if item else "<span>没有了</span>"
        return f'<div class="{css}">{label}{link}</div>'

    return (
        '<div class="fanye">'
        + one("上一篇：", previous, "prevPage")
        + one("下一篇：", following, "nextPage")
        + "</div>"
    )


def share() -> str:
    """A share widget: icon links to `#` and scripts, and a QR code block the page hides."""
    return (
        '<div class="bdsharebuttonbox share"><span>分享到：</span>'
        '<a href="#" class="bds_weixin" data-cmd="weixin" title="分享到微信"></a>'
        '<a href="#" class="bds_tsina" data-cmd="tsina" title="分享到新浪微博"></a>'
        '<a href="javascript:void(0);" class="bds_qzone" data-cmd="qzone" title="分享到QQ空间"></a>'
        "</div>"
        '<div class="qrcode-content" style="display:none">扫一扫在手机上查看当前页面</div>'
        '<div class="tools"><a href="javascript:window.print()">打印本页</a> '
        '<a href="javascript:window.close()">关闭窗口</a></div>'
    )


def template_rows() -> str:
    """Rows of a client-side template the server never rendered (docs/DOMAIN.md §6)."""
    return (
        '<div class="list-dynamic" style="display:none">'
        '<ul ms-if="list.length&gt;0"><li ms-repeat="list">'
        '<a ms-attr-href="el.chnldocurl" ms-attr-title="el.doctitle" ms-text="el.doctitle"></a>'
        '<span ms-text="el.docreltime"></span></li></ul>'
        '<ul class="tpl"><li><a href="{{el.url}}" title="{{el.title}}">{{el.title}}</a>'
        "<span>{{el.date}}</span></li></ul></div>"
    )


def footer(site: Site, links: Sequence[tuple[str, str]] = ()) -> str:
    own = links or (("/wzdt/", "网站地图"), ("/lxwm/", "联系我们"), ("/wzsm/", "网站声明"))
    foot_links = "".join(
        f'<li><a href="{href}" target="_blank">{name}</a></li>' for href, name in own
    )
    options = "".join(f'<option value="{href}">{name}</option>' for href, name in FRIENDLY)
    friends = "".join(
        f'<li><a href="{href}" target="_blank">{name}</a></li>' for href, name in FRIENDLY
    )
    return (
        f'<div class="yqlj"><ul class="yqlj-list">{friends}</ul>'
        f'<select onchange="window.open(this.value)"><option>—部门网站—</option>{options}</select></div>'
        f'<div class="footer"><ul class="footer-nav">{foot_links}</ul>'
        f'<div class="footer-con"><p>{esc(site.agency)} 版权所有</p>'
        f"<p>网站标识码：{site.site_id_code}</p>"
        '<p><a href="https://beian.miit.gov.cn/" target="_blank">ICP备案</a></p></div></div>'
        '<div class="modal hide" style="display:none"><p>您访问的链接即将离开本网站，是否继续？</p>'
        '<a href="javascript:;" class="cancel">放弃</a><a href="javascript:;" class="go">继续访问</a></div>'
    )


def _cut(text: str, length: int) -> str:
    return text if len(text) <= length else text[:length] + "..."
