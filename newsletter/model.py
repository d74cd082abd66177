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

import dataclasses
import functools
import re
from dataclasses import dataclass, field

from docutils.parsers.rst import Directive
from docutils.parsers.rst import directives as _options

#: directives whose body is code, data or raw text, not Markdown (every other directive's body is parsed)
NOT_MARKDOWN = frozenset({"code-cell", "raw-cell", "figures", "unplaced", "raw", "eval-rst", "code", "code-block",
                          "sourcecode", "literalinclude", "math", "csv-table", "include", "mermaid", "graphviz"})
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
    #: the directive it stands in (``{note}``...), or "" at the top of the issue
    inside: str = ""

    @property
    def tags(self) -> list[str]:
        return split_tags(self.options.get("tags", (0, ""))[1])

    @property
    def sources(self) -> list[str]:
        """The outlets it cites: ``:source: 人民网`` or, for a story from two, ``:source: 人民网, 绍兴网``."""
        return split_tags(self.options.get("source", (0, ""))[1])

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
    #: the directive it stands in, or "" at the top of the issue (where jupytext reads cells)
    inside: str = ""


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

    #: a ``:::`` directive that was never closed where its author meant: its body opens a directive with as
    #: many colons or more (such a line can only close it, or open a sibling after it), so it took in what
    #: follows up to the next closing line long enough (set by the walk, from the parsed body)
    swallows: bool = False


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
    #: every story as written, a second one of the same id included (``stories`` keeps the first)
    all_stories: list[Story] = field(default_factory=list)
    #: roles written in headlines: (line, role name)
    headline_roles: list[tuple[int, str]] = field(default_factory=list)
    #: roles written in the text, headlines included, not in code: (line, role name, its content)
    roles: list[tuple[int, str, str]] = field(default_factory=list)
    #: ``+++`` lines between Markdown cells, with the cell metadata they carry: (line, metadata)
    cell_breaks: list[tuple[int, str]] = field(default_factory=list)

    @property
    def figures(self) -> Fence | None:
        """The ``{figures}`` block, if any (its YAML starts on the line after ``line``)."""
        return next((f for f in self.fences if directive(f.info)[0] == "figures"), None)

    @property
    def unplaced(self) -> list[tuple[int, str]]:
        """The lines of an ``{unplaced}`` block: what ``python -m newsletter import`` found in the digest and
        could not place (``digest line 33: ...``), each with its line in the issue."""
        return [(fence.line + 1 + i, text.strip()) for fence in self.fences if directive(fence.info)[0] == "unplaced"
                for i, text in enumerate(fence.content.split("\n")) if text.strip()]


def split_tags(value: str) -> list[str]:
    """``employment, nanning`` -> ``["employment", "nanning"]``."""
    return [t.strip() for t in value.split(",") if t.strip()]


def directive(info: str) -> tuple[str | None, str]:
    """``{story} my-id`` -> ``("story", "my-id")``; ``(None, info)`` for a plain fence. As MyST reads a fence's
    info: its first word is a directive when it is wrapped in braces (``{story}id`` is not), and docutils
    looks directive names up in lower case (``{Raw}`` is ``raw``)."""
    parts = info.strip().split(maxsplit=1)
    name = parts[0] if parts else ""
    if len(name) > 2 and name.startswith("{") and name.endswith("}"):
        return name[1:-1].lower(), parts[1].strip() if len(parts) > 1 else ""
    return None, info.strip()


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


#: tokens that put nothing on the page (MyST comments, targets, cell breaks)
INVISIBLE = frozenset({"myst_line_comment", "myst_target", "myst_block_break"})


def _note_inline(children, line: int, issue: Issue) -> str:
    """The HTML, links and images of inline tokens go to ``issue``; returns their text as the reader sees it
    (entities decoded, markup dropped)."""
    seen = []
    for child in children or ():
        if child.type == "html_inline":
            issue.html.append((line, child.content))
        elif child.type == "link_open":
            issue.links.append((line, str(child.attrs.get("href") or "")))
        elif child.type == "image":
            issue.images.append((line, str(child.attrs.get("src") or "")))
        elif child.type == "myst_role":
            issue.roles.append((line, str(child.meta.get("name", "")), child.content))
        elif child.type in ("text", "code_inline"):
            seen.append(child.content)
    return "".join(seen)


def _inline(text: str, line: int, issue: Issue, env: dict) -> str:
    """A one-line value that MyST renders as Markdown (a headline), read as :func:`_note_inline` reads it; its
    roles go to ``issue.headline_roles``."""
    tokens = parser().parseInline(text, env)
    issue.headline_roles += [(line, str(child.meta.get("name", ""))) for token in tokens
                             for child in token.children or () if child.type == "myst_role"]
    return "".join(_note_inline(token.children, line, issue) for token in tokens)


