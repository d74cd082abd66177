"""Every internal link, anchor and image of the built site resolves (tools/check_links.py).

External links are listed; they are requested only with PANDA_CHECK_EXTERNAL=1 and
never in CI (no network there).
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "tools"))
import check_links  # noqa: E402

BASE = "https://example.test/book/"


@pytest.mark.slow
def test_every_internal_link_anchor_and_image_of_the_book_resolves(built_book, capsys):
    base = check_links.read_base_url(built_book.root / "_config.yml")
    assert base and base.startswith("https://")
    external = os.environ.get("PANDA_CHECK_EXTERNAL") == "1" and not os.environ.get("CI")
    report = check_links.check_site(built_book.html, base, external=external)
    assert [str(b) for b in report.broken] == []
    assert [str(b) for b in report.external_broken] == []
    # enough was checked that this cannot pass by finding nothing
    assert report.pages >= 15, report.summary()
    assert report.links >= 300 and report.images >= 20 and report.anchors >= 40, report.summary()
    # feeds, sitemap, canonical and social tags point into the site, under html_baseurl
    assert report.other_files >= 3
    with capsys.disabled():
        print(f"\nlinks: {report.summary()}")
        for url, places in sorted(report.external.items()):
            print(f"external ({'checked' if external else 'not checked'}): {url} ({places[0]})")


def _write(root: Path, files: dict[str, str]) -> Path:
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    return root


INDEX = """<!DOCTYPE html><html lang="en"><head><title>t</title>
<link rel="stylesheet" href="style.css?v=1">
<meta property="og:image" content="https://example.test/book/img/ok.png">
<meta property="og:url" content="https://example.test/book/nothere.html">
</head><body>
<a href="a/page.html#sec">ok</a> <a href="a/page.html?lang=zh#named">query and name anchor</a>
<a href="a/page.html#nope">bad anchor</a>
<a href="a/">folder</a> <a href="a/page%20two.html">percent-encoded</a> <a href="/book/a/page.html">root path</a>
<a href="missing.html">bad link</a>
<img src="img/ok.png" srcset="img/ok.png 1x, img/missing@2x.png 2x" alt="">
<img src="img/gone.png" alt="">
<a href="https://example.org/">external</a> <a href="mailto:a@example.org">mail</a> <a href="#">top</a>
<span id="here"></span><a href="#here">own anchor</a> <a href="#absent">bad own anchor</a>
<a href="../outside.html">outside</a> <a href="/elsewhere.html">root path outside</a>
</body></html>
"""


def _site(tmp_path: Path) -> Path:
    return _write(tmp_path / "site", {
        "index.html": INDEX,
        "a/index.html": "<!DOCTYPE html><html><body><a href='../index.html#here'>back</a></body></html>",
        "a/page.html": "<!DOCTYPE html><html><body><h2 id='sec'>s</h2><a name='named'></a></body></html>",
        "a/page two.html": "<!DOCTYPE html><html><body><img src='../img/ok.png' alt=''></body></html>",
        "img/ok.png": "png",
        "style.css": "a { background: url(img/ok.png) } b { background: url('img/nope.png') }\n"
                     "/* url(commented-out.png) */ @import \"a/missing.css\";\n",
        "feed.xml": '<?xml version="1.0"?><rss><channel><link>https://example.test/book/</link><item>'
                    "<link>https://example.test/book/a/gone.html</link>"
                    '<guid isPermaLink="true">https://example.test/book/a/page.html</guid></item></channel></rss>',
        "_static/webpack-macros.html": "{% macro head() %}<a href=\"{{ pathto('x') }}\">{% endmacro %}\n",
    })


def test_the_checker_finds_broken_links_anchors_and_images(tmp_path):
    report = check_links.check_site(_site(tmp_path), BASE)
    broken = {(b.file, b.url): b.reason for b in report.broken}
    assert set(broken) == {
        ("index.html", "a/page.html#nope"),
        ("index.html", "missing.html"),
        ("index.html", "img/missing@2x.png"),
        ("index.html", "img/gone.png"),
        ("index.html", "#absent"),
        ("index.html", "../outside.html"),
        ("index.html", "/elsewhere.html"),
        ("index.html", "https://example.test/book/nothere.html"),
        ("style.css", "img/nope.png"),
        ("style.css", "a/missing.css"),
        ("feed.xml", "https://example.test/book/a/gone.html"),
    }, broken
    assert broken[("index.html", "a/page.html#nope")] == "a/page.html has no id or name 'nope'"
    assert broken[("index.html", "missing.html")] == "no such file"
    assert "outside the site" in broken[("index.html", "../outside.html")]
    assert [b.line for b in report.broken if b.url == "img/gone.png"] == [11]
    assert dict(report.external) == {"https://example.org/": ["index.html:12"]}
    assert report.pages == 4 and report.templates == ["_static/webpack-macros.html"]
    assert report.anchors == 6  # sec, named, nope, here, absent, and a/index.html's #here
    assert report.links == 26  # 18 on index.html, 1 on each other page, 3 in style.css, 3 in feed.xml
    assert report.images == 8  # og:image, img/ok.png twice and its @2x, gone.png, page two's, 2 in the CSS


def test_the_command_line_exits_1_and_names_file_line_and_link(tmp_path, capsys):
    site = _site(tmp_path)
    assert check_links.main([str(site), "--base-url", BASE]) == 1
    out = capsys.readouterr().out
    assert "index.html:9: missing.html: no such file" in out
    assert "11 broken (external links not requested; --external)" in out
    (site / "index.html").write_text("<!DOCTYPE html><html><body><a id='here' href='a/page.html#sec'>ok</a></body></html>")
    for name in ("style.css", "feed.xml"):
        (site / name).unlink()
    assert check_links.main([str(site), "--base-url", BASE]) == 0
    assert "0 broken" in capsys.readouterr().out
