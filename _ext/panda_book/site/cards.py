"""Social cards and meta tags: what a link to a page shows when it is shared.

Every page gets OpenGraph and Twitter meta tags (``html-page-context``) with a
card image, drawn once per content with the project's CJK font
(``_static/cards/card-<digest>.png``, 1200x630):

- the masthead (PANDA微短剧 and its English line) and the issue's name and date;
- the issue's headlines in both languages, as many as fit the card at a size
  still read on a phone, then "等N篇 · and M more" (:func:`layout`);
- the issue's lead chart (its first chart figure), drawn again from the numbers
  its SVG carries (charts/_render.py writes them into its metadata), as bars
  scaled into the right part of the card;
- the site's address along the bottom edge.

``og:description`` is the issue's headlines, cut at whole headlines to at most
:data:`DESCRIPTION_MAX` characters (:func:`description`).
"""

from __future__ import annotations

import hashlib
import html
import io
import os
import re
from dataclasses import dataclass, field
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError

from newsletter.rules import CARD_STORIES

from ..model.store import IssueStore
from .archive import SITE_DESCRIPTION, base_url, issue_name, page_url

#: the card's size in pixels (OpenGraph's recommended 1.91:1)
WIDTH, HEIGHT = 1200, 630
DPI = 100
#: og:description's longest: what link previews show of it (Facebook cuts at about 200 characters)
DESCRIPTION_MAX = 200
#: drawn into the card's digest, so a change to the drawing code draws the cards again
CARD_VERSION = 2
MASTHEAD = ("PANDA微短剧", "Catch the pulse of mini-drama")
RED, INK, GREY, PAPER = "#c8102e", "#222222", "#5f5f5f", "#fff8f0"

#: the headline column (figure fractions: left, right, top, bottom) with and without a chart beside it
_COLUMN = {True: (0.05, 0.575, 0.745, 0.13), False: (0.05, 0.95, 0.745, 0.13)}
_CHART_BOX = (0.63, 0.17, 0.335, 0.50)  # left, bottom, width, height
#: the headline sizes tried, largest first (points at 100 dpi: 20 pt is 28 px, read on a phone's preview)
_SIZES = (22, 20, 18)
_LINE = 1.28  # line height, in font sizes


@dataclass(frozen=True)
class CardChart:
    """The lead chart as the card draws it: caption and (label, value, unit) rows, from its SVG's metadata."""

    caption: str
    rows: tuple[tuple[str, float, str], ...]


@dataclass(frozen=True)
class Card:
    """What a card shows."""

    #: the issue's name and date ("第1期 · Issue 1 · 2025-11"), or the site's line on other pages
    label: str
    #: (Chinese, English) headlines, either may be empty: the first CARD_STORIES of the issue
    headlines: tuple[tuple[str, str], ...] = ()
    #: how many stories the issue has (more than the headlines: the card says "and N more")
    total: int = 0
    chart: CardChart | None = None
    #: the site's address, along the bottom
    address: str = ""


@dataclass
class Row:
    """One line of the headline column: its text, size, colour and top (figure fraction)."""

    text: str
    size: float
    color: str = INK
    weight: str = "normal"
    y: float = 0.0


@dataclass
class Layout:
    rows: list[Row] = field(default_factory=list)
    #: how many headlines are drawn, of how many
    shown: int = 0
    total: int = 0


# ---- what the card and the description say ---------------------------------------

def card_of(meta: dict, entry: dict | None, chart: CardChart | None, address: str) -> Card:
    if entry is None:
        return Card(label="", headlines=(("网罗行业热点不迷路！", "Follow PANDA and stay tuned!"),), address=address)
    zh, en = issue_name(meta)
    label = " · ".join(p for p in (zh, en, str(meta.get("date", ""))) if p)
    heads = tuple((s["zh"], s["en"]) for s in entry["stories"][:CARD_STORIES])
    return Card(label=label, headlines=heads, total=len(entry["stories"]), chart=chart, address=address)


def more_line(shown: int, total: int) -> str:
    """The line after the headlines a card or a description leaves out: 等4篇 · and 3 more."""
    return f"等{total}篇 · and {total - shown} more"


def description(meta: dict, entry: dict | None) -> str:
    """``og:description``: the issue's name, then its headlines (both languages) whole, as many as fit in
    :data:`DESCRIPTION_MAX` characters with the "and N more" line; a headline longer than that alone is cut."""
    if entry is None:
        return SITE_DESCRIPTION[:DESCRIPTION_MAX]
    zh, en = issue_name(meta)
    head = f"{zh} · {en}: "
    parts = [" · ".join(p for p in (s["zh"], s["en"]) if p) for s in entry["stories"]]
    total = len(parts)
    for shown in range(total, 0, -1):
        text = head + " / ".join(parts[:shown]) + ("" if shown == total else f" / {more_line(shown, total)}")
        if len(text) <= DESCRIPTION_MAX:
            return text
    text = head + (parts[0] if parts else "")
    return text if len(text) <= DESCRIPTION_MAX else text[:DESCRIPTION_MAX - 1] + "…"


