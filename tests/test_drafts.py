"""Drafts (``issue: draft: true``) and scheduled issues (a day after today) are left out of the published book.

- the validator and the build refuse a ``draft:`` that is not true or false, at its line;
- in process (tests/roots, no notebooks run): sphinx-external-toc's toc keeps quiet about the issues left out,
  the build prints one line for each, and preview mode (``panda_preview``) builds them with their banners;
- one real book (``jupyter-book build .``, slow): issue 1, a draft issue 2 and an issue 3 dated 2026-12-09,
  built on 2026-12-02 (``PANDA_TODAY``), leaves no trace of 2 or 3 anywhere in ``_build/html``; then, built
  incrementally, issue 2 published equals a clean build, issue 2 a draft again equals the first (clean)
  build, and the day of issue 3 arriving publishes it, equal to a clean build.
"""

from __future__ import annotations

import datetime
import os
import re
import shutil
import zlib
from pathlib import Path

import pytest
from bs4 import BeautifulSoup

from newsletter.issue import today, unpublished_issues
from newsletter.rules import book_findings, issue_front_matter

from .conftest import BOOK_FILES, ROOT, build, copy_items
from .test_roots import build as build_in_process
from .test_roots import copy_root

#: words only the issues left out hold (their file stems, numbers, day, headlines): none may be published
DRAFT, SCHEDULED = "issues/002-2025-12", "issues/003-2026-12"
TRACES = ("002-2025-12", "003-2026-12", "第2期", "Issue 2", "第3期", "Issue 3", "2026-12-09", "2026年12月9日",
          "December 9", "Zqxdraft", "Zqxsched")


def variant(text: str, number: int, date: str, marker: str, draft: str | None = None) -> str:
    """Issue 1's text as issue ``number`` of ``date``, its headlines marked, with ``draft:`` if given."""
    old = re.search(r"^issue:\n  number: 1\n  date: (\S+)\n", text, re.M)
    assert old, text[:400]
    block = f"issue:\n  number: {number}\n  date: \"{date}\"\n" + (f"  draft: {draft}\n" if draft else "")
    text = text.replace(old.group(0), block).replace("第1期 | Issue 1", f"第{number}期 | Issue {number}")
    return re.sub(r"^(:headline: [A-Za-z].*)$", rf"\1 {marker}", text, flags=re.M)


def add_issues(book: Path, source: str) -> None:
    """Issue 2 (a draft) and issue 3 (dated 2026-12-09) after issue 1, in the toc."""
    text = (book / source).read_text(encoding="utf-8")
    (book / "issues" / "002-2025-12.md").write_text(variant(text, 2, "2025-12", "Zqxdraft", "true"), encoding="utf-8")
    (book / "issues" / "003-2026-12.md").write_text(variant(text, 3, "2026-12-09", "Zqxsched"), encoding="utf-8")
    toc = book / "_toc.yml"
    toc.write_text(toc.read_text(encoding="utf-8").replace(
        "  - file: issues/001-2025-11\n",
        f"  - file: issues/001-2025-11\n  - file: {DRAFT}\n  - file: {SCHEDULED}\n"), encoding="utf-8")


def set_draft(book: Path, value: str | None) -> None:
    path = book / f"{DRAFT}.md"
    text = re.sub(r"^  draft: .*\n", "", path.read_text(encoding="utf-8"), flags=re.M)
    if value is not None:
        text = text.replace('  date: "2025-12"\n', f'  date: "2025-12"\n  draft: {value}\n')
    path.write_text(text, encoding="utf-8")


# ---- the front matter ------------------------------------------------------------------------------------------

@pytest.mark.parametrize("value", ['"true"', "yes", "1", "maybe", "[true]"])
def test_a_draft_that_is_not_true_or_false_is_an_error_at_its_line(tmp_path, value):
    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    set_draft(book, value)
    path = book / f"{DRAFT}.md"
    text = path.read_text(encoding="utf-8")
    findings = issue_front_matter(book, path, text)[0]  # the validator's check of the front matter
    line = text.splitlines().index(f"  draft: {value}") + 1
    assert [(f.line, f.level) for f in findings if "draft" in f.message] == [(line, "error")], findings
    message = next(f.message for f in findings if "draft" in f.message)
    assert "must be true or false" in message and "'draft: true'" in message
    # the build runs the same check (the book's checks, non-strict as the build runs them) and stops on it
    assert any(f.line == line and f.message == message for f in book_findings(book, strict=False)[0])


