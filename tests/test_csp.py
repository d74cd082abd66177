"""The Content-Security-Policy (_ext/panda_book/postbuild/csp.py).

Every page carries one policy, first in <head>, that allows the site's own files
and no inline script at all (only the 404 page's own <style>, by the hash of the
project's constant, never of what a page holds). Chromium
loads every page (and uses the interactive view, the search, the header
buttons) and reports no violation; a page with injected inline code shows the
policy blocks it.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
import sys

import pytest
from bs4 import BeautifulSoup

from .browsing import DESKTOP, ISSUE, site_pages
from .conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))

from panda_book.postbuild import csp  # noqa: E402
from panda_book.rules import pagecheck  # noqa: E402
from panda_book.site import archive  # noqa: E402
from panda_book.site.trim import renumber_widgets  # noqa: E402  (the extension lives in _ext/, as Jupyter Book loads it)

#: records every violation the page reports, from before its first script
LISTEN = """window.__csp = [];
document.addEventListener('securitypolicyviolation', e => window.__csp.push(
  `${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`));"""


def sha256(text: str) -> str:
    return "'sha256-" + base64.b64encode(hashlib.sha256(text.encode("utf-8")).digest()).decode() + "'"


def parse(policy: str) -> dict[str, list[str]]:
    directives = [d.split() for d in policy.split(";") if d.strip()]
    names = [d[0] for d in directives]
    assert len(names) == len(set(names)), policy
    return {d[0]: d[1:] for d in directives}


# ---- csp.py on its own --------------------------------------------------------------

def test_the_policy_is_made_from_the_projects_lists_never_from_the_page():
    # the example of the CSP specification's users (MDN): alert('Hello, world.');
    assert csp.sha256("alert('Hello, world.');") == "'sha256-qznLcsROx4GACP2dm0UCKCzCG+HiZ1guq6ZZDob/Tng='"
    page = ('<html><head><meta charset="utf-8" />\n<script>var a = 1;</script>'
            '<style>.x { y: 1 }</style></head><body></body></html>')
    once = csp.secure(page)
    assert csp.secure(once) == once  # a second build changes nothing
    assert once.startswith('<html><head><meta charset="utf-8" />\n<meta http-equiv="Content-Security-Policy" ')
    policy = parse(re.search(r'Content-Security-Policy" content="([^"]+)"', once).group(1))
    # what the page holds is never hashed: no inline script or style is allowed by being there
    assert policy["script-src"] == ["'self'"] and policy["style-src"] == ["'self'"]
    own = csp.own_styles()
    assert len(own) == 1  # the 404 page's, a constant of archive.py
    assert parse(csp.policy(own))["style-src"] == ["'self'", sha256(next(iter(own)))]
    with pytest.raises(ValueError, match="meta charset"):
        csp.secure("<html><head></head></html>")


def test_the_policy_goes_where_the_parser_finds_the_charset_and_replaces_every_earlier_one():
    # markup a regular expression would misread: upper case, other quotes, a policy in the body, one in a comment
    page = ("<html><head><!-- <meta charset=latin1> --><META CharSet='UTF-8'>\n<title>x</title></head>"
            "<body><p>a</p><meta http-equiv='content-security-policy' content=\"script-src *\"><p>b</p></body></html>")
    once = csp.secure(page)
    assert once.count("Content-Security-Policy") == 1 and "script-src *" not in once
    assert once.index("Content-Security-Policy") > once.index("<META CharSet='UTF-8'>") > once.index("-->")
    assert "<p>a</p><p>b</p>" in once and csp.secure(once) == once
    assert pagecheck.read_page("p.html", once).findings == []
    # another http-equiv is a finding, never removed in silence
    refresh = once.replace("<p>b</p>", '<meta http-equiv="refresh" content="0; url=https://evil.example">')
    assert [f.message[:31] for f in pagecheck.check_page("p.html", refresh)] == ["<meta http-equiv='refresh'> is "]


def test_the_widget_views_are_found_by_the_parser():
    body = ("<p>x</p><script type='application/vnd.jupyter.widget-view+json'>"
            '{"version_major": 2, "version_minor": 0, "model_id": "old1"}</script>'
            '<pre>"model_id": "old1"</pre>')
    reading = pagecheck.read_page("", body)
    ((kind, start, end),) = reading.data_blocks
    assert kind == "application/vnd.jupyter.widget-view+json" and json.loads(body[start:end])["model_id"] == "old1"
    state, new_body = renumber_widgets("issues/x", json.dumps({"state": {"old1": {"state": {}}}}), body)
    assert '<pre>"model_id": "old1"</pre>' in new_body  # text that only looks like a view is left alone
    assert json.loads(state)["state"].keys() == {json.loads(new_body[start:new_body.index("</script>")])["model_id"]}


def test_a_page_with_an_interactive_view_allows_what_the_widget_bundle_needs_and_no_more():
    state = json.dumps({"state": {"m": {"state": {"value": '<img src="data:," style="max-width:100%;height:auto">'}}}})
    plain, widgets = parse(csp.policy()), parse(csp.policy(widget_state=state))
    assert "'unsafe-eval'" not in plain["script-src"] and "style-src-elem" not in plain
    assert widgets["script-src"][-1] == "'unsafe-eval'"
    assert widgets["style-src-elem"] == ["'self'", "'unsafe-inline'"]
    assert widgets["style-src-attr"] == ["'unsafe-hashes'", sha256("max-width:100%;height:auto")]
    assert "'unsafe-inline'" not in widgets["style-src"]


# ---- the built pages ----------------------------------------------------------------

@pytest.mark.slow
def test_every_page_carries_one_policy_and_no_inline_code(built_book):
    pages = site_pages(built_book.html)
    assert {"index.html", ISSUE, "search.html", "404.html"} <= set(pages)
    widget_pages = []
    for path in pages:
        html = (built_book.html / path).read_text(encoding="utf-8")
        assert pagecheck.check_page(path, csp.without_policy(html), csp.own_styles()) == [], path
        soup = BeautifulSoup(html, "html.parser")
        metas = soup.find_all("meta", attrs={"http-equiv": "Content-Security-Policy"})
        assert len(metas) == 1, path
        first, second = soup.head.find_all(True)[:2]  # before any script, style or stylesheet
        assert first.get("charset") and second is metas[0], path
        policy = parse(metas[0]["content"])
        widgets = soup.find("meta", attrs={"name": "panda-widgets"}) is not None
        widget_pages += [path] * widgets
        script_src, style_src = policy.pop("script-src"), policy.pop("style-src")
        assert script_src == (["'self'", "'unsafe-eval'"] if widgets else ["'self'"]), path
        styles = [s.string or "" for s in soup.find_all("style")]
        assert styles == ([archive.PAGE_404_STYLE] if path == "404.html" else []), path
        assert style_src == ["'self'", *[sha256(s) for s in styles]], path
        assert policy.pop("style-src-elem", None) == (["'self'", "'unsafe-inline'"] if widgets else None), path
        attr = policy.pop("style-src-attr", None)
        assert attr is None or (widgets and attr[0] == "'unsafe-hashes'" and len(attr) > 1), path
        assert policy == {"default-src": ["'self'"], "img-src": ["'self'", "data:"], "font-src": ["'self'"],
                          "connect-src": ["'self'"], "object-src": ["'none'"], "base-uri": ["'self'"],
                          "form-action": ["'self'"]}, path
        # every script is a file the project ships, or the interactive view's data block
        for script in soup.find_all("script"):
            if script.has_attr("src"):
                assert re.sub(r"^(\.\./)+", "", script["src"].split("?")[0]) in pagecheck.SCRIPTS, (path, script)
            else:
                assert script.get("type") in pagecheck.DATA_BLOCKS, (path, str(script)[:120])
        if path != "404.html":
            # the reading and colour modes are set before paint by a file of the site's, not inline
            init = soup.head.find("script", src=re.compile(r"(^|/)_static/panda-lang-init\.js$"))
            assert init is not None and not init.has_attr("defer") and not init.has_attr("async"), path
            assert init["data-pagename"] == path.removesuffix(".html"), path
    assert widget_pages == [ISSUE]  # the relaxation is where the interactive view is, and only there
    issue = BeautifulSoup((built_book.html / ISSUE).read_text(encoding="utf-8"), "html.parser")
    assert {b["data-panda-click"] for b in issue.select("[data-panda-click]")} == {"print"}


# ---- in Chromium ------------------------------------------------------------------------

@pytest.fixture
def csp_page(browser, site):  # noqa: F811  (fixtures of test_browser)
    """A page that records policy violations, console errors and uncaught exceptions."""
    context = browser.new_context(viewport=DESKTOP)
    context.add_init_script(LISTEN)
    pg = context.new_page()
    pg.problems = []
    pg.on("console", lambda m: pg.problems.append(f"console {m.type}: {m.text}")
          if m.type == "error" or "Content Security Policy" in m.text else None)
    pg.on("pageerror", lambda e: pg.problems.append(f"exception: {e}"))

    def go(path: str):
        pg.problems.clear()
        pg.goto(f"{site}/{path}")
        pg.wait_for_load_state("networkidle")

    def violations() -> list[str]:
        return pg.evaluate("window.__csp") + pg.problems

    pg.go, pg.violations = go, violations
    yield pg
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_no_page_violates_its_policy_in_chromium(csp_page, built_book):
    pg = csp_page
    for path in site_pages(built_book.html):
        pg.go(path)
        assert pg.evaluate("document.querySelectorAll('meta[http-equiv=Content-Security-Policy]').length") == 1
        assert pg.violations() == [], path
    # what runs later: the interactive view (eval, injected styles, its HTML), on request
    pg.go(f"{ISSUE}?lang=both")
    pg.locator(".bl-widget-load").click()
    toggle = pg.get_by_role("button", name="工日", exact=True)  # a row of buttons per language
    toggle.wait_for(timeout=30000)
    toggle.click()
    assert pg.locator(".widget-html-content img:visible").count() == 2
    assert pg.violations() == []
    # the theme's header: tooltip, colour mode, search dialog, and the print button
    # whose onclick the policy would block, which panda.js serves instead
    pg.locator(".theme-switch-button").first.hover()
    pg.locator(".theme-switch-button").first.click()
    pg.evaluate("window.print = () => { window.__printed = true; };")
    pg.locator('[data-panda-click="print"]').click()
    assert pg.evaluate("window.__printed") is True
    pg.keyboard.press("Control+k")
    pg.locator("#pst-search-dialog input[name=q]").wait_for()
    assert pg.violations() == []
    # the search, with the Chinese query splitter
    pg.go("search.html?q=就业人数")
    pg.locator("#search-results p.search-summary").wait_for(timeout=15000)
    links = pg.locator("#search-results ul.search a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    assert any("001-2025-11" in (h or "") for h in links), links
    assert pg.violations() == []


@pytest.mark.browser
@pytest.mark.slow
def test_without_javascript_script_only_controls_are_hidden(browser, site):  # noqa: F811
    context = browser.new_context(viewport=DESKTOP, java_script_enabled=False)
    pg = context.new_page()
    problems = []
    pg.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
    pg.goto(f"{site}/{ISSUE}")
    pg.wait_for_load_state("networkidle")
    # panda.css hides what only works with scripts until panda-lang-init.js has run (no inline style needed)
    assert pg.locator(".bl-switch").evaluate("e => getComputedStyle(e).display") == "none"
    assert problems == []
    context.close()


@pytest.mark.browser
@pytest.mark.slow
def test_the_policy_blocks_injected_inline_code(csp_page, site, built_book):  # noqa: F811
    """The same page with inline code added: it runs without the policy, and not with it."""
    pg = csp_page
    page = (built_book.html / "index.html").read_text(encoding="utf-8")
    probe = ('<script>window.__ran = true;</script>'
             '<p id="csp-probe" style="color: rgb(255, 0, 0)" onclick="window.__clicked = true">probe</p>'
             '<script src="http://127.0.0.2:9/elsewhere.js"></script><script src="csp-eval.js"></script></body>')
    injected = page.replace("</body>", probe)
    assert injected != page
    without = csp.without_policy(injected)
    assert without != injected
    served = {f"{site}/csp-probe.html": (injected, "text/html"), f"{site}/csp-control.html": (without, "text/html"),
              # a script of the site's own that evaluates a string
              f"{site}/csp-eval.js": ("try { window.__eval = eval('1 + 1'); } catch (e) { window.__eval = e.name; }",
                                      "text/javascript")}
    pg.route(re.compile(r".*/csp-(probe\.html|control\.html|eval\.js)$"),
             lambda route: route.fulfill(body=served[route.request.url][0],
                                         content_type=served[route.request.url][1]))
    # control: without the policy the injected code runs
    pg.go("csp-control.html")
    pg.locator("#csp-probe").click()
    assert pg.evaluate("[window.__ran, window.__clicked, window.__eval]") == [True, True, 2]
    assert pg.locator("#csp-probe").evaluate("e => getComputedStyle(e).color") == "rgb(255, 0, 0)"
    # with it, nothing of it runs or applies, and each is reported
    pg.go("csp-probe.html")
    pg.locator("#csp-probe").click()
    assert pg.evaluate("[window.__ran, window.__clicked, window.__eval]") == [None, None, "EvalError"]
    assert pg.locator("#csp-probe").evaluate("e => getComputedStyle(e).color") != "rgb(255, 0, 0)"
    reported = " ".join(pg.evaluate("window.__csp"))
    for directive in ("script-src-elem blocked inline", "style-src-attr blocked inline",
                      "script-src-attr blocked inline", "script-src-elem blocked http://127.0.0.2:9/elsewhere.js",
                      "script-src blocked eval"):
        assert directive in reported, (directive, reported)
    assert any("Content Security Policy" in p for p in pg.problems)
