"""``python -m newsletter validate``: what a reviewer would check, fast, without building.

Files named by the rule, UTF-8 without byte-order mark, front matter, toc and
files in agreement (and in order), one number and one date per issue, sources
present, stories paired with a source, headlines and text (or gap markers),
topics from ``tags.yml``, every ``:::`` block closed, no raw HTML beyond the
template's, images that exist, figure records valid and the numbers of both
languages consistent (:mod:`newsletter.check`). Every message names the file,
the line and the fix.

:func:`book_findings` with ``strict=False`` is the part the build itself
refuses before it reads anything (the extension runs it when the
configuration is read): a template issue, numbered 0 and with no source yet,
passes it.
"""

from __future__ import annotations

import datetime
import re
from pathlib import Path

from .book import ISSUE_NAME, BookError, issue_files, read_tags, read_toc, read_yaml
from .check import Finding, check_text
from .errors import LocatedError
from .issue import front_matter_problem, read_front_matter, read_stories
from .new import SOURCE_PLACEHOLDER
from .safety import raw_html
from .source import SourceError, local_images, read_source, unclosed_fences

DATE = re.compile(r"^\d{4}-\d{2}(-\d{2})?$")


def _front_matter_line(text: str, key: str) -> int:
    return next((i for i, line in enumerate(text.splitlines(), 1) if re.match(rf"\s*{key}:", line)), 1)


def check_notebook(path: Path) -> list[Finding]:
    """The issue reads as a MyST Markdown notebook (jupytext) that nbformat accepts, with a Python kernel."""
    import jupytext
    import nbformat

    rel = path.as_posix()
    try:
        notebook = jupytext.read(path, fmt="md:myst")
        nbformat.validate(notebook)
    except Exception as exc:  # jupytext and nbformat raise many kinds; each is a format error here
        return [Finding("error", rel, 1, f"not a valid MyST notebook: {exc}; compare its front matter and "
                        "code cells with templates/issue.md")]
    kernel = notebook.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        return [Finding("error", rel, 1, f"the notebook's kernel is {kernel!r}; the front matter needs "
                        "kernelspec: name: python3 (copy it from templates/issue.md)")]
    return []


def _date_problem(date: str) -> str | None:
    if not DATE.match(date):
        return f"date {date!r} must be ISO: YYYY-MM or YYYY-MM-DD"
    try:
        datetime.date.fromisoformat(date if len(date) == 10 else f"{date}-01")
    except ValueError:
        return f"date {date!r} is not a date of the calendar (months 01-12, a day the month has); correct it"
    return None


def issue_front_matter(root: Path, path: Path, text: str, strict: bool = True) -> tuple[list[Finding], dict]:
    """The issue's file name and front matter; the metadata found (number, date) for the book-wide checks.

    ``strict=False``: only what the build refuses (front matter readable, a whole number,
    a real ISO date); the name rule, a number from 1 agreeing with the file name and the
    source text are the validator's (a new issue builds before its source is pasted).
    """
    rel = path.relative_to(root).as_posix()
    out: list[Finding] = []

    def error(line: int, message: str) -> None:
        out.append(Finding("error", rel, line, message))

    name = ISSUE_NAME.match(path.name)
    if strict and not name:
        error(1, f"the file name {path.name!r} breaks the rule NNN-YYYY-MM.md (zero-padded number, ISO "
                 "year-month, e.g. 002-2025-12.md); rename it and its _toc.yml entry")
    problem = front_matter_problem(text)
    if problem:
        error(*problem)
        return out, {}
    meta = read_front_matter(text).get("issue")
    if not isinstance(meta, dict):
        error(1, "the front matter has no 'issue:' block; copy it from templates/issue.md "
                 "(issue: number, date, source_file)")
        return out, {}
    number, date = meta.get("number"), str(meta.get("date", ""))
    number_line, date_line = _front_matter_line(text, "number"), _front_matter_line(text, "date")
    if not isinstance(number, int) or isinstance(number, bool) or number < (1 if strict else 0):
        error(number_line, f"issue number {number!r} must be a whole number from 1 (write 'number: 2', no quotes)")
        number = None
    elif strict and name and int(name["number"]) != number:
        error(number_line, f"the front matter says number {number} but the file name says "
              f"{int(name['number'])}; make them agree")
    wrong_date = _date_problem(date)
    if wrong_date:
        error(date_line, wrong_date)
        date = ""
    elif strict and name and not date.startswith(name["date"]):
        error(date_line, f"the front matter's date {date} is not the file name's month {name['date']}; make "
              "them agree")
    if strict:
        source = meta.get("source_file")
        line = _front_matter_line(text, "source_file")
        if not source:
            error(line, "no source_file: keep the verbatim source text in sources/ and name it here")
        elif not (root / source).is_file():
            error(line, f"source_file {source!r} does not exist; add the verbatim source text there")
        elif (root / source).read_text(encoding="utf-8") == SOURCE_PLACEHOLDER:
            error(line, f"{source} still holds the placeholder; paste the source newsletter there, verbatim")
    return out, {"number": number, "date": date, "number_line": number_line, "date_line": date_line}


