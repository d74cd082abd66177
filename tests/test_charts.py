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
        assert f'<picture lang="{code}" class="bl-{suffix}">' in chart.img_tag()


def test_pair_displays_as_four_svg_outputs_then_the_email_pngs(figures):
    from IPython.core.interactiveshell import InteractiveShell
    from IPython.utils.capture import capture_output

    shell = InteractiveShell.instance()
    try:
        shell.user_ns["pair"] = charts.employment_chart(figures)
        with capture_output() as captured:
            shell.run_cell("pair")
    finally:
        InteractiveShell.clear_instance()
    outputs = [o.data["image/svg+xml"] for o in captured.outputs[:4]]
    # Chinese, English, then each one's narrow drawing: what the book's extension groups into one figure
    ids = [re.search(r"<dc:identifier>([^<]+)</dc:identifier>", svg).group(1) for svg in outputs]
    assert ids == ["employment-zh", "employment-en", "employment-zh-narrow", "employment-en-narrow"]
    assert ["<dc:language>zh-CN" in svg for svg in outputs] == [True, False, True, False]
    # then the email's PNGs (2x of 560 px), named in their text chunks; the extension takes them off the page
    import base64

    from PIL import Image

    pngs = captured.outputs[4:]
    assert [sorted(o.data) for o in pngs] == [["image/png", "text/plain"]] * 4
    for output, lang, suffix, width in zip(pngs, ("zh-CN", "en") * 2, ("", "", "-narrow", "-narrow"),
                                           (1120, 1120, 720, 720)):
        data = output.data["image/png"]
        with Image.open(io.BytesIO(base64.b64decode(data) if isinstance(data, str) else data)) as image:
            assert image.width == width and image.info["Language"] == lang
            assert image.info["Identifier"] == f"employment-{lang[:2]}{suffix}-email" and image.info["Description"]


ALL_CHARTS = [*CHARTS, lambda figures, **kw: charts.trend_chart(
    [("2024", figures["direct_jobs"]), ("2025", figures["direct_jobs"])], **kw)]


@pytest.mark.parametrize("make", ALL_CHARTS)
@pytest.mark.parametrize("lang", ["zh", "en"])
def test_each_drawing_is_legible_at_the_width_it_is_made_for(make, lang, figures):
    """The smallest text, shown as wide as the column, is 12 CSS px or more: 11 pt fonts at most, drawn
    WIDE_WIDTH or NARROW_WIDTH wide, so 12 px holds in a column of 12/11 x the drawing's width or more
    (tests/test_chart_legibility.py measures it in the browser)."""
    from charts._render import MIN_FONT_PT, NARROW_WIDTH, WIDE_WIDTH, svg_font_sizes, viewbox_width

    chart = make(figures, lang=lang)
    narrow = chart.narrow
    assert narrow is not None and narrow.name == chart.name + "-narrow"
    assert f"<dc:identifier>{chart.name}-narrow</dc:identifier>" in narrow.svg
    for drawing, inches in ((chart, WIDE_WIDTH), (narrow, NARROW_WIDTH)):
        sizes = svg_font_sizes(drawing.svg)
        assert len(sizes) >= 3 and min(sizes) >= MIN_FONT_PT, (drawing.name, sizes)
        # the tight box keeps the drawing within its width and the 0.1 in pad each side (savefig.pad_inches):
        # a longer label is wrapped, not let out
        width = viewbox_width(drawing.svg)
        assert inches * 72 * 0.9 <= width <= (inches + 0.2) * 72 + 2, (drawing.name, width)
    # a 390 px phone's column (342 px) shows the narrow drawing's smallest text at 12 px or more
    assert min(svg_font_sizes(narrow.svg)) * 342 / viewbox_width(narrow.svg) >= 12
    # the same numbers and words, in the chart's own language only
    assert narrow.data == chart.data and narrow.alt == chart.alt and narrow.lang == chart.lang
    han = re.compile(r"[\u4e00-\u9fff]")
    assert bool(han.search(chart.title)) == (lang == "zh")


