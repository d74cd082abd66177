"""The reading page's figures, measured in Chromium on a built book: the numbers the README quotes.

    python tools/reading_figures.py [_build/html]

Serves the book on 127.0.0.1, opens it in Debian's Chromium (the tests' flags) and prints:
the smallest chart text at 390 and 1280 px in each mode, the 双语 column widths and characters a line
at 1280 px, the empty column area, the Chinese text nodes drawn with a Japanese face, axe violations in
light and dark, and the A4 pages an issue prints to in each one-language mode. The measurements are the
tests' own (tests/test_reading_page.py, tests/test_chart_legibility.py), which assert the limits.
"""

from __future__ import annotations

import io
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from tests.browsing import AXE, CHROMIUM, DESKTOP, FLAGS, ISSUE, MODES, PHONE, serve, site_pages  # noqa: E402
from tests.test_chart_legibility import FIGURES, MEASURE  # noqa: E402
from tests.test_reading_page import AXE_RUN, COLUMNS, LANG_SCAN, jp_drawn, set_mode  # noqa: E402


def main(html: Path) -> None:
    from playwright.sync_api import sync_playwright
    from pypdf import PdfReader

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=str(CHROMIUM), args=FLAGS)
        for site in serve(html):
            def page(viewport, scheme="light", bypass_csp=False):
                context = browser.new_context(viewport=viewport, color_scheme=scheme, bypass_csp=bypass_csp)
                return context.new_page()

            for name, viewport in (("390 px", PHONE), ("1280 px", DESKTOP)):
                pg = page(viewport)
                pg.goto(f"{site}/{ISSUE}")
                sizes = {}
                for mode in MODES:
                    set_mode(pg, mode)
                    found = pg.evaluate(MEASURE, FIGURES)
                    sizes[mode] = min(f["px"] for f in found)
                print(f"smallest chart text at {name}: " + ", ".join(f"{m} {v:.1f} px" for m, v in sizes.items()))
                pg.context.close()

            pg = page(DESKTOP)
            pg.goto(f"{site}/{ISSUE}?lang=both")
            m = pg.evaluate(COLUMNS)
            print(f"双语 at 1280 px: Chinese column {m['zh'][1]:.0f} px ({m['zh'][2]} characters a line), English "
                  f"{m['en'][1]:.0f} px ({m['en'][2]} characters a line), together "
                  f"{m['en'][0] + m['en'][1] - m['zh'][0]:.0f} px")
            print(f"empty column per story at 1280 px: {', '.join(f'{e:.0f}' for e in m['empty'])} px "
                  f"(largest {max(m['empty']):.0f} px, a screen is {m['screen']} px)")
            pg.context.close()

            jp = untagged = 0
            violations = {"light": 0, "dark": 0}
            pages = [*site_pages(html, one_topic=True), "search.html?q=就业"]
            for scheme in ("light", "dark"):
                for viewport in (PHONE, DESKTOP):
                    for path in pages:
                        pg = page(viewport, scheme, bypass_csp=True)
                        pg.goto(f"{site}/{path}", wait_until="load")
                        if "?q=" in path:
                            pg.locator("#search-results p.search-summary span").first.wait_for(state="attached")
                            pg.wait_for_load_state("networkidle")
                        pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
                        switch = pg.locator(".bl-switch input").count() > 0
                        for mode in MODES if switch else ("page",):
                            if switch:
                                set_mode(pg, mode)
                            untagged += len(pg.evaluate(LANG_SCAN))
                            if scheme == "light" and pg.locator("[data-han]").count():
                                jp += len(jp_drawn(pg))
                            violations[scheme] += sum(len(v["nodes"]) for v in pg.evaluate(AXE_RUN))
                        pg.context.close()
            print(f"{len(pages)} pages x 2 widths x 3 modes: untagged strings {untagged}, Chinese text nodes drawn "
                  f"with a JP face {jp}, axe violations light {violations['light']}, dark {violations['dark']}")

            for mode in ("zh", "en"):
                pg = page(DESKTOP)
                pg.goto(f"{site}/{ISSUE}?lang={mode}")
                pg.emulate_media(media="print")
                printed = len(PdfReader(io.BytesIO(pg.pdf(format="A4"))).pages)
                print(f"issue 1 printed in {mode}: {printed} A4 pages")
                pg.context.close()
        browser.close()


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html")
