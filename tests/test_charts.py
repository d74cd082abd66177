"""The charts package: pure helpers against known values, then real renders."""

from __future__ import annotations

import io
import re

import numpy as np
import pytest
from PIL import Image

import charts
from charts import format_en, format_zh

from .conftest import ISSUE1, ROOT


@pytest.mark.parametrize(("value", "zh", "en"), [
    (690000, "69万", "690,000"),
    (2030000, "203万", "2.03 million"),
    (36850000, "3685万", "36.85 million"),
    (3670000, "367万", "3.67 million"),
    (3000, "3000", "3,000"),
    (150, "150", "150"),
    (35000000, "3500万", "35 million"),
    (250000000, "2.5亿", "250 million"),
    (1200000000, "12亿", "1.2 billion"),
])
def test_number_forms(value, zh, en):
    assert format_zh(value) == zh
    assert format_en(value) == en


@pytest.mark.parametrize(("direct", "total", "expected"), [
    (690000, 2030000, 2.942), (1, 1, 1.0), (100, 250, 2.5),
])
def test_multiplier(direct, total, expected):
    assert charts.multiplier(direct, total) == pytest.approx(expected, abs=1e-3)


@pytest.mark.parametrize(("direct", "total"), [(0, 10), (10, 5)])
def test_multiplier_rejects_impossible(direct, total):
    with pytest.raises(ValueError):
        charts.multiplier(direct, total)


@pytest.mark.parametrize(("days", "jobs", "expected"), [
    (36850000, 690000, 53.41), (365, 1, 365.0), (10, 4, 2.5),
])
def test_days_per_job(days, jobs, expected):
    assert charts.days_per_job(days, jobs) == pytest.approx(expected, abs=0.01)


@pytest.mark.parametrize(("period", "days"), [("2025", 365), ("2024", 366), ("1900", 365), ("2000", 366)])
def test_days_in_period(period, days):
    assert charts.days_in_period(period) == days


@pytest.fixture(scope="module")
def figures():
    return charts.load_figures(ROOT / ISSUE1)


CHARTS = [charts.employment_chart, charts.workdays_chart]


@pytest.mark.parametrize("make", CHARTS)
@pytest.mark.parametrize("lang", ["zh", "en", "both"])
def test_render_every_chart(make, lang, figures, tmp_path):
    chart = make(figures, lang=lang)
    (tmp_path / "c.svg").write_text(chart.svg, encoding="utf-8")
    (tmp_path / "c.png").write_bytes(chart.png)
    with Image.open(tmp_path / "c.png") as img:
        px = np.asarray(img.convert("RGB")).astype(int)
    assert px.shape[1] > 400 and px.shape[0] > 150
    # the house red (#c8102e) of the bars/days is really drawn
    red = (abs(px[..., 0] - 200) < 20) & (px[..., 1] < 40) & (abs(px[..., 2] - 46) < 25)
    assert red.sum() > 500
    assert re.search(r"<dc:description>[^<]+</dc:description>", chart.svg)
    has_han = bool(re.search(r"[\u4e00-\u9fff]", chart.alt))
    assert has_han == (lang in ("zh", "both"))


def test_chart_values_and_labels(figures):
    emp = charts.employment_chart(figures, lang="both")
    assert "2.9" in emp.title and "倍" in emp.title
    assert "690,000" in emp.alt and "69万" in emp.alt and "2.03 million" in emp.alt and "134万" in emp.alt
    wd = charts.workdays_chart(figures, lang="both")
    assert "53" in wd.title and "365" in wd.alt and "53.4" in wd.alt
    assert not emp.alt.endswith((".svg", ".png"))


@pytest.mark.parametrize("make", CHARTS)
def test_default_is_a_pair_labelled_in_each_language(make, figures):
    pair = make(figures)
    assert isinstance(pair, charts.ChartPair)
    zh, en = pair
    assert (zh.lang, en.lang) == ("zh-CN", "en")
    assert re.search(r"[\u4e00-\u9fff]", zh.title) and not re.search(r"[\u4e00-\u9fff]", en.title)
    for chart, code, suffix in ((zh, "zh-CN", "zh"), (en, "en", "en")):
        # what the book's extension reads to build the figure
        assert f"<dc:language>{code}</dc:language>" in chart.svg
        assert re.search(rf"<dc:identifier>[a-z]+-{suffix}</dc:identifier>", chart.svg)
        assert "<dc:source>人民网</dc:source>" in chart.svg
        assert f'lang="{code}" class="bl-{suffix}"' in chart.img_tag()


def test_pair_displays_as_two_svg_outputs(figures):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    try:
        shell.user_ns["pair"] = charts.employment_chart(figures)
        with capture_output() as captured:
            shell.run_cell("pair")
    finally:
        InteractiveShell.clear_instance()
    outputs = captured.outputs
    assert len(outputs) == 2
    assert ["<dc:language>zh-CN" in o.data["image/svg+xml"] for o in outputs] == [True, False]


@pytest.mark.parametrize("make", CHARTS)
def test_calendar_and_bars_stay_small(make, figures):
    for chart in make(figures):
        assert len(chart.svg) < 45_000  # the calendar is one image, not 365 patches


@pytest.mark.parametrize("make", CHARTS)
def test_output_is_byte_identical(make, figures):
    for a, b in zip(make(figures), make(figures)):
        assert a.svg == b.svg
        assert a.png == b.png


def test_missing_cjk_glyph_is_an_error(figures):
    with pytest.raises(UserWarning, match="missing from font"):
        charts.employment_chart(figures, rc={"font.sans-serif": ["DejaVu Sans"]})


def test_english_chart_needs_no_cjk_font(figures):
    chart = charts.employment_chart(figures, lang="en", rc={"font.sans-serif": ["DejaVu Sans"]})
    assert Image.open(io.BytesIO(chart.png)).width > 0


def test_switcher_links_buttons_to_stack(figures):
    import ipywidgets as widgets

    views = [charts.employment_chart(figures), charts.workdays_chart(figures)]
    box = charts.chart_switcher(views, ["就业 Jobs", "工日 Workdays"])
    toggle, stack = box.children
    assert isinstance(toggle, widgets.ToggleButtons) and isinstance(stack, widgets.Stack)
    assert [label for label, _ in toggle.options] == ["就业 Jobs", "工日 Workdays"]
    for view in stack.children:  # each view holds the Chinese and the English chart, tagged for the switch
        assert view.value.count("data:image/png;base64,") == 2
        assert 'lang="zh-CN" class="bl-zh"' in view.value and 'lang="en" class="bl-en"' in view.value
    from ipywidgets.embed import embed_data

    state = embed_data(views=[box])["manager_state"]["state"]
    links = [m["state"] for m in state.values() if m["model_name"] == "LinkModel"]
    assert {"source": ["IPY_MODEL_" + toggle.model_id, "index"],
            "target": ["IPY_MODEL_" + stack.model_id, "selected_index"]}.items() <= links[0].items()
    with pytest.raises(ValueError):
        charts.chart_switcher(views, ["only one"])
