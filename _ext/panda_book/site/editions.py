"""The issue beyond the web page: the email edition, the WeChat article and the full-text feeds.

Every edition is made from the issue model (newsletter/edition.py), never from the page, so it carries the
page's texts, gap markers, numbers and sources. A post-build step (postbuild/pipeline.py) writes:

- ``_build/email/<issue-stem>/{zh,en,both}.{html,txt}`` and ``edition.json`` (newsletter/mailing.py): HTML
  in a 600 px table, fluid to 320 px, its styles inlined by css-inline (EMAIL_CSS) but the media queries
  (EMAIL_MEDIA_CSS: narrow screens, dark mode), no script, form, stylesheet link or web font; charts as PNG
  at 2x, copied into the site (``_email/<issue>/<chart>-<lang>[-narrow].png``, addresses that stay when a chart
  is redrawn) and linked by absolute address under ``html_baseurl``. An HTML part over
  :data:`EMAIL_LIMIT` bytes (Gmail clips longer messages) holds the first paragraphs of each story, a link
  to the rest, and a notice saying so.
- ``_build/wechat/<issue-stem>.html``: the article for WeChat's editor in 中文, English and 双语 (three
  ``<article>`` elements): inline styles only (no class, ``<style>``, script or link), sources named in
  text; ``_build/wechat/<issue-stem>.editor.html`` shows each with a 复制 · Copy button (wechat-copy.js).
- (the full-text feeds, whose entries are these emails: site/feeds.py, the next step)

The email and WeChat folders are written beside ``_build/html`` into fresh folders and exchanged with the
old ones when the site is (staging.py): a failed build leaves them as the last good build made them.
"""

from __future__ import annotations

import atexit
import functools
import hashlib
import html
import json
import os
import re
import shutil
from dataclasses import dataclass
from html.parser import HTMLParser
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import ConfigError, SphinxError
from sphinx.util import logging

from newsletter.edition import Chart, Edition, EditionStory, Paragraph, read_edition
from newsletter.mailing import EMAIL_IMAGE_WIDTH, EMAIL_NARROW_WIDTH, LANGS, UNSUBSCRIBE_PLACEHOLDER, email_settings

from ..model.store import EditionStore, run_state
from .archive import base_url, issues_newest_first, render

logger = logging.getLogger(__name__)

#: Gmail clips a message whose HTML is longer than 102 KB
EMAIL_LIMIT = 102_000
#: room kept for the recipient's unsubscribe link, which send puts where the placeholder is (escaped)
UNSUBSCRIBE_ROOM = 2_000
CODE = {"zh": "zh-CN", "en": "en", "both": "zh-CN"}
OTHER = {"zh": "en", "en": "zh"}

#: what the editions say, in each language
WORDS = {
    "zh": {"read_on_web": "在网页上阅读", "in_this_issue": "本期导读", "source": "来源：", "and": "、",
           "charts": "数据与图表", "figure": "图", "figure_sep": "　", "chart_source": "。来源：",
           "unsubscribe": "退订", "why": "你收到这封邮件，是因为你订阅了PANDA微短剧。",
           "truncated": "本期较长，邮件只收录每篇的前几段；全文请在网页上阅读。",
           "truncated_stories": "本期较长，邮件只收录前{shown}篇（共{total}篇）的开头；其余各篇和全文请在网页上阅读。",
           "other_on_web": "在网页上阅读英文原文", "rest_on_web": "在网页上阅读全文", "colon": "：",
           "wechat_other": "英文原文见文末“阅读原文”。", "open": "（", "close": "）"},
    "en": {"read_on_web": "Read on the web", "in_this_issue": "In this issue", "source": "Source: ",
           "and": ", ", "charts": "Figures and charts", "figure": "Fig.", "figure_sep": " ",
           "chart_source": ". Source: ", "unsubscribe": "Unsubscribe",
           "why": "You are receiving this because you subscribed to PANDA Mini-drama.",
           "truncated": "This issue is long: the email holds the first paragraphs of each story; read it all "
                        "on the web.",
           "truncated_stories": "This issue is long: the email holds the beginning of the first {shown} of its "
                                "{total} stories; read the others, and every story in full, on the web.",
           "other_on_web": "Read the Chinese original on the web",
           "rest_on_web": "Read the whole story on the web", "colon": ": ",
           "wechat_other": "The Chinese original: see “Read more” (阅读原文) at the end.", "open": " (", "close": ")"},
}

