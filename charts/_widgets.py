"""Interactive views that also work on the static page (no kernel needed)."""

from __future__ import annotations

from collections.abc import Sequence

from ._render import Chart, ChartPair

#: the page's class for each language's buttons (the page's language switch shows one row or both)
_ROW_CLASS = {"zh": "bl-zh", "en": "bl-en"}


def bilingual(label: str | tuple[str, str]) -> tuple[str, str]:
    """A label given as ``"就业 | Jobs"`` or ``("就业", "Jobs")``, as (Chinese, English)."""
    if isinstance(label, str):
        zh, bar, en = label.partition("|")
        if not bar:
            raise ValueError(f"the label {label!r} is in one language only: write it as '中文 | English' "
                             "(for example '就业 | Jobs'), so each language's buttons show their own label")
        label = (zh, en)
    zh, en = (part.strip() for part in label)
    if not zh or not en:
        raise ValueError(f"the label {label!r} lacks its Chinese or its English half: write '中文 | English'")
    return zh, en


def chart_switcher(charts: Sequence[Chart | ChartPair], labels: Sequence[str | tuple[str, str]], *,
                   description: str | tuple[str, str] = "图表 | Chart"):
    """Toggle buttons that switch between precomputed charts.

    ``labels``: one per chart, in both languages (``"就业 | Jobs"``). There is a
    row of buttons for each language (classes ``bl-zh``, ``bl-en``), so the page's
    language switch shows the reader's; both rows and the chart stack are linked
    in the browser (``jslink``), so the switch works in a live kernel and on the
    hosted page alike. A :class:`ChartPair` shows both languages; on the book's
    page each image carries its ``lang`` and class, so the page's language switch
    picks one, and each is a ``<picture>`` with its narrow drawing for phones.
    """
    import ipywidgets as widgets

    if len(charts) != len(labels) or not charts:
        raise ValueError("give one label per chart, and at least one chart")
    pairs = [bilingual(label) for label in labels]
    names = bilingual(description)
    views = [widgets.HTML(value="".join(c.img_tag() for c in (chart if isinstance(chart, ChartPair) else [chart])))
             for chart in charts]
    stack = widgets.Stack(views, selected_index=0)
    rows = []
    for i, lang in enumerate(("zh", "en")):
        toggle = widgets.ToggleButtons(
            options=[(pair[i], n) for n, pair in enumerate(pairs)], value=0,
            description=names[i], tooltips=[_title(c, lang) for c in charts],
            style={"button_width": "auto"},
        )
        toggle.add_class(_ROW_CLASS[lang])
        widgets.jslink((toggle, "index"), (stack, "selected_index"))
        rows.append(toggle)
    return widgets.VBox([*rows, stack], layout=widgets.Layout(max_width="760px"))


def _title(chart: Chart | ChartPair, lang: str) -> str:
    if isinstance(chart, ChartPair):
        chart = chart.zh if lang == "zh" else chart.en
    return chart.title.replace("\n", " ")
