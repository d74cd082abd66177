"""The issue beyond the web page: the email edition, the WeChat article and the full-text feeds.

Fast tests render issue 1 (and made-up issues) from the model; slow ones read the built book's files; browser
tests open the emails at 600 and 375 px in light and dark, and copy the WeChat article into a contenteditable.
"""

from __future__ import annotations

import json
import re
import sys
import unicodedata
from dataclasses import replace
from html.parser import HTMLParser
from pathlib import Path

import pytest

from newsletter.edition import GAP_TEXT, Chart, EditionStory, Side, plain, read_edition
from newsletter.mailing import LANGS, UNSUBSCRIBE_PLACEHOLDER, email_settings, read_email_settings

from .browsing import AXE, serve
from .conftest import ISSUE1, ROOT

sys.path.insert(0, str(ROOT / "_ext"))

from panda_book.site import editions  # noqa: E402  (the extension lives in _ext/, as Jupyter Book loads it)

BASE = "https://panda-minidrama.github.io/newsletter/"
#: issue 1's charts as the build gives them (sizes of the real PNGs; addresses made up for the fast tests)
CHARTS = tuple(Chart(chart=name, lang=lang, url=f"{BASE}_images/{name}-{lang}.png", width=1120, height=h,
                     caption=f"{name} {lang}", alt=f"alt text of {name} in {lang}", source="人民网",
                     narrow_url=f"{BASE}_images/{name}-{lang}-narrow.png", narrow_width=720, narrow_height=n)
               for name, h, n in (("employment", 532, 816), ("workdays", 287, 302)) for lang in ("zh", "en"))


@pytest.fixture(scope="module")
def issue1():
    return read_edition(ROOT, ROOT / ISSUE1, BASE, CHARTS)


# ---- reading HTML as a reader's client does --------------------------------------------------------------------

_BLOCKS = {"p", "h1", "h2", "h3", "li", "td", "tr", "table", "div", "br", "ol", "ul", "article", "section", "hr",
           "title"}


class _Page(HTMLParser):
    """Elements with their attributes, and the text as blocks (hidden preheader apart)."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.elements: list[tuple[str, dict]] = []
        self.lines: list[str] = [""]
        self.styles: list[str] = []
        self._stack: list[str] = []
        self._hidden = 0
        self._in_style = False

    def handle_starttag(self, tag, attrs):
        values = dict(attrs)
        self.elements.append((tag, values))
        if tag in _BLOCKS:
            self.lines.append("")
        if tag == "style":
            self._in_style = True
        if tag not in ("br", "img", "meta", "hr", "link", "input"):
            # what the reader does not see in the message: the hidden preheader, the <title> (the subject)
            hidden = tag == "title" or "display: none" in (values.get("style") or "")
            self._stack.append(tag)
            self._hidden += hidden
            self._stack[-1] = (tag, hidden)

    def handle_endtag(self, tag):
        if tag == "style":
            self._in_style = False
        while self._stack:
            name, hidden = self._stack.pop()
            self._hidden -= hidden
            if name == tag:
                break
        if tag in _BLOCKS:
            self.lines.append("")

    def handle_data(self, data):
        if self._in_style:
            self.styles.append(data)
        elif not self._hidden:
            self.lines[-1] += data


def read_html(text: str) -> _Page:
    page = _Page()
    page.feed(text)
    page.close()
    return page


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def sentences(lines: list[str]) -> list[str]:
    """Each block's text cut into sentences (after 。！？ and after . ! ? ; followed by a space)."""
    out = []
    for line in lines:
        for part in re.split(r"(?<=[。！？])|(?<=[.!?;])\s+", fold(line)):
            if part and part.strip(" ·/"):
                out.append(part.strip())
    return out


# ---- the email's HTML and text ---------------------------------------------------------------------------------