def test_draft_true_or_false_passes_and_a_draft_outside_issue_is_refused(tmp_path):
    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    for value in ("true", "false", None):
        set_draft(book, value)
        assert not [f for f in book_findings(book, strict=False)[0] if "draft" in f.message], value
    path = book / f"{DRAFT}.md"
    path.write_text(path.read_text(encoding="utf-8").replace("issue:\n", "draft: true\nissue:\n", 1), encoding="utf-8")
    line = path.read_text(encoding="utf-8").splitlines().index("draft: true") + 1
    found = [f for f in book_findings(book, strict=False)[0] if "draft" in f.message]
    assert [(f.path, f.line) for f in found] == [(f"{DRAFT}.md", line)] and "belongs under 'issue:'" in found[0].message


def test_which_issues_are_unpublished_on_a_day(tmp_path, monkeypatch):
    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    monkeypatch.setenv("PANDA_TODAY", "2026-12-02")
    day = today()
    assert unpublished_issues(book, day) == {
        DRAFT: {"file": f"{DRAFT}.md", "date": "2025-12", "draft": True, "until": None},
        SCHEDULED: {"file": f"{SCHEDULED}.md", "date": "2026-12-09", "draft": False, "until": "2026-12-09"}}
    monkeypatch.setenv("PANDA_TODAY", "2026-12-09")  # the day itself publishes it
    assert list(unpublished_issues(book, today())) == [DRAFT]
    # a month-only date is never held back, even in a month to come
    path = book / f"{SCHEDULED}.md"
    path.write_text(path.read_text(encoding="utf-8").replace('date: "2026-12-09"', 'date: "2027-01"'),
                    encoding="utf-8")
    assert list(unpublished_issues(book, today())) == [DRAFT]
    monkeypatch.setenv("PANDA_TODAY", "2026-12-32")
    with pytest.raises(ValueError, match="PANDA_TODAY='2026-12-32' is not a day; write it as YYYY-MM-DD"):
        today()


@pytest.mark.parametrize("key, text", [("date", '  date: "2025-12"\n'), ("number", "  number: 2\n"),
                                       ("kernelspec", None)])
def test_a_key_written_twice_is_refused_by_the_validator_and_the_build_at_its_line(tmp_path, key, text):
    # YAML keeps the last of two keys: the line a reviewer reads first would be ignored
    from types import SimpleNamespace

    from panda_book.rules.checks import BadInput, check_book

    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    path = book / f"{DRAFT}.md"
    original = path.read_text(encoding="utf-8")
    if text is None:  # a top-level key
        block = re.search(r"^kernelspec:\n(?:  .*\n)+", original, re.M).group(0)
        changed = original.replace("issue:\n", block + "issue:\n", 1)
        line = changed.splitlines().index("kernelspec:", changed.splitlines().index("kernelspec:") + 1) + 1
    else:
        changed = original.replace(text, text + text, 1)
        line = changed.splitlines().index(text.rstrip("\n"), changed.splitlines().index(text.rstrip("\n")) + 1) + 1
    path.write_text(changed, encoding="utf-8")
    found = [f for f in validator(book) if f.path == f"{DRAFT}.md" and "second time" in f.message]
    assert [f.line for f in found] == [line] and f"'{key}:' is written a second time" in found[0].message, found
    with pytest.raises(BadInput, match=f"{DRAFT}.md:{line}: '{key}:' is written a second time"):
        check_book(SimpleNamespace(srcdir=str(book)), None)


def validator(book: Path) -> list:
    """What python -m newsletter validate says of the test root's issues (it has no _config.yml: the book's
    checks as the build runs them, then every rule on each issue, as newsletter/validate.py runs them)."""
    from newsletter.rules import Page, page_findings

    findings, texts = book_findings(book, strict=False)
    for path, text in texts.items():
        findings += page_findings(Page(text, path.relative_to(book).as_posix(), file=path, root=book, is_issue=True))
    return findings


LINKS = [("See [the next issue](002-2025-12.md#a-story).", DRAFT, "is a draft (draft: true)"),
         ("See [it](../issues/003-2026-12.md).", SCHEDULED, "is held back until 2026-12-09"),
         ("See {doc}`the next issue <002-2025-12>`.", DRAFT, "is a draft"),
         ("See {doc}`/issues/003-2026-12`.", SCHEDULED, "held back until 2026-12-09")]


