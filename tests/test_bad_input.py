"""Bad input: a clear error (file, line, fix), and nothing lost.

Each case is a throwaway copy of the book with one thing broken. Cases that
``python -m newsletter validate`` catches run through it (half a second each);
the build refuses them too (``BOTH``). Build cases run the plain
``jupyter-book build .`` in a copy of one good build, ``_build`` included (so
the notebook comes from the execution cache), and every failing build must
leave ``_build/html`` exactly as the good build left it: the build writes into
a staging copy and swaps it in only when it succeeds (_ext/panda_book/postbuild/staging.py).
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

from .conftest import JB, ROOT, Build, build, make_book

NAME = "001-2025-11.md"
PATH = f"issues/{NAME}"
STAGING = "_build/.html.staging"


def template() -> str:
    return (ROOT / "templates" / "issue.md").read_text(encoding="utf-8").replace("ISSUE_FILE", NAME)


def valid_issue() -> str:
    """The template as a contributor finishes it: numbered, dated, with its source."""
    return (template().replace("  number: 0\n", "  number: 1\n").replace("  date: 2000-01\n", "  date: 2025-11\n")
            .replace("sources/SOURCE.txt", "sources/001-2025-11.txt"))


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """The number of the ``nth`` line that is ``needle`` (or starts with it)."""
    found = [i for i, line in enumerate(text.splitlines(), 1) if line == needle or line.startswith(needle)]
    return found[nth - 1]


def tree(html: Path) -> dict[str, str]:
    """Every file and folder below ``html``, files with the digest of their bytes."""
    return {p.relative_to(html).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest() if p.is_file() else "/"
            for p in sorted(html.rglob("*"))}


def plain(output: str) -> str:
    """The build's output without its colours."""
    return re.sub(r"\x1b\[[0-9;]*m", "", output)


def validate(root: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "newsletter", "validate"], cwd=root, capture_output=True, text=True,
                          env={**os.environ, "PYTHONWARNINGS": ""}, timeout=120)


def replace(path: Path, old: str, new: str) -> str:
    text = path.read_text(encoding="utf-8")
    assert old in text, (path, old)
    text = text.replace(old, new, 1)
    path.write_text(text, encoding="utf-8")
    return text


# ---- the good build every build case starts from ---------------------------------------

@dataclass
class Good:
    root: Path
    html: dict[str, str]
    #: the email and WeChat editions beside the site
    editions: dict[str, str]


def editions_tree(root: Path) -> dict[str, str]:
    return {f"{folder}/{name}": digest for folder in ("email", "wechat")
            for name, digest in tree(root / "_build" / folder).items()}


@pytest.fixture(scope="module")
def good(tmp_path_factory) -> Good:
    """The template issue built once; each build case breaks a copy of it, `_build` included."""
    root = make_book(tmp_path_factory.mktemp("good"), template())
    result = build(root)
    assert result.returncode == 0, result.output[-4000:]
    editions = editions_tree(root)
    assert "email/001-2025-11/zh.html" in editions and "wechat/001-2025-11.html" in editions
    return Good(root, tree(result.html), editions)


def copy_of(good: Good, tmp_path: Path) -> Path:
    root = tmp_path / "book"
    shutil.copytree(good.root, root, symlinks=True)  # copy2: the files keep their times, the build stays incremental
    return root


def assert_nothing_lost(result: Build, good: Good) -> None:
    assert tree(result.html) == good.html, "a failed build changed _build/html"
    assert not (result.root / STAGING).exists(), "a failed build left its staging folder"
    assert editions_tree(result.root) == good.editions, "a failed build changed _build/email or _build/wechat"
    assert not list(result.root.glob("_build/.*.new")), "a failed build left a half-written edition folder"


