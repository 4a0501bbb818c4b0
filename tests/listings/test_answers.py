"""Answers that stand in for pages, on pages written here after the real ones (docs/DOMAIN.md §6)."""

from __future__ import annotations

import json

import pytest

from crawler.listings.answers import CONTENT, gkml_url, read_answer
from crawler.listings.blocked import blocked_reason

ARTICLE = "https://www.example.gov.cn/zwgk/202311/t20231103_4216448.html"
COLUMN = "https://www.example.gov.cn/zwgk/zfwj/"

# An ordinary article: scripts that set location (a search box, a pager), a comment form asking
# for a code, a mention of a missing file in a script. Content, all of it.
REAL_LOOKING = """<!DOCTYPE html><html><head><meta charset="utf-8"><title>关于做好数字化改造工作的通知</title>
<meta name="ArticleTitle" content="关于做好数字化改造工作的通知"></head><body>
<script>function go(){ window.location.href = "/search?q=" + q; } var u = "/x/"; </script>
<ul class="nav"><li><a href="/">首页</a></li></ul>
<div class="TRS_Editor"><p>各有关单位：为进一步推进全省工业企业数字化改造，现将有关事项通知如下。</p>
<p>一、加强组织领导，明确责任分工，确保各项任务落到实处。</p></div>
<form><input placeholder="请输入验证码"><button>提交留言</button></form>
<script>if (!file) { console.error('文件不存在'); } function back() { document.location.href = u; }</script>
</body></html>"""


def answer(body: str | bytes, url: str = ARTICLE, **kwargs: object) -> tuple[str, str | None]:
    data = body.encode() if isinstance(body, str) else body
    found = read_answer(200, data, url, **kwargs)  # type: ignore[arg-type]
    return found.kind, found.target


def test_an_article_stays_an_article() -> None:
    assert answer(REAL_LOOKING, document=True) == (CONTENT, None)
    assert blocked_reason(200, REAL_LOOKING.encode()) is None


@pytest.mark.parametrize(
    ("body", "target"),
    [
        ('<SCRIPT LANGUAGE="JavaScript">\n\tvar htm = "";\n\thtm = "./lxbltj/";\n'
         "\tdocument.location.href=htm;\n</SCRIPT>", COLUMN + "lxbltj/"),
        ('<script>window.location.href="http://www.example.gov.cn/njs/?id=xxgk_224";</script>',
         "http://www.example.gov.cn/njs/?id=xxgk_224"),
        ("<script>location.replace('../zcwj/index.html')</script>",
         "https://www.example.gov.cn/zwgk/zcwj/index.html"),
        ('<html><head><title>政务公开</title><!-- 跳转到第一个子栏目-->'
         '<META HTTP-EQUIV="Refresh" CONTENT="0;url=./zfxxgkzn/"></head><body></body></html>',
         COLUMN + "zfxxgkzn/"),
        ("<html><head><meta http-equiv='refresh' content='2; URL=/zwgk/new/'></head></html>",
         "https://www.example.gov.cn/zwgk/new/"),
    ],
)  # fmt: skip
def test_redirect_stubs(body: str, target: str) -> None:
    assert answer(body, COLUMN) == ("redirect", target)


def test_a_redirect_to_itself_is_no_redirect_stub() -> None:
    assert answer('<script>location.href="./";</script>', COLUMN)[0] != "redirect"


def test_the_postmeta_stub_names_its_json_and_the_json_names_the_page() -> None:
    stub = """<!DOCTYPE html><html><script src="/js/jquery.min.js"></script><head><title>Title</title>
    </head><script>var postId = '3123456'; var a = parseInt(postId / 1000000);
    var b = parseInt(postId / 1000); $.ajax({url: '/postmeta/p/'+a+"/"+b+"/"+postId+".json",
    success: function(data) { document.location.href = data.gkml_url; }});</script><body></body></html>"""
    url = "http://www.example.gov.cn/gkml/qt/content/post_3123456.html"
    assert answer(stub, url, document=True) == (
        "postmeta", "http://www.example.gov.cn/postmeta/p/3/3123/3123456.json",
    )  # fmt: skip
    meta = json.dumps({"id": 3123456, "gkml_url": "/gkmlpt/content/3/3123/post_3123456.html"})
    assert gkml_url(meta, "http://www.example.gov.cn/postmeta/p/3/3123/3123456.json") == (
        "http://www.example.gov.cn/gkmlpt/content/3/3123/post_3123456.html"
    )
    assert gkml_url("not json", ARTICLE) is None and gkml_url('{"gkml_url": ""}', ARTICLE) is None


