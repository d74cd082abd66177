"""An incremental build gives exactly what a clean build gives, after any change.

One book (issue 1 and a second issue) is built once. Then, one change at a time:
add an issue, edit text and a headline, edit code, edit a chart function, edit ``_config.yml`` (a
title, and a setting that renews the environment), rename, add or remove a topic (``tags.yml``), rename a source (``sources.yml``), edit the search word list, remove an issue; after each, the normal ``jupyter-book build .`` (incremental),
then a clean build of the same sources in the same folder (no ``_build`` but the
execution cache, which is keyed by the notebooks' content), and the two
``_build/html`` trees are compared file by file.

Then the same for builds that do not finish: a change (an issue added) whose
build fails after the environment was pickled (a step after the pages raises), or
is killed outright while writing; the next good build must still give what a clean
build gives, reading again only what the last good build had not read (staging.py
puts back the last good environment).
"""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
from pathlib import Path

import pytest

from .conftest import BOOK_FILES, JB, ROOT, build, copy_items

pytestmark = pytest.mark.slow


def tree(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def differences(a: Path, b: Path) -> list[str]:
    ta, tb = tree(a), tree(b)
    out = [f"only in the incremental build: {k}" for k in sorted(ta.keys() - tb.keys())]
    out += [f"only in the clean build: {k}" for k in sorted(tb.keys() - ta.keys())]
    out += [f"differs: {k}" for k in sorted(ta.keys() & tb.keys()) if ta[k] != tb[k]]
    return out


def second_issue(book: Path) -> None:
    text = (book / "issues" / "001-2025-11.md").read_text(encoding="utf-8")
    text = (text.replace("001-2025-11.md", "002-2025-12.md").replace("  number: 1\n", "  number: 2\n")
            .replace("  date: 2025-11\n", "  date: 2025-12\n").replace("第1期 | Issue 1", "第2期 | Issue 2"))
    (book / "issues" / "002-2025-12.md").write_text(text, encoding="utf-8")
    toc = book / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8").replace("  - file: issues/001-2025-11\n",
                                                           "  - file: issues/001-2025-11\n"
                                                           "  - file: issues/002-2025-12\n"), encoding="utf-8")


def replace(path: Path, old: str, new: str) -> None:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    path.write_text(text.replace(old, new, 1), encoding="utf-8")


CHANGES = {
    "add an issue": second_issue,
    # text and a headline (the data page names each figure's story by it; no figure changes): one pair of builds
    "edit text": lambda book: (
        replace(book / "issues" / "002-2025-12.md", "Catch the pulse of mini-drama.",
                "Catch the pulse of mini-drama, weekly."),
        replace(book / "issues" / "002-2025-12.md", ":headline: Qingyang District, Chengdu",
                ":headline: Qingyang District of Chengdu")),
    "edit code": lambda book: replace(book / "issues" / "002-2025-12.md", "employment_chart(figures)",
                                      "employment_chart(figures)  # edited"),
    "edit a chart function": lambda book: replace(book / "charts" / "_employment.py", "总就业约为直接就业的",
                                                  "总就业是直接就业的"),
    "edit _config.yml": lambda book: replace(book / "_config.yml", "title: PANDA微短剧 · Mini-drama newsletter",
                                             "title: PANDA微短剧 · Mini-drama weekly"),
    # a setting Sphinx keeps in the environment: every document is read again (the attack review found the
    # topic pages swept away, as the new environment knew nothing of them, and not written again)
    "edit a setting that renews the environment": lambda book: replace(
        book / "_config.yml", "    nitpicky: true\n", "    nitpicky: true\n    panda_execution_workers: 1\n"),
    "rename a topic": lambda book: replace(book / "tags.yml", "nanning: {zh: 南宁, en: Nanning,",
                                           "nanning: {zh: 南宁市, en: Nanning City,"),
    "add a topic": lambda book: replace(book / "tags.yml", "shaoxing: {zh: 绍兴, en: Shaoxing,",
                                        "beijing: {zh: 北京, en: Beijing}\nshaoxing: {zh: 绍兴, en: Shaoxing,"),
    "remove a topic": lambda book: (
        replace(book / "tags.yml", "chengdu: {zh: 成都, en: Chengdu, keywords: [成都, 青羊, Chengdu, Qingyang]}\n", ""),
        *(replace(book / "issues" / name, ":tags: chengdu, heritage", ":tags: heritage")
          for name in ("001-2025-11.md", "002-2025-12.md") if (book / "issues" / name).is_file())),
    # sources.yml: the source lines, the figures tables, the chart captions and the data page name it
    "rename a source in English": lambda book: replace(book / "sources.yml", "name_en: Shaoxing Net",
                                                       "name_en: Shaoxing News Net"),
    "edit the search word list": lambda book: (book / "search" / "zh-terms.txt").write_text(
        (book / "search" / "zh-terms.txt").read_text(encoding="utf-8") + "鉴湖女侠\n", encoding="utf-8"),
    "remove an issue": lambda book: (
        (book / "issues" / "002-2025-12.md").unlink(),
        replace(book / "_toc.yml", "  - file: issues/002-2025-12\n", "")),
}


