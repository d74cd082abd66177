"""What the reader gets: the built HTML of the book."""

from __future__ import annotations

import json
import re
import unicodedata

import pytest
from bs4 import BeautifulSoup

from .conftest import SEED

pytestmark = pytest.mark.slow


def fold(text: str) -> str:
    return re.sub(r"\s+", " ", unicodedata.normalize("NFKC", text)).strip()


def seed_sentences() -> list[str]:
    out = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        for part in re.split(r"(?<=[。！？!?])|(?<=\.)\s+(?=[A-Z])", fold(line)):
            if part.strip():
                out.append(part.strip())
    return out


@pytest.fixture(scope="module")
def article(issue1_html):
    return BeautifulSoup(issue1_html, "html.parser").find("article")


def test_every_seed_sentence_is_on_the_page(article):
    page = fold(article.get_text(""))
    sentences = seed_sentences()
    assert len(sentences) > 60
    missing = [s for s in sentences if s not in page]
    assert not missing, missing


def test_chinese_uses_full_width_punctuation(article):
    for block in article.select('[lang="zh-CN"]'):
        text = block.get_text("")
        assert not re.search(r"[,:!?;]", text), text[:80]
    assert "，" in article.get_text() and "：" in article.get_text() and "！" in article.get_text()


def test_english_keeps_ascii_quotes(article):
    en = " ".join(b.get_text("") for b in article.select('.bl-block[lang="en"]'))
    assert '"mini series+"' in en and "“" not in en


STORIES = ["pku-employment-report", "jianhu-nvxia-hongguo", "niguang-zhi-ai-nanning", "qingyang-chengdu"]


def test_four_stories_each_with_both_languages_and_source(article):
    sections = article.select("section.story")
    assert [s["id"] for s in sections] == [f"story-{s}" for s in STORIES]
    # each side names the source in its language, linked to the outlet's home page (sources.yml)
    sources = [("人民网", "People's Daily Online"), ("绍兴网", "Shaoxing Net"),
               ("广西日报-广西云", "Guangxi Daily – Guangxi Cloud"), ("人民网", "People's Daily Online")]
    for section, (source, source_en) in zip(sections, sources):
        zh = section.select_one('.bl-block.bl-zh[lang="zh-CN"]')
        en = section.select_one('.bl-block.bl-en[lang="en"]')
        assert zh is not None and en is not None
        assert zh.select_one(".bl-source").get_text() == f"来源：{source}"
        assert en.select_one(".bl-source").get_text() == f"Source: {source_en}"
        assert zh.select_one(".bl-source a")["lang"] == "zh-CN" and en.select_one(".bl-source a")["lang"] == "en"
        title = section.find("h2")
        assert title.select('[lang="zh-CN"]') and title.select('[lang="en"]')


@pytest.mark.parametrize(("story", "lang", "marker"), [
    ("jianhu-nvxia-hongguo", "en", "The source's English covers only part of the Chinese text"),
    ("niguang-zhi-ai-nanning", "zh-CN", "原文无中文正文，请阅读英文"),
    ("qingyang-chengdu", "zh-CN", "原文无中文正文，请阅读英文"),
])
def test_gaps_are_marked(article, story, lang, marker):
    section = article.find("section", id=f"story-{story}")
    gaps = [g.get_text() for g in section.select(f'.bl-gap[lang="{lang}"]')]
    assert marker in gaps


def test_closing_lines_have_no_invented_english(article):
    closing = article.select_one(".bl-pair.closing")
    assert closing.select_one('[lang="zh-CN"]').get_text("").split() == ["推荐阅读", "请为我点个赞再走"]
    en = closing.select_one('.bl-block[lang="en"]')
    assert fold(en.select_one(".bl-gap").get_text("")) == "No English in the source"
    # the only other text: the (script-only) button that shows the Chinese instead
    assert fold(en.select_one("button.bl-reveal").get_text("")) == "Show the Chinese original"
    assert en.get_text("").replace(en.select_one(".bl-gap").get_text(""), "").replace(
        en.select_one("button.bl-reveal").get_text(""), "").strip() == ""