@pytest.mark.parametrize("lang", LANGS)
def test_email_html_is_email_safe(issue1, lang):
    page = editions.email_html(issue1, lang)
    read = read_html(page)
    tags = [tag for tag, _ in read.elements]
    for banned in ("script", "form", "link", "iframe", "object", "embed", "input", "button"):
        assert banned not in tags, banned
    # one <style>, holding media queries only: every rule outside them was inlined
    assert tags.count("style") == 1
    css = "".join(read.styles)
    assert re.fullmatch(r"(\s*@media[^{]+\{([^{}]*\{[^{}]*\})*\s*\}\s*)+", css), css
    assert "@font-face" not in css and "@import" not in css and "url(" not in page.replace("href", "")
    # table layout, 600 px
    wrap = next(a for t, a in read.elements if t == "table" and "wrap" in (a.get("class") or ""))
    assert wrap["width"] == "600" and "width: 600px" in wrap["style"]
    # every element that shows text or layout has its style inline
    for tag, attrs in read.elements:
        if tag in ("p", "h1", "h2", "td", "a", "ol", "li", "img", "table", "body"):
            assert attrs.get("style"), (tag, attrs)
    # the HTML says its language, and each block its own
    assert f'<html lang="{editions.CODE[lang]}">' in page
    if lang == "both":
        assert {a.get("lang") for t, a in read.elements if t == "p"} >= {"zh-CN", "en"}


@pytest.mark.parametrize("lang", LANGS)
def test_email_holds_the_issue_in_its_language(issue1, lang):
    page, text = editions.email_html(issue1, lang), editions.email_text(issue1, lang)
    body = fold(" ".join(read_html(page).lines))
    sides = ("zh", "en") if lang == "both" else (lang,)
    for story in issue1.stories:
        for side in sides:
            for paragraph in story.side(side).paragraphs:
                assert fold(plain(paragraph)) in body
    other = {"zh": "en", "en": "zh"}
    if lang != "both":  # one language's edition: no story text of the other
        for story in issue1.stories:
            for paragraph in story.side(other[lang]).paragraphs:
                assert fold(plain(paragraph))[:40] not in body
    # the gaps of issue 1, marked in the language whose text is missing
    if "zh" in sides:
        assert fold(GAP_TEXT[("zh", "headline")]) in body and body.count(fold(GAP_TEXT[("zh", "body")])) == 2
    if "en" in sides:
        assert fold(GAP_TEXT[("en", "partial")]) in body
    for words in (editions.WORDS[s] for s in sides):
        assert fold(words["in_this_issue"]) in body and fold(words["read_on_web"]) in body
    assert fold("People's Daily Online" if "en" in sides else "人民网") in body
    # the source line links the outlet; the web link, the unsubscribe placeholder
    assert 'href="http://www.people.com.cn/"' in page or 'href="http://en.people.cn/"' in page
    assert f'href="{BASE}issues/001-2025-11.html?lang={lang}"' in page
    assert f'href="{UNSUBSCRIBE_PLACEHOLDER}"' in page and UNSUBSCRIBE_PLACEHOLDER in text
    # the closing asks for a WeChat like: the email leaves it out (the WeChat article keeps it)
    assert "请为我点个赞再走" not in body


@pytest.mark.parametrize("lang", LANGS)
def test_the_plain_text_holds_every_sentence_of_the_html(issue1, lang):
    text = fold(re.sub(r" \((https?://|mailto:)[^)\s]*\)", "", editions.email_text(issue1, lang)))
    missing = [s for s in sentences(read_html(editions.email_html(issue1, lang)).lines) if s not in text]
    assert missing == []
    # and a sentence the HTML does not hold is caught (the check can fail)
    assert "A sentence of no issue." not in text


