"""``python -m newsletter validate``: what a reviewer would check, fast, without building.

Files named by the rule, front matter, toc and files in agreement (and in order),
sources present, stories paired with a source, headlines and text (or gap
markers), topics from ``tags.yml``, figure records valid and the numbers of
both languages consistent (:mod:`newsletter.check`). Every message names the
file, the line and the fix.
"""

from __future__ import annotations

import re
from pathlib import Path

from .book import ISSUE_NAME, BookError, issue_files, read_tags, read_toc
from .check import Finding, check_text
from .issue import read_front_matter, read_stories
from .new import SOURCE_PLACEHOLDER

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


def validate_issue(root: Path, path: Path, tags: dict) -> tuple[list[Finding], dict]:
    rel = path.relative_to(root).as_posix()
    text = path.read_text(encoding="utf-8")
    out: list[Finding] = []

    def error(line: int, message: str) -> None:
        out.append(Finding("error", rel, line, message))

    name = ISSUE_NAME.match(path.name)
    if not name:
        error(1, f"the file name {path.name!r} breaks the rule NNN-YYYY-MM.md (zero-padded number, ISO "
                 "year-month, e.g. 002-2025-12.md); rename it and its _toc.yml entry")
    meta = read_front_matter(text).get("issue")
    if not isinstance(meta, dict):
        error(1, "the front matter has no 'issue:' block; copy it from templates/issue.md "
                 "(issue: number, date, source_file)")
        return out, {}
    number, date = meta.get("number"), str(meta.get("date", ""))
    if not isinstance(number, int) or number < 1:
        error(_front_matter_line(text, "number"), f"issue number {number!r} must be a whole number from 1")
    elif name and int(name["number"]) != number:
        error(_front_matter_line(text, "number"), f"the front matter says number {number} but the file name says "
              f"{int(name['number'])}; make them agree")
    if not DATE.match(date):
        error(_front_matter_line(text, "date"), f"date {date!r} must be ISO: YYYY-MM or YYYY-MM-DD")
    elif name and not date.startswith(name["date"]):
        error(_front_matter_line(text, "date"), f"the front matter's date {date} is not the file name's month "
              f"{name['date']}; make them agree")
    source = meta.get("source_file")
    line = _front_matter_line(text, "source_file")
    if not source:
        error(line, "no source_file: keep the verbatim source text in sources/ and name it here")
    elif not (root / source).is_file():
        error(line, f"source_file {source!r} does not exist; add the verbatim source text there")
    elif (root / source).read_text(encoding="utf-8") == SOURCE_PLACEHOLDER:
        error(line, f"{source} still holds the placeholder; paste the source newsletter there, verbatim")
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
    return out, {"number": number, "date": date, "line": 1}


def validate(root: Path) -> list[Finding]:
    findings: list[Finding] = []
    try:
        tags = read_tags(root)
        toc = read_toc(root)
    except BookError as exc:
        return [Finding("error", Path(exc.path).relative_to(root).as_posix() if Path(exc.path).is_absolute() else
                        exc.path, exc.line, exc.message)]
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
    seen: dict[object, str] = {}
    order = []
    for key, path in files.items():
        found, meta = validate_issue(root, path, tags)
        findings += found
        for field in ("number", "date"):
            value = meta.get(field)
            if value and (field, value) in seen and field == "number":
                findings.append(Finding("error", path.relative_to(root).as_posix(), 1, f"issue number {value} is "
                                        f"also used by {seen[(field, value)]}; give each issue its own number"))
            seen.setdefault((field, value), path.relative_to(root).as_posix())
        order.append((key, meta))
    positions = [e.file for e in listed if e.file in files]
    by_number = sorted(positions, key=lambda k: (dict(order)[k].get("number") or 0))
    if positions != by_number:
        wrong = next(e for e, want in zip(listed, by_number) if e.file != want)
        findings.append(Finding("error", "_toc.yml", wrong.line, "issues must be listed oldest first (by number), "
                                f"so previous/next follow the dates; expected {', '.join(by_number)}"))
    return findings
