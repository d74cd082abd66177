"""The newsletter around the issues, in the built site: archive, topics, feeds, cards, sitemap, 404."""

from __future__ import annotations

import re

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image

pytestmark = pytest.mark.slow

BASE = "https://panda-minidrama.github.io/newsletter/"


def page(built_book, name):
    return BeautifulSoup((built_book.html / name).read_text(encoding="utf-8"), "html.parser")


def test_home_page_shows_the_latest_issue_then_the_archive(built_book):
    home = page(built_book, "index.html")
    latest = home.select_one("section#latest-issue")
    assert "最新一期" in latest.find("h2").get_text() and "Issue 1" in latest.find("h2").get_text()
    heads = [a.get_text(" ", strip=True) for a in latest.select(".bl-headlines a")]
    assert len(heads) == 4 and "热度超500万" in heads[1] and "Popularity Surpasses 5 Million" in heads[1]
    date = latest.select_one(".bl-issue-date time")
    assert (date["datetime"], date.get_text()) == ("2025-11", "2025年11月 · November 2025")
    assert [s["lang"] for s in date.select("[lang]")] == ["zh-CN", "en"]
    assert home.select_one("a[href='data.html']") and home.select_one("a[href='topics/index.html']")


def test_the_page_of_all_issues_lists_them_and_every_page_links_it(built_book):
    home = page(built_book, "index.html")
    link = home.select_one(".bl-all-issues a")
    assert link["href"] == "archive.html" and link.get_text(" ", strip=True) == "全部往期（1期） · All issues (1)"
    archive = page(built_book, "archive.html")
    assert archive.select_one("section#latest-issue h2 a")["href"] == "issues/001-2025-11.html"
    assert len(archive.select("section#latest-issue .bl-headlines a")) == 4
    for name, prefix in (("index.html", ""), ("issues/001-2025-11.html", "../")):
        nav = [(a.get_text(" ", strip=True), a["href"]) for a in page(built_book, name).select("nav.bd-docs-nav a")][:4]
        assert [text for text, _ in nav] == ["首页 · Home", "往期 · All issues", "话题 · Topics", "数据 · Data"]
        assert nav[1][1] == prefix + "archive.html"


def test_topic_pages_list_their_stories(built_book):
    topics = page(built_book, "topics/index.html")
    names = [a.get_text(" ", strip=True) for a in topics.select("ul.bl-topics a")]
    assert "南宁 · Nanning" in names and len(names) == 9
    nanning = page(built_book, "topics/nanning.html")
    links = [a["href"] for a in nanning.select("ul.bl-topic-stories a")]
    assert links == ["../issues/001-2025-11.html#story-niguang-zhi-ai-nanning"]
    heritage = page(built_book, "topics/heritage.html")
    assert len(heritage.select("ul.bl-topic-stories li")) == 3
    issue = page(built_book, "issues/001-2025-11.html")
    tags = [a["href"] for a in issue.select("#story-niguang-zhi-ai-nanning .bl-tags a")]
    assert "../topics/nanning.html" in tags and all((built_book.html / "issues" / t).resolve().is_file() for t in tags)


@pytest.mark.parametrize("name", ["feed.xml", "atom.xml"])
def test_feeds_hold_every_issue_with_absolute_links(built_book, name):
    import feedparser

    feed = feedparser.parse((built_book.html / name).read_bytes())
    assert not feed.bozo, feed.bozo_exception
    assert feed.feed.title == "PANDA微短剧 · Mini-drama newsletter"
    assert [e.title for e in feed.entries] == ["第1期 · Issue 1"]
    entry = feed.entries[0]
    assert entry.link == BASE + "issues/001-2025-11.html"
    assert tuple(entry.published_parsed[:3]) == (2025, 11, 1)
    assert "热度超500万" in entry.summary and "Popularity Surpasses 5 Million" in entry.summary


def test_every_page_has_social_meta_and_the_issue_its_card(built_book):
    pages = [p for p in built_book.html.rglob("*.html") if "_static" not in p.parts and p.name != "404.html"]
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        meta = {m.get("property") or m.get("name"): m["content"] for m in soup.select("meta[content]")}
        for key in ("og:title", "og:description", "og:url", "og:image", "twitter:card", "twitter:image"):
            assert meta.get(key), (path, key)
        assert meta["og:url"].startswith(BASE) and meta["og:image"].startswith(BASE + "_static/cards/")
        feed = soup.select_one('link[rel=alternate][type="application/rss+xml"]')["href"]
        assert (path.parent / feed).resolve() == (built_book.html / "feed.xml").resolve()
    issue = page(built_book, "issues/001-2025-11.html")
    card = issue.select_one('meta[property="og:image"]')["content"].removeprefix(BASE)
    with Image.open(built_book.html / card) as img:
        assert img.size == (1200, 630)
        px = np.asarray(img.convert("RGB")).astype(int)
    red = (abs(px[..., 0] - 200) < 25) & (px[..., 1] < 50) & (abs(px[..., 2] - 46) < 30)
    dark = px.sum(axis=2) < 200
    assert red.sum() > 5000 and dark.sum() > 5000  # the brand line and the headlines are drawn
    home_card = page(built_book, "index.html").select_one('meta[property="og:image"]')["content"]
    assert home_card != BASE + card  # the site has its own card


def test_sitemap_robots_and_404(built_book):
    sitemap = (built_book.html / "sitemap.xml").read_text(encoding="utf-8")
    locs = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    assert BASE + "issues/001-2025-11.html" in locs and BASE + "topics/nanning.html" in locs
    assert all(loc.startswith(BASE) for loc in locs)
    assert f"Sitemap: {BASE}sitemap.xml" in (built_book.html / "robots.txt").read_text(encoding="utf-8")
    notfound = page(built_book, "404.html")
    assert "页面不存在" in notfound.find("h1").get_text() and "Page not found" in notfound.find("h1").get_text()
    assert notfound.select_one("a")["href"] == "/newsletter/index.html"  # absolute: works at any depth
    assert not notfound.select("link[rel=stylesheet], script[src]")


def test_previous_and_next_follow_the_issues(built_book):
    # an issue links the issues before and after it, never the pages around it in _toc.yml (home, data);
    # with two issues: tests/test_incremental.py
    issue = page(built_book, "issues/001-2025-11.html")
    assert issue.select(".prev-next-area a") == []
    assert not issue.select('link[rel="prev"], link[rel="next"]')
    data = page(built_book, "data.html")
    assert data.select_one(".prev-next-area a.left-prev .prev-next-subtitle").get_text(" ", strip=True) == "上一页 · previous"