def test_images_are_2x_pngs_with_size_and_alt(issue1):
    read = read_html(editions.email_html(issue1, "both"))
    images = [a for t, a in read.elements if t == "img"]
    # each chart: its wide drawing, then its narrow one, which a phone gets (the media query swaps them)
    assert [i["src"] for i in images] == [u for c in CHARTS for u in (c.url, c.narrow_url)]
    for wide, narrow, chart in zip(images[::2], images[1::2], CHARTS):
        assert wide["width"] == "560" and wide["height"] == str(round(chart.height / 2))
        assert narrow["width"] == "360" and narrow["height"] == str(round(chart.narrow_height / 2))
        assert wide["alt"] == narrow["alt"] == chart.alt
        assert "chart-wide" in wide["class"] and "display: none" in narrow["style"]
    assert ".chart-wide { display: none !important; } .chart-narrow { display: block !important;" in \
        editions.EMAIL_MEDIA_CSS
    zh = read_html(editions.email_html(issue1, "zh"))
    assert [a["src"] for t, a in zh.elements if t == "img"] == [
        u for c in CHARTS if c.lang == "zh" for u in (c.url, c.narrow_url)]


def _long_issue(issue1, stories: int, paragraphs: int):
    words = "微短剧产业预计直接和间接带动就业203万人。" * 30
    english = "The mini series industry is expected to create employment for about 2.03 million people. " * 8
    made = tuple(EditionStory(id=f"s{i}", number=str(i), zh=Side("zh", f"标题{i}", ((("text", words, ""),),) * paragraphs),
                              en=Side("en", f"Headline {i}", ((("text", english, ""),),) * paragraphs))
                 for i in range(stories))
    return replace(issue1, stories=made)


def test_a_long_issue_is_cut_to_gmails_limit_and_says_so(issue1):
    long = _long_issue(issue1, stories=12, paragraphs=5)
    assert len(editions.email_html(long, "both").encode()) > editions.EMAIL_LIMIT
    page, cut = editions.fitted_email(long, "both")
    # room kept for the recipient's unsubscribe link
    assert len(page.encode()) <= editions.EMAIL_LIMIT - editions.UNSUBSCRIBE_ROOM
    assert cut is not None and cut.stories is None and 1 <= cut.paragraphs < 5
    body = fold(" ".join(read_html(page).lines))
    assert fold(editions.WORDS["zh"]["truncated"]) in body and fold(editions.WORDS["en"]["truncated"]) in body
    assert body.count(editions.WORDS["en"]["rest_on_web"]) == 12
    assert 'href="https://panda-minidrama.github.io/newsletter/issues/001-2025-11.html?lang=zh#story-s0"' in page
    text = editions.email_text(long, "both", cut)
    assert editions.WORDS["zh"]["truncated"] in text
    # a short issue is whole, without the notice
    whole, none = editions.fitted_email(issue1, "both")
    assert none is None and editions.WORDS["zh"]["truncated"] not in whole


def test_an_issue_of_many_stories_is_cut_to_its_first_stories_and_the_rest_linked(issue1):
    many = _long_issue(issue1, stories=150, paragraphs=2)
    page, cut = editions.fitted_email(many, "both")
    assert len(page.encode()) <= editions.EMAIL_LIMIT - editions.UNSUBSCRIBE_ROOM
    assert cut.paragraphs == 1 and cut.stories is not None and 0 < cut.stories < 150
    body = fold(" ".join(read_html(page).lines))
    shown = cut.stories
    assert fold(editions.WORDS["zh"]["truncated_stories"].format(shown=shown, total=150)) in body
    # every headline is in the contents list; those not in the email link to their story on the web
    read = read_html(page)
    hrefs = [a["href"] for t, a in read.elements if t == "a" and "contents" not in a.get("class", "")]
    assert f"#story-s{shown - 1}" in hrefs and f"#story-s{shown}" not in hrefs
    assert f"{BASE}issues/001-2025-11.html?lang=both#story-s{shown}" in hrefs
    assert f"标题{shown - 1}" in body and f"标题{149}" in body
    text = editions.email_text(many, "both", cut)
    assert f"{BASE}issues/001-2025-11.html?lang=both#story-s149" in text
    assert editions.WORDS["en"]["truncated_stories"].format(shown=shown, total=150) in text


