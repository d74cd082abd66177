"""Build benchmark: this book against plain Jupyter Book 1, at N issues.

Usage:
    python benchmarks/run.py --issues 10 [--repeat 3] [--keep DIR] [--json FILE] [--against EARLIER.json]
                             [--before REV]
    python benchmarks/run.py --preview --issues 10 [--repeat 5] [--keep DIR] [--json FILE]

Generates, in a temporary folder (never published), two books of N synthetic
issues with the same content: each issue is issue 1 (four bilingual stories,
twelve figure records, two chart pairs and the interactive view) renumbered and
redated through the project's real template rules and chart code.

- "ours": this repository's configuration and extension;
- "plain": a default Jupyter Book 1 book (``_config.yml`` with only a title), the
  same text as plain MyST and the same two charts (labelled in both languages);
- with ``--before REV``, "before": this book as it was at the git revision REV
  (its configuration, extension, chart code and ``newsletter`` package, taken with
  ``git archive`` and put first on ``PYTHONPATH``), built in the same run, so a
  change is measured side by side with what it changed.

For each, it times (median of ``--repeat`` runs): a cold build, a no-change
rebuild, an edit of one issue's text, an edit of one issue's code, an edit of a
function in ``charts/`` (a copy on ``PYTHONPATH``), and adding one issue with
every page correct (plain: ``--all``, as its incremental build leaves old sidebars; this
book: its normal incremental build, which equals a clean one); and reports the
peak memory of a build (largest process), the size of ``_build/html``, the HTML
of one issue page and the bytes that page loads in Chromium. It prints one
Markdown table with each figure of ours as a ratio against plain.
"""

from __future__ import annotations

import argparse
import json
import shutil
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
JB = str(Path(sys.executable).with_name("jupyter-book"))
BOOK_FILES = ("_config.yml", "index.md", "data.md", "archive.md", "tags.yml", "sources.yml", "_ext", "search",
              "templates")
ISSUE1 = ROOT / "issues" / "001-2025-11.md"


def month(i: int) -> str:
    """Issue i's month: one issue a month from 2000-01 (the file name rule keeps one per month)."""
    return f"{2000 + (i - 1) // 12}-{(i - 1) % 12 + 1:02d}"


def our_issue(i: int) -> tuple[str, str]:
    stem = f"{i:03d}-{month(i)}"
    text = ISSUE1.read_text(encoding="utf-8")
    text = (text.replace("001-2025-11.md", f"{stem}.md").replace("  number: 1\n", f"  number: {i}\n")
            .replace("  date: 2025-11\n", f"  date: {month(i)}\n")
            .replace("第1期 | Issue 1", f"第{i}期 | Issue {i}"))
    return stem, text


def plain_issue(i: int) -> tuple[str, str]:
    from tools.page_weight import _plain_issue

    stem = f"{i:03d}-{month(i)}"
    text = _plain_issue().replace("第1期·Issue 1", f"第{i}期·Issue {i}")
    return stem, text


def checkout(rev: str, folder: Path) -> Path:
    """The repository's files at ``rev``, in ``folder`` (``git archive``: no working tree is touched)."""
    folder.mkdir(parents=True)
    archive = subprocess.run(["git", "-C", str(ROOT), "archive", "--format=tar", rev], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(folder)], input=archive.stdout, check=True)
    return folder