@pytest.fixture(scope="module")
def book(tmp_path_factory):
    root = tmp_path_factory.mktemp("incremental")
    copy_items((*BOOK_FILES, "issues", "sources"), root)
    shutil.copytree(ROOT / "charts", root / "charts", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(root)}  # the build and its kernels use the copy of charts/
    first = build(root, env=env)
    assert first.returncode == 0, first.output[-3000:]
    return root, env


@pytest.mark.parametrize("change", CHANGES)
def test_incremental_build_equals_clean_build(book, change, tmp_path):
    # the cases run in order, each on the book the previous one left
    root, env = book
    CHANGES[change](root)
    incremental = build(root, env=env)
    assert incremental.returncode == 0, incremental.output[-3000:]
    if change == "add an issue":  # the first issue's page now links the second as its next issue, and back
        from bs4 import BeautifulSoup

        html = root / "_build" / "html" / "issues"
        first = BeautifulSoup((html / "001-2025-11.html").read_text(encoding="utf-8"), "html.parser")
        second = BeautifulSoup((html / "002-2025-12.html").read_text(encoding="utf-8"), "html.parser")
        assert first.select_one("a.right-next")["href"] == "002-2025-12.html" and not first.select("a.left-prev")
        assert "下一期 · Next issue" in first.select_one("a.right-next").get_text(" ", strip=True)
        assert "第2期（2025年12月）" in first.select_one("a.right-next").get_text()
        assert second.select_one("a.left-prev")["href"] == "001-2025-11.html" and not second.select("a.right-next")
    assert_equals_clean(root, env, tmp_path)


def assert_equals_clean(root: Path, env: dict, tmp_path: Path) -> None:
    """Build the same sources clean (keeping only the execution cache) and compare with the incremental tree."""
    shutil.copytree(root / "_build" / "html", tmp_path / "incremental")
    cache = root / "_build" / ".jupyter_cache"
    shutil.move(cache, tmp_path / "cache")
    shutil.rmtree(root / "_build")
    (root / "_build").mkdir()
    shutil.copytree(tmp_path / "cache", cache)
    clean = build(root, env=env)
    assert clean.returncode == 0, clean.output[-3000:]
    assert "panda_book: ran" not in clean.output  # the cache served every notebook: same outputs
    found = differences(tmp_path / "incremental", root / "_build" / "html")
    assert not found, "\n".join(found[:40])
    assert len(tree(tmp_path / "incremental")) > 50


def test_pages_written_by_several_processes_equal_pages_written_by_one(book, tmp_path):
    """writers.py: Sphinx writes the pages in forked processes once reading is over; the site is the same bytes
    as when Sphinx's own process writes every page (``panda_execution_workers: 0``)."""
    root, env = book
    config = root / "_config.yml"
    original = config.read_text(encoding="utf-8")

    def clean_build(label: str):
        keep = tmp_path / f"cache-{label}"
        shutil.move(root / "_build" / ".jupyter_cache", keep)
        shutil.rmtree(root / "_build")
        (root / "_build").mkdir()
        shutil.copytree(keep, root / "_build" / ".jupyter_cache")
        result = build(root, env=env)
        assert result.returncode == 0, result.output[-3000:]
        shutil.copytree(root / "_build" / "html", tmp_path / label)
        return result.output

    # a book this small (4 pages) is written by Sphinx's own process unless told otherwise (writers.py)
    config.write_text(original.replace("    nitpicky: true\n", "    nitpicky: true\n    panda_parallel_pages: 1\n"),
                      encoding="utf-8")
    parallel = clean_build("parallel")
    assert re.search(r"panda_book: pages written by \d+ processes beside Sphinx's own", parallel), parallel[-3000:]
    try:
        config.write_text(re.sub(r"    panda_execution_workers: \d+\n", "", original).replace(
            "    nitpicky: true\n", "    nitpicky: true\n    panda_execution_workers: 0\n"), encoding="utf-8")
        serial = clean_build("serial")
    finally:
        config.write_text(original, encoding="utf-8")
    assert "pages written by" not in serial
    # .buildinfo holds the hash of the configuration, which differs by the one setting
    found = [d for d in differences(tmp_path / "parallel", tmp_path / "serial") if not d.endswith(".buildinfo")]
    assert not found, "\n".join(found[:40])
    assert len(tree(tmp_path / "parallel")) > 50