def test_contents_fragment_is_used_as_headlines_not_loose_lines(article):
    for contents in article.select(".bl-in-this-issue"):  # the issue's header lists each headline once more
        contents.decompose()
    text = article.get_text("")
    assert text.count("ICH Mini Series Ni Guang Zhi Ai Begins Filming in Nanning") == 1
    assert text.count("Qingyang District, Chengdu: Accelerating the Integrated Development") == 1
    assert text.count("成都青羊：加速推进文商旅体融合发展") == 1
    h2 = article.find("section", id="story-qingyang-chengdu").find("h2")
    assert fold(h2.get_text("")).startswith("4. 成都青羊:加速推进文商旅体融合发展")


def test_each_chart_is_one_figure_in_both_languages(article):
    figures = article.select("figure.bl-figure")
    assert [f["id"] for f in figures] == ["chart-employment", "chart-workdays"]
    for fig in figures:
        blocks = fig.select(".bl-pair.bl-charts > .bl-block")
        assert [(b["lang"], b["class"][1]) for b in blocks] == [("zh-CN", "bl-zh"), ("en", "bl-en")]
        for block in blocks:
            img = block.find("img")
            alt = img["alt"]
            assert alt and not alt.endswith((".svg", ".png")) and re.search(r"\d", alt)
            assert bool(re.search(r"[\u4e00-\u9fff]", alt)) == (block["lang"] == "zh-CN")  # alt in its language
            # lazy: a chart hidden by the switch is never downloaded; sized: no layout jump
            assert img["loading"] == "lazy" and int(img["width"]) > 300 and int(img["height"]) > 100
            # phones get the drawing made for their width (charts._render.NARROW_WIDTH), sized too
            source = img.parent.find("source")
            assert img.parent.name == "picture" and source["media"] == "(max-width: 599.98px)"
            assert source["srcset"].endswith(".svg") and source["srcset"] != img["src"]
            assert int(source["width"]) < int(img["width"]) and int(source["height"]) > 100
        caption = fig.find("figcaption")
        zh = caption.select_one('.caption-text > [lang="zh-CN"]').get_text()
        en = caption.select_one('.caption-text > [lang="en"]').get_text()
        assert "来源：人民网" in zh and "Source: People's Daily Online" in en
        # the figure's label in each language, so a one-language mode shows its own only
        number = caption.select_one(".caption-number")
        assert [(s["lang"], s.get_text()) for s in number.select("[lang]")] == [("zh-CN", "图"), ("en", "Fig.")]
        assert number.get_text().strip() in ("图 · Fig. 1", "图 · Fig. 2")
    alts = " ".join(img["alt"] for img in article.select("figure.bl-figure img"))
    assert "690,000" in alts and "69万" in alts and "2.9" in alts and "53.4" in alts


def test_bilingual_headings_follow_the_switch(article):
    h1 = article.find("h1")
    assert [(s["lang"], s.get_text()) for s in h1.select("[lang]")] == [("zh-CN", "第1期"), ("en", "Issue 1")]
    assert h1.select_one(".bl-sep")  # hidden in one-language modes


def test_gap_markers_carry_language_class_and_a_reveal_button(article):
    story3 = article.find("section", id="story-niguang-zhi-ai-nanning")
    zh = story3.select_one(".bl-block.bl-zh")
    assert zh.select_one(".bl-gap.bl-zh").get_text() == "原文无中文正文，请阅读英文"
    assert zh.select_one("button.bl-reveal.pst-js-only").get_text() == "显示英文原文"
    # a headline the source gives in English only: shown in every mode, after a note in 中文 mode, never a
    # placeholder
    story1_title = article.find("section", id="story-pku-employment-report").find("h2")
    note, head = story1_title.select_one(".bl-fill-note"), story1_title.select_one(".bl-headline")
    assert (note["lang"], note.get_text(), note["class"]) == ("zh-CN", "英文", ["bl-fill-note", "bl-zh"])
    assert head["lang"] == "en" and "bl-fill" in head["class"] and head.get_text().startswith("Peking University")
    assert not story1_title.select(".bl-gap")


def test_figures_table_lists_records(article):
    table = article.select_one(".figures table")
    text = table.get_text(" ")
    assert "约69万人" in text and "about 690,000 people" in text
    assert "超过203万人" in text and "over 2.03 million people" in text
    assert "约3685万个工日" in text and "about 36.85 million person-days" in text