def _walk(text: str, offset: int, issue: Issue, story: Story | None, env: dict, inside: str = "",
          block: Block | None = None) -> list[str]:
    """Parse ``text`` (whose first line is file line ``offset + 1``) into ``issue``; ``env`` is the file's
    markdown-it environment (its link references), ``inside`` the directive the text stands in, ``block`` the
    language block whose body it is. Returns the markup of the ``:::`` fences at its top level."""
    lines = text.split("\n")
    visible: set[int] = set()
    colons: list[str] = []
    for token in parser().parse(text, env):
        if token.type == "front_matter" and offset == 0:
            issue.front_matter = token.content
            continue
        at = offset + (token.map[0] if token.map else 0) + 1
        if block is not None and token.level == 0 and token.map and token.type not in INVISIBLE:
            visible.update(range(token.map[0], token.map[1]))  # (indexes into the body's lines)
        if token.type == "myst_block_break":
            issue.cell_breaks.append((at, token.content.strip()))
        if token.type == "html_block":
            issue.html.append((at, token.content))
        _note_inline(token.children, at, issue)
        is_fence = token.type in ("fence", "colon_fence") and token.map
        name, argument = directive(token.info) if is_fence else (None, "")
        if story is not None and token.level == 0 and token.nesting >= 0 and name not in ("zh", "en") \
                and token.type not in INVISIBLE:
            story.stray.append((at, f"{{{name}}}" if name else ""))  # a story's own body holds only its blocks
        if not is_fence:
            continue
        if token.type == "colon_fence" and token.level == 0:
            colons.append(token.markup)
        line = offset + token.map[0] + 1
        content = token.content
        if token.type == "colon_fence" and name is not None and content.startswith(":::"):
            content = "\n" + content  # MyST's own reading: a nested fence first is not an option line
            line_shift = -1
        else:
            line_shift = 0
        fence = Fence(line, offset + token.map[1], token.markup, token.info.strip(), token.content,
                      _closed(token, lines))
        issue.fences.append(fence)
        if token.type == "colon_fence" and (name is None or name in NOT_MARKDOWN):  # a body not parsed here
            opener = re.compile(rf"^ {{0,3}}:{{{len(token.markup)},}}\{{")
            if any(opener.match(t) for t in token.content.split("\n")):
                issue.fences[-1] = dataclasses.replace(fence, swallows=True)
        index = len(issue.fences) - 1
        if name == "code-cell":
            issue.code_cells.append(_code_cell(fence, inside))
        elif name in ("image", "figure") and argument:
            issue.images.append((line, argument.split()[0]))
        elif name in SPECS:
            read = read_directive(name, argument, content, line + line_shift, issue)
            if read is None:
                continue
            arguments, options, body = read
            at_body = body[0][0] - 1 if body else line
            body_text = "\n".join(t for _, t in body)
            if name in ("story", "pair"):
                story_id = arguments[0] if arguments else ""
                new = Story(story_id, line, options={key: (at, value) for at, key, value in options}, kind=name,
                            inside=inside)
                if name == "story":
                    issue.stories.setdefault(story_id, new)
                    issue.all_stories.append(new)
                else:
                    issue.pairs.append(new)
                _swallowed(issue, index, _walk(body_text, at_body, issue, new, env, name))
                continue
            lang = Block(name, line, body=body, options={key: (at, value) for at, key, value in options})
            if "headline" in lang.options and lang.options["headline"][1].strip():
                at_headline = lang.options["headline"][0]
                shown = _inline(lang.options["headline"][1].strip(), at_headline, issue, env)
                lang.headline = (at_headline, shown.strip())
            lang.gap = lang.options.get("gap", (0, ""))[1].strip()
            if story is None:
                issue.loose_blocks.append(lang)
            elif name in story.blocks:
                story.extra_blocks.append(lang)
            else:
                story.blocks[name] = lang
            _swallowed(issue, index, _walk(body_text, at_body, issue, None, env, name, lang))
        elif name is None and token.type == "colon_fence":  # MyST renders a plain ':::' block as a <div> of Markdown
            _swallowed(issue, index, _walk(token.content, line, issue, None, env, "div"))
        elif name is not None and name not in NOT_MARKDOWN:
            _, body = options_and_body(content, line + 1 + line_shift)
            found = _walk("\n".join(t for _, t in body), body[0][0] - 1 if body else line, issue, None, env, name)
            _swallowed(issue, index, found)
    if block is not None:  # the body as the reader sees it: no comment, target or cell-break lines
        block.body = [entry for k, entry in enumerate(block.body) if k in visible]
    return colons


def _swallowed(issue: Issue, index: int, inner: list[str]) -> None:
    fence = issue.fences[index]
    if fence.markup.startswith(":") and any(len(m) >= len(fence.markup) for m in inner):
        issue.fences[index] = dataclasses.replace(fence, swallows=True)


def _code_cell(fence: Fence, inside: str = "") -> CodeCell:
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
    return CodeCell(fence.line, fence.line + 1 + i, "\n".join(lines[i:]), tuple(options), inside)


@functools.lru_cache(maxsize=64)
def parse_issue(text: str) -> Issue:
    """The issue's model (cached by text: the build and the validator ask for the same file several times).

    The result is shared: callers read it and never change it.
    """
    issue = Issue()
    _walk(text, 0, issue, None, {})
    return issue