def test_an_issue_whose_contents_alone_are_too_long_fails_the_build_with_the_fix(issue1):
    from sphinx.errors import SphinxError

    with pytest.raises(SphinxError, match="over Gmail's 102,000 bytes even with its contents list alone; split"):
        editions.fitted_email(_long_issue(issue1, stories=1500, paragraphs=1), "zh")


def test_subjects_and_edition_files_names():
    assert [editions.sides_of(lang) for lang in LANGS] == [("zh",), ("en",), ("zh", "en")]
    edition = read_edition(ROOT, ROOT / ISSUE1, BASE)
    assert edition.subject("zh") == "第1期 · PANDA微短剧"
    assert edition.subject("en") == "PANDA Mini-drama · Issue 1"
    assert edition.subject("both") == "第1期 · PANDA微短剧 / PANDA Mini-drama · Issue 1"


# ---- settings -------------------------------------------------------------------------------------------------

def test_email_settings_are_read_and_checked(tmp_path):
    settings = read_email_settings(ROOT)
    assert settings.per_minute >= 1 and "{email}" in settings.unsubscribe_url
    assert settings.unsubscribe_for("a+b@x.org", "001-2025-11").endswith("email=a%2Bb@x.org&issue=001-2025-11")
    for bad, words in (({"unsubscribe_url": "http://x.org/u?e={email}"}, "must be an https address"),
                       ({"unsubscribe_url": "https://x.org/u"}, "holding {email}"),
                       ({"unsubscribe_url": "https://x.org/u?e={email}&n={name}"}, "holding {email}"),
                       ({"per_minute": 0}, "from 1 to 6000"), ({"per_minute": True}, "from 1 to 6000"),
                       ({"sender": "x"}, "unknown key"), ({"subscribe_url": "javascript:x"}, "https address")):
        with pytest.raises(ValueError, match=re.escape(words)):
            email_settings(bad)
    (tmp_path / "_config.yml").write_text("title: x\nsphinx:\n  config:\n    panda_email:\n      per_minute: -3\n",
                                          encoding="utf-8")
    from newsletter.book import BookError

    with pytest.raises(BookError, match=r"_config.yml:4: .*per_minute -3 must be a whole number"):
        read_email_settings(tmp_path)


# ---- WeChat ---------------------------------------------------------------------------------------------------

def test_wechat_articles_hold_inline_styles_only(issue1):
    page = editions.wechat_page(issue1)
    read = read_html(page)
    assert editions.wechat_problems(page) == []
    assert [t for t, _ in read.elements if t in ("style", "script", "link", "a", "form")] == []
    assert not any("class" in a for _, a in read.elements)
    articles = [a for t, a in read.elements if t == "article"]
    assert [(a["id"], a["lang"]) for a in articles] == [("zh", "zh-CN"), ("en", "en"), ("both", "zh-CN")]
    headings = [a for t, a in read.elements if t in ("h1", "h2")]
    assert headings and all("font-size" in a["style"] for a in headings)
    # the check itself sees what WeChat drops
    assert editions.wechat_problems('<p class="x">a</p><style>p{}</style><a onclick="x">b</a>') == [
        "<p> class", "<style> ", "<a> onclick"]


@pytest.mark.parametrize("lang", LANGS)
def test_wechat_article_names_sources_in_text_with_masthead_first_and_closing_last(issue1, lang):
    article = editions.wechat_article(issue1, lang)
    text = fold(" ".join(read_html(article).lines))
    sides = ("zh", "en") if lang == "both" else (lang,)
    first = issue1.masthead[sides[0]]
    assert text.startswith(fold(first))
    assert ("来源:人民网" if "zh" in sides else "Source: People's Daily Online") in text
    if "zh" in sides:
        assert text.endswith("推荐阅读 请为我点个赞再走")
    for story in issue1.stories:
        for side in sides:
            for paragraph in story.side(side).paragraphs:
                assert fold(plain(paragraph)) in text
    # the narrow drawing: WeChat is read on phones
    assert [a["src"] for t, a in read_html(article).elements if t == "img"] == [
        c.narrow_url for c in CHARTS if c.lang in sides]


