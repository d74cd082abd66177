"""Charts can be read at every width, in every mode: measured in Chromium on the served files.

For each chart image a reader sees (the figures and, once loaded, the interactive view) at 390x844 and
1280x800, in 中文, English and 双语, the smallest text it shows is

    (smallest font size of any text in the SVG the browser picked, in SVG user units)
    x (the image's rendered width / the SVG's viewBox width)

in CSS px, and must be at least 12. The SVG is the one the browser actually chose (``currentSrc``: the
``<picture>``'s narrow drawing on a phone), fetched and parsed; its text is outlines (matplotlib's
``svg.fonttype: path``), each ``<g id="text_N">`` scaled by font size / 100 (``TextToPath.FONT_SCALE``).
One page load per width; the modes are switched with the page's own switch.
"""

from __future__ import annotations

import pytest

from .browsing import DESKTOP, ISSUE, PHONE, clean, visit

pytestmark = [pytest.mark.browser, pytest.mark.slow]

MIN_PX = 12.0

#: for every visible chart image under `root`: the language, which file, its rendered width, the SVG's
#: viewBox width and smallest font size (user units), and the rendered size of that text in CSS px
MEASURE = """async (selector) => {
  const FONT_SCALE = 100;  // matplotlib.textpath.TextToPath.FONT_SCALE
  const imgs = [...document.querySelectorAll(selector)].filter(i => i.getClientRects().length);
  const out = [];
  for (const img of imgs) {
    img.scrollIntoView({block: "center"});
    const deadline = Date.now() + 10000;
    while (!(img.complete && img.naturalWidth) && Date.now() < deadline) await new Promise(r => setTimeout(r, 50));
    const src = img.currentSrc;
    let text;
    if (src.startsWith("data:image/svg+xml;base64,")) {  // the interactive view's (a fetch of data: is not allowed)
      const bytes = Uint8Array.from(atob(src.slice(src.indexOf(",") + 1)), c => c.charCodeAt(0));
      text = new TextDecoder().decode(bytes);
    } else {
      text = await (await fetch(src)).text();
    }
    const svg = new DOMParser().parseFromString(text, "image/svg+xml").documentElement;
    const sizes = [];
    for (const g of svg.querySelectorAll("g[id^='text_']")) {
      for (const inner of g.querySelectorAll("g[transform]")) {
        const m = inner.getAttribute("transform").match(/scale\\(([\\d.]+) -\\1\\)/);
        if (m) { sizes.push(parseFloat(m[1]) * FONT_SCALE); break; }
      }
    }
    const viewBox = svg.viewBox.baseVal.width;
    const width = img.getBoundingClientRect().width;
    const font = Math.min(...sizes);
    out.push({lang: img.closest("[lang]").lang, file: src.startsWith("data:") ? "data:" + viewBox : src.split("/").pop(),
              texts: sizes.length, width, viewBox, font, px: font * width / viewBox});
  }
  return out;
}"""

FIGURES = "figure.bl-figure img.bl-chart"
WIDGET = ".widget-html-content img"
#: the reading column a figure stands in: the content width of the section that holds it
COLUMN = """() => [...document.querySelectorAll("figure.bl-figure")].map(f => {
  const box = f.parentElement, style = getComputedStyle(box);
  return box.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
})"""


def switch(pg, mode: str) -> None:
    pg.evaluate(f"document.querySelector('.bl-switch input[value={mode}]').click()")
    assert pg.evaluate("document.documentElement.dataset.lang") == mode


def check(found: list[dict], where: str, count: int, langs: set[str]) -> float:
    assert len(found) == count, (where, found)
    assert {f["lang"] for f in found} == langs, (where, found)
    for f in found:
        assert f["texts"] >= 3, (where, f)  # the title, labels and legend were found in the SVG
        assert f["px"] >= MIN_PX, f"{where}: {f['file']} shows its smallest text at {f['px']:.1f} px: {f}"
    return min(f["px"] for f in found)


LANGS = {"zh": {"zh-CN"}, "en": {"en"}, "both": {"zh-CN", "en"}}


@pytest.mark.parametrize("viewport", [PHONE, DESKTOP], ids=["phone", "desktop"])
def test_chart_text_is_at_least_12px(open_page, viewport):
    pg = visit(open_page(viewport), f"{ISSUE}?lang=both")
    smallest, shown = {}, set()
    for mode in ("both", "zh", "en"):
        switch(pg, mode)
        found = pg.evaluate(MEASURE, FIGURES)
        shown |= {f["file"] for f in found}
        smallest[f"figures {mode}"] = check(found, f"{viewport['width']}px {mode}", 2 * len(LANGS[mode]),
                                            LANGS[mode])
        # a phone gets the narrow drawing, a desktop the wide one: each is the file made for its width
        narrow = viewport["width"] < 600
        assert all((f["viewBox"] < 300) == narrow for f in found), found
        if mode == "both" and viewport == DESKTOP:
            # stacked, each as wide as the reading column, not a half column each
            columns = pg.evaluate(COLUMN)
            assert min(f["width"] for f in found) >= min(columns) - 1, (found, columns)
    # a hidden chart is never downloaded: only the files shown (the drawing for this width) were fetched
    loaded = pg.evaluate("performance.getEntriesByType('resource').map(e => e.name)"
                         ".filter(n => n.includes('_images/') && n.endsWith('.svg')).map(n => n.split('/').pop())")
    assert len(shown) == 4 and set(loaded) == shown, (loaded, shown)

    # the interactive view, loaded on request: its charts and its buttons follow the mode too
    pg.locator(".bl-widget-load").click()
    pg.locator(".widget-toggle-buttons:visible").first.wait_for(timeout=30000)
    for mode in ("en", "zh", "both"):
        switch(pg, mode)
        rows = pg.locator(".widget-toggle-buttons").evaluate_all(
            "rows => rows.filter(r => r.getClientRects().length).map(r => [r.lang, r.innerText])")
        assert sorted(lang for lang, _ in rows) == sorted(LANGS[mode]), rows
        for lang, text in rows:  # a row's labels are in its own language only
            assert ("就业" in text) == (lang == "zh-CN") and ("Jobs" in text) == (lang == "en"), rows
        for chart in range(2):  # each chart of the view: pick it with the first visible row of buttons
            pg.locator(".widget-toggle-buttons:visible button").nth(chart).click()
            pg.wait_for_timeout(200)
            found = pg.evaluate(MEASURE, WIDGET)
            smallest[f"interactive {mode} {chart}"] = check(found, f"{viewport['width']}px view {mode}",
                                                            len(LANGS[mode]), LANGS[mode])
    print(f"smallest chart text at {viewport['width']}px:",
          ", ".join(f"{k} {v:.1f}" for k, v in smallest.items()))
    clean(pg)