@pytest.mark.parametrize("link, target, why", LINKS)
def test_the_validator_refuses_a_link_to_an_issue_left_out(tmp_path, monkeypatch, link, target, why):
    monkeypatch.setenv("PANDA_TODAY", "2026-12-02")
    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    issue1 = book / "issues" / "001-2025-11.md"
    text = issue1.read_text(encoding="utf-8").rstrip("\n") + f"\n\n{link}\n"
    issue1.write_text(text, encoding="utf-8")
    found = [f for f in validator(book) if "links to" in f.message]
    assert [(f.path, f.line) for f in found] == [("issues/001-2025-11.md", len(text.splitlines()))], found
    assert why in found[0].message and f"publish {target}.md first" in found[0].message
    assert "remove the link" in found[0].message
    # the day it is published (and a draft published), the link is fine
    monkeypatch.setenv("PANDA_TODAY", "2026-12-09")
    set_draft(book, None)
    assert not [f for f in validator(book) if "links to" in f.message]


def test_a_link_in_code_or_from_a_page_left_out_is_no_finding(tmp_path):
    from newsletter.rules import Page, unpublished_links

    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    gone = unpublished_issues(book, datetime.date(2026, 12, 2))
    text = "# x\n\n```\n{doc}`002-2025-12` [a](002-2025-12.md)\n```\n\n[b](https://example.org/002-2025-12.md)\n"
    assert unpublished_links(Page(text, "issues/001-2025-11.md", root=book, left_out=gone)) == []
    linking = "# x\n\n[a](003-2026-12.md)\n"
    assert unpublished_links(Page(linking, f"{DRAFT}.md", root=book, left_out=gone)) == []  # a draft links ahead
    assert unpublished_links(Page(linking, "issues/001-2025-11.md", root=book, left_out={})) == []  # preview
    assert len(unpublished_links(Page(linking, "issues/001-2025-11.md", root=book, left_out=gone))) == 1


@pytest.mark.slow  # an in-process build of the book
def test_a_doc_reference_the_rules_miss_is_still_named_a_draft_by_the_build(tmp_path, monkeypatch):
    # publication.py's warn-missing-reference: the build's own word for a reference to an issue left out
    import newsletter.rules

    monkeypatch.setattr(newsletter.rules, "RULES", tuple(r for r in newsletter.rules.RULES
                                                         if r is not newsletter.rules.unpublished_links))
    monkeypatch.setenv("PANDA_TODAY", "2026-12-02")
    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    issue1 = book / "issues" / "001-2025-11.md"
    issue1.write_text(issue1.read_text(encoding="utf-8") + "\nSee {doc}`002-2025-12`.\n", encoding="utf-8")
    error, _status = build_in_process(book)
    assert error is not None and "is a draft (draft: true), which the published book leaves out: remove the link" in error, error


# ---- in process: the toc, the output, preview ------------------------------------------------------------------

@pytest.mark.slow  # an in-process build of the book (10-20 s)
def test_the_published_build_leaves_them_out_quietly_and_says_so(tmp_path, monkeypatch):
    monkeypatch.setenv("PANDA_TODAY", "2026-12-02")
    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    error, status = build_in_process(book)
    assert error is None, error  # no "toctree contains reference to excluded document" (warnings are errors)
    assert f"{SCHEDULED}.md, date 2026-12-09: held back until 2026-12-09 (today is 2026-12-02)" in status
    assert f"{DRAFT}.md, date 2025-12: a draft (draft: true), left out" in status
    assert sorted(p.name for p in (book / "_build" / "html" / "issues").iterdir()) == ["001-2025-11.html"]
    index = (book / "_build" / "html" / "index.html").read_text(encoding="utf-8")
    assert not any(t in index for t in TRACES)


def test_a_draft_that_is_not_true_or_false_stops_the_build_at_its_line(tmp_path):
    # the build's check before Sphinx reads (rules/checks.py, when the configuration is read)
    from types import SimpleNamespace

    from panda_book.rules.checks import BadInput, check_book

    book = copy_root(tmp_path)
    add_issues(book, "issues/001-2025-11.md")
    set_draft(book, "yes")
    with pytest.raises(BadInput, match=f"{DRAFT}.md:14: draft 'yes' must be true or false"):
        check_book(SimpleNamespace(srcdir=str(book)), None)


@pytest.fixture(scope="module")
def preview(tmp_path_factory) -> Path:
    """The test root with issues 2 and 3, built in process in preview mode (``panda_preview``, as
    ``python -m newsletter preview`` sets it) on 2026-12-02: its _build/html."""
    from sphinx.testing.util import SphinxTestApp

    book = copy_root(tmp_path_factory.mktemp("preview"))
    add_issues(book, "issues/001-2025-11.md")
    before = os.environ.get("PANDA_TODAY")
    os.environ["PANDA_TODAY"] = "2026-12-02"
    app = SphinxTestApp("html", srcdir=book, freshenv=True, confoverrides={"panda_preview": True})
    try:
        app.build()
    finally:
        app.cleanup()
        if before is None:
            del os.environ["PANDA_TODAY"]
        else:
            os.environ["PANDA_TODAY"] = before
    return book / "_build" / "html"