#: inlined into every element by css-inline (light mode: every text at least 4.5:1 on its background)
EMAIL_CSS = """
body.page { margin: 0; padding: 0; background: #f2f2f2; color: #1f1f1f; -webkit-text-size-adjust: 100%; }
.preheader { display: none; max-height: 0; overflow: hidden; font-size: 1px; line-height: 1px;
  color: #f2f2f2; opacity: 0; }
.outer { background: #f2f2f2; }
.outer-cell { padding: 16px 0; }
.wrap { width: 600px; max-width: 600px; background: #ffffff; border-collapse: collapse; }
.pad { padding: 16px 20px; text-align: left; font-family: 'PingFang SC', 'Hiragino Sans GB', 'Microsoft YaHei',
  'Noto Sans CJK SC', 'Noto Sans SC', Arial, sans-serif; overflow-wrap: anywhere; word-break: break-word;
  font-size: 16px; line-height: 1.7;
  color: #1f1f1f; }
.masthead { border-bottom: 3px solid #1f1f1f; padding-top: 24px; }
.brand { margin: 0 0 4px; font-size: 15px; color: #4d4d4d; }
.title { margin: 8px 0 4px; font-size: 24px; line-height: 1.4; color: #1f1f1f; font-weight: bold; }
.web { margin: 8px 0 0; font-size: 15px; }
.link { color: #0b57d0; text-decoration: underline; }
.notice { background: #fff4ce; }
.notice-text { margin: 0; font-size: 15px; color: #1f1f1f; }
.contents { border-bottom: 1px solid #d0d0d0; }
.contents-title { margin: 0 0 8px; font-size: 18px; color: #1f1f1f; }
.contents-list { margin: 0; padding-left: 24px; }
.contents-item { margin: 0 0 8px; font-size: 16px; }
.story { border-bottom: 1px solid #d0d0d0; }
.headline { margin: 4px 0 12px; font-size: 20px; line-height: 1.45; color: #1f1f1f; font-weight: bold; }
.body { margin: 0 0 14px; font-size: 16px; line-height: 1.75; color: #1f1f1f; }
.gap { margin: 0 0 10px; font-size: 14px; color: #4d4d4d; }
.more { margin: 0 0 14px; font-size: 15px; }
.source { margin: 8px 0 0; font-size: 14px; color: #4d4d4d; }
.chart-box { margin: 8px 0 4px; }
.chart { display: block; width: 100%; max-width: 560px; height: auto; border: 0; }
.caption { margin: 0 0 18px; font-size: 14px; color: #4d4d4d; }
.footer { background: #f7f7f7; }
.footer-text { margin: 0 0 8px; font-size: 14px; color: #4d4d4d; }
code { font-family: Menlo, Consolas, monospace; font-size: 14px; }
p[lang="en"], h2[lang="en"] { font-family: Arial, Helvetica, sans-serif; }
.gap { border-left: 3px solid #bdbdbd; padding-left: 8px; }
.gap[lang="en"] { font-style: italic; }
.headline-second { margin-top: -6px; font-size: 17px; font-weight: 600; color: #4d4d4d; }
.body-second { color: #333333; }
.button { display: inline-block; padding: 10px 16px; border: 1px solid #0b57d0; border-radius: 4px;
  text-decoration: none; }
.footer-link { display: inline-block; padding: 12px 0; }
.more .link { display: inline-block; padding: 10px 0; }
.chart-narrow { display: none; max-height: 0; overflow: hidden; }
"""

#: the only <style> an email keeps: what clients honour in media queries (phones, dark mode)
EMAIL_MEDIA_CSS = (
    "@media (max-width: 599.98px) { .wrap { width: 100% !important; max-width: 100% !important; } "
    ".pad { padding-left: 14px !important; padding-right: 14px !important; } "
    ".outer-cell { padding: 0 !important; } .title { font-size: 21px !important; } "
    ".chart-wide { display: none !important; } .chart-narrow { display: block !important; max-height: none "
    "!important; width: 100% !important; max-width: 360px !important; height: auto !important; } } "
    "@media (prefers-color-scheme: dark) { body.page, .outer, .footer { background: #121212 !important; } "
    ".wrap, .notice { background: #1c1c1c !important; } "
    ".pad, .title, .headline, .body, .contents-title, .notice-text { color: #ececec !important; } "
    ".brand, .gap, .source, .caption, .footer-text { color: #bdbdbd !important; } "
    ".link { color: #8ab4f8 !important; } .button { border-color: #8ab4f8 !important; } "
    ".headline-second, .body-second { color: #d6d6d6 !important; } .gap { border-left-color: #5f5f5f !important; } "
    ".story, .contents { border-bottom-color: #3a3a3a !important; } "
    ".masthead { border-bottom-color: #5f5f5f !important; } "
    ".chart-box { background: #ffffff !important; padding: 8px !important; border-radius: 6px !important; } "
    ".preheader { color: #121212 !important; } }"
)

