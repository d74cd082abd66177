"""Reproducible output: two clean builds of the same sources give the same `_build/html`, byte for byte.

The second build runs in another folder (another absolute path) with another hash
seed; the build date comes from `SOURCE_DATE_EPOCH`, the last commit or the newest
issue (_ext/panda_book/site/reproducible.py), never from the clock.
"""

from __future__ import annotations

import os
import random
import re
import subprocess
import sys
import uuid
from datetime import datetime, timezone
from email.utils import format_datetime
from pathlib import Path

import pytest

from .conftest import BOOK_FILES, ROOT, build, copy_items

sys.path.insert(0, str(ROOT / "_ext"))
from panda_book.site import reproducible  # noqa: E402
from panda_book.site.trim import renumber_widgets  # noqa: E402

#: files that differ between two clean builds, with the reason (none today)
UNFIXABLE: dict[str, str] = {}


def _files(html: Path) -> dict[str, bytes]:
    return {p.relative_to(html).as_posix(): p.read_bytes() for p in sorted(html.rglob("*")) if p.is_file()}


def _first_difference(a: bytes, b: bytes) -> str:
    at = next((i for i, (x, y) in enumerate(zip(a, b)) if x != y), min(len(a), len(b)))
    return f"at byte {at}: {a[max(0, at - 60):at + 60]!r} != {b[max(0, at - 60):at + 60]!r}"


@pytest.mark.slow
def test_two_clean_builds_are_byte_identical(built_book, tmp_path):
    again = tmp_path / "elsewhere" / "book"
    again.mkdir(parents=True)
    copy_items((*BOOK_FILES, "issues", "sources"), again)
    seed = os.environ.get("PYTHONHASHSEED", "")
    # its PDFs typeset again, not taken from the machine's cache of the first build's
    second = build(again, env={**os.environ, "PYTHONHASHSEED": "1" if seed != "1" else "2",
                               "PANDA_PDF_CACHE": str(tmp_path / "pdf-cache")})
    assert second.returncode == 0, second.output[-5000:]

    first_files, second_files = _files(built_book.html), _files(second.html)
    assert len(first_files) > 50, sorted(first_files)
    assert sorted(first_files) == sorted(second_files)
    differ = {name: _first_difference(first_files[name], second_files[name])
              for name in first_files if first_files[name] != second_files[name] and name not in UNFIXABLE}
    assert differ == {}, "\n".join(f"{name}: {why}" for name, why in differ.items())
    print(f"{len(first_files)} files compared, {len(first_files) - len(UNFIXABLE)} byte-identical")
    # the email and WeChat editions beside the site too
    for folder in ("email", "wechat"):
        one, two = _files(built_book.html.parent / folder), _files(second.html.parent / folder)
        assert len(one) >= 4 and one == two, folder

    # no absolute path of either build leaks into the output
    for root in (built_book.root, again):
        leaks = [name for name, data in second_files.items() if str(root).encode() in data]
        assert leaks == [], (root, leaks)

    # the build date is the newest issue's (these copies are not git work trees), not today
    epoch, origin = reproducible.build_epoch(built_book.root)
    assert origin in ("newest issue", reproducible.ENV)
    when = datetime.fromtimestamp(epoch, tz=timezone.utc)
    feed = first_files["feed.xml"].decode()
    assert f"<lastBuildDate>{format_datetime(when)}</lastBuildDate>" in feed
    assert f"<updated>{when.isoformat()}</updated>" in first_files["atom.xml"].decode()
    # no page carries the build date (a new commit would make every page differ): only feeds and sitemap
    dated = [name for name, data in first_files.items() if name.endswith(".html") and b"Last updated" in data]
    assert dated == []


# ---- charts and cards, in separate processes --------------------------------------

