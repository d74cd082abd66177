"""Turn a drawing function into a finished, deterministic chart."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import re
import warnings
from dataclasses import dataclass, replace
from importlib.resources import files
from typing import Callable

from matplotlib import rcParams, style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure
from matplotlib.textpath import TextToPath

# the email's chart image: this many CSS px wide, its identifier's suffix (employment-zh-email)
from newsletter.mailing import EMAIL_IMAGE_WIDTH as EMAIL_WIDTH
from newsletter.mailing import EMAIL_NARROW_WIDTH, EMAIL_SUFFIX
from newsletter.safety import CHART_DATA_NS as DATA_NS  # where the numbers sit in the SVG's <metadata>

# the viewports that get the narrow drawing (the page's <picture>, the interactive view's) and its identifier's
# suffix (employment-zh-narrow)
from newsletter.safety import NARROW_MEDIA, NARROW_SUFFIX  # noqa: F401  (charts' public names)

from ._fonts import register_cjk_font

STYLE = str(files("charts") / "panda.mplstyle")

#: The page's class for each one-language chart (see _ext/panda_book/directives/bilingual.py).
LANG_CLASS = {"zh-CN": "bl-zh", "en": "bl-en"}
#: Column headers of a chart's data, in both languages.
DATA_HEADERS = ("指标", "Metric", "数值 Value", "单位", "Unit")

#: The two widths a chart is drawn for, in inches (SVG user units are points, 72 to the inch). A chart is shown
#: as wide as the reading column, so its text is (font size in pt) x (column width / drawn width) CSS px: the
#: smallest font (11 pt, panda.mplstyle) stays at 12 px or more in a column of 0.55 to 1.1 x WIDE_WIDTH * 96 px
#: (phones use NARROW_WIDTH: 0.55 to 1.2 x).
WIDE_WIDTH = 6.6
NARROW_WIDTH = 3.5
#: The house style's smallest font size (pt); tests/test_charts.py and tests/test_chart_legibility.py hold
#: every chart to it.
MIN_FONT_PT = 11.0


def svg_font_sizes(svg: str) -> list[float]:
    """The font size (SVG user units) of each text of a chart's SVG.

    The charts draw text as outlines (``svg.fonttype: path``): matplotlib writes each text as a
    ``<g id="text_N">`` whose glyphs are scaled by font size / ``TextToPath.FONT_SCALE``.
    """
    from xml.etree import ElementTree

    sizes = []
    for group in ElementTree.fromstring(svg.encode("utf-8")).iter("{http://www.w3.org/2000/svg}g"):
        if not re.fullmatch(r"text_\d+", group.get("id", "")):
            continue
        for inner in group.iter("{http://www.w3.org/2000/svg}g"):
            scale = re.search(r"scale\(([\d.]+) -\1\)", inner.get("transform", ""))
            if scale:
                sizes.append(round(float(scale.group(1)) * TextToPath.FONT_SCALE, 3))
                break
    return sizes


def viewbox_width(svg: str) -> float:
    """The width of a chart's SVG in user units (points)."""
    match = re.search(r'viewBox="0 0 ([\d.]+) [\d.]+"', svg)
    if not match:
        raise ValueError("an SVG without a viewBox")
    return float(match.group(1))


@dataclass(frozen=True)
class Datum:
    """One number a chart plots, with its labels and unit in both languages."""

    label_zh: str
    label_en: str
    value: float
    unit_zh: str
    unit_en: str

    def row(self) -> tuple:
        value = int(self.value) if float(self.value).is_integer() else round(self.value, 4)
        return (self.label_zh, self.label_en, value, self.unit_zh, self.unit_en)


