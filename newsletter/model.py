"""An issue file parsed once, with MyST's own markdown-it parser, into a typed model with lines.

issue -> stories -> language blocks (headline, gap, body lines), the ``{figures}``
block, the code cells, the front matter. Every element keeps its line in the file
(1-based). Directive bodies (``{story}``, ``{zh}``, ``{pair}`` ...) are parsed as
the Markdown they are, with their line offset, as MyST does; a directive's
``:key: value`` option lines are read as MyST reads them (leading lines of its
body). Nothing else in the project reads an issue's text line by line: the
validator, the number checker, the figures loader and the build's input digest
take their facts from here.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from docutils.parsers.rst import Directive
from docutils.parsers.rst import directives as _options

#: directives whose body is code, data or raw text, not Markdown (every other directive's body is parsed)
NOT_MARKDOWN = frozenset({"code-cell", "figures", "raw", "eval-rst", "code", "code-block", "sourcecode",
                          "literalinclude", "math", "csv-table", "include", "mermaid", "graphviz"})
_OPTION = re.compile(r"^:(?P<key>[\w-]+):\s*(?P<value>.*)$")


class LangSpec(Directive):
    """``{zh}`` / ``{en}`` as MyST splits them (the Sphinx directives take their specs from here)."""

    has_content = True
    option_spec = {"headline": _options.unchanged, "gap": _options.unchanged}


class PairSpec(Directive):
    has_content = True
    option_spec = {"class": _options.class_option}


class StorySpec(Directive):
    has_content = True
    required_arguments = 1
    option_spec = {"number": _options.unchanged, "source": _options.unchanged, "tags": _options.unchanged,
                   "class": _options.class_option}


#: the issue format's directives, read with MyST's own directive parser (arguments, options, body)
SPECS: dict[str, type[Directive]] = {"zh": LangSpec, "en": LangSpec, "pair": PairSpec, "story": StorySpec}
_DIRECTIVE = re.compile(r"^\{(?P<name>[\w-]+)\}\s*(?P<argument>.*)$")


@dataclass
class Block:
    """One language of a story or pair: its headline and body, line by line."""

    lang: str
    line: int
    gap: str = ""
    headline: tuple[int, str] | None = None
    body: list[tuple[int, str]] = field(default_factory=list)
    #: its ``:key: value`` lines: {key: (line, value)}
    options: dict[str, tuple[int, str]] = field(default_factory=dict)

    @property
    def has_body(self) -> bool:
        return any(text.strip() for _, text in self.body)

    def text(self) -> str:
        """Headline and body as one text (whitespace folded), for finding sentences."""
        parts = ([self.headline[1]] if self.headline else []) + [t for _, t in self.body]
        return re.sub(r"\s+", " ", " ".join(parts)).strip()


@dataclass
class Story:
    """A ``{story}`` (or, with ``kind == "pair"``, a ``{pair}``: blocks without headline or source)."""

    id: str
    line: int
    blocks: dict[str, Block] = field(default_factory=dict)
    #: the story's own options (``:number:``, ``:source:``, ``:tags:``), with their lines
    options: dict[str, tuple[int, str]] = field(default_factory=dict)
    kind: str = "story"
    #: a second ``{zh}`` or ``{en}`` block; what sits outside the language blocks: (line, ``{name}`` of a
    #: directive, or "" for text)
    extra_blocks: list[Block] = field(default_factory=list)
    stray: list[tuple[int, str]] = field(default_factory=list)

    @property
    def tags(self) -> list[str]:
        return split_tags(self.options.get("tags", (0, ""))[1])

    @property
    def partial(self) -> bool:
        """Marked as covering only part of the other language (``:gap: partial``)."""
        return any(b.gap == "partial" for b in self.blocks.values())


@dataclass(frozen=True)
class CodeCell:
    """A ``{code-cell}``: the line of its fence, of its first line of code, its code and its tags."""

    line: int
    code_line: int
    code: str
    options: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class Fence:
    """A fenced block of the issue: ``info`` is what follows the fence (``{figures}``), ``closed`` whether a
    closing fence ends it (markdown-it closes an unclosed one silently at the end of the file)."""

    line: int
    end: int
    markup: str
    info: str
    content: str
    closed: bool

    @property
    def swallows(self) -> bool:
        """A ``:::`` directive whose body opens a directive with as many colons or more: it was never closed
        where its author meant (such a line can only close it, or open a sibling after it), and took in
        what follows up to the next closing line long enough."""
        if not self.markup.startswith(":"):
            return False
        opener = re.compile(rf"^ {{0,3}}:{{{len(self.markup)},}}\{{")
        return any(opener.match(line) for line in self.content.split("\n"))


@dataclass
class Issue:
    """One issue file, parsed."""

    front_matter: str | None = None
    stories: dict[str, Story] = field(default_factory=dict)
    code_cells: list[CodeCell] = field(default_factory=list)
    #: every fence at any depth, in the order they open
    fences: list[Fence] = field(default_factory=list)
    #: raw HTML (blocks and inline), links and images, at any depth: (line, HTML or address)
    html: list[tuple[int, str]] = field(default_factory=list)
    links: list[tuple[int, str]] = field(default_factory=list)
    images: list[tuple[int, str]] = field(default_factory=list)
    #: ``{pair}`` blocks, and ``{zh}``/``{en}`` blocks outside any story or pair
    pairs: list[Story] = field(default_factory=list)
    loose_blocks: list[Block] = field(default_factory=list)
    #: what MyST's directive parser said of the format's directives: (line, message)
    syntax: list[tuple[int, str]] = field(default_factory=list)

    @property
    def figures(self) -> Fence | None:
        """The ``{figures}`` block, if any (its YAML starts on the line after ``line``)."""
        return next((f for f in self.fences if directive(f.info)[0] == "figures"), None)


def split_tags(value: str) -> list[str]:
    """``employment, nanning`` -> ``["employment", "nanning"]``."""
    return [t.strip() for t in value.split(",") if t.strip()]


def directive(info: str) -> tuple[str | None, str]:
    """``{story} my-id`` -> ``("story", "my-id")``; ``(None, info)`` for a plain fence."""
    found = _DIRECTIVE.match(info.strip())
    return (found["name"], found["argument"].strip()) if found else (None, info.strip())


@functools.lru_cache(maxsize=1)
def parser():
    """MyST's markdown-it parser, as the book configures it (``colon_fence``)."""
    from markdown_it.renderer import RendererHTML
    from myst_parser.config.main import MdParserConfig
    from myst_parser.parsers.mdit import create_md_parser

    return create_md_parser(MdParserConfig(enable_extensions={"colon_fence"}), RendererHTML)