# ---- the text layout ------------------------------------------------------------------

def _font():
    """The card's font as the house style names it (charts/panda.mplstyle: the CJK font, DejaVu Sans after it)."""
    from matplotlib.font_manager import FontProperties

    from charts._fonts import CJK_FAMILY, register_cjk_font

    register_cjk_font()
    return FontProperties(family=[CJK_FAMILY, "DejaVu Sans"])


def _measure(renderer, font, size: float):
    """A function giving a text's width in pixels at ``size`` points (drawn at :data:`DPI`)."""
    prop = font.copy()
    prop.set_size(size)

    def width(text: str) -> float:
        return renderer.get_text_width_height_descent(text, prop, ismath=False)[0]

    return width


def wrap(text: str, width, room: float) -> list[str]:
    """``text`` broken into lines no wider than ``room`` pixels: between words, and between any two
    Chinese characters (never before closing or after opening punctuation)."""
    tokens = re.findall(r"[A-Za-z0-9\u00c0-\u024f'’.,:;!?%\-–—]+[)\]）」』”’]*|\s+|.", text)
    lines, line = [], ""
    for token in tokens:
        if not line and token.isspace():
            continue
        trial = line + token
        if width(trial.rstrip()) <= room or not line:
            line = trial
            continue
        # closing punctuation stays on its line (a little over is better than a line that starts with 。)
        if re.fullmatch(r"[，。！？；：、）」』”’,.!?;:)]", token):
            line = trial
            continue
        lines.append(line.rstrip())
        line = "" if token.isspace() else token
    if line.strip():
        lines.append(line.rstrip())
    return lines


def layout(card: Card, width_of) -> Layout:
    """The headline column's rows: every headline (Chinese in bold, English under it) at the largest size of
    :data:`_SIZES` where they all fit; else the first headlines that fit at the smallest, then the "and N more"
    line. ``width_of(size)`` gives the function that measures a text at that size (:func:`_measure`)."""
    left, right, top, bottom = _COLUMN[card.chart is not None]
    room_w = (right - left) * WIDTH
    room_h = (top - bottom) * HEIGHT
    total = max(card.total, len(card.headlines))

    def blocks(size: float) -> list[list[Row]]:
        width = width_of(size)
        out = []
        for zh, en in card.headlines:
            rows = [Row(t, size, INK, "bold") for t in wrap(zh, width, room_w)] if zh else []
            small = width_of(size * 0.82)
            rows += [Row(t, size * 0.82, GREY) for t in wrap(en, small, room_w)] if en else []
            out.append(rows)
        return out

    def height(rows: list[Row]) -> float:
        return sum(r.size * _LINE * DPI / 72 for r in rows)

    gap = 0.45  # between two headlines, in line heights
    for size in _SIZES:
        made = blocks(size)
        rows = [r for i, b in enumerate(made) for r in ([Row("", size * gap)] if i else []) + b]
        if len(made) < total:  # the issue has more stories than a card shows
            rows += [Row("", size * gap), Row(more_line(len(made), total), size * 0.9, RED, "bold")]
        if height(rows) <= room_h:
            return _place(rows, top, len(made), total)
    size = _SIZES[-1]
    made = blocks(size)
    more = Row(more_line(0, total), size * 0.9, RED, "bold")
    rows: list[Row] = []
    shown = 0
    for block in made:
        trial = rows + ([Row("", size * gap)] if rows else []) + block
        more.text = more_line(shown + 1, total)
        if height(trial) + height([Row("", size * gap), more]) > room_h:
            break
        rows, shown = trial, shown + 1
    if shown == 0:  # the lead alone does not fit: its first lines, as many as there is room for
        for row in made[0] if made else []:
            if height(rows + [row, Row("", size * gap), more]) > room_h:
                break
            rows.append(row)
        shown = 1 if rows else 0
    more.text = more_line(shown, total)
    return _place(rows + [Row("", size * gap), more], top, shown, total)


def _place(rows: list[Row], top: float, shown: int, total: int) -> Layout:
    y = top
    for row in rows:
        row.y = y
        y -= row.size * _LINE * DPI / 72 / HEIGHT
    return Layout([r for r in rows if r.text], shown, total)


# ---- drawing -------------------------------------------------------------------------