def test_font_sizes_are_read_from_the_svg():
    from charts._render import render, svg_font_sizes

    def draw(fig, narrow):
        ax = fig.add_subplot()
        ax.set_title("T", fontsize=17)
        ax.text(0.5, 0.5, "x", fontsize=8 if narrow else 9)
        ax.axis("off")

    chart = render("t", draw, title="t", alt="t", lang="en")
    assert sorted(svg_font_sizes(chart.svg)) == [9, 17] and sorted(svg_font_sizes(chart.narrow.svg)) == [8, 17]


def test_svg_draws_without_css(figures):
    """No style attribute or <style>: a data: image takes the page's Content-Security-Policy, which blocks them
    (the interactive view's charts)."""
    from xml.etree import ElementTree

    for chart in charts.workdays_chart(figures):
        for svg in (chart.svg, chart.narrow.svg):
            root = ElementTree.fromstring(svg.encode("utf-8"))
            assert not any("style" in el.attrib or el.tag.endswith("}style") for el in root.iter())
            assert root.get("stroke-linejoin") == "round"  # the <style>'s defaults, inherited from the root
            assert 'fill="#c8102e"' in svg or "image" in svg


def test_wrap_breaks_words_and_chinese():
    from matplotlib import style
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure

    from charts._fonts import register_cjk_font
    from charts._render import STYLE, wrap

    register_cjk_font()
    with style.context(STYLE):
        fig = Figure()
        FigureCanvasAgg(fig)
        _wrapped(fig, wrap)


def _wrapped(fig, wrap):
    assert wrap(fig, "short", 200) == "short"
    lines = wrap(fig, "Total jobs (incl. upstream and downstream): over 2.03 million people", 120).split("\n")
    assert len(lines) >= 3 and " ".join(lines) == "Total jobs (incl. upstream and downstream): over 2.03 million people"
    zh = wrap(fig, "总就业约为直接就业的2.9倍，含上下游", 60).split("\n")
    assert len(zh) >= 3 and "".join(zh) == "总就业约为直接就业的2.9倍，含上下游"
    assert not any(line.startswith("，") for line in zh)


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
    box = charts.chart_switcher(views, ["就业 | Jobs", ("工日", "Workdays")])
    zh_row, en_row, stack = box.children
    assert isinstance(zh_row, widgets.ToggleButtons) and isinstance(stack, widgets.Stack)
    # a row of buttons per language, each labelled in its own language only, shown by the page's switch
    assert [label for label, _ in zh_row.options] == ["就业", "工日"] and zh_row._dom_classes == ("bl-zh",)
    assert [label for label, _ in en_row.options] == ["Jobs", "Workdays"] and en_row._dom_classes == ("bl-en",)
    assert (zh_row.description, en_row.description) == ("图表", "Chart")
    assert en_row.tooltips[0].startswith("Total jobs") and zh_row.tooltips[0].startswith("总就业")
    for view in stack.children:  # each view holds the Chinese and the English chart, tagged for the switch
        # as SVG (text sizes known, tests/test_chart_legibility.py), the narrow drawing for narrow viewports
        assert view.value.count("data:image/svg+xml;base64,") == 4
        assert view.value.count('<source media="(max-width: 599.98px)"') == 2
        assert '<picture lang="zh-CN" class="bl-zh">' in view.value and '<picture lang="en" class="bl-en">' in view.value
    from ipywidgets.embed import embed_data

    state = embed_data(views=[box])["manager_state"]["state"]
    links = [m["state"] for m in state.values() if m["model_name"] == "LinkModel"]
    for row, link in zip((zh_row, en_row), links):
        assert {"source": ["IPY_MODEL_" + row.model_id, "index"],
                "target": ["IPY_MODEL_" + stack.model_id, "selected_index"]}.items() <= link.items()
    with pytest.raises(ValueError, match="one label per chart"):
        charts.chart_switcher(views, ["only | one"])
    with pytest.raises(ValueError, match="'中文 \\| English'"):
        charts.chart_switcher(views, ["就业 Jobs", "工日 Workdays"])