def data_csv(data) -> str:
    """The plotted numbers as CSV (UTF-8 text, headers in both languages)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(DATA_HEADERS)
    writer.writerows(d.row() for d in data)
    return out.getvalue()


@dataclass(frozen=True)
class Chart:
    """A rendered chart: SVG and PNG bytes plus the alt text that describes it.

    ``narrow`` is the same chart drawn for a phone's column (:data:`NARROW_WIDTH`: labels wrapped, the legend
    stacked), which the page serves to narrow viewports (:data:`NARROW_MEDIA`).
    In a notebook it displays as SVG; the book's extension copies the alt text,
    which is stored in the SVG's metadata, onto the page's ``<img>``.
    """

    name: str
    title: str
    alt: str
    svg: str
    png: bytes
    #: ``zh-CN``, ``en``, or ``zh-CN en`` for a chart labelled in both.
    lang: str = "zh-CN en"
    #: exactly the numbers plotted
    data: tuple[Datum, ...] = ()
    #: the drawing for narrow columns, or None
    narrow: Chart | None = None

    def csv(self) -> str:
        return data_csv(self.data)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg, "text/plain": self.alt}

    def img_tag(self) -> str:
        """The chart as plain HTML (the interactive view's): a ``<picture>`` whose SVGs are inlined as ``data:``
        addresses, the narrow drawing for narrow viewports, each as wide as its column.

        A one-language chart carries that language's ``lang`` and ``bl-zh`` or
        ``bl-en`` class, so it follows the page's language switch.
        """
        lang_attrs = ""
        if self.lang in LANG_CLASS:
            lang_attrs = f' lang="{self.lang}" class="{LANG_CLASS[self.lang]}"'
        width, height = svg_size(self.svg)
        source = ""
        if self.narrow is not None:
            n_width, n_height = svg_size(self.narrow.svg)
            source = (f'<source media="{NARROW_MEDIA}" srcset="{_data_uri(self.narrow.svg)}" '
                      f'width="{n_width}" height="{n_height}">')
        return (f'<picture{lang_attrs}>{source}<img src="{_data_uri(self.svg)}" alt="{html.escape(self.alt)}" '
                f'width="{width}" height="{height}" style="width:100%;height:auto"></picture>')


def _data_uri(svg: str) -> str:
    return "data:image/svg+xml;base64," + base64.b64encode(svg.encode("utf-8")).decode("ascii")


def svg_size(svg: str) -> tuple[int, int]:
    """An SVG's size in CSS px (matplotlib writes it in pt)."""
    match = re.search(r'<svg [^>]*?width="([\d.]+)pt" height="([\d.]+)pt"', svg)
    if not match:
        raise ValueError("an SVG without a width and height in pt")
    return round(float(match.group(1)) * 4 / 3), round(float(match.group(2)) * 4 / 3)


@dataclass(frozen=True)
class ChartPair:
    """The same chart labelled in Chinese and in English.

    In a notebook it displays as SVG outputs, Chinese first, then English, then
    the narrow drawing of each. Each SVG names its language, caption, source and
    width in its metadata; the book's extension groups them into one figure whose
    halves follow the language switch and whose narrow drawings phones get.
    """

    zh: Chart
    en: Chart

    def __iter__(self):
        return iter((self.zh, self.en))

    def _ipython_display_(self):
        from IPython.display import display

        for chart in (self.zh, self.en, self.zh.narrow, self.en.narrow):
            if chart is not None:
                display(chart)
        # the PNGs the email and WeChat editions show (the page does not: the extension takes them off it)
        for chart in (self.zh, self.en, self.zh.narrow, self.en.narrow):
            if chart is not None and chart.png:
                display({"image/png": chart.png, "text/plain": chart.alt}, raw=True)


def render(name: str, draw: Callable[[MplFigure, bool], None], *, title: str, alt: str,
           lang: str = "zh-CN en", caption: str = "", source: str = "", data=(),
           rc: dict | None = None) -> Chart:
    """Draw a chart in the house style, wide and narrow, and return its files.

    ``draw(fig, narrow)`` draws into a figure :data:`WIDE_WIDTH` or (``narrow``)
    :data:`NARROW_WIDTH` inches wide; the narrow drawing is the returned chart's
    ``narrow``, its identifier ``name`` + :data:`NARROW_SUFFIX`.
    The SVG's metadata holds the alt text (``Description``), the language, the
    caption (``Title``), the source and the chart's name (``Identifier``):
    the book's extension reads them to build the figure around the image. The
    plotted numbers (``data``, :class:`Datum`) go into the metadata as JSON, for the
    page's data table and CSV download.
    ``rc`` overrides the house style (matplotlib rcParams). The canvas is drawn
    with warnings as errors: a glyph missing from the font (a Chinese label
    without a CJK font) raises instead of printing boxes into the page.
    """
    data = tuple(data)
    kwargs = {"title": title, "alt": alt, "lang": lang, "caption": caption, "source": source, "data": data,
              "rc": rc}
    narrow = _render_one(name + NARROW_SUFFIX, draw, narrow=True, **kwargs)
    return replace(_render_one(name, draw, narrow=False, **kwargs), narrow=narrow)


def _render_one(name: str, draw, *, narrow: bool, title: str, alt: str, lang: str, caption: str, source: str,
                data: tuple, rc: dict | None) -> Chart:
    register_cjk_font()
    with style.context([STYLE, rc or {}]):
        fig = MplFigure(figsize=(NARROW_WIDTH if narrow else WIDE_WIDTH, rcParams["figure.figsize"][1]))
        FigureCanvasAgg(fig)
        with warnings.catch_warnings():
            # a glyph the font lacks is an error while the chart is drawn too (wrap() measures its text there),
            # not only when it is saved: a warning on stderr would fail the build without the reason
            warnings.simplefilter("error")
            draw(fig, narrow)
            # the tight box (savefig.bbox: tight) laid out once, for both files: each savefig would lay the
            # figure out again to find it (a sixth of a notebook's chart time)
            fig.draw_without_rendering()
            box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(rcParams["savefig.pad_inches"])
            svg = io.StringIO()
            fig.savefig(svg, format="svg", bbox_inches=box,
                        metadata={"Date": None, "Title": caption or title, "Description": alt,
                                  "Language": lang, "Source": source or None, "Identifier": name})
            # the email and WeChat editions' image: its CSS width at 2x (the narrow drawing for phones), its facts
            # in its text chunks
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=2 * (EMAIL_NARROW_WIDTH if narrow else EMAIL_WIDTH) / box.width,
                        bbox_inches=box, metadata={"Software": None, "Title": caption or title, "Description": alt,
                                                   "Language": lang, "Source": source,
                                                   "Identifier": name + EMAIL_SUFFIX})
    return Chart(name=name, title=title, alt=alt, svg=_with_data(_without_css(svg.getvalue()), data),
                 png=png.getvalue(), lang=lang, data=data)


