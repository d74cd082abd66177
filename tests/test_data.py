"""Chart data and the 数据 / Data page, in the built HTML."""

from __future__ import annotations

import csv
import io
import re

import pytest
from bs4 import BeautifulSoup

from .conftest import BOOK_FILES, ROOT, build, copy_items

pytestmark = pytest.mark.slow


def soup(path):
    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


def test_each_chart_offers_its_data(built_book):
    page = soup(built_book.html / "issues" / "001-2025-11.html")
    for fig_id, rows in (("chart-employment", [("直接就业", "690000"), ("上下游带动", "1340000"),
                                               ("总就业（含上下游）", "2030000")]),
                         ("chart-workdays", [("每个直接岗位的工日", "53.4058"), ("图中填满的天数", "53"),
                                             ("2025年的天数", "365")])):
        figure = page.find("figure", id=fig_id)
        link = figure.select_one("a.bl-download")
        assert "下载数据" in link.get_text() and "Download the data (CSV)" in link.get_text()
        data = (built_book.html / "issues" / link["href"]).read_text(encoding="utf-8")
        table = list(csv.reader(io.StringIO(data)))
        assert table[0] == ["指标", "Metric", "数值 Value", "单位", "Unit"]
        assert [(r[0], r[2]) for r in table[1:]] == rows  # exactly the numbers plotted
        details = figure.select_one("details.bl-data")
        assert "数据表" in details.find("summary").get_text()
        cells = [td.get_text(" ", strip=True) for td in details.select("tbody td")]
        assert any(c.replace(",", "").startswith(rows[0][1][:3]) for c in cells)
        assert "来源：人民网" in figure.find("figcaption").get_text()


def test_data_page_lists_every_figure_with_links_that_resolve(built_book):
    page = soup(built_book.html / "data.html")
    rows = page.select("table.bl-figures-index tbody tr")
    assert len(rows) == 12
    text = " ".join(r.get_text(" ", strip=True) for r in rows)
    for value in ("超过203万人", "about 690,000 people", "约3685万个工日", "nearly 35 million views", "over 30,000 square metres"):
        assert value in text
    issue = soup(built_book.html / "issues" / "001-2025-11.html")
    ids = {el["id"] for el in issue.select("[id]")}
    links = [a["href"] for a in page.select("table.bl-figures-index a:not(.bl-source-link):not(.bl-tag)")]
    # the source cell: the outlet in both languages, each linked to its home page (sources.yml)
    outlets = {(a["lang"], a.get_text(), a["href"]) for a in page.select("table.bl-figures-index a.bl-source-link")}
    assert ("zh-CN", "人民网", "http://www.people.com.cn/") in outlets
    assert ("en", "People's Daily Online", "http://en.people.cn/") in outlets and len(outlets) == 4
    assert len([h for h in links if "#sentence-" in h]) == 18  # every cited sentence, in each language
    for href in links:
        target, _, anchor = href.partition("#")
        assert target == "issues/001-2025-11.html"
        assert not anchor or anchor in ids, anchor
    cited = issue.select_one("#sentence-direct-jobs-zh")
    assert cited.get_text() == "测算结果显示，2025年全国短剧行业预计产生直接劳动投入约3685万个工日，直接吸纳就业人数约69万人。"
    assert "sentence-direct-person-days-zh" in cited["id"] or issue.select_one("#sentence-direct-person-days-zh")
    download = page.select_one("a.bl-download")
    data = list(csv.DictReader(io.StringIO((built_book.html / download["href"]).read_text(encoding="utf-8"))))
    assert len(data) == 12 and data[0]["期号 Issue"] == "1" and data[0]["日期 Date"] == "2025-11"
    assert {d["指标 Metric id"] for d in data} >= {"total_jobs", "monthly_output", "hongguo_views"}
    assert "两个以上时期" in page.select_one(".bl-no-trend").get_text()  # one issue: no trend yet, said so


def _issue(number: int, month: str, total: int, direct: int) -> str:
    text = (ROOT / "templates" / "issue.md").read_text(encoding="utf-8")
    name = f"{number:03d}-2025-{month}.md"
    return (text.replace("ISSUE_FILE", name).replace("number: 0", f"number: {number}")
            .replace("date: 2000-01", f"date: 2025-{month}").replace('period: "2000"', f'period: "2025-{month}"')
            .replace("约300人", f"约{total}人").replace("about 300 jobs", f"about {total} jobs")
            .replace("value: 300", f"value: {total}")
            .replace("直接就业100人", f"直接就业{direct}人").replace("100 of them", f"{direct} of them")
            .replace("value: 100", f"value: {direct}"))


