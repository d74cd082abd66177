"""What the reader gets: the built HTML of the book."""

from __future__ import annotations

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
    sources = ["人民网", "绍兴网", "广西日报-广西云", "人民网"]
    for section, source in zip(sections, sources):
        zh = section.select_one('.bl-block.bl-zh[lang="zh-CN"]')
        en = section.select_one('.bl-block.bl-en[lang="en"]')
        assert zh is not None and en is not None
        assert zh.select_one(".bl-source").get_text() == f"来源：{source}"
        assert en.select_one(".bl-source").get_text() == f"Source: {source}"
        title = section.find("h2")
        assert title.select('[lang="zh-CN"]') and title.select('[lang="en"]')


@pytest.mark.parametrize(("story", "lang", "marker"), [
    ("pku-employment-report", "zh-CN", "原文无中文标题"),
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
    assert fold(en.get_text("")) == "No English in the source"


def test_contents_fragment_is_used_as_headlines_not_loose_lines(article):
    text = article.get_text("")
    assert text.count("ICH Mini Series Ni Guang Zhi Ai Begins Filming in Nanning") == 1
    assert text.count("Qingyang District, Chengdu: Accelerating the Integrated Development") == 1
    assert text.count("成都青羊：加速推进文商旅体融合发展") == 1
    h2 = article.find("section", id="story-qingyang-chengdu").find("h2")
    assert fold(h2.get_text("")).startswith("4. 成都青羊:加速推进文商旅体融合发展")


def test_charts_have_real_alt_text_and_captions(article):
    figures = article.select("figure")
    assert len(figures) == 2
    for fig in figures:
        img = fig.find("img")
        alt = img["alt"]
        assert alt and not alt.endswith((".svg", ".png")) and "/" not in alt.split()[0]
        assert re.search(r"\d", alt)
        assert "来源" in fig.find("figcaption").get_text() and "人民网" in fig.find("figcaption").get_text()
    alts = " ".join(f.find("img")["alt"] for f in figures)
    assert "690,000" in alts and "69万" in alts and "2.9" in alts and "53.4" in alts


def test_figures_table_lists_records(article):
    table = article.select_one(".figures table")
    text = table.get_text(" ")
    assert "约69万人" in text and "about 690,000 people" in text
    assert "超过203万人" in text and "over 2.03 million people" in text
    assert "约3685万个工日" in text and "about 36.85 million person-days" in text


def test_widget_scripts_are_served_by_the_site(built_book, issue1_html):
    srcs = [s.split("?")[0] for s in re.findall(r'<script[^>]*\bsrc="([^"]+)"', issue1_html)]
    vendor = [s for s in srcs if "_vendor/" in s]
    assert [s.rsplit("/", 1)[-1] for s in vendor] == ["require-2.3.8.js", "widgets-assets-path.js", "embed-amd.js"]
    for src in vendor:
        assert (built_book.html / "issues" / src).resolve().is_file()
    assert "application/vnd.jupyter.widget-state+json" in issue1_html
    index = (built_book.html / "index.html").read_text(encoding="utf-8")
    assert "_vendor/" not in index  # only pages with widgets load them


def test_no_page_loads_anything_from_outside(built_book):
    pages = list(built_book.html.rglob("*.html"))
    assert len(pages) >= 3
    for page in pages:
        html = page.read_text(encoding="utf-8")
        remote = re.findall(r'<(?:script|link|img)[^>]*\b(?:src|href)="((?:https?:)?//[^"]+)"', html)
        assert not remote, (page, remote)