def test_wechat_both_goes_paragraph_by_paragraph_chinese_first(issue1):
    zh = Side("zh", "标题", tuple((("text", f"第{i}段。", ""),) for i in range(1, 4)))
    en = Side("en", "Title", tuple((("text", f"Paragraph {i}.", ""),) for i in range(1, 4)))
    made = replace(issue1, stories=(EditionStory("s", "1", zh, en),), charts=(), closing=None)
    text = fold(" ".join(read_html(editions.wechat_article(made, "both")).lines))
    assert re.search("第1段。 Paragraph 1. 第2段。 Paragraph 2. 第3段。 Paragraph 3.", text), text


# ---- the built book -------------------------------------------------------------------------------------------

@pytest.mark.slow
def test_the_build_writes_every_edition_and_its_images_exist_in_the_site(built_book):
    folder = built_book.root / "_build" / "email" / "001-2025-11"
    assert sorted(p.name for p in folder.iterdir()) == [
        "both.html", "both.txt", "edition.json", "en.html", "en.txt", "zh.html", "zh.txt"]
    meta = json.loads((folder / "edition.json").read_text(encoding="utf-8"))
    assert meta["subjects"]["zh"] == "第1期 · PANDA微短剧" and meta["url"] == f"{BASE}issues/001-2025-11.html"
    from PIL import Image

    seen = 0
    for lang in LANGS:
        page = (folder / f"{lang}.html").read_text(encoding="utf-8")
        assert len(page.encode()) <= editions.EMAIL_LIMIT
        for tag, attrs in read_html(page).elements:
            if tag != "img":
                continue
            assert attrs["src"].startswith(BASE) and attrs["alt"]
            file = built_book.html / attrs["src"].removeprefix(BASE)
            assert file.is_file(), attrs["src"]
            with Image.open(file) as image:
                assert image.format == "PNG" and image.width == 2 * int(attrs["width"])
                assert abs(image.height - 2 * int(attrs["height"])) <= 1
            seen += 1
    assert seen == 16  # two charts, wide and narrow: zh and en once each, both in 双语
    wechat = built_book.root / "_build" / "wechat"
    assert {p.name for p in wechat.iterdir()} >= {"001-2025-11.html", "001-2025-11.editor.html", "index.html",
                                                  "wechat-copy.js"}
    assert editions.wechat_problems((wechat / "001-2025-11.html").read_text(encoding="utf-8")) == []
    assert not list(built_book.root.glob("_build/.*.new"))


@pytest.mark.slow
@pytest.mark.parametrize("lang", LANGS)
def test_full_text_feeds_parse_and_hold_the_whole_issue(built_book, lang):
    import feedparser

    feed = feedparser.parse((built_book.html / "feeds" / f"{lang}.xml").read_bytes())
    assert feed.bozo == 0, feed.get("bozo_exception")
    assert [e.title for e in feed.entries] == [read_edition(ROOT, ROOT / ISSUE1, BASE).subject(lang)]
    entry = feed.entries[0]
    assert entry.id == entry.link == f"{BASE}issues/001-2025-11.html?lang={lang}"
    assert entry.published.startswith("2025-11-01")
    content = fold(" ".join(read_html(entry.content[0].value).lines))
    edition = read_edition(ROOT, ROOT / ISSUE1, BASE)
    for story in edition.stories:
        for side in editions.sides_of(lang):
            for paragraph in story.side(side).paragraphs:
                assert fold(plain(paragraph)) in content
    assert UNSUBSCRIBE_PLACEHOLDER not in entry.content[0].value  # a mail service adds its own
    assert (built_book.html / "feed.xml").is_file() and (built_book.html / "atom.xml").is_file()