def make_book(variant: str, n: int, folder: Path, source: Path = ROOT) -> None:
    """A book of N issues; ``source``: the repository it is made from (another revision's for "before")."""
    folder.mkdir(parents=True)
    (folder / "issues").mkdir()
    (folder / "sources").mkdir()
    shutil.copy(ROOT / "sources" / "000_484a9975802836a3.txt", folder / "sources")
    shutil.copytree(source / "charts", folder / "charts", ignore=shutil.ignore_patterns("__pycache__"))
    if variant != "plain":
        if source != ROOT:  # that revision's own rules and models, ahead of the installed ones
            shutil.copytree(source / "newsletter", folder / "newsletter", ignore=shutil.ignore_patterns("__pycache__"))
        for item in BOOK_FILES:
            src = source / item
            if not src.exists():
                continue  # a file that revision did not have yet (sources.yml before issue 15)
            if src.is_dir():
                shutil.copytree(src, folder / item, ignore=shutil.ignore_patterns("__pycache__"))
            else:
                shutil.copy(src, folder / item)
        make = our_issue
        tail = "  - file: data\n  - file: archive\n"
    else:
        (folder / "_config.yml").write_text("title: Plain Jupyter Book 1\nauthor: bench\n", encoding="utf-8")
        (folder / "index.md").write_text("# Plain book\n\nA baseline.\n", encoding="utf-8")
        make = plain_issue
        tail = ""
    entries = []
    for i in range(1, n + 1):
        stem, text = make(i)
        (folder / "issues" / f"{stem}.md").write_text(text, encoding="utf-8")
        entries.append(f"  - file: issues/{stem}\n")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n" + "".join(entries) + tail,
                                     encoding="utf-8")


def build(folder: Path, *extra: str) -> tuple[float, int]:
    """Seconds and peak memory (KiB, largest process) of one `jupyter-book build`."""
    wrapper = ("import resource, subprocess, sys; r = subprocess.run(sys.argv[1:], capture_output=True, text=True);"
               "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss); sys.stderr.write(r.stdout[-3000:]);"
               "sys.exit(r.returncode)")
    env = {"PYTHONPATH": str(folder), "PATH": str(Path(sys.executable).parent) + ":/usr/bin:/bin",
           "HOME": str(Path.home())}
    started = time.perf_counter()
    proc = subprocess.run([sys.executable, "-c", wrapper, JB, "build", *extra, "."], cwd=folder,
                          capture_output=True, text=True, env=env)
    took = time.perf_counter() - started
    if proc.returncode:
        raise RuntimeError(f"build failed in {folder}:\n{proc.stderr[-3000:]}")
    return took, int(proc.stdout.strip().splitlines()[-1])


def edit_text(folder: Path, i: int) -> None:
    path = sorted((folder / "issues").glob("*.md"))[i - 1]
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("Catch the pulse of mini-drama.", "Catch the pulse of mini-drama. ", 1)
                    if "Catch the pulse of mini-drama. " not in text else
                    text.replace("Catch the pulse of mini-drama. ", "Catch the pulse of mini-drama.", 1),
                    encoding="utf-8")


def edit_code(folder: Path, i: int) -> None:
    """Add (or remove) a comment line in the issue's first code cell: the notebook must run again."""
    path = sorted((folder / "issues").glob("*.md"))[i - 1]
    text = path.read_text(encoding="utf-8")
    if "# edited\n" in text:
        text = text.replace("# edited\n", "", 1)
    else:
        start = text.index("```{code-cell} ipython3\n")
        body = text.index("\n\n", start) + 2 if text[start:].split("\n", 2)[1].startswith(":") else \
            text.index("\n", start) + 1
        text = text[:body] + "# edited\n" + text[body:]
    path.write_text(text, encoding="utf-8")


def edit_chart_function(folder: Path) -> None:
    path = folder / "charts" / "_employment.py"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace('color="C0", height=0.55', 'color="C0", height=0.56', 1)
                    if 'height=0.56' not in text else text.replace('height=0.56', 'height=0.55', 1), encoding="utf-8")


def add_issue(variant: str, folder: Path, n: int) -> None:
    stem, text = (plain_issue if variant == "plain" else our_issue)(n + 1)
    (folder / "issues" / f"{stem}.md").write_text(text, encoding="utf-8")
    toc = folder / "_toc.yml"
    lines = toc.read_text(encoding="utf-8").splitlines(keepends=True)
    last = max(i for i, line in enumerate(lines) if "issues/" in line)
    lines.insert(last + 1, f"  - file: issues/{stem}\n")
    toc.write_text("".join(lines), encoding="utf-8")


def remove_issue(folder: Path, n: int) -> None:
    stem = f"{n + 1:03d}-{month(n + 1)}"
    (folder / "issues" / f"{stem}.md").unlink()
    toc = folder / "_toc.yml"
    toc.write_text("".join(line for line in toc.read_text(encoding="utf-8").splitlines(keepends=True)
                           if stem not in line), encoding="utf-8")


