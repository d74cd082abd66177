"""The book's Sphinx extension, piece by piece, without a build."""

from __future__ import annotations

import logging
import sys

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))

from panda_book.postbuild import purge
from panda_book.site import search  # noqa: E402  (the extension lives in _ext/, as Jupyter Book loads it)

USED = {"btn", "nav", "bd-sidebar", "logo"}


@pytest.mark.parametrize(("css", "expected"), [
    # a rule whose classes are all used stays; one with an unused class goes
    (".btn{color:red}.card{color:blue}", ".btn{color:red}"),
    # selector lists keep only the selectors that can match
    (".btn,.card{color:red}", ".btn{color:red}"),
    (".card,.alert{color:red}", ""),
    # element, id and attribute selectors are never dropped
    ("a{color:red}#main{margin:0}[data-theme=dark] p{color:#fff}", "a{color:red}#main{margin:0}[data-theme=dark] p{color:#fff}"),
    # classes inside :not() or :is() decide nothing
    (".btn:not(.card){x:1}", ".btn:not(.card){x:1}"),
    # classes added by scripts at run time are safelisted
    (".bs-tooltip-top .tooltip-arrow{x:1}.fade.show{y:1}", ".bs-tooltip-top .tooltip-arrow{x:1}.fade.show{y:1}"),
    # @media blocks are purged inside and dropped when empty
    ("@media (min-width:1px){.btn{x:1}.card{y:1}}@media print{.card{y:1}}", "@media (min-width:1px){.btn{x:1}}"),
    # Font Awesome's font faces go; other at-rules stay whole
    ('@font-face{font-family:"Font Awesome 6 Free";src:url(fa.woff2)}@keyframes spin{0%{a:b}}', "@keyframes spin{0%{a:b}}"),
    # strings and comments with braces do not confuse the parser
    ('/* .card{ */.btn:before{content:"}{"}', '.btn:before{content:"}{"}'),
    (r'.btn\:hover{x:1}.nav{y:1}', ".nav{y:1}"),
    # the theme's icon-font glyphs go with the font; other variables stay
    (':root{--pst-icon-note:"\\f303";--pst-color-primary:red}', ":root{--pst-color-primary:red;}"),
    # statements and attribute values with braces or classes in them
    ("@layer base,theme;.btn{x:1}", "@layer base,theme;.btn{x:1}"),
    ('[data-x="{.card}"] .btn{x:1}', '[data-x="{.card}"] .btn{x:1}'),
    (".btn:is(.card, .alert) > .nav{x:1}", ".btn:is(.card, .alert) > .nav{x:1}"),
])
def test_purge_css(css, expected):
    assert purge.purge_css(css, USED) == expected


def test_a_stylesheet_that_does_not_parse_is_an_error():
    with pytest.raises(ValueError, match="does not parse at line 2"):
        purge.purge_css(".btn{x:1}\n.nav{y:1}}", USED)


def test_each_pristine_stylesheet_is_parsed_once_between_builds(tmp_path, monkeypatch):
    cache = tmp_path / "panda-css.pickle"
    parsed = purge._Parsed(cache)
    first = parsed.get(".btn{x:1}.card{y:1}")
    parsed.save({parsed_key(".btn{x:1}.card{y:1}")})
    calls = []
    monkeypatch.setattr(purge, "parse_css", lambda css: calls.append(css) or [])
    again = purge._Parsed(cache)
    assert again.get(".btn{x:1}.card{y:1}") == first and calls == []
    assert purge.purge_parsed(first, USED) == ".btn{x:1}"
    again.get(".other{}")
    assert calls == [".other{}"]
    again.save(set())  # a stylesheet no build uses any more leaves the cache
    assert purge._Parsed(cache).known == {}


def parsed_key(css: str) -> str:
    import hashlib

    return hashlib.sha256(css.encode("utf-8")).hexdigest()