@pytest.mark.slow
def test_topic_feeds_hold_their_stories(built_book):
    import feedparser

    from newsletter.book import read_tags

    edition = read_edition(ROOT, ROOT / ISSUE1, BASE)
    for tag in read_tags(ROOT):
        feed = feedparser.parse((built_book.html / "topics" / f"{tag}.xml").read_bytes())
        assert feed.bozo == 0, (tag, feed.get("bozo_exception"))
        want = [s for s in edition.stories if tag in s.tags]
        assert [e.id for e in feed.entries] == [f"{BASE}issues/001-2025-11.html#story-{s.id}" for s in want]
        for entry, story in zip(feed.entries, want):
            text = fold(" ".join(read_html(entry.content[0].value).lines))
            for side in ("zh", "en"):
                for paragraph in story.side(side).paragraphs:
                    assert fold(plain(paragraph)) in text


@pytest.mark.slow
def test_every_page_links_its_feeds_and_issue_pages_their_language_views(built_book):
    from bs4 import BeautifulSoup

    from .browsing import site_pages

    for name in site_pages(built_book.html):
        soup = BeautifulSoup((built_book.html / name).read_text(encoding="utf-8"), "html.parser")
        if soup.find("meta", attrs={"http-equiv": "refresh"}) or name == "404.html":
            continue
        links = {a["href"].rsplit("/", 2)[-2:][-1] if "feeds/" in a["href"] else a["href"]
                 for a in soup.select('link[rel=alternate][type="application/atom+xml"]')}
        assert {"zh.xml", "en.xml", "both.xml"} <= links, name
        for link in soup.select('link[rel=alternate][type="application/atom+xml"]'):
            assert (built_book.html / name).parent.joinpath(link["href"]).resolve().is_file(), (name, link)
        if name.startswith("topics/") and name != "topics/index.html":
            assert name.removesuffix(".html").split("/")[-1] + ".xml" in links
    soup = BeautifulSoup((built_book.html / "issues" / "001-2025-11.html").read_text(encoding="utf-8"),
                         "html.parser")
    langs = {a["hreflang"]: a["href"] for a in soup.select("link[rel=alternate][hreflang]")}
    page = f"{BASE}issues/001-2025-11.html"
    assert langs == {"zh-CN": f"{page}?lang=zh", "en": f"{page}?lang=en", "x-default": page}
    home = BeautifulSoup((built_book.html / "index.html").read_text(encoding="utf-8"), "html.parser")
    block = home.select_one("#subscribe")
    assert block is not None and "订阅" in block.h2.text and "Subscribe" in block.h2.text
    assert {b["lang"] for b in block.select(".bl-block")} == {"zh-CN", "en"}
    hrefs = {a["href"] for a in block.select("a")}
    assert {"feeds/zh.xml", "feeds/en.xml", "feeds/both.xml", "feed.xml", "topics/index.html"} <= hrefs
    # the feeds as buttons a thumb can hit (panda.css: 44 px high)
    assert len(block.select("a.bl-feed")) == 6


# ---- in Chromium ----------------------------------------------------------------------------------------------

def _route_site(page, html_root: Path) -> None:
    """Addresses under html_baseurl answered from the built site (the book is not online here)."""
    def handle(route):
        path = route.request.url.removeprefix(BASE).split("?")[0].split("#")[0]
        file = html_root / path
        if route.request.url.startswith(BASE) and file.is_file():
            return route.fulfill(path=str(file))
        if route.request.url.startswith("http://127.0.0.1"):
            return route.continue_()
        page.outside.append(route.request.url)
        return route.abort()

    page.outside = []
    page.route("**/*", handle)


@pytest.fixture(scope="module")
def build_folder(built_book):
    yield from serve(built_book.root / "_build")


