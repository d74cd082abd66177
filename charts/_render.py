"""Turn a drawing function into a finished, deterministic chart."""

from __future__ import annotations

import base64
import csv
import html
import io
import json
import warnings
from dataclasses import dataclass
from importlib.resources import files
from typing import Callable

from matplotlib import rcParams, style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from newsletter.safety import CHART_DATA_NS as DATA_NS  # where the numbers sit in the SVG's <metadata>

from ._fonts import register_cjk_font

STYLE = str(files("charts") / "panda.mplstyle")

#: The page's class for each one-language chart (see _ext/panda_book/directives/bilingual.py).
LANG_CLASS = {"zh-CN": "bl-zh", "en": "bl-en"}
#: Column headers of a chart's data, in both languages.
DATA_HEADERS = ("指标", "Metric", "数值 Value", "单位", "Unit")


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

    def csv(self) -> str:
        return data_csv(self.data)

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg, "text/plain": self.alt}

    def img_tag(self) -> str:
        """An ``<img>`` with the PNG inlined, for views that need plain HTML.

        A one-language chart carries that language's ``lang`` and ``bl-zh`` or
        ``bl-en`` class, so it follows the page's language switch.
        """
        data = base64.b64encode(self.png).decode("ascii")
        lang_attrs = ""
        if self.lang in LANG_CLASS:
            lang_attrs = f' lang="{self.lang}" class="{LANG_CLASS[self.lang]}"'
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}"{lang_attrs} '
                f'style="max-width:100%;height:auto">')


@dataclass(frozen=True)
class ChartPair:
    """The same chart labelled in Chinese and in English.

    In a notebook it displays as two SVG outputs, Chinese first. Each SVG names
    its language, caption and source in its metadata; the book's extension
    groups the two into one figure whose halves follow the language switch.
    """

    zh: Chart
    en: Chart

    def __iter__(self):
        return iter((self.zh, self.en))

    def _ipython_display_(self):
        from IPython.display import display

        display(self.zh)
        display(self.en)


def render(name: str, draw: Callable[[MplFigure], None], *, title: str, alt: str,
           lang: str = "zh-CN en", caption: str = "", source: str = "", data=(),
           rc: dict | None = None) -> Chart:
    """Draw a chart in the house style and return its files.

    The SVG's metadata holds the alt text (``Description``), the language, the
    caption (``Title``), the source and the chart's name (``Identifier``):
    the book's extension reads them to build the figure around the image. The
    plotted numbers (``data``, :class:`Datum`) go into the metadata as JSON, for the
    page's data table and CSV download.
    ``rc`` overrides the house style (matplotlib rcParams). The canvas is drawn
    with warnings as errors: a glyph missing from the font (a Chinese label
    without a CJK font) raises instead of printing boxes into the page.
    """
    register_cjk_font()
    with style.context([STYLE, rc or {}]):
        fig = MplFigure()
        FigureCanvasAgg(fig)
        draw(fig)
        with warnings.catch_warnings():
            warnings.simplefilter("error")
            # the tight box (savefig.bbox: tight) laid out once, for both files: each savefig would lay the
            # figure out again to find it (a sixth of a notebook's chart time)
            fig.draw_without_rendering()
            box = fig.get_tightbbox(fig.canvas.get_renderer()).padded(rcParams["savefig.pad_inches"])
            svg = io.StringIO()
            fig.savefig(svg, format="svg", bbox_inches=box,
                        metadata={"Date": None, "Title": caption or title, "Description": alt,
                                  "Language": lang, "Source": source or None, "Identifier": name})
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=110, bbox_inches=box, metadata={"Software": None})
    data = tuple(data)
    return Chart(name=name, title=title, alt=alt, svg=_with_data(svg.getvalue(), data), png=png.getvalue(),
                 lang=lang, data=data)


def _with_data(svg: str, data: tuple[Datum, ...]) -> str:
    if not data:
        return svg
    payload = html.escape(json.dumps([d.row() for d in data], ensure_ascii=False), quote=False)
    element = f'<panda:data xmlns:panda="{DATA_NS}">{payload}</panda:data>\n '
    return svg.replace(" </metadata>", f" {element}</metadata>", 1)