RENDER = """
import dataclasses, hashlib, sys
sys.path.insert(0, sys.argv[1] + "/_ext")
import charts
from panda_book.site.cards import Card, draw_card
figures = charts.load_figures(sys.argv[1] + "/issues/001-2025-11.md")
files = []
for make in (charts.employment_chart, charts.workdays_chart):
    files += [c for c in make(figures)]
jobs = next(iter(figures.values()))
files += list(charts.trend_chart([("2024", dataclasses.replace(jobs, period="2024", value=jobs.value / 2)),
                                  (jobs.period, jobs)]))
files += [c.narrow for c in files]  # each drawn for phones too
for chart in files:
    assert "<dc:date>" not in chart.svg and "<dc:date" not in chart.svg, chart.name
card = draw_card(Card("第1期 · Issue 1 · 2025-11", (("热度超500万！", "Popularity Surpasses 5 Million!"),)))
for name, data in [(c.name + ".svg", c.svg.encode()) for c in files] + [(c.name + ".png", c.png) for c in files]:
    print(name, hashlib.sha256(data).hexdigest())
print("card.png", hashlib.sha256(card).hexdigest())
"""


@pytest.mark.slow  # draws every chart and a card in several fresh processes (about 30 s)
def test_charts_and_cards_are_identical_across_processes_and_dates(tmp_path):
    """Employment, workdays and trend charts (SVG and PNG) and a social card: the same bytes
    in two processes with other hash seeds, other SOURCE_DATE_EPOCHs and other folders."""
    outputs = []
    for seed, epoch in (("1", "0"), ("2", "1700000000")):
        cwd = tmp_path / seed
        cwd.mkdir()
        env = {**os.environ, "PYTHONHASHSEED": seed, "SOURCE_DATE_EPOCH": epoch, "PYTHONWARNINGS": ""}
        proc = subprocess.run([sys.executable, "-c", RENDER, str(ROOT)], cwd=cwd, env=env,
                              capture_output=True, text=True, timeout=300)
        assert proc.returncode == 0, proc.stderr[-3000:]
        outputs.append(proc.stdout)
    lines = outputs[0].splitlines()
    assert len(lines) == 25 and any(line.startswith("trend-") and "-narrow" in line for line in lines), lines
    assert outputs[0] == outputs[1]


# ---- the build date ----------------------------------------------------------------

def _issue(folder: Path, name: str, date: str) -> None:
    (folder / "issues").mkdir(exist_ok=True)
    (folder / "issues" / name).write_text(f"---\nissue:\n  number: 1\n  date: {date}\n---\n# x\n", encoding="utf-8")


def test_build_date_prefers_source_date_epoch(tmp_path):
    _issue(tmp_path, "001-2025-11.md", "2025-11")
    assert reproducible.build_epoch(tmp_path, {"SOURCE_DATE_EPOCH": "1234567890"}) == (1234567890, "SOURCE_DATE_EPOCH")
    with pytest.raises(ValueError, match="SOURCE_DATE_EPOCH='yesterday' is not a whole number"):
        reproducible.build_epoch(tmp_path, {"SOURCE_DATE_EPOCH": "yesterday"})


def test_build_date_is_the_last_commit_in_a_git_work_tree(tmp_path):
    _issue(tmp_path, "001-2025-11.md", "2025-11")
    env = {**os.environ, "GIT_COMMITTER_DATE": "@1700000000 +0000", "GIT_AUTHOR_DATE": "@1600000000 +0000"}
    git = ["git", "-c", "user.name=t", "-c", "user.email=t@example.invalid", "-c", "commit.gpgsign=false"]
    subprocess.run([*git, "init", "-q"], cwd=tmp_path, check=True, env=env)
    subprocess.run([*git, "add", "."], cwd=tmp_path, check=True, env=env)
    subprocess.run([*git, "commit", "-q", "-m", "issue 1"], cwd=tmp_path, check=True, env=env)
    assert reproducible.build_epoch(tmp_path, {}) == (1700000000, "last commit")


def test_build_date_falls_back_to_the_newest_issue_never_the_clock(tmp_path):
    assert reproducible.build_epoch(tmp_path, {}) == (0, "no commit and no issue")
    _issue(tmp_path, "001-2025-11.md", "2025-11")
    _issue(tmp_path, "002-2026-01.md", "2026-01-15")
    epoch, origin = reproducible.build_epoch(tmp_path, {})
    assert origin == "newest issue"
    assert datetime.fromtimestamp(epoch, tz=timezone.utc) == datetime(2026, 1, 15, tzinfo=timezone.utc)