#: WeChat's editor keeps inline styles only
WECHAT_STYLE = {
    "article": "font-family: -apple-system, 'PingFang SC', 'Microsoft YaHei', sans-serif; font-size: 16px; "
               "line-height: 1.75; color: #1f1f1f; overflow-wrap: anywhere; word-break: break-word;",
    "brand": "margin: 0 0 4px; font-size: 15px; color: #4d4d4d; text-align: center;",
    "title": "margin: 4px 0 20px; font-size: 15px; font-weight: normal; color: #4d4d4d; text-align: center;",
    "h2": "margin: 28px 0 12px; padding-left: 10px; border-left: 4px solid #1f1f1f; font-size: 19px; "
          "font-weight: bold; line-height: 1.5; color: #1f1f1f;",
    "h2_second": "display: block; margin-top: 4px; font-size: 16px; font-weight: normal; color: #4d4d4d;",
    "section": "margin: 32px 0 12px; padding-top: 12px; border-top: 1px solid #e5e5e5; font-size: 17px; "
               "font-weight: bold; color: #1f1f1f;",
    "contents": "margin: 0 0 8px; font-size: 17px; font-weight: bold; color: #1f1f1f;",
    "item": "margin: 0 0 8px; padding-left: 1.4em; text-indent: -1.4em; font-size: 15px; color: #1f1f1f;",
    "contents_end": "margin: 0 0 8px; border-bottom: 1px solid #e5e5e5;",
    "p_zh": "margin: 0 0 14px; font-size: 16px; line-height: 1.75; color: #1f1f1f; text-align: justify;",
    "p_en": "margin: 0 0 14px; font-size: 16px; line-height: 1.7; color: #333333; text-align: left;",
    "gap_zh": "margin: 0 0 12px; padding-left: 8px; border-left: 3px solid #bdbdbd; font-size: 14px; "
              "color: #4d4d4d;",
    "gap_en": "margin: 0 0 12px; padding-left: 8px; border-left: 3px solid #bdbdbd; font-size: 14px; "
              "font-style: italic; color: #4d4d4d; text-align: left;",
    "source": "margin: 4px 0 0; font-size: 14px; color: #4d4d4d;",
    "img": "display: block; width: 100%; height: auto; margin: 8px 0 4px;",
    "caption": "margin: 0 0 18px; font-size: 14px; color: #4d4d4d; text-align: center;",
    "closing_head": "margin: 32px 0 8px; padding-top: 12px; border-top: 1px solid #e5e5e5; font-size: 17px; "
                    "font-weight: bold; color: #1f1f1f;",
    "closing": "margin: 16px 0 6px; font-size: 16px; font-weight: bold; color: #1f1f1f; text-align: center;",
}


# ---- one edition's parts -------------------------------------------------------------------------------------

def sides_of(lang: str) -> tuple[str, ...]:
    return ("zh", "en") if lang == "both" else (lang,)


def shown_lang(story: EditionStory, side: str) -> str:
    """The language of the headline shown for ``side`` (the other one's where the source has none)."""
    return side if story.side(side).headline else OTHER[side]


def heading_sides(story: EditionStory, lang: str) -> tuple[str, ...]:
    """The sides whose headline is shown: in 双语 a headline the source gives in one language only is shown
    once (the other side shows its gap marker), never twice."""
    sides = sides_of(lang)
    own = tuple(s for s in sides if story.side(s).headline)
    return own if own and len(sides) == 2 else sides


def story_url(edition: Edition, story: EditionStory, lang: str) -> str:
    return f"{edition.url}?lang={lang}#story-{story.id}"


def blocks(edition: Edition, lang: str, limit: int | None):
    """A story's body as the edition shows it: (kind, language, text, address) with kind "p" (a paragraph),
    "gap" (a gap marker) or "more" (a link to the rest on the web). In 双语, the two languages paragraph by
    paragraph, Chinese first, where both have their text and as many paragraphs; else one after the other."""
    one = lang != "both"  # a one-language edition links a gap to the other language on the web

    def side_blocks(story: EditionStory, side: str, cut: int | None):
        own = story.side(side)
        if own.body_gap:
            yield "gap", side, own.marker("body"), ""
            if one:
                yield "more", side, WORDS[side]["other_on_web"], story_url(edition, story, OTHER[side])
            return
        shown = own.paragraphs if cut is None else own.paragraphs[:cut]
        for paragraph in shown:
            yield "p", side, paragraph, ""
        if len(shown) < len(own.paragraphs):
            yield "more", side, WORDS[side]["rest_on_web"], story_url(edition, story, side)
        if own.gap == "partial":
            yield from partial(story, side)

    def partial(story: EditionStory, side: str):
        yield "gap", side, story.side(side).marker("body"), ""
        if one:
            yield "more", side, WORDS[side]["other_on_web"], story_url(edition, story, OTHER[side])

    def of(story: EditionStory):
        sides = sides_of(lang)
        zh, en = story.zh, story.en
        if len(sides) == 2 and not zh.body_gap and not en.body_gap \
                and len(zh.paragraphs) == len(en.paragraphs) > 1:
            count = len(zh.paragraphs) if limit is None else min(limit, len(zh.paragraphs))
            for i in range(count):
                yield "p", "zh", zh.paragraphs[i], ""
                yield "p", "en", en.paragraphs[i], ""
            for side in sides:
                own = story.side(side)
                if count < len(own.paragraphs):
                    yield "more", side, WORDS[side]["rest_on_web"], story_url(edition, story, side)
                if own.gap == "partial":
                    yield from partial(story, side)
            return
        for side in sides:
            yield from side_blocks(story, side, limit)

    return lambda story: list(of(story))


def numbered_charts(edition: Edition, lang: str) -> list[tuple[int, Chart]]:
    """The charts in ``lang`` (both, one after the other, in 双语), numbered as the page numbers them."""
    order = list(dict.fromkeys(c.chart for c in edition.charts))
    return [(order.index(c.chart) + 1, c) for c in edition.charts if c.lang in sides_of(lang)]


