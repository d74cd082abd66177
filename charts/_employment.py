"""Charts of employment in the mini-drama industry."""

from __future__ import annotations

import calendar
import re

import numpy as np
from matplotlib import rcParams
from matplotlib.colors import ListedColormap
from matplotlib.patches import Patch

from newsletter.figures import Figure, format_en, format_zh

from ._render import Chart, ChartPair, Datum, render, wrap

LANGS = ("zh", "en", "both")
#: The ``lang`` attribute each label language gets on the page.
LANG_CODES = {"zh": "zh-CN", "en": "en", "both": "zh-CN en"}


def multiplier(direct: float, total: float) -> float:
    """How many jobs in all go with one direct job."""
    if direct <= 0:
        raise ValueError(f"direct employment must be positive, got {direct}")
    if total < direct:
        raise ValueError(f"total employment ({total}) is below direct employment ({direct})")
    return total / direct


def days_per_job(person_days: float, jobs: float) -> float:
    """Average days of direct labour per direct job."""
    if jobs <= 0:
        raise ValueError(f"jobs must be positive, got {jobs}")
    return person_days / jobs


def days_in_period(period: str) -> int:
    """Days in a calendar year given as ``"2025"``."""
    if not re.fullmatch(r"\d{4}", period):
        raise ValueError(f"period {period!r} is not a calendar year such as '2025'")
    return 366 if calendar.isleap(int(period)) else 365


def _label(zh: str, en: str, lang: str, sep: str = "\n") -> str:
    if lang not in LANGS:
        raise ValueError(f"lang must be one of {LANGS}, got {lang!r}")
    return {"zh": zh, "en": en, "both": f"{zh}{sep}{en}"}[lang]


def style_color(i: int) -> str:
    """The house style's i-th colour (call inside the style context)."""
    return rcParams["axes.prop_cycle"].by_key()["color"][i]


def _pair(chart, figures, kwargs) -> ChartPair:
    return ChartPair(zh=chart(figures, lang="zh", **kwargs), en=chart(figures, lang="en", **kwargs))


def employment_chart(figures: dict[str, Figure], *, direct: str = "direct_jobs",
                     total: str = "total_jobs", lang: str = "pair",
                     rc: dict | None = None) -> Chart | ChartPair:
    """Direct jobs against total jobs, with the implied multiplier.

    By default a :class:`ChartPair` (a Chinese and an English chart); ``lang``
    ``"zh"``, ``"en"`` or ``"both"`` gives one chart labelled that way.
    """
    if lang == "pair":
        return _pair(employment_chart, figures, {"direct": direct, "total": total, "rc": rc})
    d, t = figures[direct], figures[total]
    m = multiplier(d.value, t.value)
    indirect = t.value - d.value
    title = _label(f"总就业约为直接就业的{m:.1f}倍", f"Total jobs are about {m:.1f}× direct jobs", lang)
    alt = _label(
        f"条形图：{d.label_zh}{d.text_zh()}，{t.label_zh}{t.text_zh()}（含上下游带动{format_zh(indirect)}人），"
        f"约为直接就业的{m:.1f}倍。",
        f"Bar chart: {d.label_en} {d.text_en()}; {t.label_en} {t.text_en()} "
        f"(including {format_en(indirect)} upstream and downstream), about {m:.1f} times direct employment.",
        lang, sep=" ")

    def draw(fig, narrow):
        # each bar's label above it; its number after it (wide) or under the label (narrow, where a number
        # after the longer bar would leave the column)
        fig.set_figheight(3.9 if narrow else 3.0)
        ax = fig.add_subplot()
        width = fig.get_figwidth() * 72
        ax.barh([1, 0], [d.value, d.value], color="C0", height=0.4,
                label=_label("直接", "direct", lang, sep=" / "))
        ax.barh([0], [indirect], left=[d.value], color="C1", height=0.4,
                label=_label("上下游带动", "upstream and downstream", lang, sep=" / "))
        for y, fig_ in ((1, d), (0, t)):
            label = _label(fig_.label_zh, fig_.label_en, lang, sep=" / ")
            number = _label(fig_.text_zh(), fig_.text_en(), lang, sep=" / ")
            if narrow:
                label = wrap(fig, f"{label}\n{number}", width * 0.95)
            else:
                ax.text(fig_.value + t.value * 0.015, y, number, va="center")
            ax.annotate(label, (0, y + 0.2), xytext=(0, 3), textcoords="offset points", va="bottom",
                        color=rcParams["axes.labelcolor"], linespacing=1.4)
        ax.set_xlim(0, t.value * (1.02 if narrow else 1.45))
        ax.set_ylim(-0.3, 1.95 if narrow else 1.75)
        ax.xaxis.set_visible(False)
        ax.yaxis.set_visible(False)
        ax.spines["bottom"].set_visible(False)
        ax.set_title(wrap(fig, title, width * 0.95, size=rcParams["axes.titlesize"], weight="bold"))
        ax.legend(loc="upper left", bbox_to_anchor=(0, 0), ncol=1 if narrow else 2, frameon=False)

    caption = _label("直接就业与总就业", "Direct and total jobs", lang, sep=" · ")
    data = [Datum(d.label_zh, d.label_en, d.value, d.unit_zh, d.unit_en),
            Datum("上下游带动", "Upstream and downstream", indirect, d.unit_zh, d.unit_en),
            Datum(t.label_zh, t.label_en, t.value, t.unit_zh, t.unit_en)]
    return render(f"employment-{lang}", draw, title=title, alt=alt, lang=LANG_CODES[lang],
                  caption=caption, source=t.source, data=data, rc=rc)