# ---- widget ids ------------------------------------------------------------------

def _widget_page(ids: dict[str, str]) -> tuple[str, str]:
    """A page with a box (toggle + stack of two HTML views, each with a layout) and a link,
    its models named by `ids` (name -> id), in a random order as a kernel would."""
    import json

    def ref(name):
        return f"IPY_MODEL_{ids[name]}"

    models = {
        "box": {"model_name": "VBoxModel", "state": {"children": [ref("toggle"), ref("stack")], "layout": ref("l0")}},
        "toggle": {"model_name": "ToggleButtonsModel", "state": {"layout": ref("l1"), "index": 0}},
        "stack": {"model_name": "StackModel", "state": {"children": [ref("h1"), ref("h2")], "layout": ref("l2")}},
        "h1": {"model_name": "HTMLModel", "state": {"value": "<img alt='一'>", "layout": ref("l3")}},
        "h2": {"model_name": "HTMLModel", "state": {"value": "<img alt='two'>", "layout": ref("l4")}},
        "link": {"model_name": "LinkModel", "state": {"source": [ref("toggle"), "index"],
                                                      "target": [ref("stack"), "selected_index"]}},
        **{f"l{i}": {"model_name": "LayoutModel", "state": {"width": None}} for i in range(5)},
    }
    names = list(models)
    random.shuffle(names)
    state = json.dumps({"state": {ids[n]: models[n] for n in names}, "version_major": 2, "version_minor": 0})
    body = ('<p>before</p><script type="application/vnd.jupyter.widget-view+json">'
            f'{{"model_id": "{ids["box"]}", "version_major": 2, "version_minor": 0}}</script><p>after</p>')
    return state, body


def test_widget_json_does_not_depend_on_the_order_of_its_keys():
    # the attack review: a notebook myst-nb has just run gives its keys in the kernel's order, one read back
    # from the execution cache gives them sorted; the page and the state file must be the same bytes
    import json

    ids = {n: uuid.uuid4().hex for n in ["box", "toggle", "stack", "h1", "h2", "link"] + [f"l{i}" for i in range(5)]}
    state, body = _widget_page(ids)

    def reverse(value):
        return {k: reverse(value[k]) for k in reversed(list(value))} if isinstance(value, dict) else value

    reordered_state = json.dumps(reverse(json.loads(state)))
    reordered_body = body.replace(f'{{"model_id": "{ids["box"]}", "version_major": 2, "version_minor": 0}}',
                                  f'{{"version_minor": 0, "version_major": 2, "model_id": "{ids["box"]}"}}')
    assert (reordered_state, reordered_body) != (state, body)
    assert renumber_widgets("issues/x", reordered_state, reordered_body) == renumber_widgets("issues/x", state, body)


def test_widget_ids_do_not_depend_on_the_kernels_random_ids():
    import json

    names = ["box", "toggle", "stack", "h1", "h2", "link"] + [f"l{i}" for i in range(5)]
    outputs = set()
    for _ in range(4):
        ids = {n: uuid.uuid4().hex for n in names}
        state, body = renumber_widgets("issues/001-2025-11", *_widget_page(ids))
        assert not any(i in state or i in body for i in ids.values())  # every id replaced
        outputs.add((state, body))
        data = json.loads(state)["state"]
        assert len(data) == len(names)
        # references still point at the right models
        box = json.loads(re.search(r"json\">(.*?)</script>", body).group(1))["model_id"]
        toggle_ref, stack_ref = data[box]["state"]["children"]
        assert data[toggle_ref.removeprefix("IPY_MODEL_")]["model_name"] == "ToggleButtonsModel"
        link = next(m for m in data.values() if m["model_name"] == "LinkModel")
        assert link["state"]["source"][0] == toggle_ref and link["state"]["target"][0] == stack_ref
    assert len(outputs) == 1
    # another page gets other ids
    ids = {n: uuid.uuid4().hex for n in names}
    assert renumber_widgets("issues/002-2025-12", *_widget_page(ids)) not in outputs