@pytest.mark.slow  # an in-process build of the book (10-20 s)
def test_preview_builds_both_with_their_banners(preview):
    html = preview / "issues"

    def banner(name: str):
        page = BeautifulSoup((html / name).read_text(encoding="utf-8"), "html.parser")
        return page.select(".bl-release")

    draft, scheduled = banner("002-2025-12.html"), banner("003-2026-12.html")
    assert not banner("001-2025-11.html")
    assert len(draft) == 1 and draft[0]["role"] == "note" and "bl-release-draft" in draft[0]["class"]
    assert len(scheduled) == 1 and "bl-release-draft" not in scheduled[0]["class"]
    for box, zh, en in ((draft[0], "草稿", "Draft"), (scheduled[0], "定时发布", "Scheduled")):
        label = box.select_one("strong")
        assert label.select_one('[lang="zh-CN"]').get_text() == zh and label.select_one('[lang="en"]').get_text() == en
        # every half of every label carries its language (labels.py's one helper)
        assert all(span.get("lang") in ("zh-CN", "en") for span in box.select(".bl-zh, .bl-en"))
    assert "本期将于2026年12月9日发布。" in scheduled[0].get_text()
    assert "This issue is published on December 9, 2026." in scheduled[0].get_text()
    # previous/next run through all three in preview
    second = BeautifulSoup((html / "002-2025-12.html").read_text(encoding="utf-8"), "html.parser")
    assert second.select_one("a.left-prev")["href"] == "001-2025-11.html"
    assert second.select_one("a.right-next")["href"] == "003-2026-12.html"


@pytest.fixture(scope="module")
def site(preview):
    """The preview build served (browsing.py's open_page opens pages of it)."""
    from .browsing import serve

    # the test root sets no favicon (the book does): Chromium's request for /favicon.ico would be a 404
    (preview / "favicon.ico").write_bytes(b"")
    yield from serve(preview)


@pytest.mark.browser
@pytest.mark.slow
@pytest.mark.parametrize("mode", ["both", "zh", "en"])
def test_the_banners_fit_a_phone_and_pass_axe(open_page, mode):
    from .browsing import AXE, PHONE, clean, visit

    for name in ("002-2025-12", "003-2026-12"):
        pg = open_page(viewport=PHONE, bypass_csp=True)  # bypass: for axe's script only
        visit(pg, f"issues/{name}.html?lang={mode}")
        box = pg.locator(".bl-release").bounding_box()
        assert box and box["x"] >= 0 and box["x"] + box["width"] <= PHONE["width"], box
        assert pg.evaluate("() => document.documentElement.scrollWidth") <= PHONE["width"]
        shown = pg.locator(".bl-release strong").inner_text()
        want = {"both": ("草稿 · Draft", "定时发布 · Scheduled"), "zh": ("草稿", "定时发布"), "en": ("Draft", "Scheduled")}
        assert shown.strip() == want[mode][name.startswith("003")], shown
        pg.add_script_tag(content=AXE.read_text(encoding="utf-8"))
        assert pg.evaluate("""async () => (await axe.run(document, {resultTypes: ['violations']}))
            .violations.map(v => v.id)""") == []
        clean(pg)


# ---- a real book: no trace, and incremental equals clean ------------------------------------------------------

def published_texts(html: Path) -> dict[str, str]:
    """Every file of the published tree as text (objects.inv unpacked; images and fonts by their name only)."""
    out = {}
    for path in sorted(html.rglob("*")):
        if not path.is_file():
            continue
        rel = path.relative_to(html).as_posix()
        data = path.read_bytes()
        if path.name == "objects.inv":
            head, _, body = data.partition(b"zlib.\n")
            data = head + zlib.decompress(body)
        try:
            out[rel] = rel + "\n" + data.decode("utf-8")
        except UnicodeDecodeError:
            out[rel] = rel  # a PNG, a font: its name is what could give an issue away
    return out


