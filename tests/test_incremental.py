"""An incremental build gives exactly what a clean build gives, after any change.

One book (issue 1 and a second issue) is built once. Then, one change at a time:
add an issue, edit text, edit code, edit a chart function, edit ``_config.yml``,
remove an issue; after each, the normal ``jupyter-book build .`` (incremental),
then a clean build of the same sources in the same folder (no ``_build`` but the
execution cache, which is keyed by the notebooks' content), and the two
``_build/html`` trees are compared file by file.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import BOOK_FILES, ROOT, build, copy_items

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
    "edit text": lambda book: replace(book / "issues" / "002-2025-12.md", "Catch the pulse of mini-drama.",
                                      "Catch the pulse of mini-drama, weekly."),
    "edit code": lambda book: replace(book / "issues" / "002-2025-12.md", "employment_chart(figures)",
                                      "employment_chart(figures)  # edited"),
    "edit a chart function": lambda book: replace(book / "charts" / "_employment.py", "总就业约为直接就业的",
                                                  "总就业是直接就业的"),
    "edit _config.yml": lambda book: replace(book / "_config.yml", "title: PANDA微短剧 · Mini-drama newsletter",
                                             "title: PANDA微短剧 · Mini-drama weekly"),
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
