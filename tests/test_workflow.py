"""The contributors' commands: new, import, validate, preview, and the recipes of CONTRIBUTING.md."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import time
import urllib.request

import pytest

from .conftest import BOOK_FILES, SEED, build, copy_items

REPO_ITEMS = (*BOOK_FILES, "issues", "sources", "templates")


def run(tmp, *args, check=True):
    proc = subprocess.run([sys.executable, "-m", "newsletter", *args], cwd=tmp, capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": ""})
    if check:
        assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


@pytest.fixture
def repo(tmp_path):
    copy_items(REPO_ITEMS, tmp_path)
    return tmp_path


def test_new_creates_the_next_issue_and_lists_it(repo):
    out = run(repo, "new", "--date", "2025-12", "--slug", "lijiang").stdout
    assert "issues/002-2025-12.md" in out
    text = (repo / "issues" / "002-2025-12.md").read_text(encoding="utf-8")
    assert "  number: 2\n  slug: lijiang\n" in text and "  date: 2025-12\n" in text
    assert "# {bi}`第2期 | Issue 2`" in text and 'load_figures("002-2025-12.md")' in text
    assert (repo / "sources" / "002-2025-12.txt").is_file()
    toc = (repo / "_toc.yml").read_text(encoding="utf-8")
    assert toc.index("issues/001-2025-11") < toc.index("issues/002-2025-12") < toc.index("file: data")
    run(repo, "new", "--date", "2025-12")
    assert (repo / "issues" / "003-2025-12.md").is_file()
    bad = run(repo, "new", "--date", "December", check=False)
    assert bad.returncode == 1 and "must be a year and month" in bad.stderr


def test_validate_passes_on_the_book(repo):
    proc = run(repo, "validate")
    assert "0 error(s)" in proc.stderr


# each mistake: (file, old, new, what validate must say and where)
MISTAKES = {
    "issue missing from the toc": ("_toc.yml", "  - file: issues/001-2025-11\n", "",
                                   "issues/001-2025-11.md:1: this issue is not in _toc.yml"),
    "toc entry without a file": ("_toc.yml", "  - file: data\n", "  - file: data\n  - file: issues/009-2026-01\n",
                                 "_toc.yml:8: 'issues/009-2026-01' has no file"),
    "front matter number differs": ("issues/001-2025-11.md", "  number: 1\n", "  number: 2\n",
                                    "issues/001-2025-11.md:12: the front matter says number 2"),
    "bad date": ("issues/001-2025-11.md", "  date: 2025-11\n", "  date: Nov 2025\n",
                 "issues/001-2025-11.md:13: date 'Nov 2025' must be ISO"),
    "missing source file": ("issues/001-2025-11.md", "source_file: sources/000_484a9975802836a3.txt",
                            "source_file: sources/nope.txt", "issues/001-2025-11.md:14: source_file 'sources/nope.txt' does not exist"),
    "unknown tag": ("issues/001-2025-11.md", ":tags: employment\n", ":tags: employment, blockchain\n",
                    "issues/001-2025-11.md:32: story 'pku-employment-report' has tag(s) 'blockchain' that tags.yml "
                    "does not list"),
    "story without source": ("issues/001-2025-11.md", ":source: 广西日报-广西云\n", "",
                             "story 'niguang-zhi-ai-nanning' has no source"),
    "numbers that disagree": ("issues/001-2025-11.md", "directly employ about 690,000 people",
                              "directly employ about 960,000 people",
                              "issues/001-2025-11.md:41: 69万 (690,000) in Chinese has no English counterpart; the English says 960,000"),
}


@pytest.mark.parametrize("case", MISTAKES)
def test_validate_names_file_line_and_fix(repo, case):
    file, old, new, message = MISTAKES[case]
    path = repo / file
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new, 1), encoding="utf-8")
    proc = run(repo, "validate", check=False)
    assert proc.returncode == 1
    assert message in proc.stdout, proc.stdout


def test_validate_rejects_a_badly_named_or_duplicate_issue(repo):
    (repo / "issues" / "001-2025-11.md").rename(repo / "issues" / "1-nov.md")
    proc = run(repo, "validate", check=False)
    assert "issues/1-nov.md:1: the file name '1-nov.md' breaks the rule NNN-YYYY-MM.md" in proc.stdout
    (repo / "issues" / "1-nov.md").rename(repo / "issues" / "001-2025-11.md")
    (repo / "issues" / "002-2025-12.md").write_text((repo / "issues" / "001-2025-11.md").read_text(encoding="utf-8")
                                                    .replace("date: 2025-11", "date: 2025-12"), encoding="utf-8")
    proc = run(repo, "validate", check=False)
    assert "issue number 1 is also used by issues/001-2025-11.md" in proc.stdout


ISSUE2_BODY = """
::::{story} lijiang-filming
:tags: filming, culture-tourism
:number: 1
:source: 桂林日报