def _notice(edition: Edition, side: str, limit: int | None, shown: int | None) -> str:
    """What a cut email says of itself ("" when it is whole)."""
    if shown is not None and shown < len(edition.stories):
        return WORDS[side]["truncated_stories"].format(shown=shown, total=len(edition.stories))
    return WORDS[side]["truncated"] if limit is not None else ""


def _context(edition: Edition, lang: str, limit: int | None, feed: bool, shown: int | None = None) -> dict:
    return {
        "stories": edition.stories[:shown], "story_url": lambda story: story_url(edition, story, lang),
        "notices": [(side, _notice(edition, side, limit, shown)) for side in sides_of(lang)
                    if _notice(edition, side, limit, shown)],
        "edition": edition, "lang": lang, "sides": sides_of(lang), "code": CODE, "words": WORDS,
        "date": {"zh": edition.date[0], "en": edition.date[1]}, "subject": edition.subject(lang),
        "preheader": edition.preheader(lang), "lang_query": f"?lang={lang}",
        "blocks": blocks(edition, lang, limit), "shown_lang": shown_lang,
        "heading_sides": lambda story: heading_sides(story, lang), "charts": numbered_charts(edition, lang),
        "image_width": EMAIL_IMAGE_WIDTH, "narrow_width": EMAIL_NARROW_WIDTH,
        "unsubscribe": UNSUBSCRIBE_PLACEHOLDER, "feed": feed,
    }


@functools.cache
def _inliner():
    import css_inline

    # nothing fetched: the only stylesheet is the template's own <style>
    return css_inline.CSSInliner(load_remote_stylesheets=False, keep_style_tags=False, keep_link_tags=False)


def email_html(edition: Edition, lang: str, limit: int | None = None, feed: bool = False,
               shown: int | None = None) -> str:
    """The email's HTML part in ``lang`` (zh, en, both), its styles inlined; ``limit``: paragraphs per story,
    ``shown``: stories (the others are in the contents list, linked to the web)."""
    context = _context(edition, lang, limit, feed, shown)
    page = render("editions/email.html", css=re.sub(r"\s+", " ", EMAIL_CSS), **context)
    inlined = _inliner().inline(page)
    return inlined.replace("<!--panda-media-->", f"<style>{EMAIL_MEDIA_CSS}</style>", 1)


@dataclass(frozen=True)
class Cut:
    """How a long issue's email was cut: paragraphs per story, and stories shown (None: all)."""

    paragraphs: int
    stories: int | None = None


def fitted_email(edition: Edition, lang: str) -> tuple[str, Cut | None]:
    """The HTML part, within EMAIL_LIMIT bytes once ``send`` has put the longest unsubscribe link in
    (:data:`UNSUBSCRIBE_ROOM`): whole; else the first paragraphs of each story (as many as fit); else the first
    paragraph of as many stories as fit, the others in the contents list, linked to the web. A notice says so."""
    def size(page: str) -> int:
        return len(page.encode("utf-8"))

    budget = EMAIL_LIMIT - UNSUBSCRIBE_ROOM
    whole = email_html(edition, lang)
    if size(whole) <= budget:
        return whole, None
    most = max((len(s.side(x).paragraphs) for s in edition.stories for x in ("zh", "en")), default=1)
    for limit in range(most - 1, 0, -1):
        page = email_html(edition, lang, limit)
        if size(page) <= budget:
            return page, Cut(limit)
    low, high, best = 0, len(edition.stories) - 1, None  # the most stories that fit, by halving
    while low <= high:
        middle = (low + high) // 2
        page = email_html(edition, lang, 1, shown=middle)
        if size(page) <= budget:
            best, low = (page, Cut(1, middle)), middle + 1
        else:
            high = middle - 1
    if best is None:
        raise SphinxError(f"{edition.stem}: the {lang} email is over Gmail's {EMAIL_LIMIT:,} bytes even with its "
                          "contents list alone; split the issue")
    return best


def _runs_text(paragraph: Paragraph) -> str:
    return "".join(f"{text} ({href})" if kind == "link" and href != text else text for kind, text, href in paragraph)


