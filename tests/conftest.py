"""Shared fixtures: the real book built once, and throwaway books for bad input."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from .browsing import browser, open_page, site  # noqa: F401  (fixtures for every test file)

ROOT = Path(__file__).resolve().parents[1]
JB = Path(sys.executable).with_name("jupyter-book")
ISSUE1 = "issues/001-2025-11.md"
SEED = ROOT / "sources" / "000_484a9975802836a3.txt"
#: What a book needs besides its issues.
BOOK_FILES = ("_config.yml", "_toc.yml", "index.md", "data.md", "archive.md", "tags.yml", "sources.yml", "_ext",
              "search")


@dataclass
class Build:
    root: Path
    returncode: int
    output: str

    @property
    def html(self) -> Path:
        return self.root / "_build" / "html"


def build(root: Path, timeout: float = 600, env: dict | None = None) -> Build:
    """Run plain `jupyter-book build .`, exactly as a contributor does."""
    env = {**(env or os.environ), "PYTHONWARNINGS": ""}
    proc = subprocess.run([str(JB), "build", "."], cwd=root, capture_output=True, text=True,
                          timeout=timeout, env=env)
    return Build(root, proc.returncode, proc.stdout + proc.stderr)


def copy_items(items, tmp: Path) -> None:
    """Copy files and folders of the repo into `tmp`, without caches."""
    for item in items:
        src = ROOT / item
        if src.is_dir():
            shutil.copytree(src, tmp / item, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(src, tmp / item)


def make_book(tmp: Path, issue_text: str, name: str = "001-2025-11.md") -> Path:
    """A copy of the book with one issue, `name`, holding `issue_text`."""
    copy_items(BOOK_FILES, tmp)
    (tmp / "issues").mkdir()
    (tmp / "issues" / name).write_text(issue_text, encoding="utf-8")
    (tmp / "_toc.yml").write_text(
        f"format: jb-book\nroot: index\nchapters:\n  - file: issues/{name.removesuffix('.md')}\n",
        encoding="utf-8")
    return tmp


#: the files that keep a worker busy longest (whole builds, one after the other), handed out first: pytest-xdist
#: gives each file to one worker in the order they are collected, so the longest first lets the two workers end
#: together instead of one running the longest file alone at the end
LONGEST_FIRST = ("test_incremental.py", "test_bad_input.py", "test_reading_page.py", "test_benchmark.py",
                 "test_drafts.py", "test_workflow.py", "test_editions.py", "test_data.py")


def pytest_collection_modifyitems(session, config, items):
    rank = {name: i for i, name in enumerate(LONGEST_FIRST)}
    items.sort(key=lambda item: rank.get(item.path.name, len(LONGEST_FIRST)))  # stable: each file's order kept


@pytest.fixture(scope="session")
def built_book(tmp_path_factory) -> Build:
    """The real book, copied as it is and built once for the whole session."""
    tmp = tmp_path_factory.mktemp("book")
    copy_items((*BOOK_FILES, "issues", "sources"), tmp)
    result = build(tmp)
    assert result.returncode == 0, result.output[-5000:]
    return result


@pytest.fixture(scope="session")
def issue1_html(built_book) -> str:
    return (built_book.html / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