@pytest.mark.parametrize(
    "body",
    [
        '<html><head><title>提示信息</title></head><body><div class="showMsg"><h5>提示信息</h5>'
        '<div class="content">该信息不存在</div></div></body></html>',
        '<html><body><ul><li><a href="/">首页</a></li><li><a href="/a/">政务公开</a></li></ul>'
        "<p>抱歉，您访问的页面不存在或已删除</p><p>10秒后自动返回首页</p>"
        "<script>setTimeout(function(){location.href='/';},10000)</script></body></html>",
        "<html><head><title>404 Not Found</title></head><body><h1>404 Not Found</h1></body></html>",
    ],
)
def test_soft_404s(body: str) -> None:
    assert answer(body, document=True)[0] == "soft-404"


@pytest.mark.parametrize(
    "body",
    [
        '<!doctype html><html><head><title>公积金</title><script type="module" src="/assets/i.js">'
        '</script></head><body><div id="app"></div></body></html>',
        "<html><head><title>中心</title></head><body><noscript><strong>We're sorry but this site "
        "doesn't work properly without JavaScript enabled.</strong></noscript><div id=app></div>"
        "<script src=static/js/app.js></script></body></html>",
    ],
)
def test_app_shells(body: str) -> None:
    assert answer(body, document=True)[0] == "app-shell"


def test_a_home_page_answered_for_an_article_is_a_wrong_page() -> None:
    news = "".join(
        f'<li><a href="/col/col11194/art/2024/art_{n:032x}.html">要闻{n}</a></li>'
        for n in range(12)
    )
    home = f"<html><head><title>中心</title></head><body><ul>{news}</ul></body></html>"
    url = "http://gjj.example.gov.cn/art/2021/12/31/art_65549_4746050.html"
    assert answer(home, url, document=True)[0] == "wrong-page"
    # The same page asked for as a listing, or an article page that names its own id, is content.
    assert answer(home, url)[0] == CONTENT
    assert answer(home.replace("中心", "中心 4746050"), url, document=True)[0] == CONTENT
    # Redirected to the home page on the way.
    assert (
        answer(REAL_LOOKING, "https://www.example.gov.cn/", document=True, requested=ARTICLE)[0]
        == "wrong-page"
    )


def test_a_blank_page() -> None:
    broken = '<!DOCTYPE html><html><head><title></title><link href="/s.css" rel="stylesheet"></head><body><ul></ul></body></html>'
    assert answer(broken, COLUMN + "index_5.html")[0] == "blank"


@pytest.mark.parametrize(
    ("status", "body", "reason"),
    [
        (200, '<!DOCTYPE html> <html shield="Virtual Container Shield"> <head></head> <body> '
              '<script src="/ob_x/js/index-x.js"></script> </body></html>', "Virtual Container Shield"),
        (200, '<html><body><script>document.cookie="C3VK=ab12cd;path=/;max-age=300";'
              "location.reload();</script></body></html>", "C3VK"),
        (200, "<html><head><title>访问验证</title></head><body><p>请输入验证码</p><input name=c>"
              "</body></html>", "验证"),
        (200, "<html><script>var arg1='3A5F';setCookie('acw_sc__v2', x);reload()</script></html>",
         "acw_sc__v2"),
        (521, "<script>document.cookie=('_')+('_')+('jsl_clearance')+('=')+('1.2|0|x');</script>",
         "__jsl_clearance"),
        (412, "<html><script>$_ts=window['$_ts'];</script></html>", "$_ts"),
    ],
)  # fmt: skip
def test_challenges(status: int, body: str, reason: str) -> None:
    found = read_answer(status, body.encode(), ARTICLE, document=True)
    assert found.kind == "blocked" and reason in found.reason


def test_challenge_words_on_a_real_page_are_not_a_challenge() -> None:
    long_page = REAL_LOOKING.replace("</body>", "<p>访问验证码的说明见附件。</p>" * 3 + "</body>")
    assert blocked_reason(200, long_page.encode()) is None


def test_non_200_answers_are_left_to_the_caller() -> None:
    assert read_answer(404, b"<html>not found</html>", ARTICLE).kind == CONTENT
    assert (
        read_answer(200, b"", ARTICLE).kind == "blocked"
    )  # an empty answer where content must come
    assert read_answer(200, b"", ARTICLE, expect_body=False).kind == CONTENT


def test_a_document_that_quotes_an_error_message_is_a_document() -> None:
    prose = (
        "<p>" + "为进一步规范政府网站管理，各地要定期检查失效链接，确保公众访问顺畅。" * 30 + "</p>"
    )
    page = f"<html><head><title>关于网站检查的通报</title></head><body><p>404 Not Found</p>{prose}</body></html>"
    assert answer(page, document=True)[0] == CONTENT
    # The same message in the title makes it an error page whatever else it carries.
    assert (
        answer(page.replace("关于网站检查的通报", "404 Not Found"), document=True)[0] == "soft-404"
    )
