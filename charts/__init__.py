"""Charts for the PANDA微短剧 newsletter.

Every chart reads the issue's figure records (:func:`load_figures`) and returns a
:class:`ChartPair`: the chart labelled in Chinese and in English, each a
:class:`Chart` with SVG, PNG and alt text, drawn in the one house style.
"""

from newsletter.figures import UNITS, Figure, FiguresError, format_en, format_zh, load_figures, parse_figures

from ._employment import days_in_period, days_per_job, employment_chart, multiplier, workdays_chart
from ._render import Chart, ChartPair, Datum, data_csv
from ._trend import trend_chart
from ._widgets import chart_switcher

__all__ = [
    "UNITS", "Chart", "ChartPair", "Datum", "Figure", "FiguresError", "chart_switcher", "data_csv", "days_in_period",
    "days_per_job",
    "employment_chart", "format_en", "format_zh", "load_figures", "multiplier", "parse_figures", "trend_chart",
    "workdays_chart",
]