FAILING_STEP = """
from pathlib import Path


def _fail(app, exception):
    if exception is None and (Path(app.srcdir) / "FAIL").exists():
        raise RuntimeError("a step after the pages failed")


def setup(app):
    app.connect("build-finished", _fail, priority=900)
    return {"parallel_read_safe": True}
"""


def test_a_failed_build_then_a_good_one_equals_a_clean_build(book, tmp_path):
    # after the cases above the book holds issue 1 only; issue 2 changes issue 1's next link,
    # the home page, the page of all issues, the topics and the data page.
    # The failing step is in the configuration of every build (a change of configuration would
    # make Sphinx write every page again and hide the problem): it fails while a file FAIL exists.
    root, env = book
    (root / "_ext" / "failing_step.py").write_text(FAILING_STEP, encoding="utf-8")
    replace(root / "_config.yml", "    panda_book: _ext/\n", "    panda_book: _ext/\n    failing_step: _ext/\n")
    assert build(root, env=env).returncode == 0
    second_issue(root)
    (root / "FAIL").write_text("", encoding="utf-8")
    failed = build(root, env=env)
    assert failed.returncode != 0 and "a step after the pages failed" in failed.output, failed.output[-3000:]
    # it failed after Sphinx saved what it read
    assert "pickling environment... done" in re.sub(r"\x1b\[[0-9;]*m", "", failed.output)
    assert not (root / "_build" / "html" / "issues" / "002-2025-12.html").exists()
    (root / "FAIL").unlink()
    good = build(root, env=env)
    assert good.returncode == 0, good.output[-3000:]
    # Sphinx deletes the environment a failed build pickled (every page would be read again);
    # the last good one is put back instead, so only what the last good build had not read is read
    read = [line for line in re.sub(r"\x1b\[[0-9;]*m", "", good.output).splitlines()
            if line.startswith("reading sources... [")]
    assert any("issues/002-2025-12" in line for line in read), good.output[-3000:]
    assert not any("issues/001-2025-11" in line for line in read), good.output[-3000:]
    assert_equals_clean(root, env, tmp_path)


def test_a_killed_build_then_a_good_one_equals_a_clean_build(book, tmp_path):
    # the book holds issues 1 and 2; remove issue 2 and kill the build once it pickled the environment
    root, env = book
    (root / "issues" / "002-2025-12.md").unlink()
    replace(root / "_toc.yml", "  - file: issues/002-2025-12\n", "")
    proc = subprocess.Popen([str(JB), "build", "."], cwd=root, env={**env, "PYTHONWARNINGS": ""},
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True, start_new_session=True)
    seen = []
    for line in proc.stdout:
        seen.append(line)
        if "pickling environment" in line:  # Sphinx saved what it read; it writes the pages next
            os.killpg(proc.pid, signal.SIGKILL)  # no handler runs: the environment on disk is the new one
            break
    proc.wait(timeout=60)
    proc.stdout.close()
    assert proc.returncode == -signal.SIGKILL, "".join(seen)[-3000:]
    assert (root / "_build" / ".doctrees" / "environment.pickle.good").is_file()  # what the next build puts back
    assert (root / "_build" / "html" / "issues" / "002-2025-12.html").exists()  # the published tree is untouched
    good = build(root, env=env)
    assert good.returncode == 0, good.output[-3000:]
    assert not (root / "_build" / ".doctrees" / "environment.pickle.good").exists()
    assert_equals_clean(root, env, tmp_path)