def email_text(edition: Edition, lang: str, cut: Cut | None = None) -> str:
    """The plain-text part: every sentence of the HTML part (cut as it is), addresses in brackets."""
    limit, shown = (cut.paragraphs, cut.stories) if cut else (None, None)
    sides = sides_of(lang)
    out: list[str] = []

    def both(key: str, sep: str = " · ") -> str:
        return sep.join(WORDS[s][key] for s in sides)

    def bracketed(side: str, text: str) -> str:
        return f"{WORDS[side]['open'].strip()}{text}{WORDS[side]['close']}"

    def addressed(side: str, name: str, url: str) -> str:
        return f"{name}{WORDS[side]['open']}{url}{WORDS[side]['close']}"

    colon = WORDS[sides[0]]["colon"]
    out += [edition.preheader(lang), ""]
    out += [edition.masthead[s] for s in sides if edition.masthead.get(s)]
    out += [f"{edition.title(s)} · {d}" for s, d in zip(("zh", "en"), edition.date[:2]) if s in sides]
    out += [f"{both('read_on_web')}{colon}{edition.url}?lang={lang}", ""]
    notices = [_notice(edition, s, limit, shown) for s in sides]
    if any(notices):
        out += notices + [""]
    out += [both("in_this_issue"), "=" * 24]
    for i, story in enumerate(edition.stories, 1):
        out += [f"{i}. " + " / ".join(story.headline(s) for s in heading_sides(story, lang))]
        if shown is not None and i > shown:
            out.append(f"   {story_url(edition, story, lang)}")
    out.append("")
    show = blocks(edition, lang, limit)
    for story in edition.stories[:shown]:
        for side in sides:
            marker = story.side(side).marker("headline")
            if marker:
                out.append(bracketed(side, marker))
        out += [story.headline(side) for side in heading_sides(story, lang)]
        out.append("-" * 24)
        for kind, side, text, href in show(story):
            if kind == "p":
                out.append(_runs_text(text))
            elif kind == "gap":
                out.append(bracketed(side, text))
            else:
                out.append(f"{text}{WORDS[side]['colon']}{href}")
            out.append("")
        if story.sources:
            for side in sides:
                names = WORDS[side]["and"].join(addressed(side, s.name(side), s.home(side)) for s in story.sources)
                out.append(f"{WORDS[side]['source']}{names}")
        out += ["", ""]
    charts = numbered_charts(edition, lang)
    if charts:
        out += [both("charts"), "=" * 24]
        for number, chart in charts:
            words = WORDS[chart.lang]
            source = edition.registry.get(chart.source)
            named = addressed(chart.lang, source.name(chart.lang), source.home(chart.lang)) if source \
                else chart.source
            out.append(f"{words['figure']} {number}{words['figure_sep']}{chart.caption}"
                       + (f"{words['chart_source']}{named}" if chart.source else ""))
            out += [chart.alt, chart.url, ""]
    out += ["", "--", f"{both('read_on_web')}{colon}{edition.url}?lang={lang}"]
    out += [WORDS[s]["why"] for s in sides]
    out.append(f"{both('unsubscribe')}{colon}{UNSUBSCRIBE_PLACEHOLDER}")
    return "\n".join(out).rstrip() + "\n"


# ---- WeChat ------------------------------------------------------------------------------------------------

def _w(name: str) -> str:
    return f' style="{WECHAT_STYLE[name]}"'


def _wechat_runs(paragraph: Paragraph) -> str:
    """WeChat strips outside links: a link is its text, then its address in brackets, as text."""
    out = []
    for kind, text, href in paragraph:
        text_html = html.escape(text)
        if kind == "link":
            out.append(text_html if href == text else f"{text_html}（{html.escape(href)}）")
        elif kind in ("strong", "em"):
            out.append(f"<{kind}>{text_html}</{kind}>")
        else:
            out.append(text_html)
    return "".join(out)