:::{zh}
:headline: 漓江边开机 两部微短剧同日拍摄

12月1日，两部以漓江山水为背景的微短剧在桂林同日开机，共计划拍摄120集。
:::

:::{en}
:headline: Two Mini Series Start Filming by the Lijiang River

On December 1, two mini series set along the Lijiang River started filming in Guilin on the same day, with 120 episodes planned in all.
:::
::::

::::{story} nanning-policy
:tags: policy, nanning
:number: 2
:source: 南宁日报

:::{zh}
:headline: 南宁发布微短剧扶持新措施

南宁发布新措施，支持本地微短剧创作。
:::

:::{en}
:headline: Nanning Issues New Support Measures for Mini Series

Nanning issued new measures to support local mini series production.
:::
::::

## {bi}`数据与图表 | Figures and charts`

```{figures}
- id: lijiang_episodes
  story: lijiang-filming
  value: 120
  unit: episode
  period: "2025-12"
  label_zh: 漓江题材微短剧计划集数
  label_en: Episodes planned for the Lijiang River series
  source: 桂林日报
  zh: 12月1日，两部以漓江山水为背景的微短剧在桂林同日开机，共计划拍摄120集。
  en: On December 1, two mini series set along the Lijiang River started filming in Guilin on the same day, with 120 episodes planned in all.
```
"""


@pytest.mark.slow
def test_the_add_an_issue_recipe(repo):
    # 1. create (CONTRIBUTING.md, "Add an issue"); the book builds straight away
    run(repo, "new", "--date", "2025-12", "--slug", "lijiang")
    first = build(repo)
    assert first.returncode == 0, first.output[-3000:]
    # 2-5. write: the source, two bilingual stories and a figure
    path = repo / "issues" / "002-2025-12.md"
    text = path.read_text(encoding="utf-8")
    head = text[: text.index("::::{story}")]
    path.write_text(head + ISSUE2_BODY, encoding="utf-8")
    (repo / "sources" / "002-2025-12.txt").write_text("漓江边开机 两部微短剧同日拍摄 ... (source text)\n", encoding="utf-8")
    # the stories' outlets, listed with their English names and home pages (CONTRIBUTING.md, step 3)
    with (repo / "sources.yml").open("a", encoding="utf-8") as registry:
        registry.write("- name_zh: 桂林日报\n  name_en: Guilin Daily\n  url: https://example.org/guilin-daily/\n"
                       "- name_zh: 南宁日报\n  name_en: Nanning Daily\n  url: https://example.org/nanning-daily/\n")
    # 6. validate
    proc = run(repo, "validate")
    assert "0 error(s)" in proc.stderr
    # 7. build, and find issue 2 everywhere a reader looks
    result = build(repo)
    assert result.returncode == 0, result.output[-3000:]
    html = result.html
    home = (html / "index.html").read_text(encoding="utf-8")
    latest = home[home.index('id="latest-issue"'):]
    assert "Issue 2" in latest[:600] and "漓江边开机" in latest  # newest first in the archive
    assert 'href="issues/002-2025-12.html"' in home  # in the navigation
    page2 = (html / "issues" / "002-2025-12.html").read_text(encoding="utf-8")
    assert re.search(r'class="left-prev"\s+href="001-2025-11.html"', page2)  # previous: issue 1
    assert 'href="https://example.org/guilin-daily/" lang="en" rel="noopener">Guilin Daily</a>' in page2
    feed = (html / "feed.xml").read_text(encoding="utf-8")
    assert feed.index("Issue 2") < feed.index("Issue 1")
    assert "issues/002-2025-12.html#story-lijiang-filming" in (html / "topics" / "filming.html").read_text(encoding="utf-8")
    index = (html / "searchindex.js").read_text(encoding="utf-8")
    assert '"\\u6f13\\u6c5f"' in index or '"漓江"' in index  # searchable: 漓江
    assert '"lijiang"' in index
    data = (html / "data.html").read_text(encoding="utf-8")
    assert "漓江题材微短剧计划集数" in data
    # CONTRIBUTING.md, "Import the week's digest", end to end: import → review → preview → commit. Issue 1's digest
    # is imported as the next issue (number 3 here: issue 2 is the recipe's above)
    subprocess.run(["git", "init", "-q"], cwd=repo, check=True)
    out = run(repo, "import", str(SEED), "--date", "2026-01").stdout
    assert "created issues/003-2026-01.md (4 stories)" in out and "not placed (0): none" in out
    issue3 = repo / "issues" / "003-2026-01.md"
    text = issue3.read_text(encoding="utf-8")
    # review: the topics suggested for the Chengdu story confirmed as two of them, one proposed figure kept
    assert text.count("% topics suggested") == 4
    story = next(part for part in text.split("::::{story}") if "\n:number: 4\n" in part)  # 成都青羊
    tags = re.search(r"^:tags: (.*)$", story, re.M)
    assert "chengdu" in tags.group(1)
    text = text.replace(story, story.replace(tags.group(0), ":tags: chengdu, filming"))
    issue3.write_text(text, encoding="utf-8")
    assert "0 error(s)" in run(repo, "validate").stderr
    # preview: the real command, as a contributor starts it; the new issue is served with the reviewed topics
    proc = subprocess.Popen([sys.executable, "-m", "newsletter", "preview", "--port", "0"], cwd=repo,
                            stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            env={**os.environ, "PYTHONWARNINGS": ""})
    try:
        url, seen = None, []
        deadline = time.monotonic() + 400
        while time.monotonic() < deadline and url is None:
            line = proc.stdout.readline()
            seen.append(line)
            match = re.search(r"(http://127\.0\.0\.1:\d+/)", line)
            url = match.group(1) if match else None
        assert url, "the preview never said where it serves:\n" + "".join(seen[-20:])
        assert any(line.startswith("built in") for line in seen), "".join(seen[-20:])
        page3 = fetch(url + "issues/003-2026-01.html")
        assert "ICH Mini Series Ni Guang Zhi Ai Begins Filming in Nanning" in page3
        assert "成都青羊：加速推进文商旅体融合发展" in page3 and "figures-table" not in page3  # proposals: not shown
        assert '<script src="/__panda_preview__/live.js"' in page3
        chengdu = fetch(url + "topics/chengdu.html")
        assert "issues/003-2026-01.html#story-" in chengdu
        assert not (repo / "_build" / "html" / "issues" / "003-2026-01.html").exists()  # preview publishes nothing
    finally:
        proc.terminate()
        proc.wait(timeout=60)
        proc.stdout.close()
    # commit: the issue, its source and the toc (a build, ignored, is not part of it)
    (repo / ".gitignore").write_text("_build/\n", encoding="utf-8")
    git = ["git", "-c", "user.name=Editor", "-c", "user.email=editor@example.org"]
    subprocess.run([*git, "add", "issues/003-2026-01.md", "sources/003-2026-01.txt", "_toc.yml", ".gitignore"],
                   cwd=repo, check=True)
    subprocess.run([*git, "commit", "-q", "-m", "Issue 3 from the week's digest"], cwd=repo, check=True)
    committed = subprocess.run(["git", "show", "--name-only", "--format=", "HEAD"], cwd=repo, check=True,
                               capture_output=True, text=True).stdout.split()
    assert committed == [".gitignore", "_toc.yml", "issues/003-2026-01.md", "sources/003-2026-01.txt"]
    # and what is committed is what `jupyter-book build .` publishes
    imported = build(repo)
    assert imported.returncode == 0, imported.output[-3000:]
    published = (imported.html / "issues" / "003-2026-01.html").read_text(encoding="utf-8")
    assert "ICH Mini Series Ni Guang Zhi Ai Begins Filming in Nanning" in published
    assert "__panda_preview__" not in published


def fetch(url: str) -> str:
    with urllib.request.urlopen(url) as response:
        return response.read().decode()