def workdays_chart(figures: dict[str, Figure], *, person_days: str = "direct_person_days",
                   jobs: str = "direct_jobs", lang: str = "pair",
                   rc: dict | None = None) -> Chart | ChartPair:
    """Average direct workdays per direct job, drawn against the days of the year.

    ``lang`` as for :func:`employment_chart`.
    """
    if lang == "pair":
        return _pair(workdays_chart, figures, {"person_days": person_days, "jobs": jobs, "rc": rc})
    p, j = figures[person_days], figures[jobs]
    days = days_per_job(p.value, j.value)
    year_days = days_in_period(p.period)
    filled = round(days)
    title = _label(f"{p.period}年每个直接岗位平均约{filled}个工日",
                   f"About {filled} workdays per direct job in {p.period}", lang)
    alt = _label(
        f"日历图：{p.period}年的{year_days}天中约{filled}天被填满。{p.label_zh}{p.text_zh()}"
        f"除以{j.label_zh}{j.text_zh()}，每个岗位平均约{days:.1f}个工日。",
        f"Calendar chart: about {filled} of the {year_days} days of {p.period} are filled. "
        f"{p.label_en} {p.text_en()} divided by {j.label_en} {j.text_en()} is about "
        f"{days:.1f} workdays per job.", lang, sep=" ")

    def draw(fig, narrow):
        fig.set_figheight(2.4 if narrow else 2.6)
        ax = fig.add_subplot()
        weeks = -(-year_days // 7)
        # one cell per day, a week per column: 2 = worked, 1 = other days, 0 = none
        grid = np.zeros((7, weeks))
        for day in range(year_days):
            col, row = divmod(day, 7)
            grid[row, col] = 2 if day < filled else 1
        colors = ListedColormap(["#ffffff", "#e4e4e4", style_color(0)])
        # an image, not 365 patches: the SVG stays small (a few KB, not 90)
        ax.imshow(grid, cmap=colors, vmin=0, vmax=2, interpolation="none",
                  extent=(0, weeks, 7, 0), aspect="equal")
        line = 0.8 if narrow else 1.6
        ax.hlines(np.arange(8), 0, weeks, colors="white", linewidth=line)
        ax.vlines(np.arange(weeks + 1), 0, 7, colors="white", linewidth=line)
        ax.set_xlim(-0.2, weeks + 0.2)
        ax.set_ylim(7.2, -0.2)
        ax.axis("off")
        width = fig.get_figwidth() * 72
        ax.set_title(wrap(fig, title, width * 0.95, size=rcParams["axes.titlesize"], weight="bold"))
        ax.legend(handles=[
            Patch(color="C0", label=_label(f"约{filled}个工日", f"about {filled} workdays", lang, sep=" / ")),
            Patch(color="#e4e4e4",
                  label=_label(f"全年{year_days}天", f"{year_days} days in the year", lang, sep=" / ")),
        ], loc="upper left", bbox_to_anchor=(0, 0), ncol=1 if narrow else 2, frameon=False)

    caption = _label("每个直接岗位的工日", "Workdays per direct job", lang, sep=" · ")
    data = [Datum("每个直接岗位的工日", "Workdays per direct job", days, "个工日", "workdays"),
            Datum("图中填满的天数", "Days filled in the chart", filled, "天", "days"),
            Datum(f"{p.period}年的天数", f"Days in {p.period}", year_days, "天", "days")]
    return render(f"workdays-{lang}", draw, title=title, alt=alt, lang=LANG_CODES[lang],
                  caption=caption, source=p.source, data=data, rc=rc)