@pytest.mark.slow
@pytest.mark.browser
@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_emails_render_without_overflow_or_axe_violations(browser, built_book, build_folder, scheme):
    axe = AXE.read_text(encoding="utf-8")
    for lang in LANGS:
        for width in (600, 375):
            context = browser.new_context(viewport={"width": width, "height": 800}, color_scheme=scheme)
            page = context.new_page()
            _route_site(page, built_book.html)
            errors = []
            page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
            page.goto(f"{build_folder}/email/001-2025-11/{lang}.html")
            page.wait_for_load_state("networkidle")
            where = f"{lang} at {width} px, {scheme}"
            assert page.evaluate("document.documentElement.scrollWidth") <= width, where
            # the charts the reader sees: the wide drawing at 600 px, the narrow one on a phone, each a 2x PNG
            shown = page.evaluate("[...document.images].filter(i => i.getClientRects().length)"
                                  ".map(i => [i.complete && i.naturalWidth, i.getBoundingClientRect().width])")
            assert len(shown) == (4 if lang == "both" else 2), (where, shown)
            for natural, drawn in shown:
                assert natural == (1120 if width == 600 else 720) and natural >= 2 * drawn - 1, (where, shown)
            # charts fit the column: no image wider than the viewport
            assert page.evaluate("Math.max(...[...document.images].map(i => i.getBoundingClientRect().right))") \
                <= width, where
            page.add_script_tag(content=axe)
            result = page.evaluate("async () => (await axe.run(document, {resultTypes: ['violations']})).violations"
                                   ".map(v => v.id + ': ' + v.nodes.slice(0, 3).map(n => n.target.join(' ')))")
            assert result == [], (where, result)
            # the body text colour is the scheme's
            color = page.evaluate("getComputedStyle(document.querySelector('p.body')).color")
            assert color == ("rgb(236, 236, 236)" if scheme == "dark" else "rgb(31, 31, 31)"), (where, color)
            assert page.outside == [] and errors == [], (where, page.outside, errors)
            context.close()


@pytest.mark.slow
@pytest.mark.browser
def test_wechat_article_copies_and_pastes_with_its_heading_styles(browser, built_book, build_folder):
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    context.grant_permissions(["clipboard-read", "clipboard-write"], origin=build_folder)
    page = context.new_page()
    _route_site(page, built_book.html)
    page.goto(f"{build_folder}/wechat/001-2025-11.editor.html")
    page.wait_for_load_state("networkidle")
    edition = read_edition(ROOT, ROOT / ISSUE1, BASE)
    for lang in LANGS:
        page.click(f"button[data-copy={lang}]")
        assert "已复制" in page.inner_text(f"#{lang}-status")
        page.evaluate("""() => { document.getElementById('paste-target')?.remove();
            const box = document.createElement('div'); box.id = 'paste-target'; box.contentEditable = 'true';
            document.body.append(box); box.focus(); }""")
        page.keyboard.press("Control+V")
        pasted = page.evaluate("document.getElementById('paste-target').innerText")
        text = fold(pasted)
        for story in edition.stories:
            for side in editions.sides_of(lang):
                for sentence in sentences([plain(p) for p in story.side(side).paragraphs]):
                    assert sentence in text, (lang, sentence)
        styles = page.evaluate("[...document.querySelectorAll('#paste-target h2')].map(h => getComputedStyle(h))"
                               ".map(s => [s.fontSize, s.fontWeight, s.borderLeftWidth])")
        assert len(styles) == len(edition.stories) and all(s == ["19px", "700", "4px"] for s in styles), styles
        inline = page.evaluate("[...document.querySelectorAll('#paste-target h2')].map(h => h.getAttribute('style'))")
        assert all(s and "font-size" in s for s in inline), inline
    context.close()