def page_bytes(html: Path, page: str) -> int:
    from tools.page_weight import measure

    return measure(html, [page], [None])[0].raw


def run(variant: str, n: int, repeat: int, base: Path, source: Path = ROOT) -> dict:
    folder = base / variant
    make_book(variant, n, folder, source)
    results: dict[str, list[float]] = {k: [] for k in ("cold", "no change", "edit text", "edit code",
                                                       "edit chart function", "add one issue")}
    memory = []
    for repetition in range(repeat):
        shutil.rmtree(folder / "_build", ignore_errors=True)
        t, m = build(folder)
        results["cold"].append(t)
        memory.append(m)
        results["no change"].append(build(folder)[0])
        edit_text(folder, max(1, n // 2))
        results["edit text"].append(build(folder)[0])
        edit_code(folder, max(1, n // 2))
        results["edit code"].append(build(folder)[0])
        edit_chart_function(folder)
        # plain Jupyter Book cannot know a chart function changed: measured as what it does
        results["edit chart function"].append(build(folder)[0])
        add_issue(variant, folder, n)
        # every page correct: plain Jupyter Book 1 needs --all (an incremental build leaves the
        # old sidebar on the pages it does not rewrite); this book's incremental build gives
        # what a clean build gives (tests/test_incremental.py)
        everything = ("--all",) if variant == "plain" else ()
        results["add one issue"].append(build(folder, *everything)[0])
        if repetition < repeat - 1:  # back to N issues for the next repetition
            remove_issue(folder, n)
            build(folder, *everything)
    html = folder / "_build" / "html"
    page = f"issues/{max(1, n // 2):03d}-{month(max(1, n // 2))}.html"
    return {
        **{k: statistics.median(v) for k, v in results.items()},
        "peak memory (MiB)": max(memory) / 1024,
        "_build/html (MiB)": sum(p.stat().st_size for p in html.rglob("*") if p.is_file()) / 2**20,
        "issue page HTML (KiB)": (html / page).stat().st_size / 1024,
        "searchindex.js (KiB)": (html / "searchindex.js").stat().st_size / 1024,
        "issue page loads (KiB)": page_bytes(html, page) / 1024,
    }


def preview_times(n: int, repeat: int, base: Path, keep_folder: Path | None = None) -> dict:
    """``python -m newsletter preview`` on a book of N issues, seen from Chromium: the seconds from a save to the
    new text on the open page (the page reloads itself), for an edit of an issue's text and of a chart cell.

    Median of ``repeat`` saves each, after a first save that is not counted (the build server's first build
    runs in the server itself; the saves measured are the forked builds a contributor gets from then on).
    """
    import os
    import threading

    from playwright.sync_api import sync_playwright

    from newsletter.preview import Preview

    folder = keep_folder or base / f"preview-{n}"
    if not folder.exists():
        make_book("ours", n, folder)
        build(folder)  # the contributor's folder after `jupyter-book build .`: the execution cache is there
    os.environ["PYTHONPATH"] = str(folder)  # the book's own charts, for the build server and its kernels
    middle = sorted((folder / "issues").glob("*.md"))[max(1, n // 2) - 1]
    live = Preview(folder, 0)
    stop = threading.Event()
    times: dict[str, list[float]] = {"preview: save text → visible": [], "preview: edit chart cell → visible": []}
    try:
        address = live.start()
        watcher = threading.Thread(target=live.watch, kwargs={"stop_event": stop}, daemon=True)
        watcher.start()
        time.sleep(1)
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=[
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run"])
            page = browser.new_page()
            page.goto(address + f"issues/{middle.stem}.html")
            page.wait_for_function("() => document.documentElement.dataset.pandaPreview === 'following'",
                                   timeout=300_000)
            sentence = "Recently, the mini series Ni Guang Zhi Ai officially started filming in Nanning."
            cell = "workdays = workdays_chart(figures)\n"
            original = middle.read_text(encoding="utf-8")
            for k in range(repeat + 1):
                for key, edit in (("preview: save text → visible",
                                   lambda text, token: text.replace(sentence, f"{sentence} {token}.")),
                                  ("preview: edit chart cell → visible",
                                   lambda text, token: text.replace(cell, f"{cell}print('{token}')\n"))):
                    token = f"tok{k}x{len(times[key])}{key[9]}"
                    started = time.perf_counter()
                    middle.write_text(edit(original, token), encoding="utf-8")
                    page.wait_for_function(f"() => document.body && document.body.innerText.includes('{token}')",
                                           timeout=600_000)
                    took = time.perf_counter() - started
                    if k:  # the first round warms the build server
                        times[key].append(took)
                    middle.write_text(original, encoding="utf-8")
                    page.wait_for_function(f"() => document.body && document.documentElement.dataset.pandaPreview "
                                           f"=== 'following' && !document.body.innerText.includes('{token}')",
                                           timeout=600_000)
            browser.close()
    finally:
        stop.set()
        live.stop()
    return {key: statistics.median(values) for key, values in times.items()}


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--issues", type=int, default=10)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--keep", type=Path, help="build in this folder and keep it")
    parser.add_argument("--json", type=Path, help="also write the results here")
    parser.add_argument("--before", metavar="REV",
                        help="also build this book as it was at git revision REV, in the same run")
    parser.add_argument("--against", type=Path,
                        help="take plain Jupyter Book 1's figures from this earlier --json of the same N "
                             "instead of building it again (a plain build of 500 issues takes 40 minutes)")
    parser.add_argument("--preview", action="store_true",
                        help="measure the preview instead (python -m newsletter preview, in Chromium): seconds from "
                             "a save to the new text on the open page; --keep DIR reuses a book built there")
    args = parser.parse_args(argv)
    if args.preview:
        base = Path(tempfile.mkdtemp(prefix="panda-bench-"))
        try:
            results = preview_times(args.issues, args.repeat, base, args.keep)
        finally:
            shutil.rmtree(base, ignore_errors=True)
        print(f"N = {args.issues} issues, median of {args.repeat} saves (seconds)\n")
        print("| measure | this book |\n|---|---:|")
        for key, value in results.items():
            print(f"| {key} | {value:.2f} |")
        if args.json:
            args.json.write_text(json.dumps({"issues": args.issues, "repeat": args.repeat, "preview": results},
                                            indent=2, ensure_ascii=False))
        return 0
    earlier = json.loads(args.against.read_text(encoding="utf-8")) if args.against else None
    if earlier is not None and earlier["issues"] != args.issues:
        parser.error(f"{args.against} holds N = {earlier['issues']}, not {args.issues}")
    base = args.keep or Path(tempfile.mkdtemp(prefix="panda-bench-"))
    try:
        results = {"ours": run("ours", args.issues, args.repeat, base)}
        if args.before:
            source = checkout(args.before, base / "before-source")
            results["before"] = run("before", args.issues, args.repeat, base, source)
        results["plain"] = earlier["plain"] if earlier else run("plain", args.issues, args.repeat, base)
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)
    print(f"N = {args.issues} issues, median of {args.repeat} (seconds unless said)\n")
    if args.before:
        print(f"| measure | this book | before ({args.before}) | this / before | plain Jupyter Book 1 | this / plain |")
        print("|---|---:|---:|---:|---:|---:|")
        for key in results["ours"]:
            ours, before, plain = results["ours"][key], results["before"][key], results["plain"][key]
            print(f"| {key} | {ours:.2f} | {before:.2f} | {ours / before:.2f} | {plain:.2f} | {ours / plain:.2f} |")
    else:
        print("| measure | this book | plain Jupyter Book 1 | ratio |")
        print("|---|---:|---:|---:|")
        for key in results["ours"]:
            ours, plain = results["ours"][key], results["plain"][key]
            print(f"| {key} | {ours:.2f} | {plain:.2f} | {ours / plain:.2f} |")
    if args.json:
        args.json.write_text(json.dumps({"issues": args.issues, "repeat": args.repeat, "before": args.before,
                                         **results}, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