def draw_card(card: Card) -> bytes:
    """The card as a 1200x630 PNG, in the house style and the CJK font; a glyph the font lacks raises
    ``UserWarning`` (the issue rules check the headlines first: newsletter.rules.card)."""
    import warnings

    from matplotlib import style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.patches import Rectangle

    from charts._render import STYLE

    font = _font()
    # text as written: "$" is not mathtext ("Wins $ and Hearts as $ Flows" came out in italics, "$^$" stopped the
    # build with a parser's traceback)
    with style.context([STYLE, {"savefig.bbox": "standard", "text.parse_math": False}]), warnings.catch_warnings():
        warnings.simplefilter("error")  # a missing glyph is an error, not a box on the card
        fig = Figure(figsize=(WIDTH / DPI, HEIGHT / DPI), dpi=DPI)
        canvas = FigureCanvasAgg(fig)
        renderer = canvas.get_renderer()
        fig.patch.set_facecolor(PAPER)
        fig.add_artist(Rectangle((0, 0), 0.02, 1, transform=fig.transFigure, color=RED))
        # the masthead
        fig.text(0.05, 0.93, MASTHEAD[0], fontsize=34, fontweight="bold", color=RED, va="top")
        fig.text(0.05, 0.835, MASTHEAD[1], fontsize=17, color=GREY, va="top")
        fig.text(0.95, 0.915, card.label, fontsize=17, color=INK, va="top", ha="right")
        fig.add_artist(Rectangle((0.05, 0.77), 0.90, 0.004, transform=fig.transFigure, color=RED))
        # the headlines
        plan = layout(card, lambda size: _measure(renderer, font, size))
        left = _COLUMN[card.chart is not None][0]
        for row in plan.rows:
            fig.text(left, row.y, row.text, fontsize=row.size, color=row.color, fontweight=row.weight, va="top")
        if card.chart is not None:
            _draw_chart(fig, card.chart)
        # the bottom edge: the site's address
        fig.add_artist(Rectangle((0.02, 0), 0.98, 0.085, transform=fig.transFigure, color="#f3e3d3"))
        fig.text(0.05, 0.042, card.address or MASTHEAD[0], fontsize=15, color=INK, va="center")
        fig.text(0.95, 0.042, "PANDA微短剧 · Mini-drama newsletter", fontsize=15, color=RED, va="center", ha="right")
        out = io.BytesIO()
        fig.savefig(out, format="png", dpi=DPI, facecolor=fig.get_facecolor(), metadata={"Software": None})
    return out.getvalue()


#: the card's scales of Chinese numbers, largest first
_SCALES = ((1e12, "万亿"), (1e8, "亿"), (1e4, "万"), (1.0, ""))


def _short(value: float, unit: str) -> str:
    """690000, 人 -> 69万人; 53.4, 个工日 -> 53.4个工日 (the card has no room for long numbers); a value that rounds
    up to 10,000 of one scale takes the next (99,995,000 -> 1亿, not 1e+04万)."""
    for i, (scale, name) in enumerate(_SCALES):
        if abs(value) >= scale or scale == 1.0:
            if abs(float(f"{value / scale:.4g}")) >= 10_000 and i > 0:
                scale, name = _SCALES[i - 1]
            return f"{value / scale:.4g}{name}{unit}"
    raise AssertionError("unreachable: the last scale takes every value")


def _draw_chart(fig, chart: CardChart) -> None:
    """The lead chart's numbers as horizontal bars with their labels, in the right part of the card."""
    left, bottom, width, height = _CHART_BOX
    fig.text(left, bottom + height + 0.075, chart.caption, fontsize=16, fontweight="bold", color=INK, va="top")
    ax = fig.add_axes((left, bottom, width, height))
    rows = chart.rows[:6]
    values = [max(v, 0) for _, v, _ in rows]
    top = max(values) or 1
    ys = list(range(len(rows)))[::-1]
    ax.barh(ys, values, height=0.55, color=RED)
    for y, (label, value, unit) in zip(ys, rows):
        ax.text(0, y + 0.42, label, fontsize=13, color=INK, va="bottom")
        ax.text(max(value, 0) + top * 0.02, y, _short(value, unit), fontsize=13, color=INK, va="center")
    ax.set_xlim(0, top * 1.35)
    ax.set_ylim(-0.5, len(rows) - 0.1)
    ax.set_axis_off()


# ---- the card of a page, its file and the meta tags -----------------------------------

