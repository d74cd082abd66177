"""Interactive views that also work on the static page (no kernel needed)."""

from __future__ import annotations

from collections.abc import Sequence

from ._render import Chart, ChartPair


def chart_switcher(charts: Sequence[Chart | ChartPair], labels: Sequence[str], *,
                   description: str = "图表 Chart"):
    """Toggle buttons that switch between precomputed charts.

    The buttons and the chart stack are linked in the browser (``jslink``), so the
    switch works in a live kernel and on the hosted page alike. A
    :class:`ChartPair` shows both languages; on the book's page each image
    carries its ``lang`` and class, so the page's language switch picks one.
    """
    import ipywidgets as widgets

    if len(charts) != len(labels) or not charts:
        raise ValueError("give one label per chart, and at least one chart")
    toggle = widgets.ToggleButtons(
        options=[(label, i) for i, label in enumerate(labels)], value=0,
        description=description, tooltips=[_title(c) for c in charts],
        style={"button_width": "auto"},
    )
    views = [widgets.HTML(value="".join(c.img_tag() for c in (chart if isinstance(chart, ChartPair) else [chart])))
             for chart in charts]
    stack = widgets.Stack(views, selected_index=0)
    widgets.jslink((toggle, "index"), (stack, "selected_index"))
    return widgets.VBox([toggle, stack], layout=widgets.Layout(max_width="760px"))


def _title(chart: Chart | ChartPair) -> str:
    if isinstance(chart, ChartPair):
        return f"{chart.zh.title} · {chart.en.title}"
    return chart.title.replace("\n", " ")
