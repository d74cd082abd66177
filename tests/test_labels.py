"""The English counts of the site's labels (directives/labels.py), and where they are printed."""

from __future__ import annotations

import sys

import pytest
from bs4 import BeautifulSoup

from .conftest import ROOT

sys.path.insert(0, str(ROOT / "_ext"))
from panda_book.directives.labels import english_count  # noqa: E402  (the extension lives in _ext/)


@pytest.mark.parametrize(("n", "singular", "plural", "text"), [
    (0, "figure", "", "0 figures"),
    (1, "figure", "", "1 figure"),
    (12, "figure", "", "12 figures"),
    (1, "issue", "", "1 issue"),
    (2, "issue", "", "2 issues"),
    (1, "story", "stories", "1 story"),
    (4, "story", "stories", "4 stories"),
    (1200, "figure", "", "1,200 figures"),
])
def test_english_count(n, singular, plural, text):
    assert english_count(n, singular, plural) == text


@pytest.mark.slow
def test_pages_print_english_counts_without_s_in_brackets(built_book):
    def text(path):
        return BeautifulSoup((built_book.html / path).read_text(encoding="utf-8"), "html.parser").get_text(" ")

    assert "12 figures from 1 issue." in text("data.html")
    assert "1 story on this topic, newest first." in text("topics/nanning.html")
    assert "3 stories on this topic, newest first." in text("topics/heritage.html")
    for path in ("data.html", "topics/nanning.html", "topics/index.html", "index.html", "archive.html"):
        page = text(path)
        assert "(s)" not in page and "1 stories" not in page and "1 issues" not in page, path