def issue_content(root: Path, path: Path, text: str, tags: dict) -> list[Finding]:
    """Stories, topics, blocks, raw HTML, images, figures and numbers of one issue."""
    rel = path.relative_to(root).as_posix()
    out: list[Finding] = []

    def error(line: int, message: str) -> None:
        out.append(Finding("error", rel, line, message))

    for problem in unclosed_fences(text):
        error(problem.line, problem.message)
    for line, message in raw_html(text):
        error(line, message)
    for line, target in local_images(text):
        image = (root / target.lstrip("/") if target.startswith("/") else path.parent / target).resolve()
        if not image.is_file():
            shown = image.relative_to(root.resolve()).as_posix() if image.is_relative_to(root.resolve()) else image
            error(line, f"the image {target!r} does not exist ({shown}); add the file, or correct the path "
                        "(relative to this issue's folder)")
    stories = read_stories(text)
    if not stories:
        error(1, "this issue has no {story}; write each story as '::::{story} <id>' with a {zh} and an {en} block")
    for story in stories.values():
        if "source" not in story.options:
            error(story.line, f"story {story.id!r} has no source; add ':source: <outlet>' under its first line")
        for lang, name_ in (("zh", "Chinese"), ("en", "English")):
            block = story.blocks.get(lang)
            if block is None:
                error(story.line, f"story {story.id!r} has no {name_} block; add ':::{{{lang}}}' with the text, "
                                  f"or, if the source has none, ':::{{{lang}}}' / ':gap: all' / ':::'")
                continue
            if not block.headline and block.gap not in ("headline", "all"):
                error(block.line, f"the {name_} block of story {story.id!r} has no headline; add ':headline: ...' "
                                  "or, if the source has none, ':gap: headline'")
            if not block.has_body and block.gap not in ("body", "all"):
                error(block.line, f"the {name_} block of story {story.id!r} is empty; write the text or mark "
                                  "':gap: body'")
        tag_line = story.options.get("tags", (story.line, ""))[0]
        for tag in story.tags:
            if tag not in tags:
                error(tag_line, f"story {story.id!r}: tag {tag!r} is not in tags.yml; use one of: "
                                f"{', '.join(tags)}, or add it to tags.yml with both names")
    out += check_text(text, rel)
    out += [Finding(f.level, rel, f.line, f.message) for f in check_notebook(path)]
    return out


def book_findings(root: Path, strict: bool = True) -> tuple[list[Finding], dict[Path, str]]:
    """The book's files in agreement: toc and issues, encodings, front matter, one number and date each.

    Returns the findings and the text of each issue that could be read.
    """
    findings: list[Finding] = []
    try:
        if strict:
            read_yaml(root / "_config.yml")
        toc = read_toc(root)
    except LocatedError as exc:
        path = Path(exc.path)
        return [Finding("error", path.relative_to(root).as_posix() if path.is_absolute() else exc.path,
                        exc.line, exc.message)], {}
    files = {p.relative_to(root).with_suffix("").as_posix(): p for p in issue_files(root)}
    listed = [e for e in toc if e.file.startswith("issues/")]
    for entry in toc:
        if not (root / f"{entry.file}.md").is_file() and not (root / f"{entry.file}.ipynb").is_file():
            findings.append(Finding("error", "_toc.yml", entry.line, f"{entry.file!r} has no file "
                                    f"({entry.file}.md); create it or remove the line"))
    for key, path in files.items():
        if key not in {e.file for e in listed}:
            findings.append(Finding("error", path.relative_to(root).as_posix(), 1, "this issue is not in _toc.yml; "
                                    f"add '  - file: {key}' under chapters (python -m newsletter new does it)"))
    texts: dict[Path, str] = {}
    seen: dict[tuple[str, object], str] = {}
    numbers: dict[str, int] = {}
    for key, path in files.items():
        rel = path.relative_to(root).as_posix()
        try:
            text = texts[path] = read_source(path, rel)
        except SourceError as exc:
            findings.append(Finding("error", rel, exc.line, exc.message))
            continue
        found, meta = issue_front_matter(root, path, text, strict)
        findings += found
        if meta.get("number") is not None:
            numbers[key] = meta["number"]
        for field, value in (("number", meta.get("number")), ("date", meta.get("date"))):
            if value is None or value == "" or (field == "date" and len(str(value)) < 10):
                continue  # issues of the same month are fine; the same day twice is not
            if (field, value) in seen:
                what = ("its own number (python -m newsletter new picks the next)" if field == "number" else
                        "the date it is published")
                findings.append(Finding("error", rel, meta[f"{field}_line"], f"issue {field} {value} is also used "
                                        f"by {seen[(field, value)]}; give each issue {what}"))
            else:
                seen[(field, value)] = rel
    if strict:
        positions = [e.file for e in listed if e.file in numbers]
        by_number = sorted(positions, key=lambda k: numbers[k])
        if positions != by_number:
            wrong = next(e for e, want in zip(listed, by_number) if e.file != want)
            findings.append(Finding("error", "_toc.yml", wrong.line, "issues must be listed oldest first (by "
                                    f"number), so previous/next follow the dates; expected {', '.join(by_number)}"))
    return findings, texts


def validate(root: Path) -> list[Finding]:
    findings, texts = book_findings(root)
    try:
        tags = read_tags(root)
    except BookError as exc:
        path = Path(exc.path)
        return findings + [Finding("error", path.relative_to(root).as_posix() if path.is_absolute() else exc.path,
                                   exc.line, exc.message)]
    for path, text in texts.items():
        findings += issue_content(root, path, text, tags)
    return findings
