"""Turn a drawing function into a finished, deterministic chart."""

from __future__ import annotations

import base64
import html
import io
import warnings
from dataclasses import dataclass
from importlib.resources import files
from typing import Callable

from matplotlib import style
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure as MplFigure

from ._fonts import register_cjk_font

STYLE = str(files("charts") / "panda.mplstyle")


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

    def _repr_mimebundle_(self, include=None, exclude=None):
        return {"image/svg+xml": self.svg, "text/plain": self.alt}

    def img_tag(self) -> str:
        """An ``<img>`` with the PNG inlined, for views that need plain HTML."""
        data = base64.b64encode(self.png).decode("ascii")
        return (f'<img src="data:image/png;base64,{data}" alt="{html.escape(self.alt)}" '
                f'style="max-width:100%;height:auto">')


def render(name: str, draw: Callable[[MplFigure], None], *, title: str, alt: str,
           rc: dict | None = None) -> Chart:
    """Draw a chart in the house style and return its files.

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
            fig.canvas.draw()
            svg = io.StringIO()
            fig.savefig(svg, format="svg",
                        metadata={"Date": None, "Title": title, "Description": alt})
            png = io.BytesIO()
            fig.savefig(png, format="png", dpi=110, metadata={"Software": None})
    return Chart(name=name, title=title, alt=alt, svg=svg.getvalue(), png=png.getvalue())