@pytest.mark.slow
def test_a_build_renders_again_only_the_issues_that_changed(built_book, tmp_path):
    import shutil

    from .conftest import build

    root = tmp_path / "book"
    shutil.copytree(built_book.root, root, symlinks=True)
    cache = root / "_build" / ".editions-cache"
    before = {p.name for p in cache.iterdir()}
    email = root / "_build" / "email" / "001-2025-11" / "zh.html"
    rendered = (cache / next(iter(before)) / "zh.html").stat().st_mtime_ns
    again = build(root)
    assert again.returncode == 0, again.output[-3000:]
    # nothing changed: the same rendered files, linked into the new edition folder
    assert {p.name for p in cache.iterdir()} == before and len(before) == 1
    assert (cache / next(iter(before)) / "zh.html").stat().st_mtime_ns == rendered
    assert email.stat().st_ino == (cache / next(iter(before)) / "zh.html").stat().st_ino
    issue = root / ISSUE1
    issue.write_text(issue.read_text(encoding="utf-8").replace("形成了各具特色的生产集群。", "形成了各具特色的生产集群（已修订）。"),
                     encoding="utf-8")
    edited = build(root)
    assert edited.returncode == 0, edited.output[-3000:]
    after = {p.name for p in cache.iterdir()}
    assert len(after) == 1 and after != before  # rendered again; the old one gone from the cache
    assert "形成了各具特色的生产集群（已修订）。" in email.read_text(encoding="utf-8")
    feed = (root / "_build" / "html" / "feeds" / "zh.xml").read_text(encoding="utf-8")
    assert "形成了各具特色的生产集群（已修订）。" in feed


def test_full_text_feeds_hold_the_newest_issues_and_topic_feeds_the_newest_stories(tmp_path):
    """At 500 issues a feed of every issue in full would be 12 MB: the full-text feeds hold the newest
    FULL_ENTRIES issues, a topic's the newest TOPIC_ENTRIES stories (read from the editions' cache)."""
    from types import SimpleNamespace

    import feedparser

    from panda_book.model.store import run_state
    from panda_book.site import feeds

    count = feeds.FULL_ENTRIES + 5
    issues, rendered = {}, []
    for n in range(1, count + 1):
        docname = f"issues/{n:03d}-2025-01"
        issues[docname] = {"meta": {"number": n, "date": "2025-01"}, "stories": []}
        folder = tmp_path / "cache" / str(n)
        folder.mkdir(parents=True)
        entry = {"title": f"Issue {n}", "link": f"{BASE}{docname}.html?lang=en", "content": f"<p>Issue {n}.</p>"}
        stories = [{"tags": ["employment"], "title": f"Story {n}.{i}", "link": f"{BASE}{docname}.html#story-s{i}",
                    "content": f"<p>Story {n}.{i}</p>"} for i in range(3)]
        (folder / "feeds.json").write_text(json.dumps({"entries": {lang: entry for lang in LANGS},
                                                       "stories": stories}), encoding="utf-8")
        rendered.append((docname, folder))
    rendered.reverse()  # newest first, as the build lists them
    (tmp_path / "tags.yml").write_text("employment: {zh: 就业, en: Employment}\n", encoding="utf-8")
    env = SimpleNamespace(panda_issues=issues, panda_archive_docs={})
    app = SimpleNamespace(outdir=str(tmp_path / "html"), srcdir=str(tmp_path), env=env,
                          config=SimpleNamespace(html_baseurl=BASE))
    (tmp_path / "html").mkdir()
    run_state(app).rendered = rendered
    feeds.write_full_feeds(app)
    parsed = feedparser.parse((tmp_path / "html" / "feeds" / "en.xml").read_bytes())
    assert parsed.bozo == 0
    assert [e.title for e in parsed.entries] == [f"Issue {n}" for n in range(count, count - feeds.FULL_ENTRIES, -1)]
    topic = feedparser.parse((tmp_path / "html" / "topics" / "employment.xml").read_bytes())
    assert len(topic.entries) == feeds.TOPIC_ENTRIES and topic.entries[0].title == f"Story {count}.0"