def options_and_body(content: str, first_line: int) -> tuple[list[tuple[int, str, str]], list[tuple[int, str]]]:
    """A directive's leading ``:key: value`` lines, and the lines after them (with their file lines)."""
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    options = []
    i = 0
    while i < len(lines):
        found = _OPTION.match(lines[i].strip())
        if not found:
            break
        options.append((first_line + i, found["key"], found["value"].strip()))
        i += 1
    return options, [(first_line + j, lines[j]) for j in range(i, len(lines))]


def read_directive(name: str, argument: str, content: str, line: int, issue: Issue
                   ) -> tuple[list[str], list[tuple[int, str, str]], list[tuple[int, str]]] | None:
    """A directive of the format as MyST reads it (``myst_parser``'s ``parse_directive_text``): its arguments,
    its options (line, key, value) and its body lines (line, text); None if MyST refuses it (noted in
    ``issue.syntax``). ``line`` is the fence's line."""
    from docutils.parsers.rst.states import MarkupError
    from myst_parser.parsers.directives import parse_directive_text

    try:
        parsed = parse_directive_text(SPECS[name], argument, content, line=line)
    except MarkupError as exc:
        issue.syntax.append((line, f"the {{{name}}} block cannot be read: {exc}"))
        return None
    issue.syntax += [(w.lineno or line, f"the {{{name}}} block: {w.msg}") for w in parsed.warnings]
    lines = content.split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    # the body is what is left at the end of the content (MyST takes the options and a blank line off its
    # front), and for a directive without arguments the text after its name on the fence's own line
    from_content = list(parsed.body)
    inline = bool(argument.strip()) and not (SPECS[name].required_arguments or SPECS[name].optional_arguments)
    if inline:
        from_content = from_content[1:]
    start = len(lines) - len(from_content)
    body = [(line, argument.strip())] if inline else []
    body += [(line + 1 + start + i, t) for i, t in enumerate(from_content)]
    options = []
    for key, value in parsed.options.items():
        at = next((line + 1 + i for i, t in enumerate(lines[:start])
                   if t.lstrip().startswith((f":{key}:", f"{key}:"))), line)
        options.append((at, key, " ".join(value) if isinstance(value, list) else str(value)))
    return parsed.arguments, options, body