_STYLE_ATTR = re.compile(r' style="([^"]*)"')
_STYLE_ELEMENT = re.compile(r'\s*<style type="text/css">\*\{([^}]*)\}</style>')


def _without_css(svg: str) -> str:
    """The SVG drawn by presentation attributes (``fill="#333333"``) instead of CSS (``style="fill: #333333"``
    and a ``<style>`` of defaults, which go onto the root, where they are inherited).

    The interactive view shows a chart as a ``data:`` image, which takes the page's Content-Security-Policy:
    the policy blocks style attributes, and the chart would lose its colours.
    """
    def attributes(declarations: str) -> str:
        # the last of a property wins, as in CSS (image-rendering: crisp-edges, then pixelated)
        props = {name.strip(): value.strip() for name, _, value in
                 (d.partition(":") for d in declarations.split(";") if d.strip())}
        return "".join(f' {name}="{value}"' for name, value in props.items())

    defaults = _STYLE_ELEMENT.search(svg)
    if defaults:
        svg = svg.replace(defaults.group(0), "", 1)
        svg = svg.replace("<svg ", "<svg" + attributes(defaults.group(1)) + " ", 1)
    return _STYLE_ATTR.sub(lambda m: attributes(m.group(1)), svg)


def _with_data(svg: str, data: tuple[Datum, ...]) -> str:
    if not data:
        return svg
    payload = html.escape(json.dumps([d.row() for d in data], ensure_ascii=False), quote=False)
    element = f'<panda:data xmlns:panda="{DATA_NS}">{payload}</panda:data>\n '
    return svg.replace(" </metadata>", f" {element}</metadata>", 1)


_TOKEN = re.compile(r"[\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]|[^\s\u2e80-\u9fff\u3000-\u303f\uff00-\uffef]+|\s+")


def wrap(fig: MplFigure, text: str, width_pt: float, *, size: float | str | None = None,
         weight: str = "normal") -> str:
    """``text`` broken into lines no wider than ``width_pt`` (as drawn in ``fig``, in its font): between words,
    and between any two Chinese characters (a Chinese punctuation mark never starts a line)."""
    from matplotlib.font_manager import FontProperties

    prop = FontProperties(size=size if size is not None else rcParams["font.size"], weight=weight)
    renderer = fig.canvas.get_renderer()

    def width(s: str) -> float:
        return renderer.get_text_width_height_descent(s, prop, ismath=False)[0] * 72 / fig.dpi

    lines = []
    for paragraph in text.split("\n"):
        line = ""
        for token in _TOKEN.findall(paragraph):
            candidate = line + token
            if line.strip() and not token.isspace() and width(candidate) > width_pt \
                    and token not in "，。、；：！？）》」』”’":
                lines.append(line.rstrip())
                line = token
            else:
                line = candidate
        lines.append(line.rstrip())
    return "\n".join(lines)