@pytest.fixture(scope="module")
def real_book(tmp_path_factory):
    """The real issue 1, a draft issue 2 and issue 3 of 2026-12-09, built on 2026-12-02; and that first tree."""
    root = tmp_path_factory.mktemp("drafts")
    copy_items((*BOOK_FILES, "issues", "sources"), root)
    add_issues(root, "issues/001-2025-11.md")
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PANDA_TODAY": "2026-12-02"}
    first = build(root, env=env)
    assert first.returncode == 0, first.output[-3000:]
    keep = tmp_path_factory.mktemp("first") / "html"
    shutil.copytree(root / "_build" / "html", keep)
    return root, env, first.output, keep


@pytest.mark.slow
def test_the_published_book_holds_no_trace_of_either(real_book):
    root, _env, output, _first = real_book
    assert "issues/003-2026-12.md, date 2026-12-09: held back until 2026-12-09 (today is 2026-12-02)" in output
    assert "issues/002-2025-12.md, date 2025-12: a draft (draft: true), left out" in output
    html = root / "_build" / "html"
    texts = published_texts(html)
    found = [(rel, t) for rel, text in texts.items() for t in TRACES if t in text]
    assert not found, found[:20]
    assert "issues/001-2025-11.html" in texts and "_sources/issues/001-2025-11.md" in texts
    assert sorted(p.name for p in (html / "issues").iterdir()) == ["001-2025-11.html"]
    # parsed: issue 1 has no neighbour, the archive and the home page list issue 1 alone, every card is issue 1's
    # or a page's, and each page's links stay inside what was published
    cards = set()
    for rel in (r for r in texts if r.endswith(".html")):
        page = BeautifulSoup((html / rel).read_text(encoding="utf-8"), "html.parser")
        for tag in page.select("[href], [src], [content]"):
            target = tag.get("href") or tag.get("src") or tag.get("content") or ""
            assert not any(t in target for t in TRACES), (rel, target)
            if "_static/cards/" in target:
                cards.add(target.rsplit("/", 1)[1])
        if rel == "issues/001-2025-11.html":
            assert not page.select("a.left-prev, a.right-next"), "issue 1 has no neighbour"
        if rel in ("index.html", "archive.html"):
            listed = {a["href"].split("#")[0] for a in page.select("article a[href*='issues/']")}
            assert listed == {"issues/001-2025-11.html"}, (rel, listed)
    assert cards == {p.name for p in (html / "_static" / "cards").iterdir()}


@pytest.mark.slow
def test_a_draft_published_then_a_draft_again_equals_clean_builds(real_book, tmp_path):
    from .test_incremental import assert_equals_clean, differences

    root, env, _output, first = real_book
    set_draft(root, None)
    published = build(root, env=env)
    assert published.returncode == 0, published.output[-3000:]
    page = root / "_build" / "html" / "issues" / "002-2025-12.html"
    assert page.is_file() and "Zqxdraft" in (root / "_build" / "html" / "feed.xml").read_text(encoding="utf-8")
    assert_equals_clean(root, env, tmp_path / "published")
    set_draft(root, "true")
    again = build(root, env=env)
    assert again.returncode == 0, again.output[-3000:]
    # the same sources as the first build, which was clean: the same tree, file by file
    found = differences(root / "_build" / "html", first)
    assert not found, "\n".join(found[:40])


@pytest.mark.slow
def test_the_day_arriving_publishes_the_scheduled_issue(real_book, tmp_path):
    from .test_incremental import assert_equals_clean

    root, env, _output, _first = real_book
    env = {**env, "PANDA_TODAY": "2026-12-09"}
    arrived = build(root, env=env)
    assert arrived.returncode == 0, arrived.output[-3000:]
    assert "held back" not in arrived.output
    html = root / "_build" / "html"
    assert (html / "issues" / "003-2026-12.html").is_file()
    home = BeautifulSoup((html / "index.html").read_text(encoding="utf-8"), "html.parser")
    assert home.select_one("#latest-issue a[href]")["href"] == "issues/003-2026-12.html"
    assert "Zqxsched" in (html / "feed.xml").read_text(encoding="utf-8")
    assert_equals_clean(root, env, tmp_path)


def test_the_publish_workflow_runs_daily_and_keeps_no_build_state():
    """A scheduled issue appears on its day: the workflow builds every day, and keeps only the execution cache
    between runs (never _build/html or the environment, which would carry the day before's held-back set)."""
    from .test_publishing import steps_using, workflow

    wf = workflow("pages.yml")
    assert [entry["cron"] for entry in wf["on"]["schedule"]] == ["7 0 * * *"]
    caches = [step["with"]["path"] for step in steps_using(wf["jobs"]["build"], "actions/cache")]
    assert caches == ["_build/.jupyter_cache"]
