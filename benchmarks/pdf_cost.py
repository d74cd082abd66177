"""What the print edition costs a build: the three PDFs of one issue, typeset again and again (median).

    python benchmarks/pdf_cost.py [--book .] [--repeat 5] [--issues 8]

Reads the built book (`jupyter-book build .` first: the charts' SVGs and the environment), then:
- one issue's zh, en and 双语 PDFs typeset one after the other in this process, `--repeat` times: the median
  of each, and their sum (the cost of one issue in a cold build, on one core);
- `--issues` copies of that issue typeset by the build's own pool (site/pdf.py: forked processes, two at a time on
  this machine): the wall time per issue, which is what a cold build of N issues pays for its PDFs.
"""

from __future__ import annotations

import argparse
import pickle
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--book", type=Path, default=ROOT)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--issues", type=int, default=8)
    args = parser.parse_args()
    book = args.book.resolve()
    sys.path.insert(0, str(book / "_ext"))
    sys.path.insert(0, str(book))
    from charts._fonts import cjk_font_face
    from newsletter.edition import read_edition
    from panda_book.site import editions, pdf

    if not pdf.available():
        print(f"no PDF engine: {pdf.engine()[1]}; {pdf.INSTALL}")
        return 1
    env = pickle.load(open(book / "_build" / ".doctrees" / "environment.pickle", "rb"))
    docname = sorted(env.panda_issues)[0]
    app = type("App", (), {"env": env, "srcdir": str(book), "config": env.config})()
    with tempfile.TemporaryDirectory() as tmp:
        out = Path(tmp)
        charts = editions._charts(app, docname, out / "site")
        edition = read_edition(book, Path(env.doc2path(docname)), editions.base_url(app), charts)
        font = cjk_font_face(out / "fonts")
        pages = {lang: pdf.print_html(edition, lang, font) for lang in ("zh", "en", "both")}
        times = {lang: [] for lang in pages}
        for _ in range(args.repeat):
            for lang, page in pages.items():
                start = time.perf_counter()
                pdf._render((page, str(book), str(out / f"{lang}.pdf")))
                times[lang].append(time.perf_counter() - start)
        medians = {lang: statistics.median(values) for lang, values in times.items()}
        jobs = [(pages[lang], str(book), str(out / f"{i}-{lang}.pdf")) for i in range(args.issues) for lang in pages]
        start = time.perf_counter()
        pdf._run(jobs)
        wall = time.perf_counter() - start
    print(f"{docname}: median of {args.repeat}, one process")
    print("| PDF | seconds |\n|---|---:|")
    for lang, value in medians.items():
        print(f"| {lang} | {value:.2f} |")
    print(f"| one issue (the three) | {sum(medians.values()):.2f} |")
    print(f"\n{args.issues} issues (x3 PDFs) by the build's pool: {wall:.1f} s, {wall / args.issues:.2f} s an issue")
    return 0


if __name__ == "__main__":
    sys.exit(main())