def test_trend_of_a_metric_across_issues(tmp_path):
    copy_items(BOOK_FILES, tmp_path)
    (tmp_path / "issues").mkdir()
    months = [(1, "09", 300, 100), (2, "10", 320, 110), (3, "11", 350, 120)]
    for number, month, total, direct in months:
        text = _issue(number, month, total, direct)
        if number == 2:  # the day of publication, in quotes (unquoted, the rules refuse it: test_bad_input.py)
            text = text.replace("  date: 2025-10\n", '  date: "2025-10-15"\n')
        (tmp_path / "issues" / f"{number:03d}-2025-{month}.md").write_text(text, encoding="utf-8")
    toc = "".join(f"  - file: issues/{n:03d}-2025-{m}\n" for n, m, _, _ in months)
    (tmp_path / "_toc.yml").write_text(f"format: jb-book\nroot: index\nchapters:\n{toc}  - file: data\n  - file: archive\n", encoding="utf-8")
    result = build(tmp_path)
    assert result.returncode == 0, result.output[-4000:]
    page = soup(result.html / "data.html")
    assert len(page.select("table.bl-figures-index tbody tr")) == 6
    for metric, values in (("total-jobs", [300, 320, 350]), ("direct-jobs", [100, 110, 120])):
        figure = page.find("figure", id=f"trend-{metric}")
        imgs = figure.select("img.bl-chart")
        assert [i.find_parent(attrs={"lang": True})["lang"] for i in imgs] == ["zh-CN", "en"]
        for img in imgs:
            svg = (result.html / img["src"]).read_text(encoding="utf-8")
            plotted = re.search(r"<panda:data[^>]*>(.*?)</panda:data>", svg).group(1)
            assert [int(v) for v in re.findall(r", (\d+), ", plotted)] == values
        assert "2025-09" in imgs[1]["alt"] and "2025-11" in imgs[1]["alt"]
        for img in imgs:  # phones get the narrow drawing, as on the issue pages
            source = img.parent.find("source")
            assert img.parent.name == "picture" and source["media"] == "(max-width: 599.98px)"
            assert (result.html / source["srcset"]).is_file() and int(source["width"]) < int(img["width"])
    assert not page.select(".bl-no-trend")
    # the middle issue links the issues before and after it, and gives its day in each language, as the feed does
    middle = soup(result.html / "issues" / "002-2025-10.html")
    date = middle.select_one(".bl-issue-head time")
    assert (date["datetime"], date.get_text()) == ("2025-10-15", "2025年10月15日 · October 15, 2025")
    feed = (result.html / "feed.xml").read_text(encoding="utf-8")
    assert "<pubDate>Wed, 15 Oct 2025 00:00:00 +0000</pubDate>" in feed  # the real day
    assert "<pubDate>Mon, 01 Sep 2025 00:00:00 +0000</pubDate>" in feed  # a month-only issue: the first
    assert middle.select_one("a.left-prev")["href"] == "001-2025-09.html"
    assert middle.select_one("a.right-next")["href"] == "003-2025-11.html"


def test_changing_a_chart_function_redraws_the_charts(tmp_path):
    import os
    import shutil

    copy_items((*BOOK_FILES, "issues", "sources"), tmp_path)
    shutil.copytree(ROOT / "charts", tmp_path / "charts", ignore=shutil.ignore_patterns("__pycache__"))
    env = {**os.environ, "PYTHONPATH": str(tmp_path)}  # the book's process and its kernels use this copy

    def chart_titles():
        page = soup(tmp_path / "_build/html/issues/001-2025-11.html")
        img = page.select_one("#chart-employment img")
        return (tmp_path / "_build/html/issues" / img["src"]).read_text(encoding="utf-8")

    first = build(tmp_path, env=env)
    assert first.returncode == 0, first.output[-3000:]
    assert "总就业约为直接就业的2.9倍" in chart_titles()
    code = tmp_path / "charts" / "_employment.py"
    code.write_text(code.read_text(encoding="utf-8").replace("总就业约为直接就业的", "总就业是直接就业的"),
                    encoding="utf-8")
    second = build(tmp_path, env=env)  # incremental: no issue file changed
    assert second.returncode == 0, second.output[-3000:]
    assert "panda_book: ran 1 of 1 notebooks" in second.output
    assert "总就业是直接就业的2.9倍" in chart_titles()