def lead_chart(app: Sphinx, pagename: str, doctree) -> CardChart | None:
    """The page's first chart (chartfig.py's figures), read from its Chinese SVG's metadata, or None."""
    if doctree is None:
        return None
    from ..directives.chartfig import chart_image, svg_info

    srcdir = Path(app.srcdir)
    for image in doctree.findall(chart_image):
        # the writer has pointed "uri" at _images/ by now; the image collector's candidate is the source file's
        uri = image.get("candidates", {}).get("*") or image["uri"]
        candidates = [srcdir / uri.lstrip("/")] if uri.startswith("/") else [srcdir / Path(pagename).parent / uri,
                                                                              srcdir / uri]
        path = next((c for c in candidates if c.is_file()), None)
        info = svg_info(path) if path else None
        if info and info.lang == "zh-CN" and info.data:
            rows = tuple((str(r[0]), float(r[2]), str(r[3])) for r in info.data if isinstance(r[2], (int, float)))
            if rows:
                return CardChart(caption=info.caption, rows=rows)
    return None


def card_for(app: Sphinx, card: Card) -> str:
    """The card image for this content (drawn once; the name carries its digest)."""
    digest = hashlib.sha256(repr((CARD_VERSION, card)).encode()).hexdigest()[:12]
    rel = f"_static/cards/card-{digest}.png"
    path = Path(app.outdir) / rel
    if not path.is_file():  # two writer processes may draw the same card: each writes a whole file, then moves it
        path.parent.mkdir(parents=True, exist_ok=True)
        part = path.with_name(f"{path.name}.{os.getpid()}.part")
        part.write_bytes(draw_card(card))
        os.replace(part, path)
    return rel


def _meta_tags(app: Sphinx, pagename: str, templatename: str, context, doctree) -> None:
    base = base_url(app)
    entry = IssueStore.of(app.env).get(pagename)
    meta = entry["meta"] if entry else {}
    # the title as text: Sphinx's is HTML (its tags and entities), escaped once below
    title = html.unescape(re.sub(r"<[^>]+>", "", context.get("title") or "PANDA微短剧"))
    text = description(meta, entry)
    address = re.sub(r"^https?://", "", base).rstrip("/")
    card = card_of(meta, entry, lead_chart(app, pagename, doctree) if entry else None, address)
    try:
        image = base + card_for(app, card)
    except UserWarning as exc:  # the rules check the card's text against the font first: this is a safety net
        raise SphinxError(f"{pagename}: the social card cannot be drawn ({exc}); change the first "
                          f"{CARD_STORIES} headlines (python -m newsletter validate names the character)") from None
    url = page_url(app, pagename)
    tags = {
        "og:title": title, "og:description": text, "og:url": url, "og:image": image,
        "og:image:width": str(WIDTH), "og:image:height": str(HEIGHT), "og:type": "article" if entry else "website",
        "og:site_name": "PANDA微短剧", "og:locale": "zh_CN", "og:locale:alternate": "en_US",
    }
    twitter = {"twitter:card": "summary_large_image", "twitter:title": title, "twitter:description": text,
               "twitter:image": image}
    html_tags = [f'<meta property="{k}" content="{html.escape(v)}">' for k, v in tags.items()]
    html_tags += [f'<meta name="{k}" content="{html.escape(v)}">' for k, v in twitter.items()]
    html_tags += [f'<meta name="description" content="{html.escape(text)}">',
                  # relative, like every other link of the page: the book also works from a folder
                  f'<link rel="alternate" type="application/rss+xml" title="PANDA微短剧 RSS" '
                  f'href="{context["pathto"]("feed.xml", 1)}">',
                  f'<link rel="alternate" type="application/atom+xml" title="PANDA微短剧 Atom" '
                  f'href="{context["pathto"]("atom.xml", 1)}">']
    # the full-text feeds in each language, and a topic page's own (site/feeds.py)
    from .feeds import FEED_TITLES

    html_tags += [f'<link rel="alternate" type="application/atom+xml" title="{html.escape(FEED_TITLES[lang])}" '
                  f'href="{context["pathto"](f"feeds/{lang}.xml", 1)}">' for lang in FEED_TITLES]
    if pagename.startswith("topics/") and pagename != "topics/index":
        feed = context["pathto"](pagename + ".xml", 1)
        html_tags.append(f'<link rel="alternate" type="application/atom+xml" '
                         f'title="PANDA微短剧 · {html.escape(title)}" href="{feed}">')
    if entry:  # an issue's language views (the reading switch reads ?lang=)
        html_tags += [f'<link rel="alternate" hreflang="{code}" href="{html.escape(url)}?lang={lang}">'
                      for code, lang in (("zh-CN", "zh"), ("en", "en"))]
        html_tags.append(f'<link rel="alternate" hreflang="x-default" href="{html.escape(url)}">')
    context["metatags"] = context.get("metatags", "") + "\n" + "\n".join(html_tags)


def setup_cards(app: Sphinx) -> None:
    app.connect("html-page-context", _meta_tags)