@pytest.mark.slow
def test_template_issue_builds(good):
    html = (good.root / "_build" / "html" / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
    assert html.count('<section class="story"') == 2
    assert "<figure" in html and 'alt="条形图' in html and 'alt="Bar chart' in html
    # the first story pairs its paragraphs, so wide screens line them up
    first = html[html.index('id="story-first-story"'):html.index('id="story-second-story"')]
    assert 'class="bl-pair bl-aligned"' in first
    assert not (good.root / STAGING).exists()


# ---- the cases ---------------------------------------------------------------------------

VALIDATE, BUILD, BOTH = {"validate"}, {"build"}, {"validate", "build"}


@dataclass
class Case:
    """One kind of bad input: what to change, and what the message must say where."""

    file: str  # the file changed and named by the message
    old: str = ""  # text replaced in it (or `change` does the change)
    new: str = ""
    at: str | tuple[str, int] | int = 1  # the line named: its text (start), (text, nth), or its number
    words: list[str] = field(default_factory=list)  # the problem and the fix
    how: set[str] = field(default_factory=lambda: BOTH)
    change: Callable[[Path], None] | None = None  # a change that is not a replacement

    def apply(self, root: Path) -> int:
        path = root / self.file
        if self.change:
            self.change(root)
        if self.old or not self.change:
            replace(path, self.old, self.new)
        if isinstance(self.at, int):
            return self.at
        text = path.read_bytes().decode("utf-8", "replace")
        return line_of(text, *self.at) if isinstance(self.at, tuple) else line_of(text, self.at)


def second_issue(number_from: str, number_to: str, date_to: str | None = None, listed: bool = True,
                 name: str = "002-2025-12.md"):
    """A second issue, copied from the first (same number unless changed), listed in the toc or not."""
    def change(root: Path) -> None:
        text = (root / PATH).read_text(encoding="utf-8").replace(f"  number: {number_from}\n", f"  number: {number_to}\n")
        if date_to:  # a day in quotes, as the rules ask
            date = f'"{date_to}"' if date_to.count("-") == 2 else date_to
            replace(root / PATH, re.search(r"  date: .*\n", text)[0], f"  date: {date}\n")
            text = re.sub(r"  date: .*\n", f"  date: {date}\n", text, count=1)
        (root / "issues" / name).write_text(text.replace(NAME, name), encoding="utf-8")
        if listed:
            replace(root / "_toc.yml", f"  - file: issues/{NAME[:-3]}\n",
                    f"  - file: issues/{NAME[:-3]}\n  - file: issues/{name[:-3]}\n")
    return change


def reencode(encoding: str, bom: bytes = b""):
    def change(root: Path) -> None:
        path = root / PATH
        path.write_bytes(bom + path.read_text(encoding="utf-8").encode(encoding))
    return change


def set_date(date: str):
    def change(root: Path) -> None:
        replace(root / PATH, re.search(r"  date: .*\n", (root / PATH).read_text(encoding="utf-8"))[0],
                f"  date: {date}\n")
    return change


def first_non_ascii_line(text: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if not line.isascii())


STORY2_EN = ":::{en}\n:headline: English headline\n:gap: partial\n"

CASES = {
    # -- the book's files --
    "invalid YAML in _config.yml": Case(
        "_config.yml", "title: PANDA微短剧", "title: [PANDA微短剧", at="title: [PANDA",
        words=["not valid YAML", "fix the indentation or quoting"], how=VALIDATE),  # Jupyter Book reads it first
    "invalid YAML in _toc.yml": Case(
        "_toc.yml", "chapters:\n", "chapters:\n  - file: [issues/001-2025-11\n", at="  - file: [issues",
        words=["not valid YAML", "fix the indentation or quoting"], how=VALIDATE),  # ditto
    "toc entry without a file": Case(
        "_toc.yml", "chapters:\n", "chapters:\n  - file: issues/009-2026-01\n", at="  - file: issues/009-2026-01",
        words=["'issues/009-2026-01' has no file", "create it or remove the line"]),
    "a page listed twice in the toc": Case(  # Jupyter Book stops on it before the book's checks, without a line
        "_toc.yml", "  - file: issues/001-2025-11\n", "  - file: issues/001-2025-11\n  - file: issues/001-2025-11\n",
        at=("  - file: issues/001-2025-11", 2), words=["is listed twice (first at line", "remove this line"],
        how=VALIDATE),
    "issue not in the toc": Case(
        "issues/002-2025-12.md", change=second_issue("1", "2", listed=False), at=1,
        words=["this issue is not in _toc.yml", "add '  - file: issues/002-2025-12' under chapters"]),
    "duplicate issue number": Case(
        "issues/002-2025-12.md", change=second_issue("1", "1"), at="  number: ",
        words=["is also used by issues/001-2025-11.md", "give each issue its own number"]),
    "duplicate issue date": Case(
        "issues/002-2025-11.md", change=second_issue("1", "2", date_to="2025-11-28", name="002-2025-11.md"),
        at="  date: ", words=["issue date 2025-11-28 is also used by issues/001-2025-11.md",
                              "give each issue the date it is published"]),
    "a date that does not exist": Case(
        PATH, change=set_date("2025-11-31"), at="  date: ",
        words=["'2025-11-31' is not a date of the calendar", "correct it"]),
    # found by the fourth attack review: the notebook cache cannot store YAML's date object (a traceback, and a
    # cache broken for the builds after); "2025-10-15" in quotes builds (test_data.py's trend book)
    "an unquoted day": Case(
        PATH, change=set_date("2025-11-20"), at="  date: ",
        words=['write the day in quotes, date: "2025-11-20"']),
    # math would load MathJax from a CDN; the page check caught it at the HTML's line, naming the wrong page
    "a math role": Case(
        PATH, "\n中文第二段：其中直接就业100人。\n", "\n中文第二段：其中直接就业100人。\n\n公式：{math}`x`。\n",
        at="公式", words=["math ({math} role or directive) is not part of the issue format",
                            "write the formula as text"], how=BUILD),
    "a math directive": Case(
        PATH, "中文第一段：该项目带动就业约300人。", "中文第一段：该项目带动就业约300人。\n\n```{math}\nx\n```",
        at="```{math}", words=["{math} is not a directive of the issue format"], how=VALIDATE),
    # the fourth attack review: an unknown role in a headline stopped the build with no file or line
    "a role in a headline": Case(
        PATH, ":headline: 中文标题\n", ":headline: 中文标题{raw:html}`<b>x</b>`\n", at=":headline: 中文标题",
        words=["a headline holds the role {raw:html}", "a headline is text"]),
    "broken front matter": Case(
        PATH, "  display_name: Python 3\n", "  display_name: 'Python 3\n", at="  display_name: ",
        words=["the front matter is not valid YAML", "fix the indentation or quoting"]),
    "front matter never closed": Case(
        PATH, "---\n\n# {bi}`第0期", "\n# {bi}`第0期", at=1,
        words=["the front matter opened here is never closed", "add a line '---'"]),
    "issue saved as GB18030": Case(
        PATH, change=reencode("gb18030"), at=first_non_ascii_line(template()),
        words=["the file is not UTF-8", "save it as UTF-8 without BOM"]),
    "issue saved with a byte-order mark": Case(
        PATH, change=reencode("utf-8", b"\xef\xbb\xbf"), at=1,
        words=["byte-order mark (BOM)", "save it as UTF-8 without BOM"]),
    # -- the issue's text --
    "unclosed directive": Case(
        PATH, "English text that covers part of the Chinese.\n:::\n::::\n",
        "English text that covers part of the Chinese.\n:::\n", at="::::{story} second-story",
        words=["never closed", "add a line '::::' where the block ends"]),
    "unknown directive": Case(
        PATH, STORY2_EN, STORY2_EN.replace("{en}", "{eng}"), at=":::{eng}",
        words=["a {eng} block", "check the name"]),
    "story with one language and no gap marker": Case(
        PATH, ":::{en}\n:headline: English headline\n\nFirst English paragraph: the project created "
              "about 300 jobs.\n\nSecond English paragraph: 100 of them are direct jobs.\n:::\n", "",
        at="::::{story} first-story", words=["no English block", ":gap: all"]),
    "empty story block": Case(
        PATH, ":headline: 中文标题\n\n中文正文。\n", ":headline: 中文标题\n", at=(":::{zh}", 3),
        words=["block of story 'second-story' is empty", ":gap: body"]),
    "tag not in tags.yml": Case(
        PATH, ":tags: employment\n", ":tags: employment, blockchain\n", at=":tags: employment, blockchain",
        words=["'blockchain'", "tags.yml", "use one of: employment"]),
    "bilingual label without both halves": Case(
        PATH, "# {bi}`第0期 | Issue 0`", "# {bi}`第0期 Issue 0`", at="# {bi}`第0期 Issue 0`",
        words=["{bi} needs 'Chinese | English'", "write {bi}`中文 | English`"], how=BUILD),
    "<script> in an issue": Case(
        PATH, "中文正文。\n", "中文正文。\n\n<script>alert(1)</script>\n", at="<script>",
        words=["raw HTML <script> is not allowed in an issue", "remove it"]),
    # -- roads by which content could reach a page (gate.py on the doctree; newsletter/safety.py) --
    "a tag split over two lines": Case(
        PATH, "中文正文。\n", "中文正文。<scr\nipt>alert(1)</script>\n", at="中文正文。<scr",
        words=["raw HTML <scr> is not allowed in an issue"]),
    "an event handler in inline HTML": Case(
        PATH, "中文正文。\n", "中文正文 <img src=x onerror=alert(1)> 。\n", at="中文正文 <img",
        words=["raw HTML <img> is not allowed in an issue"]),
    # (the doctree gate behind these rules is tried on each road in tests/test_roots.py, with the rules off)
    "a {raw} block": Case(
        PATH, "中文正文。\n", "中文正文。\n\n```{raw} html\n<script>alert(1)</script>\n```\n", at="```{raw} html",
        words=["a {raw} block is not allowed in an issue"]),
    "{eval-rst} with raw HTML": Case(
        PATH, "中文正文。\n", "中文正文。\n\n```{eval-rst}\n.. raw:: html\n\n   <script>alert(1)</script>\n```\n",
        at="```{eval-rst}", words=["a {eval-rst} block is not allowed in an issue"]),
    "a script in a link": Case(  # (MyST itself leaves [x](javascript:...) as text; reStructuredText does not)
        PATH, "中文正文。\n", "中文正文。\n\n```{eval-rst}\nSee `this <javascript:alert(1)>`_.\n```\n",
        at="```{eval-rst}", words=["a {eval-rst} block is not allowed in an issue"]),
    "a download from outside the book": Case(
        PATH, "中文正文。\n", "中文正文，{download}`附件 <../../../../../../etc/passwd>`。\n", at="中文正文，",
        words=["'../../../../../../etc/passwd' is outside the book", "copy the file there"], how=BUILD),
    "a system file printed by literalinclude": Case(
        PATH, "中文正文。\n", "中文正文。\n\n```{literalinclude} ../../../../../../../../etc/passwd\n```\n",
        at="```{literalinclude}", words=["a {literalinclude} block is not allowed in an issue"]),
    "html_meta that refreshes to another site": Case(
        PATH, "issue:\n", 'myst:\n  html_meta:\n    "http-equiv=refresh": "0; url=https://evil.example"\nissue:\n',
        at="myst:", words=["html_meta", "is not allowed"], how=BUILD),
    "a cell that displays HTML": Case(
        PATH, "employment_chart(figures)\n```",
        "employment_chart(figures)\n```\n\n```{code-cell} ipython3\nfrom IPython.display import HTML\n"
        "HTML('<script>alert(1)</script>')\n```", at=("```{code-cell} ipython3", 3),
        words=["this code cell displays text/html", "display a chart or print text instead"], how=BUILD),
    "a cell that displays an SVG with a script": Case(  # (found by an attack helper: published as a file of its own)
        PATH, "employment_chart(figures)\n```",
        "employment_chart(figures)\n```\n\n```{code-cell} ipython3\nfrom IPython.display import SVG\n"
        "SVG('<svg xmlns=\"http://www.w3.org/2000/svg\"><script>alert(document.domain)</script></svg>')\n```",
        at=("```{code-cell} ipython3", 3), words=["an SVG with a <script> element", "charts come from"], how=BUILD),
    "a cell that displays JavaScript": Case(
        PATH, "employment_chart(figures)\n```",
        "employment_chart(figures)\n```\n\n```{code-cell} ipython3\nfrom IPython.display import Javascript\n"
        "Javascript('alert(1)')\n```", at=("```{code-cell} ipython3", 3),
        words=["this code cell displays application/javascript"], how=BUILD),
    "a cell that prints 300,000 characters": Case(
        PATH, "employment_chart(figures)\n```",
        "employment_chart(figures)\n```\n\n```{code-cell} ipython3\nprint('x' * 300_000)\n```",
        at=("```{code-cell} ipython3", 3), words=["outputs 300,001 characters of text (at most 200,000)"], how=BUILD),
    "a cell tagged raises-exception": Case(
        PATH, "employment_chart(figures)\n```",
        "employment_chart(figures)\n```\n\n```{code-cell} ipython3\n:tags: [raises-exception]\n\n"
        "raise ValueError('/root/secret')\n```", at=("```{code-cell} ipython3", 3),
        words=["tagged raises-exception", "tracebacks are never published"], how=BUILD),
    "a download of an HTML page": Case(
        PATH, "中文正文。\n", "中文正文，{download}`附件 <evil.htm>`。\n", at="中文正文，",
        words=["'evil.htm': an issue may publish", "could run scripts"], how=BUILD,
        change=lambda root: (root / "issues" / "evil.htm").write_text("<script>alert(1)</script>", encoding="utf-8")),
    "broken internal link": Case(
        PATH, "中文正文。\n", "中文正文，见[第二期](002-2025-12.md)。\n", at="中文正文，见",
        words=["cross-reference target not found: '002-2025-12.md'", "link to a file that exists"], how=BUILD),
    "broken reference": Case(
        PATH, "中文正文。\n", "中文正文，见{ref}`jobs-table`。\n", at="中文正文，见",
        words=["undefined label: 'jobs-table'", "'(name)=' above the heading"], how=BUILD),
    "image that does not exist": Case(
        PATH, "中文正文。\n", "中文正文。\n\n![剧照](still.png)\n", at="![剧照]",
        words=["still.png", "correct the path"]),
    "numbers that disagree": Case(
        PATH, "the project created about 300 jobs.", "the project created about 3000 jobs.",
        at="中文第一段：该项目带动就业约300人。",
        words=["300 in Chinese has no English counterpart; the English says 3000 (3,000)"]),
    # -- figure records --
    "figure record citing a source sources.yml does not list": Case(
        PATH, "  source: 人民网\n", "  source: 新华网\n", at="  source: 新华网",
        words=["figure 'total_jobs' cites source '新华网', which sources.yml does not list",
               "add it to sources.yml with name_zh, name_en and url", "use one of: 人民网"]),
    "figure record missing a field": Case(
        PATH, "  label_en: Direct jobs\n", "", at="- id: direct_jobs",
        words=["figure record 'direct_jobs' lacks label_en", "every record needs"]),
    "figure value not a number": Case(
        PATH, "  value: 100\n", "  value: one hundred\n", at="  value: one hundred",
        words=["not a number", "write digits only"]),
    "negative count": Case(
        PATH, "  value: 100\n", "  value: -100\n", at="  value: -100",
        words=["value of 'direct_jobs' is negative", "counts cannot be negative"], how=VALIDATE),
    "total below its part": Case(
        PATH, "  value: 300\n", "  value: 30\n", at="- id: total_jobs",
        words=["total 'total_jobs' (30) is smaller than its part 'direct_jobs' (100)", "check both values"]),
    # -- code cells and charts --
    "code cell that raises": Case(
        PATH, "employment_chart(figures)\n```", 'share = figures["direct_jobs"].value / 0\nemployment_chart(figures)\n```',
        at="share = ", words=["ZeroDivisionError", "Fix the cell"], how=BUILD),
    "chart citing a figure that does not exist": Case(
        PATH, "employment_chart(figures)\n```", 'employment_chart(figures, direct="nope")\n```',
        at='employment_chart(figures, direct="nope")',
        words=["figure 'nope' is not in the {figures} block", "its ids: direct_jobs, total_jobs", "Cite one of them"],
        how=BUILD),
    "chart in one language only": Case(
        PATH, "employment_chart(figures)\n```", 'employment_chart(figures, lang="zh")\n```',
        at='employment_chart(figures, lang="zh")', words=["no partner", "show a ChartPair"], how=BUILD),
    "headline the card image cannot draw": Case(
        PATH, STORY2_EN, STORY2_EN.replace("English headline", "English headline 🎬"),
        at=":headline: English headline 🎬", words=["'🎬' (U+1F3AC)", "remove it or write it in words"], how=BUILD),
    "Chinese label without CJK font": Case(
        PATH, "employment_chart(figures)\n```", 'employment_chart(figures, rc={"font.sans-serif": ["DejaVu Sans"]})\n```',
        at='employment_chart(figures, rc=', words=["missing from font"], how=BUILD),
}


def valid_book(tmp_path: Path) -> Path:
    tmp_path.mkdir(parents=True, exist_ok=True)
    root = make_book(tmp_path, valid_issue())
    (root / "sources").mkdir()
    (root / "sources" / "001-2025-11.txt").write_text("第1期 源文本 · the source text of issue 1\n", encoding="utf-8")
    return root


def test_the_valid_book_passes_the_validator(tmp_path):
    proc = validate(valid_book(tmp_path))
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "0 error(s)" in proc.stderr


@pytest.mark.parametrize("case", [name for name, case in CASES.items() if "validate" in case.how])
def test_validator_names_file_line_and_fix(case, tmp_path):
    root = valid_book(tmp_path)
    line = CASES[case].apply(root)
    proc = validate(root)
    assert proc.returncode == 1, proc.stdout + proc.stderr
    message = next((m for m in (proc.stdout + proc.stderr).splitlines() if m.startswith(f"{CASES[case].file}:{line}: ")
                    and all(w in m for w in CASES[case].words)), None)
    assert message, f"no '{CASES[case].file}:{line}: ...' line saying {CASES[case].words}:\n{proc.stdout}{proc.stderr}"


@pytest.mark.slow
@pytest.mark.parametrize("case", [name for name, case in CASES.items() if "build" in case.how])
def test_build_names_file_line_and_fix_and_loses_nothing(case, good, tmp_path):
    root = copy_of(good, tmp_path)
    line = CASES[case].apply(root)
    result = build(root)
    output = plain(result.output)
    assert result.returncode != 0
    assert f"{CASES[case].file}:{line}:" in output, output[-3000:]
    for word in CASES[case].words:
        assert word in output, output[-3000:]
    assert_nothing_lost(result, good)
    if "validate" in CASES[case].how:
        # the validator and the build take their facts from one model and one set of rules: on the same
        # broken book, the validator names the same file and line as the build
        proc = validate(root)
        assert proc.returncode == 1 and f"{CASES[case].file}:{line}: " in proc.stdout + proc.stderr, \
            proc.stdout + proc.stderr


@pytest.mark.slow
def test_cell_that_hangs_is_stopped_by_the_timeout(good, tmp_path):
    root = copy_of(good, tmp_path)
    replace(root / "_config.yml", "  timeout: 120\n", "  timeout: 3\n")
    text = replace(root / PATH, "```{code-cell} ipython3\n:tags: [remove-cell]\n",
                   "```{code-cell} ipython3\nimport time\ntime.sleep(600)\n```\n\n```{code-cell} ipython3\n"
                   ":tags: [remove-cell]\n")
    started = time.monotonic()
    result = build(root, timeout=300)
    assert result.returncode != 0
    assert time.monotonic() - started < 120  # two runs of 3 s at most (warm kernel, then myst-nb), not 600 s
    output = plain(result.output)
    assert f"{PATH}:{line_of(text, 'import time')}:the code cell starting here did not finish within 3 seconds" \
        in output, output[-3000:]
    assert "execute: timeout: in _config.yml" in output and "make it faster" in output
    assert_nothing_lost(result, good)


@pytest.mark.slow
def test_bad_search_word_list_fails_with_line(good, tmp_path):
    root = copy_of(good, tmp_path)
    terms = root / "search" / "zh-terms.txt"
    terms.write_text(terms.read_text(encoding="utf-8") + "微短剧 很多\n", encoding="utf-8")
    line = len(terms.read_text(encoding="utf-8").splitlines())
    result = build(root)
    assert result.returncode != 0
    assert f"search/zh-terms.txt:{line}:" in plain(result.output)
    assert "one word per line" in plain(result.output)
    assert_nothing_lost(result, good)


# ---- input that must simply work -------------------------------------------------------

@pytest.mark.slow
def test_windows_line_endings_simply_work(good, tmp_path):
    """An issue saved with CRLF validates and builds to the very page the LF file gives."""
    checked = valid_book(tmp_path / "checked")
    (checked / PATH).write_bytes((checked / PATH).read_bytes().replace(b"\n", b"\r\n"))
    proc = validate(checked)
    assert proc.returncode == 0, proc.stdout + proc.stderr
    root = copy_of(good, tmp_path)
    (root / PATH).write_bytes((root / PATH).read_bytes().replace(b"\n", b"\r\n"))
    assert b"\r\n" in (root / PATH).read_bytes()
    result = build(root)
    assert result.returncode == 0, result.output[-3000:]
    page = "issues/001-2025-11.html"
    assert (result.html / page).read_bytes() == (good.root / "_build" / "html" / page).read_bytes()


STORY = """::::{{story}} story-{i:03d}
:tags: employment
:number: {i}
:source: 人民网

:::{{zh}}
:headline: 新闻{i}

项目{i}带动就业约{jobs}人。

拍摄用时{days}天。
:::

:::{{en}}
:headline: News {i}

Project {i} created about {jobs:,} jobs.

Filming took {days} days.
:::
::::

"""


def long_issue(stories: int) -> str:
    """The template with `stories` stories; the figures cite stories 30 and 10."""
    text = template()
    start, end = text.index("::::{story} first-story"), text.index("## {bi}`数据与图表")
    body = "".join(STORY.format(i=i, jobs=i * 10, days=i + 3) for i in range(1, stories + 1))
    text = text[:start] + body + text[end:]
    for story, jobs, zh, en in (("story-030", 300, "中文第一段：该项目带动就业约300人。",
                                 '"First English paragraph: the project created about 300 jobs."'),
                                ("story-010", 100, "中文第二段：其中直接就业100人。",
                                 '"Second English paragraph: 100 of them are direct jobs."')):
        number = int(story[-3:])
        text = (text.replace(f"story: first-story\n  value: {jobs}\n", f"story: {story}\n  value: {jobs}\n")
                .replace(f"  zh: {zh}\n", f"  zh: 项目{number}带动就业约{jobs}人。\n")
                .replace(f"  en: {en}\n", f'  en: "Project {number} created about {jobs} jobs."\n'))
    return text


@pytest.mark.slow
def test_an_issue_of_200_stories_builds_in_bounded_time(good, tmp_path):
    text = long_issue(200)
    checked = valid_book(tmp_path / "checked")
    (checked / PATH).write_text(text.replace("  number: 0\n", "  number: 1\n").replace("  date: 2000-01\n",
                                "  date: 2025-11\n").replace("sources/SOURCE.txt", "sources/001-2025-11.txt"),
                                encoding="utf-8")
    started = time.monotonic()
    proc = validate(checked)
    assert proc.returncode == 0, (proc.stdout + proc.stderr)[-3000:]
    assert time.monotonic() - started < 30  # measured: 0.5 s
    root = copy_of(good, tmp_path)
    (root / PATH).write_text(text, encoding="utf-8")
    started = time.monotonic()
    result = build(root, timeout=300)
    took = time.monotonic() - started
    assert result.returncode == 0, result.output[-3000:]
    html = (result.html / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
    assert html.count('<section class="story"') == 200 and 'id="story-story-200"' in html
    assert took < 90, f"200 stories took {took:.0f} s"  # measured: 6 s (notebook run included), 2 cores


# ---- nothing lost, in each phase of a build ------------------------------------------------

FAILING_STEP = '''
from pathlib import Path


def _fail(app, exception):
    if exception is None:
        (Path(app.outdir) / "index.html").write_text("half-written", encoding="utf-8")
        raise RuntimeError("a step after the pages failed")


def setup(app):
    app.connect("build-finished", _fail, priority=900)  # after the feeds and the sweep, before the CSS purge
    return {"parallel_read_safe": True}
'''


@pytest.mark.slow
def test_a_step_after_the_pages_fails_and_nothing_is_lost_then_a_good_build_swaps_in(good, tmp_path):
    root = copy_of(good, tmp_path)
    replace(root / PATH, "中文正文。\n", "中文正文，已修订。\n")
    (root / "_ext" / "failing_step.py").write_text(FAILING_STEP, encoding="utf-8")
    config = replace(root / "_config.yml", "    panda_book: _ext/\n", "    panda_book: _ext/\n    failing_step: _ext/\n")
    result = build(root)
    output = plain(result.output)
    assert result.returncode != 0 and "a step after the pages failed" in output, output[-3000:]
    assert "writing output... [100%]" in output  # the pages were written, into the staging copy
    assert_nothing_lost(result, good)
    # without the failing step the same change builds, and the new tree replaces the old one whole
    (root / "_config.yml").write_text(config.replace("    failing_step: _ext/\n", ""), encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.output[-3000:]
    assert "中文正文，已修订。" in (result.html / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
    assert "中文正文，已修订。" in (root / "_build" / "email" / "001-2025-11" / "zh.html").read_text(encoding="utf-8")
    assert editions_tree(root).keys() == good.editions.keys() and not list(root.glob("_build/.*.new"))
    assert tree(result.html).keys() == good.html.keys() and tree(result.html) != good.html
    assert not (root / STAGING).exists()
    assert "The HTML pages are in _build/html." in plain(result.output)


# ---- the staging folder itself, without a build ------------------------------------------

sys.path.insert(0, str(ROOT / "_ext"))

from panda_book.postbuild import staging  # noqa: E402  (the extension lives in _ext/, as Jupyter Book loads it)


@pytest.mark.parametrize("exchange", ["renameat2", "two renames"])
def test_staging_swaps_in_a_whole_tree_or_none(exchange, tmp_path, monkeypatch):
    if exchange == "two renames":  # a file system without RENAME_EXCHANGE
        monkeypatch.setattr(staging, "_exchange", lambda a, b: False)
    final = tmp_path / "_build" / "html"
    (final / "issues").mkdir(parents=True)
    page = final / "issues" / "001.html"
    page.write_text("last good", encoding="utf-8")
    os.utime(page, (1_000_000_000, 1_000_000_000))
    app = type("App", (), {})()
    app.srcdir, app.outdir, app.doctreedir = tmp_path, final, tmp_path / "doctrees"
    app.builder = type("Builder", (), {"format": "html", "outdir": final})()
    env = app.doctreedir / "environment.pickle"
    app.doctreedir.mkdir()
    env.write_bytes(b"last good environment")

    staging._begin(app)
    out = Path(app.outdir)
    assert out == tmp_path / "_build" / ".html.staging" and app.builder.outdir == out
    assert (out / "issues" / "001.html").stat().st_mtime == 1_000_000_000  # times kept: incremental stays so
    (out / "issues" / "001.html").write_text("half-written", encoding="utf-8")  # in place, as Sphinx writes
    env.write_bytes(b"environment of the failed build")  # Sphinx pickles before it writes the pages
    assert page.read_text(encoding="utf-8") == "last good"
    staging.finish(app, RuntimeError("the build failed"))
    assert page.read_text(encoding="utf-8") == "last good" and Path(app.outdir) == final
    assert sorted(os.listdir(tmp_path / "_build")) == ["html"]
    assert env.read_bytes() == b"last good environment" and os.listdir(app.doctreedir) == ["environment.pickle"]

    staging._begin(app)
    (Path(app.outdir) / "issues" / "001.html").write_text("new", encoding="utf-8")
    (Path(app.outdir) / "feed.xml").write_text("<rss/>", encoding="utf-8")
    env.write_bytes(b"new environment")
    staging.finish(app, None)
    assert page.read_text(encoding="utf-8") == "new" and (final / "feed.xml").is_file()
    assert env.read_bytes() == b"new environment" and os.listdir(app.doctreedir) == ["environment.pickle"]
    assert Path(app.outdir) == final and app.builder.outdir == final
    # the replaced tree is kept, untouched, as the base of the next staging copy
    assert sorted(os.listdir(tmp_path / "_build")) == [".html.previous", "html"]
    assert (tmp_path / "_build" / ".html.previous" / "issues" / "001.html").read_text(encoding="utf-8") == "last good"

    # the next build brings that tree up to date: only what differs is copied, what is gone is deleted
    os.utime(page, (1_000_000_500, 1_000_000_500))
    (final / "old.html").write_text("kept", encoding="utf-8")
    (tmp_path / "_build" / ".html.previous" / "gone.html").write_text("stale", encoding="utf-8")
    staging._begin(app)
    out = Path(app.outdir)
    assert tree(out) == tree(final)
    assert not (out / "gone.html").exists() and not (tmp_path / "_build" / ".html.previous").exists()
    assert (out / "issues" / "001.html").stat().st_mtime == 1_000_000_500
    staging.finish(app, None)

    # killed after pickling (no handler ran): the next build puts the last good environment back before loading it
    staging._begin(app)
    env.write_bytes(b"environment of the killed build")
    staging._killed_before(app, None)
    assert env.read_bytes() == b"new environment" and os.listdir(app.doctreedir) == ["environment.pickle"]
    staging.finish(app, None)
    # a first build (no environment yet) that fails leaves none
    env.unlink()
    staging._begin(app)
    env.write_bytes(b"environment of the failed first build")
    staging.finish(app, RuntimeError("the build failed"))
    assert os.listdir(app.doctreedir) == []


def test_sync_copies_only_what_differs(tmp_path):
    src, dst = tmp_path / "src", tmp_path / "dst"
    (src / "a").mkdir(parents=True)
    for name, text in {"same.html": "same", "a/changed.css": "new", "a/new.svg": "<svg/>"}.items():
        (src / name).write_text(text, encoding="utf-8")
    (src / "link").symlink_to("same.html")
    shutil.copytree(src, dst, symlinks=True, copy_function=shutil.copy2)
    (dst / "a" / "changed.css").write_text("old", encoding="utf-8")  # same size, another time
    (dst / "a" / "new.svg").unlink()
    (dst / "removed.html").write_text("x", encoding="utf-8")
    (dst / "a" / "gone").mkdir()
    assert staging.sync(src, dst) == 2  # changed.css and new.svg; same.html kept
    assert tree(dst) == tree(src) and (dst / "link").is_symlink()


@pytest.mark.slow
def test_glue_of_html_from_another_step_fails_the_build(good, tmp_path):
    """myst-nb resolves {glue} references after reading: the gate checks the final doctree too."""
    root = copy_of(good, tmp_path)
    replace(root / PATH, "employment_chart(figures)\n```",
            "employment_chart(figures)\n```\n\n```{code-cell} ipython3\nfrom myst_nb import glue\n"
            "from IPython.display import HTML\nglue('p', HTML('<!--><script src=\"x.js\"></script>-->'), "
            "display=False)\n```\n\nPasted: {glue:any}`001-2025-11.md::p`\n")
    result = build(root)
    output = plain(result.output)
    assert result.returncode != 0
    assert re.search(r"issues/001-2025-11\.md(:\d+)?: ?(this code cell displays text/html|raw HTML <script>)", output), \
        output[-3000:]
    assert_nothing_lost(result, good)


@pytest.mark.slow
def test_topic_names_are_escaped_wherever_they_are_written(good, tmp_path):
    root = copy_of(good, tmp_path)
    replace(root / "tags.yml", "employment: {zh: 就业, en: Employment,",
            "employment: {zh: '<!--><b>就业</b>-->', en: '<i>Employment</i>',")
    result = build(root)
    assert result.returncode == 0, plain(result.output)[-3000:]
    for page in ("topics/employment.html", "topics/index.html", PATH.replace(".md", ".html")):
        html = (result.html / page).read_text(encoding="utf-8")
        assert "&lt;b&gt;就业&lt;/b&gt;" in html and "&lt;i&gt;Employment&lt;/i&gt;" in html, page
        assert "<b>就业" not in html and "<i>Employment" not in html and "<!-->" not in html, page


# ---- build integrity: one build at a time, leftovers cleared, no false claim ----------------

@pytest.mark.slow
def test_two_builds_at_once_wait_for_each_other_and_give_a_clean_builds_tree(good, tmp_path):
    root = copy_of(good, tmp_path)
    replace(root / PATH, "中文正文。\n", "中文正文，第二版。\n")
    env = {**os.environ, "PYTHONWARNINGS": ""}
    runs = [subprocess.Popen([str(JB), "build", "."], cwd=root, env=env, text=True,
                             stdout=subprocess.PIPE, stderr=subprocess.STDOUT) for _ in range(2)]
    outputs = [run.communicate(timeout=600)[0] for run in runs]
    assert [run.returncode for run in runs] == [0, 0], "\n".join(o[-2000:] for o in outputs)
    assert not any("Traceback" in o for o in outputs)
    assert any("another build is running" in o for o in outputs), "the second build did not wait"
    clean = tmp_path / "clean"
    shutil.copytree(root, clean, ignore=shutil.ignore_patterns("html", ".html.*", ".doctrees"))
    result = build(clean)
    assert result.returncode == 0, plain(result.output)[-3000:]
    assert tree(root / "_build" / "html") == tree(result.html)


@pytest.mark.slow
@pytest.mark.parametrize("leftover", ["folder", "file", "link"])
def test_a_staging_folder_left_by_a_failure_does_not_stop_the_next_build(leftover, good, tmp_path):
    root = copy_of(good, tmp_path)
    staging = root / STAGING
    if leftover == "folder":
        (staging / "issues").mkdir(parents=True)
        (staging / "issues" / "half-written.html").write_text("<p>half", encoding="utf-8")
    elif leftover == "file":
        staging.write_text("not a folder", encoding="utf-8")
    else:
        (tmp_path / "elsewhere").mkdir()
        staging.symlink_to(tmp_path / "elsewhere")
    replace(root / PATH, "中文正文。\n", "中文正文，第二版。\n")
    result = build(root)
    assert result.returncode == 0, plain(result.output)[-3000:]
    assert "第二版" in (result.html / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
    assert not os.path.lexists(staging)
    assert leftover != "link" or (tmp_path / "elsewhere").is_dir()  # a link is removed, never followed


@pytest.mark.slow
def test_a_cell_that_removes_the_site_then_fails_is_not_called_the_last_good_build(good, tmp_path):
    root = copy_of(good, tmp_path)
    replace(root / PATH, "employment_chart(figures)\n```",
            "employment_chart(figures)\n```\n\n```{code-cell} ipython3\nimport shutil\n"
            "shutil.rmtree('../_build/html')\nraise RuntimeError('after the damage')\n```")
    result = build(root)
    output = plain(result.output)
    assert result.returncode != 0
    assert "left as the last good build made it" not in output
    assert "was removed or changed while it ran" in output and "NOT the last good build" in output