def test_purge_keeps_everything_the_pages_use(tmp_path):
    (tmp_path / "index.html").write_text('<div class="panda-brand bd-sidebar">', encoding="utf-8")
    (tmp_path / "_static").mkdir()
    (tmp_path / "_static" / "app.js").write_text('el.classList.add("is-open")', encoding="utf-8")
    (tmp_path / "_static" / "bootstrap.js").write_text('"modal" "offcanvas"', encoding="utf-8")
    used = purge.corpus(tmp_path)
    assert {"panda-brand", "bd-sidebar", "is-open"} <= used
    assert "offcanvas" not in used  # Bootstrap's bundle names every class it has: not read
    assert purge.purge_css(".panda-brand{a:1}.offcanvas{b:1}", used) == ".panda-brand{a:1}"


def test_purged_theme_keeps_its_rules_for_the_book(tmp_path):
    from importlib.resources import files

    css = (files("pydata_sphinx_theme") / "theme/pydata_sphinx_theme/static/styles/pydata-sphinx-theme.css").read_text()
    used = {"bd-header", "bd-sidebar-primary", "navbar", "prev-next-area", "bd-search", "form-control"}
    out = purge.purge_css(css, used)
    assert len(out) < len(css) / 2
    for kept in (".bd-sidebar-primary{", ".prev-next-area", ".bd-search input.form-control", ":root"):
        assert kept in out
    assert ".fa-yelp:before" not in out and "fa-solid-900.woff2" not in out


@pytest.mark.parametrize(("text", "terms"), [
    ("微短剧\n", [("微短剧", None)]),
    ("# a comment\n\n短剧出海 5000\n", [("短剧出海", 5000)]),
    ("\ufeff非遗\n文旅\n", [("非遗", None), ("文旅", None)]),
])
def test_read_terms(tmp_path, text, terms):
    path = tmp_path / "zh-terms.txt"
    path.write_text(text, encoding="utf-8")
    assert search.read_terms(path) == terms


@pytest.mark.parametrize(("text", "line"), [("微短剧 很多\n", 1), ("微短剧\n非遗 1 2\n", 2)])
def test_read_terms_rejects_bad_lines_with_their_number(tmp_path, text, line):
    from sphinx.errors import ConfigError

    path = tmp_path / "zh-terms.txt"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(ConfigError, match=rf"zh-terms.txt:{line}: .*one word per line"):
        search.read_terms(path)


def test_project_dictionary_keeps_the_field_terms_whole():
    import jieba

    jieba.setLogLevel(logging.WARNING)
    plain = jieba.Tokenizer()
    assert "微短剧" not in plain.lcut("微短剧产业")  # what the dictionary is for
    assert "非遗" not in plain.lcut("非遗文旅")
    tuned = jieba.Tokenizer()
    for word, freq in search.read_terms(ROOT / search.TERMS_FILE):
        tuned.add_word(word, freq or search.DEFAULT_FREQ)
    words = list(tuned.cut_for_search("非遗文旅微短剧产业带动就业，红果短剧，短剧出海"))
    for term in ("非遗", "文旅", "微短剧", "产业", "就业", "红果短剧", "短剧出海"):
        assert term in words


def test_sweep_removes_the_general_index_once_it_is_turned_off(tmp_path):
    """html_use_index does not renew the environment, so no document is 'removed': the sweep itself knows the
    page (a stale genindex.html stayed after `html_use_index: false`, where a clean build makes none)."""
    import os
    import time
    from types import SimpleNamespace

    from panda_book.postbuild.sweep import sweep

    for name in ("genindex.html", "index.html"):
        (tmp_path / name).write_text("<p>old</p>", encoding="utf-8")
        os.utime(tmp_path / name, (time.time() - 100, time.time() - 100))
    env = SimpleNamespace(config=SimpleNamespace(html_use_index=False), all_docs={"index": 0}, images={}, dlfiles={})
    assert sweep(tmp_path, env, time.time() - 10, set()) == ["genindex.html"]
    assert (tmp_path / "index.html").exists()
    (tmp_path / "genindex.html").write_text("<p>old</p>", encoding="utf-8")
    os.utime(tmp_path / "genindex.html", (time.time() - 100, time.time() - 100))
    env.config.html_use_index = True
    assert sweep(tmp_path, env, time.time() - 10, set()) == []