def wechat_article(edition: Edition, lang: str) -> str:
    """The article for WeChat's editor in ``lang``: inline styles only, sources named in text, charts as PNG
    (the narrow drawing: WeChat is read on phones), the masthead first and the closing (推荐阅读 / 请为我点个赞再走)
    last, as the digest has them. A gap points to the other language with WeChat's own 阅读原文 link, which
    the editor sets to the issue's page (the editor page says so): WeChat keeps no outside link in the text."""
    sides = sides_of(lang)
    esc = html.escape
    code = CODE

    def span(side: str, text: str, style: str = "") -> str:
        return f'<span lang="{code[side]}"{_w(style) if style else ""}>{esc(text)}</span>'

    def gap(side: str, text: str) -> str:
        return f'<p lang="{code[side]}"{_w("gap_" + side)}>{esc(text)}</p>'

    out = [f'<article id="{lang}" lang="{code[lang]}"{_w("article")}>']
    out += [f'<p lang="{code[s]}"{_w("brand")}>{esc(edition.masthead[s])}</p>' for s in sides
            if edition.masthead.get(s)]
    out.append(f'<h1{_w("title")}>' + "<br>".join(span(s, f"{edition.title(s)} · {edition.date[0 if s == 'zh' else 1]}")
                                                   for s in sides) + "</h1>")
    out.append(f'<p{_w("contents")}>' + " · ".join(span(s, WORDS[s]["in_this_issue"]) for s in sides) + "</p>")
    for i, story in enumerate(edition.stories, 1):
        out.append(f'<p{_w("item")}>{i}. ' + "<br>".join(span(shown_lang(story, s), story.headline(s))
                                                         for s in heading_sides(story, lang)) + "</p>")
    out.append(f'<p{_w("contents_end")}></p>')
    show = blocks(edition, lang, None)
    for story in edition.stories:
        heads = heading_sides(story, lang)
        out.append(f'<h2{_w("h2")}>' + "".join(span(shown_lang(story, s), story.headline(s),
                                                   "h2_second" if i else "") for i, s in enumerate(heads)) + "</h2>")
        for side in sides:
            marker = story.side(side).marker("headline")
            if marker:
                out.append(gap(side, marker))
        for kind, side, text, href in show(story):
            if kind == "p":
                out.append(f'<p lang="{code[side]}"{_w("p_" + side)}>{_wechat_runs(text)}</p>')
            elif kind == "gap":
                out.append(gap(side, text))
            elif href.startswith(story_url(edition, story, OTHER[side])):  # the other language, on the web
                out.append(gap(side, WORDS[side]["wechat_other"]))
        if story.sources:
            out.append(f'<p{_w("source")}>' + "<br>".join(
                span(s, WORDS[s]["source"] + WORDS[s]["and"].join(src.name(s) for src in story.sources))
                for s in sides) + "</p>")
    charts = numbered_charts(edition, lang)
    if charts:
        out.append(f'<p{_w("section")}>' + " · ".join(span(s, WORDS[s]["charts"]) for s in sides) + "</p>")
    for number, chart in charts:
        words = WORDS[chart.lang]
        url, width, height = (chart.narrow_url, chart.narrow_width, chart.narrow_height) if chart.narrow_url \
            else (chart.url, chart.width, chart.height)
        shown = EMAIL_NARROW_WIDTH if chart.narrow_url else EMAIL_IMAGE_WIDTH
        out.append(f'<img src="{esc(url)}" width="{shown}" height="{round(height * shown / width)}" '
                   f'alt="{esc(chart.alt)}"{_w("img")}>')
        source = edition.registry.get(chart.source)
        named = source.name(chart.lang) if source else chart.source
        out.append(f'<p lang="{code[chart.lang]}"{_w("caption")}>{esc(words["figure"])} {number}'
                   f'{esc(words["figure_sep"] + chart.caption)}'
                   + (esc(words["chart_source"] + named) if chart.source else "") + "</p>")
    closing = [(side, p) for side in (edition.closing or ()) if side.lang in sides for p in side.paragraphs]
    for i, (side, paragraph) in enumerate(closing):
        style = "closing_head" if i == 0 and len(closing) > 1 else "closing"
        out.append(f'<p lang="{code[side.lang]}"{_w(style)}>{_wechat_runs(paragraph)}</p>')
    out.append("</article>")
    return "\n".join(out)


WECHAT_NAMES = {"zh": "中文", "en": "English", "both": "双语"}


def wechat_page(edition: Edition) -> str:
    """``_build/wechat/<stem>.html``: the three articles, nothing but inline styles."""
    articles = "\n<hr>\n".join(wechat_article(edition, lang) for lang in LANGS)
    return (f'<!DOCTYPE html>\n<html lang="zh-CN">\n<head>\n<meta charset="utf-8">\n'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">\n'
            f"<title>{html.escape(edition.subject('both'))} · 微信公众号 WeChat</title>\n</head>\n<body>\n"
            f"{articles}\n</body>\n</html>\n")


def wechat_editor(edition: Edition) -> str:
    """``_build/wechat/<stem>.editor.html``: for editors (linked from no reader's page): each article with a
    复制 · Copy button that copies it, styles and all, for WeChat's editor."""
    return render("editions/wechat-editor.html", edition=edition, names=WECHAT_NAMES,
                  articles=[(lang, wechat_article(edition, lang)) for lang in LANGS])


# ---- the post-build step -----------------------------------------------------------------------------------

def _charts(app: Sphinx, docname: str, outdir: Path) -> tuple[Chart, ...]:
    """The issue's chart PNGs (the notebook's outputs the page leaves out, directives/chartfig.py), copied into the
    site at addresses that stay (``_email/<issue>/``): each chart's wide drawing, with its narrow one for phones."""
    wide, narrow, vector = [], {}, {}
    for entry in EditionStore.of(app.env).get(docname, []):
        if entry.get("kind") == "svg":
            vector[(entry["chart"], entry["lang"])] = str(Path(app.srcdir) / entry["path"])
            continue
        # an address that stays: an email sent last month still shows its chart after the chart is redrawn
        rel = f"{EMAIL_IMAGES}/{Path(docname).name}/{entry['chart']}-{entry['lang']}" \
              f"{'-narrow' if entry.get('narrow') else ''}.png"
        source = Path(app.srcdir) / entry["path"]  # the notebook's output, as myst-nb wrote it
        if source.is_file():
            _copy_if_changed(source, outdir / rel)
        elif not (outdir / rel).is_file():  # (the last good build's copy stays when the output is gone)
            raise SphinxError(f"{docname}: the {entry['lang']} email image of chart {entry['chart']!r} "
                              f"({entry['path']}) is gone; build again from a clean _build (rm -rf _build)")
        entry = {**entry, "url": f"{base_url(app)}{rel}"}
        if entry.get("narrow"):
            narrow[(entry["chart"], entry["lang"])] = entry
        else:
            wide.append(entry)
    out = []
    for entry in wide:
        small = narrow.get((entry["chart"], entry["lang"]), {})
        out.append(Chart(chart=entry["chart"], lang=entry["lang"], url=entry["url"], width=entry["size"][0],
                         height=entry["size"][1], caption=entry["caption"], alt=entry["alt"], source=entry["source"],
                         narrow_url=small.get("url", ""), narrow_width=small.get("size", (0, 0))[0],
                         narrow_height=small.get("size", (0, 0))[1],
                         svg=vector.get((entry["chart"], entry["lang"]), "")))
    return tuple(out)