def _closed(token, lines: list[str]) -> bool:
    end = token.map[1] - 1  # the fence's last line (0-based)
    if end <= token.map[0] or end >= len(lines):
        return False
    last = lines[end].strip()
    return bool(last) and set(last) == {token.markup[0]} and len(last) >= len(token.markup)


def _walk(text: str, offset: int, issue: Issue, story: Story | None) -> None:
    """Parse ``text`` (whose first line is file line ``offset + 1``) into ``issue``."""
    lines = text.split("\n")
    for token in parser().parse(text):
        if token.type == "front_matter" and offset == 0:
            issue.front_matter = token.content
            continue
        at = offset + (token.map[0] if token.map else 0) + 1
        if token.type == "html_block":
            issue.html.append((at, token.content))
        for child in token.children or ():
            if child.type == "html_inline":
                issue.html.append((at, child.content))
            elif child.type == "link_open":
                issue.links.append((at, str(child.attrs.get("href") or "")))
            elif child.type == "image":
                issue.images.append((at, str(child.attrs.get("src") or "")))
        is_fence = token.type in ("fence", "colon_fence") and token.map
        name, argument = directive(token.info) if is_fence else (None, "")
        if story is not None and token.level == 0 and token.nesting >= 0 and name not in ("zh", "en"):
            story.stray.append((at, f"{{{name}}}" if name else ""))  # a story's own body holds only its blocks
        if not is_fence:
            continue
        line = offset + token.map[0] + 1
        fence = Fence(line, offset + token.map[1], token.markup, token.info.strip(), token.content,
                      _closed(token, lines))
        issue.fences.append(fence)
        if name == "code-cell":
            issue.code_cells.append(_code_cell(fence))
        elif name in ("image", "figure") and argument:
            issue.images.append((line, argument.split()[0]))
        elif name in SPECS:
            read = read_directive(name, argument, token.content, line, issue)
            if read is None:
                continue
            arguments, options, body = read
            at_body = body[0][0] - 1 if body else line
            text = "\n".join(t for _, t in body)
            if name in ("story", "pair"):
                story_id = arguments[0] if arguments else ""
                new = Story(story_id, line, options={key: (at, value) for at, key, value in options}, kind=name)
                if name == "story":
                    issue.stories.setdefault(story_id, new)
                else:
                    issue.pairs.append(new)
                _walk(text, at_body, issue, new)
                continue
            block = Block(name, line, body=body, options={key: (at, value) for at, key, value in options})
            if "headline" in block.options and block.options["headline"][1].strip():
                block.headline = (block.options["headline"][0], block.options["headline"][1].strip())
            block.gap = block.options.get("gap", (0, ""))[1].strip()
            if story is None:
                issue.loose_blocks.append(block)
            elif name in story.blocks:
                story.extra_blocks.append(block)
            else:
                story.blocks[name] = block
            _walk(text, at_body, issue, None)
        elif name is not None and name not in NOT_MARKDOWN:
            _, body = options_and_body(token.content, line + 1)
            _walk("\n".join(t for _, t in body), body[0][0] - 1 if body else line, issue, None)


def _code_cell(fence: Fence) -> CodeCell:
    lines = fence.content.split("\n")
    options: list[tuple[str, str]] = []
    i = 0
    if lines and lines[0].strip() == "---":  # a YAML block of options
        i = next((j for j in range(1, len(lines)) if lines[j].strip() == "---"), len(lines) - 1) + 1
    while i < len(lines) and _OPTION.match(lines[i].strip()):
        found = _OPTION.match(lines[i].strip())
        options.append((found["key"], found["value"]))
        i += 1
    if i < len(lines) and not lines[i].strip():
        i += 1
    return CodeCell(fence.line, fence.line + 1 + i, "\n".join(lines[i:]), tuple(options))


@functools.lru_cache(maxsize=64)
def parse_issue(text: str) -> Issue:
    """The issue's model (cached by text: the build and the validator ask for the same file several times).

    The result is shared: callers read it and never change it.
    """
    issue = Issue()
    _walk(text, 0, issue, None)
    return issue
