"""An issue's closing (推荐阅读 · Recommended reading, 请为我点个赞再走 · Share) and the social card.

- the card's text layout (site/cards.py ``layout``) and the drawn PNG (Pillow): the whole card area is used
  (ink in the bottom quarter, the lead chart on the right), every headline or the "and N more" line;
- ``og:description`` at most 200 characters on every page of the built book (parsed with an HTML parser);
- the closing in the built page: the QR code is segno's drawing of the page's address, the Weibo link shares
  that address, the recommended links resolve; after an issue is added, an older issue's list names its stories
  (an incremental build);
- in the browser at 390 and 1280 px: the copy button confirms, or shows the address when the clipboard is
  refused; the QR code is drawn at full size; the block fits the screen.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlsplit

import numpy as np
import pytest
from bs4 import BeautifulSoup
from PIL import Image

from .browsing import DESKTOP, ISSUE, PHONE, visit
from .conftest import BOOK_FILES, build, copy_items

sys.path.insert(0, str(Path(__file__).parents[1] / "_ext"))

from panda_book.site import cards  # noqa: E402

BASE = "https://panda-minidrama.github.io/newsletter/"
#: the seed issue's headlines, as its page shows them (the first has no Chinese headline)
SEED = (("", "Peking University Releases Report: Mini Series Industry Sparks New Momentum for Employment"),
        ("热度超500万！微短剧《开机！鉴湖女侠》红果首发",
         "Popularity Surpasses 5 Million! Mini Series Kai Ji! Jian Hu Nv Xia Premieres on Hongguo"),
        ("见证光影与非遗的交融 微短剧《逆光之艾》在南宁开机拍摄", "ICH Mini Series Ni Guang Zhi Ai Begins Filming in Nanning"),
        ("成都青羊：加速推进文商旅体融合发展", "Qingyang District, Chengdu: Accelerating the Integrated Development of "
         "Culture, Commerce, Tourism, and Sports"))
CHART = cards.CardChart("直接就业与总就业", (("直接就业", 690000.0, "人"), ("上下游带动", 1340000.0, "人"),
                                             ("总就业（含上下游）", 2030000.0, "人")))


def measured():
    """The card's own text measure (the CJK font, Agg at the card's resolution)."""
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    renderer = FigureCanvasAgg(Figure(figsize=(12, 6.3), dpi=cards.DPI)).get_renderer()
    font = cards._font()
    return lambda size: cards._measure(renderer, font, size)


# ---- the card ------------------------------------------------------------------------------

def test_the_seed_card_lays_out_all_four_headlines_beside_the_chart():
    card = cards.Card("第1期 · Issue 1 · 2025-11", SEED, 4, CHART, "panda-minidrama.github.io/newsletter")
    plan = cards.layout(card, measured())
    assert (plan.shown, plan.total) == (4, 4)
    text = " ".join(row.text for row in plan.rows)
    for zh, en in SEED:
        assert zh.replace(" ", "") in text.replace(" ", "") and en.split()[0] in text
    assert "more" not in text
    left, right, top, bottom = cards._COLUMN[True]
    assert all(bottom * cards.HEIGHT < row.y * cards.HEIGHT <= top * cards.HEIGHT for row in plan.rows)


def test_headlines_that_do_not_fit_end_in_the_and_more_line():
    long = tuple((f"第{i}条标题很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长很长",
                  f"Headline {i} is a long one that needs two or three lines of the card's column") for i in range(4))
    plan = cards.layout(cards.Card("第9期", long, 9, CHART), measured())
    assert 1 <= plan.shown < 4 and plan.total == 9
    assert plan.rows[-1].text == f"等9篇 · and {9 - plan.shown} more"
    assert plan.rows[0].text.startswith("第0条")
    # the rows stay above the bottom band
    assert min(r.y for r in plan.rows) > cards._COLUMN[True][3]
    # an issue of more stories than the card shows: the four, then the line
    few = cards.layout(cards.Card("第9期", SEED, 6), measured())
    assert few.shown == 4 and few.rows[-1].text == "等6篇 · and 2 more"


def test_wrap_breaks_between_words_and_chinese_characters_within_the_room():
    width = measured()(20)
    for text in (SEED[3][1], SEED[2][0] * 2):
        lines = cards.wrap(text, width, 400)
        assert len(lines) >= 2 and "".join(lines).replace(" ", "") == text.replace(" ", "")
        assert all(width(line) <= 400 + width("。") for line in lines)


def ink(png: bytes) -> np.ndarray:
    with Image.open(io.BytesIO(png)) as img:
        assert img.size == (cards.WIDTH, cards.HEIGHT)
        px = np.asarray(img.convert("RGB")).astype(int)
    paper = np.array([int(cards.PAPER[i:i + 2], 16) for i in (1, 3, 5)])
    return np.abs(px - paper).sum(axis=2) > 60


def test_the_card_uses_the_whole_area():
    drawn = ink(cards.draw_card(cards.Card("第1期 · Issue 1 · 2025-11", SEED, 4, CHART,
                                           "panda-minidrama.github.io/newsletter")))
    rows = np.nonzero(drawn[:, 60:].any(axis=1))[0]  # (the red strip at the left edge runs the full height)
    assert rows.max() > 0.75 * cards.HEIGHT and rows.min() < 0.15 * cards.HEIGHT
    # text below the top 60 %, and the chart's bars on the right
    assert drawn[int(0.6 * cards.HEIGHT):int(0.88 * cards.HEIGHT), 60:700].sum() > 3000
    assert drawn[int(0.33 * cards.HEIGHT):int(0.83 * cards.HEIGHT), 750:1150].sum() > 20000


@pytest.mark.parametrize("headline", ["ICH Ratings Go $^$ Again in Nanning", "Wins $ and Hearts as $ Flows"])
def test_dollar_signs_are_drawn_as_written_not_as_math(headline):
    # found by the attack review: "$^$" stopped the build with mathtext's traceback; two "$" set the words
    # between them in italics, without their spaces
    import matplotlib.text

    drawn = []
    original = matplotlib.text.Text.draw

    def record(self, renderer):
        drawn.append((self.get_text(), self.get_parse_math()))
        return original(self, renderer)

    matplotlib.text.Text.draw = record
    try:
        png = cards.draw_card(cards.Card("第1期 · Issue 1", (("", headline),), 1, None, "example.org"))
    finally:
        matplotlib.text.Text.draw = original
    assert Image.open(io.BytesIO(png)).size == (cards.WIDTH, cards.HEIGHT)
    dollars = [(text, math) for text, math in drawn if "$" in text]
    assert dollars and not any(math for _, math in dollars), drawn  # drawn, and as plain text


@pytest.mark.parametrize(("value", "shown"), [(690000, "69万人"), (53.4, "53.4人"), (99_995_000, "1亿人"),
                                              (99_999_999, "1亿人"), (3_202_000_000, "32.02亿人"), (1e12, "1万亿人"),
                                              (9999.6, "1万人")])
def test_card_numbers_take_the_next_scale_instead_of_an_exponent(value, shown):
    assert cards._short(value, "人") == shown


# ---- og:description and the card in the built book -----------------------------------------

def test_the_description_keeps_whole_headlines_within_200_characters():
    entry = {"stories": [{"zh": zh, "en": en} for zh, en in SEED * 3]}
    text = cards.description({"number": 7}, entry)
    assert len(text) <= 200 and text.startswith("第7期 · Issue 7: ") and text.endswith("and 11 more")
    assert cards.description({"number": 7}, {"stories": [{"zh": "标" * 300, "en": ""}]}).endswith("…")
    short = cards.description({"number": 1}, {"stories": [{"zh": "短", "en": "Short"}]})
    assert short == "第1期 · Issue 1: 短 · Short"


@pytest.mark.slow
def test_every_page_describes_itself_in_at_most_200_characters(built_book):
    pages = [p for p in built_book.html.rglob("*.html") if "_static" not in p.parts and p.name != "404.html"]
    assert len(pages) > 10
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        for selector in ('meta[property="og:description"]', 'meta[name="twitter:description"]',
                         'meta[name="description"]'):
            content = soup.select_one(selector)["content"]
            assert 0 < len(content) <= cards.DESCRIPTION_MAX, (path, selector, len(content))
    issue = BeautifulSoup((built_book.html / ISSUE).read_text(encoding="utf-8"), "html.parser")
    assert issue.select_one('meta[property="og:description"]')["content"].startswith("第1期 · Issue 1: ")
    card = issue.select_one('meta[property="og:image"]')["content"].removeprefix(BASE)
    drawn = ink((built_book.html / card).read_bytes())
    assert drawn[int(0.75 * cards.HEIGHT):, 60:].sum() > 2000  # the bottom quarter holds ink
    assert drawn[int(0.33 * cards.HEIGHT):int(0.83 * cards.HEIGHT), 750:1150].sum() > 20000  # the lead chart


# ---- the closing in the built page ----------------------------------------------------------

def closing_of(html_path: Path):
    return BeautifulSoup(html_path.read_text(encoding="utf-8"), "html.parser").select_one(".bl-closing")


def qr_paths(svg) -> list[str]:
    return [p.get("d") for p in BeautifulSoup(str(svg), "html.parser").find_all("path")]


@pytest.mark.slow
def test_the_share_block_carries_the_pages_address(built_book):
    import segno

    page = BeautifulSoup((built_book.html / ISSUE).read_text(encoding="utf-8"), "html.parser")
    url = page.select_one('meta[property="og:url"]')["content"]
    assert url == BASE + ISSUE
    share = page.select_one(".bl-closing .bl-share")
    assert share["data-url"] == url and share.select_one(".bl-share-url input")["value"] == url
    # the QR code is segno's drawing of that address: the same modules, at 4 px with a 2-module border
    svg = share.select_one("figure.bl-qr svg")
    qr = segno.make(url, error="m")
    side = qr.symbol_size(scale=4, border=2)[0]
    assert (int(svg["width"]), int(svg["height"])) == (side, side) and side >= 150
    out = io.BytesIO()
    qr.save(out, kind="svg", xmldecl=False, nl=False, scale=4, border=2, dark="#000", light="#fff")
    assert qr_paths(svg) == qr_paths(out.getvalue().decode())
    labels = [share.find(id=i) for i in svg["aria-labelledby"].split()]
    assert [label["lang"] for label in labels] == ["zh-CN", "en"] and all(label.get_text() for label in labels)
    # Weibo shares the address and the page's title
    weibo = urlsplit(share.select_one("a.bl-weibo")["href"])
    assert (weibo.scheme, weibo.netloc, weibo.path) == ("https", "service.weibo.com", "/share/share.php")
    query = parse_qs(weibo.query)
    assert query["url"] == [url] and query["title"][0].startswith("第1期 · Issue 1")
    button = share.select_one("button.bl-copy-link")
    assert button["data-panda-click"] == "copy-link" and not button.has_attr("onclick")
    assert [s["lang"] for s in button.select("[lang]")] == ["zh-CN", "en"]


@pytest.mark.slow
def test_one_issue_recommends_its_topic_pages(built_book):
    closing = closing_of(built_book.html / ISSUE)
    links = [a["href"] for a in closing.select(".bl-recommended a")]
    assert links and all(href.startswith("../topics/") for href in links)
    assert "../topics/nanning.html" in links and len(links) == len(set(links))
    for href in links:
        assert (built_book.html / "issues" / href).resolve().is_file(), href


@pytest.mark.slow
def test_an_added_issue_enters_the_older_issues_recommended_reading(tmp_path):
    from .test_incremental import second_issue

    book = tmp_path / "book"
    book.mkdir()
    copy_items((*BOOK_FILES, "issues", "sources"), book)
    first = build(book)
    assert first.returncode == 0, first.output[-3000:]
    assert all(a["href"].startswith("../topics/") for a in closing_of(book / "_build/html" / ISSUE).select(
        ".bl-recommended a"))
    second_issue(book)
    again = build(book)  # incremental: issue 1's source did not change
    assert again.returncode == 0, again.output[-3000:]
    html = book / "_build" / "html"
    links = [a["href"] for a in closing_of(html / ISSUE).select(".bl-recommended a")]
    assert len(links) == 4 and all(href.startswith("002-2025-12.html#story-") for href in links)
    for href in links:
        target, anchor = href.split("#")
        assert BeautifulSoup((html / "issues" / target).read_text(encoding="utf-8"), "html.parser").find(id=anchor)
    # and the new issue recommends the older one's stories
    back = [a["href"] for a in closing_of(html / "issues" / "002-2025-12.html").select(".bl-recommended a")]
    assert back and all(href.startswith("001-2025-11.html#story-") for href in back)


# ---- in the browser ---------------------------------------------------------------------------

@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_copy_the_link_confirms_or_shows_the_address(open_page, viewport):
    pg = open_page(viewport)
    pg.context.grant_permissions(["clipboard-read", "clipboard-write"], origin=pg.site)
    visit(pg, ISSUE)
    url = BASE + ISSUE
    share = pg.locator(".bl-closing .bl-share")
    share.scroll_into_view_if_needed()
    # the QR code is drawn at its size, and the block fits the screen
    box = pg.locator(".bl-qr svg").bounding_box()
    assert box["width"] >= 150 and box["height"] >= 150
    block = share.bounding_box()
    assert block["x"] >= 0 and block["x"] + block["width"] <= viewport["width"]
    assert pg.evaluate("document.documentElement.scrollWidth") <= viewport["width"]
    button = pg.locator("button.bl-copy-link")
    assert button.is_visible() and button.bounding_box()["height"] >= 40
    button.click()
    status = pg.locator(".bl-copy-status")
    status.get_by_text("链接已复制").wait_for()
    assert "Link copied" in status.inner_text()
    assert pg.evaluate("navigator.clipboard.readText()") == url
    assert not pg.locator(".bl-share-url").is_visible()
    # a browser that refuses the clipboard: the address, selected, to copy by hand
    pg.evaluate("() => { navigator.clipboard.writeText = () => Promise.reject(new Error('refused')); }")
    button.click()
    field = pg.locator(".bl-share-url input")
    field.wait_for(state="visible")
    assert field.input_value() == url
    assert pg.evaluate("document.activeElement === document.querySelector('.bl-share-url input')")
    assert "Copy the address above" in status.inner_text()
    # in the English mode the labels remain, the Chinese words are hidden
    visit(pg, ISSUE + "?lang=en")
    titles = [t.strip() for t in pg.locator(".bl-closing-title").all_inner_texts()]
    assert titles == ["Recommended reading", "Share"]
    assert pg.errors == [] and pg.outside == []
