"""An issue's stories read straight from its MyST source, with file lines.

A light reader of the ``{story}`` / ``{zh}`` / ``{en}`` fences, for checks that
must run fast and without Sphinx (the number checker, the validator). The Sphinx
extension remains the authority on the page; this reader only needs the text.
"""

from __future__ import annotations

import datetime
import functools
import re
from dataclasses import dataclass, field

import yaml

from .errors import yaml_problem

_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)


@functools.lru_cache(maxsize=4096)
def _front_yaml(block: str):
    """A front matter block, parsed once per process (the build checks each issue's three times).

    The result is shared: callers read it and never change it.
    """
    return yaml.load(block, Loader=_LOADER)  # libyaml: the build reads every issue's front matter

_STORY = re.compile(r"^(?P<fence>:{3,})\{story\}\s+(?P<id>\S+)\s*$")
_BLOCK = re.compile(r"^(?P<fence>:{3,})\{(?P<lang>zh|en)\}\s*$")
_OPTION = re.compile(r"^:(?P<key>[a-z]+):\s*(?P<value>.*)$")


@dataclass
class Block:
    """One language of a story: its headline and body, line by line."""

    lang: str
    line: int
    gap: str = ""
    headline: tuple[int, str] | None = None
    body: list[tuple[int, str]] = field(default_factory=list)

    @property
    def has_body(self) -> bool:
        return any(text.strip() for _, text in self.body)

    def text(self) -> str:
        """Headline and body as one text (whitespace folded), for finding sentences."""
        parts = ([self.headline[1]] if self.headline else []) + [t for _, t in self.body]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()


@dataclass
class Story:
    id: str
    line: int
    blocks: dict[str, Block] = field(default_factory=dict)
    #: the story's own options (``:number:``, ``:source:``, ``:tags:``), with their lines
    options: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def tags(self) -> list[str]:
        return split_tags(self.options.get("tags", (0, ""))[1])

    @property
    def partial(self) -> bool:
        """Marked as covering only part of the other language (``:gap: partial``)."""
        return any(b.gap == "partial" for b in self.blocks.values())


def read_stories(text: str) -> dict[str, Story]:
    """The stories of an issue by id, in order."""
    stories: dict[str, Story] = {}
    lines = text.splitlines()
    story: Story | None = None
    story_fence = ""
    block: Block | None = None
    block_fence = ""
    in_options = False
    for number, line in enumerate(lines, 1):
        stripped = line.strip()
        if block is not None:
            if stripped == block_fence:
                block, in_options = None, False
                continue
            option = _OPTION.match(stripped) if in_options else None
            if option:
                if option["key"] == "headline":
                    block.headline = (number, option["value"])
                elif option["key"] == "gap":
                    block.gap = option["value"].strip()
                continue
            in_options = False
            block.body.append((number, line))
            continue
        if story is not None:
            if stripped == story_fence:
                story = None
                continue
            option = _OPTION.match(stripped)
            if option and not story.blocks:
                story.options[option["key"]] = (number, option["value"].strip())
                continue
            match = _BLOCK.match(stripped)
            if match:
                block = Block(match["lang"], number)
                block_fence, in_options = match["fence"], True
                story.blocks[block.lang] = block
            continue
        match = _STORY.match(stripped)
        if match:
            story = Story(match["id"], number)
            story_fence = match["fence"]
            stories[story.id] = story
    return stories


def read_front_matter(text: str) -> dict:
    """The YAML front matter of an issue ({} if it has none or it is not a mapping)."""
    match = re.match(r"^---\n(.*?)\n---\s*\n", text, re.S)
    if not match:
        return {}
    try:
        data = _front_yaml(match.group(1))
    except (yaml.YAMLError, ValueError):  # ValueError: a date that does not exist (2025-11-31)
        return {}
    return data if isinstance(data, dict) else {}


def front_matter_problem(text: str) -> tuple[int, str] | None:
    """Where and why an issue's front matter cannot be read: (line, message with the fix), or None."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return 1, ("the issue does not start with its front matter; the first line must be '---', followed by "
                   "the block of templates/issue.md (jupytext, kernelspec, issue: number, date, source_file) and '---'")
    end = next((i for i in range(1, len(lines)) if lines[i].strip() == "---"), None)
    if end is None:
        return 1, "the front matter opened here is never closed; add a line '---' after its last line (source_file)"
    try:
        data = _front_yaml("\n".join(lines[1:end]))
    except yaml.YAMLError as exc:
        line, problem = yaml_problem(exc)
        return line + 2, (f"the front matter is not valid YAML ({problem}); fix the indentation or quoting "
                          "(compare templates/issue.md)")
    except ValueError as exc:  # YAML reads 2025-11-31 as a date, and no such day exists
        for number in range(2, end + 1):
            found = re.search(r":\s*['\"]?(\d{4}-\d{2}-\d{2})\b", lines[number - 1])
            if found:
                try:
                    datetime.date.fromisoformat(found.group(1))
                except ValueError:
                    return number, (f"{found.group(1)!r} is not a date of the calendar ({exc}); correct it")
        return 1, f"the front matter holds a value that cannot be read ({exc}); correct it"
    if not isinstance(data, dict):
        return 2, "the front matter must be 'key: value' lines (compare templates/issue.md)"
    return None


def split_tags(value: str) -> list[str]:
    """``employment, nanning`` -> ``["employment", "nanning"]``."""
    return [t.strip() for t in value.split(",") if t.strip()]