def test_widgets_load_from_the_site_on_request(built_book, issue1_html):
    srcs = [s.split("?")[0] for s in re.findall(r'<script[^>]*\bsrc="([^"]+)"', issue1_html)]
    assert not [s for s in srcs if "_vendor/" in s]  # not loaded with the page
    assert "application/vnd.jupyter.widget-state+json" not in issue1_html  # nor its state
    assert "application/vnd.jupyter.widget-view+json" in issue1_html
    meta = BeautifulSoup(issue1_html, "html.parser").find("meta", attrs={"name": "panda-widgets"})
    urls = meta["content"].split()
    assert urls[0].endswith("_static/widgets/issues/001-2025-11.json")
    assert [u.rsplit("/", 1)[-1] for u in urls[1:]] == ["require-2.3.8.js", "widgets-assets-path.js", "embed-amd.js"]
    for url in urls:
        assert (built_book.html / "issues" / url).resolve().is_file()
    state = (built_book.html / "_static/widgets/issues/001-2025-11.json").read_text(encoding="utf-8")
    assert '"state"' in state and 'class=\\"bl-zh\\"' in state and 'class=\\"bl-en\\"' in state
    index = (built_book.html / "index.html").read_text(encoding="utf-8")
    assert "panda-widgets" not in index  # only pages with widgets name them


def _pages(built_book):
    return [p for p in built_book.html.rglob("*.html") if "_static" not in p.parts]


def test_no_font_awesome_and_search_index_only_on_the_search_page(built_book):
    for page in _pages(built_book):
        html = page.read_text(encoding="utf-8")
        assert "fontawesome" not in html, page
        assert ("searchindex.js" in html) == (page.name == "search.html"), page
    css = (built_book.html / "_static/styles/pydata-sphinx-theme.css").read_text(encoding="utf-8")
    assert len(css) < 150_000 and "webfonts/fa-" not in css  # purged: 397 KB as shipped, no icon font
    assert ".bd-sidebar-primary" in css and ".bs-tooltip-auto" in css  # used, and added by scripts


def test_interface_text_in_both_languages(built_book, issue1_html):
    soup = BeautifulSoup(issue1_html, "html.parser")
    assert soup.select_one(".skip-link a").get_text() == "跳到正文 · Skip to main content"
    assert "本页目录 · Contents" in soup.select_one(".page-toc.tocsection").get_text(" ", strip=True)
    assert "本期导读 · In this issue" in soup.select_one(".bl-in-this-issue").get_text(" ", strip=True)
    assert soup.select_one("#pst-search-dialog input")["placeholder"] == "搜索 · Search"
    switch = soup.select_one("fieldset.bl-switch")
    assert [i["value"] for i in switch.select("input[type=radio]")] == ["zh", "en", "both"]
    assert [lab.get_text(strip=True) for lab in switch.select("label")] == ["中文", "English", "双语"]
    search = (built_book.html / "search.html").read_text(encoding="utf-8")
    assert "搜索 · Search" in BeautifulSoup(search, "html.parser").find("h1").get_text(" ", strip=True).replace("  ", " ")


@pytest.mark.parametrize(("term", "where"), [
    ("微短剧", "titleterms"), ("就业", "terms"), ("南宁", "titleterms"), ("非遗", "titleterms"),
    ("文旅", "terms"), ("红果短剧", "terms"), ("人数", "terms"), ("employ", "titleterms"), ("nan", "titleterms"),
])
def test_search_index_holds_whole_chinese_words_and_english_stems(built_book, term, where):
    text = (built_book.html / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text.removeprefix("Search.setIndex(").removesuffix(")"))
    assert term in index[where]
    assert "微" not in index["terms"] and "遗文" not in index["terms"]  # no single characters, no mis-cuts


def test_no_page_loads_anything_from_outside(built_book):
    pages = list(built_book.html.rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
        # what a browser fetches: scripts, images, and links that are not mere references
        # (rel=canonical names the published address and loads nothing)
        loads = [t.get("src") for t in soup.select("script[src], img[src], iframe[src]")]
        loads += [t["href"] for t in soup.select("link[href]") if not {"canonical", "alternate"} & set(t.get("rel", []))]
        remote = [u for u in loads if re.match(r"^(https?:)?//", u or "")]
        assert not remote, (page, remote)
        canonical = soup.select_one("link[rel=canonical]")
        assert canonical is None or canonical["href"].startswith("https://panda-minidrama.github.io/newsletter/")
