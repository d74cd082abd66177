"""A metric that recurs across issues, drawn over time."""

from __future__ import annotations

from collections.abc import Sequence

from matplotlib import rcParams

from newsletter.figures import Figure, format_en, format_zh

from ._employment import LANG_CODES, _label
from ._render import Chart, ChartPair, Datum, render, wrap


def trend_chart(points: Sequence[tuple[str, Figure]], *, lang: str = "pair") -> Chart | ChartPair:
    """``points``: (period, record) of one metric in several issues, any order.

    One point per period; a later issue's record for the same period replaces
    an earlier one (a correction).
    """
    if lang == "pair":
        return ChartPair(zh=trend_chart(points, lang="zh"), en=trend_chart(points, lang="en"))
    by_period: dict[str, Figure] = {}
    for period, fig in points:
        by_period[period] = fig
    periods = sorted(by_period)
    if len(periods) < 2:
        raise ValueError("a trend needs the metric in at least two periods")
    figs = [by_period[p] for p in periods]
    last = figs[-1]
    units = {f.unit for f in figs}
    if len(units) > 1:
        raise ValueError(f"metric {last.id!r} changes unit across issues: {sorted(units)}")
    title = _label(f"{last.label_zh}：{periods[0]}至{periods[-1]}",
                   f"{last.label_en}, {periods[0]} to {periods[-1]}", lang)
    values = ", ".join(f"{p} {f.text_zh() if lang == 'zh' else f.text_en()}" for p, f in zip(periods, figs))
    alt = _label(f"折线图：{last.label_zh}，{values}。", f"Line chart: {last.label_en}: {values}.", lang, sep=" ")

    def draw(fig, narrow):
        fig.set_figheight(3.2 if narrow else 3.0)
        ax = fig.add_subplot()
        xs = range(len(periods))
        ys = [f.value for f in figs]
        ax.plot(xs, ys, marker="o", color="C0")
        for x, f in zip(xs, figs):
            ax.annotate(format_zh(f.value) if lang == "zh" else format_en(f.value), (x, f.value),
                        textcoords="offset points", xytext=(0, 8), ha="center")
        ax.set_xticks(list(xs), periods)
        ax.set_xlim(-0.3, len(periods) - 0.7)  # room for the first and last numbers, centred on their points
        ax.set_ylim(0, max(ys) * 1.25)
        ax.yaxis.set_visible(False)
        ax.spines["left"].set_visible(False)
        ax.set_title(wrap(fig, title, fig.get_figwidth() * 72 * 0.95, size=rcParams["axes.titlesize"],
                          weight="bold"))

    data = [Datum(f"{p} {f.label_zh}", f"{p} {f.label_en}", f.value, f.unit_zh, f.unit_en)
            for p, f in zip(periods, figs)]
    caption = _label(last.label_zh, last.label_en, lang, sep=" · ")
    return render(f"trend-{last.id}-{lang}", draw, title=title, alt=alt, lang=LANG_CODES[lang],
                  caption=caption, source=", ".join(sorted({f.source for f in figs})), data=data)