#: the site's folder of the editions' chart images, by issue: _email/<issue-stem>/<chart>-<lang>[-narrow].png
EMAIL_IMAGES = "_email"


def _copy_if_changed(source: Path, target: Path) -> None:
    """A copy that keeps the source's time: an unchanged image is neither read nor written again."""
    try:
        a, b = source.stat(), target.stat()
        if a.st_size == b.st_size and a.st_mtime_ns == b.st_mtime_ns:
            return
    except FileNotFoundError:
        pass
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.copy2(source, target)


def _sweep_email_images(outdir: Path, charts: list[Chart]) -> None:
    """What a clean build would not make: the images of a removed issue or chart."""
    keep = {url.rsplit("/", 2)[-2] + "/" + url.rsplit("/", 1)[-1] for c in charts for url in (c.url, c.narrow_url)
            if url}
    base = outdir / EMAIL_IMAGES
    for path in sorted(base.rglob("*")) if base.is_dir() else ():
        if path.is_file() and path.relative_to(base).as_posix() not in keep:
            path.unlink()
    for folder in sorted(base.glob("*"), reverse=True) if base.is_dir() else ():
        if folder.is_dir() and not any(folder.iterdir()):
            folder.rmdir()


def _fresh(folder: Path) -> Path:
    """``_build/.<name>.new``, empty."""
    new = folder.with_name(f".{folder.name}.new")
    shutil.rmtree(new, ignore_errors=True)
    new.mkdir(parents=True)
    return new


@functools.cache
def _code_digest() -> str:
    """What draws an edition: this module, the model's, the templates and css-inline (a change renders again)."""
    import css_inline

    import newsletter.edition
    import newsletter.mailing

    here = Path(__file__).parent
    files = [Path(__file__), here / "feeds.py", Path(newsletter.edition.__file__), Path(newsletter.mailing.__file__),
             *sorted((here / "templates" / "editions").iterdir()), here / "archive.py"]
    digest = hashlib.sha256(css_inline.__version__.encode() if hasattr(css_inline, "__version__") else b"")
    for file in files:
        digest.update(file.read_bytes())
    return digest.hexdigest()


def _key(app: Sphinx, docname: str) -> str:
    """An issue's editions depend on its file, sources.yml, tags.yml, its charts, the address and the code."""
    srcdir = Path(app.srcdir)
    digest = hashlib.sha256(_code_digest().encode())
    for path in (Path(app.env.doc2path(docname)), srcdir / "sources.yml", srcdir / "tags.yml"):
        digest.update(path.read_bytes() if path.is_file() else b"")
    digest.update(repr((base_url(app), EditionStore.of(app.env).get(docname, []))).encode())
    return digest.hexdigest()[:32]


#: an issue's rendered editions, kept between builds by content (``_build/.editions-cache/<key>/``)
RENDERED = ("zh.html", "en.html", "both.html", "zh.txt", "en.txt", "both.txt", "edition.json", "wechat.html",
            "wechat.editor.html", "feeds.json")


def _render_issue(edition: Edition, folder: Path) -> None:
    """Everything of one issue's editions, into ``folder`` (a new one, renamed into the cache when whole)."""
    def write(name: str, text: str) -> None:
        (folder / name).write_text(text, encoding="utf-8")

    for lang in LANGS:
        page, cut = fitted_email(edition, lang)
        write(f"{lang}.html", page)
        write(f"{lang}.txt", email_text(edition, lang, cut))
    meta = {"stem": edition.stem, "number": edition.number, "url": edition.url,
            "subjects": {lang: edition.subject(lang) for lang in LANGS},
            "preheaders": {lang: edition.preheader(lang) for lang in LANGS}}
    write("edition.json", json.dumps(meta, ensure_ascii=False, indent=1) + "\n")
    for lang in LANGS:  # read back with an HTML parser: what WeChat's editor would drop fails the build
        problems = wechat_problems(wechat_article(edition, lang))
        if problems:
            raise SphinxError(f"{edition.stem}: the {lang} WeChat article holds what WeChat's editor drops: "
                              f"{'; '.join(problems)}; the article may hold inline styles only")
    write("wechat.html", wechat_page(edition))
    write("wechat.editor.html", wechat_editor(edition))
    write("feeds.json", json.dumps(feed_parts(edition), ensure_ascii=False))


def feed_body(page: str) -> str:
    """What stands between ``<body ...>`` and ``</body>``: the content a feed reader shows."""
    start = re.search(r"<body[^>]*>", page)
    end = page.rfind("</body>")
    return page[start.end():end].strip() if start and end > 0 else page


def feed_parts(edition: Edition) -> dict:
    """What the feeds take from one issue (rendered once, kept with its editions in the cache): each
    language's entry and the issue's stories by topic."""
    entries = {lang: {"title": edition.subject(lang), "link": f"{edition.url}?lang={lang}",
                      "content": feed_body(email_html(edition, lang, feed=True))} for lang in LANGS}
    show = blocks(edition, "both", None)
    stories = [{"tags": list(story.tags), "title": " · ".join(h for h in (story.zh.headline, story.en.headline) if h),
                "link": f"{edition.url}#story-{story.id}",
                "content": render("editions/story.html", edition=edition, story=story, sides=sides_of("both"),
                                  code=CODE, words=WORDS, blocks=show, shown_lang=shown_lang)}
               for story in edition.stories]
    return {"entries": entries, "stories": stories}


def link_cached(source: Path, target: Path) -> None:
    """A cached file into place: a hard link (nothing writes to either again), or a copy."""
    try:
        os.link(source, target)
    except OSError:
        shutil.copy2(source, target)


def write_editions(app: Sphinx) -> None:
    """The email and WeChat editions into fresh folders (swapped in with the site), from the cache of rendered
    issues where an issue and what draws it are unchanged; the full-text feeds (feeds.py) read the same cache."""
    outdir = Path(app.outdir)
    staging = run_state(app).staging
    root = (staging.final if staging is not None else outdir).parent
    cache = root / ".editions-cache"
    cache.mkdir(parents=True, exist_ok=True)
    email, wechat = _fresh(root / "email"), _fresh(root / "wechat")
    done, names, used, drawn = [], [], set(), []
    srcdir = Path(app.srcdir)
    for docname, _entry in issues_newest_first(app.env):
        key = _key(app, docname)
        folder = cache / key
        charts = _charts(app, docname, outdir)  # (copies the chart images into the site)
        drawn += charts
        if not all((folder / name).is_file() for name in RENDERED):
            edition = read_edition(srcdir, Path(app.env.doc2path(docname)), base_url(app), charts)
            part = cache / f".{key}.{os.getpid()}.part"
            shutil.rmtree(part, ignore_errors=True)
            part.mkdir()
            _render_issue(edition, part)
            shutil.rmtree(folder, ignore_errors=True)
            os.rename(part, folder)
        used.add(key)
        stem = Path(docname).name
        (email / stem).mkdir()
        for name in RENDERED[:7]:
            link_cached(folder / name, email / stem / name)
        link_cached(folder / "wechat.html", wechat / f"{stem}.html")
        link_cached(folder / "wechat.editor.html", wechat / f"{stem}.editor.html")
        done.append((docname, folder))
        names.append((stem, json.loads((folder / "edition.json").read_text(encoding="utf-8"))["subjects"]["both"]))
    for old in cache.iterdir():  # the cache holds what this build used, no more
        if old.name not in used:
            shutil.rmtree(old, ignore_errors=True) if old.is_dir() else old.unlink()
    _sweep_email_images(outdir, drawn)
    shutil.copyfile(Path(__file__).parent / "templates" / "editions" / "wechat-copy.js", wechat / "wechat-copy.js")
    (wechat / "index.html").write_text(render("editions/wechat-index.html", issues=names), encoding="utf-8")
    run_state(app).editions = [(email, root / "email"), (wechat, root / "wechat")]
    run_state(app).rendered = done
    for folder in (email, wechat):  # a build that fails after this step leaves no half-made folder
        atexit.register(shutil.rmtree, folder, ignore_errors=True)


def swap_editions(app: Sphinx, exception) -> None:
    """After the site's swap: the new email and WeChat folders replace the old ones (or are dropped)."""
    pending = run_state(app).editions or []
    run_state(app).editions = []
    for new, final in pending:
        if exception is not None or run_state(app).staging is not None:
            shutil.rmtree(new, ignore_errors=True)
            continue
        old = final.with_name(f".{final.name}.old")
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            os.rename(final, old)
        os.rename(new, final)
        shutil.rmtree(old, ignore_errors=True)


class _Tags(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[str] = []

    def handle_starttag(self, tag, attrs):
        names = {name for name, _ in attrs}
        if tag in ("style", "script", "link", "form", "iframe", "object", "embed") or "class" in names \
                or any(n.startswith("on") for n in names):
            self.found.append(f"<{tag}> " + " ".join(sorted(names)))


def wechat_problems(article: str) -> list[str]:
    """What WeChat's editor would drop from an article, read with an HTML parser (tests, and the build)."""
    reader = _Tags()
    reader.feed(article)
    reader.close()
    return reader.found


def _check_settings(app: Sphinx, config) -> None:
    try:
        email_settings(config.panda_email)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from None


def setup_editions(app: Sphinx) -> None:
    # newsletter/mailing.py: the one reader of these settings, for the build and for `python -m newsletter send`
    app.add_config_value("panda_email", {}, "env", types=[dict])
    app.connect("config-inited", _check_settings)
    # after the site's swap (staging.py, 100_000): the editions go with the site, or not at all
    app.connect("build-finished", swap_editions, priority=100_100)
