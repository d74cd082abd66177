"""What content may put on a page: one set of rules for the validator and the build.

The validator (``python -m newsletter validate``) applies them to the issue's
Markdown parsed with MyST's own markdown-it parser (:func:`raw_html`); the
build applies the same functions to the doctree (``_ext/panda_book/rules/gate.py``),
where every road (``{eval-rst}``, ``{include}``, cell outputs) has met.
"""

from __future__ import annotations

import re

#: inline tags an issue's text may hold, without attributes (line breaks, sub/superscripts, ruby readings)
INLINE_TAGS = ("br", "wbr", "sub", "sup", "ruby", "rt", "rp")
_INLINE_RAW = re.compile(r"(?:[^<>&]|&(?:[a-zA-Z][a-zA-Z0-9]{1,31}|#[0-9]{1,7}|#x[0-9a-fA-F]{1,6});"
                         rf"|</?(?:{'|'.join(INLINE_TAGS)})\s*/?>)*")
_URL_SCHEME = re.compile(r"^([a-zA-Z][a-zA-Z0-9+.-]*):")
SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
#: directives whose text goes into the page unchecked, or that read files: never in an issue
UNSAFE_DIRECTIVES = ("raw", "raw-cell", "eval-rst", "eval-md", "include", "literalinclude")
#: directives that read a file or an address when given one of these options: then never in an issue
READING_OPTIONS = {"csv-table": ("file", "url"), "table": ("file", "url")}


def url_problem(url: str) -> str | None:
    """Why a link or image address may not be on a page (a scheme that runs or embeds), or None."""
    # browsers drop ASCII tab and newlines anywhere in a URL, and leading control characters and spaces
    folded = re.sub(r"[\t\n\r]", "", url).lstrip("".join(map(chr, range(0x21))))
    scheme = _URL_SCHEME.match(folded)
    if scheme and scheme.group(1).lower() not in SAFE_SCHEMES:
        return (f"the address {url[:80]!r} uses '{scheme.group(1)}:'; only https://, http://, mailto: and "
                "addresses of the book's own pages and files are allowed")
    return None


def raw_problem(text: str) -> str | None:
    """Why this raw HTML may not be in an issue, or None (text and the tags of INLINE_TAGS only)."""
    if _INLINE_RAW.fullmatch(text):
        return None
    shown = re.sub(r"\s+", " ", text.strip())[:80]
    tag = re.search(r"<\s*/?\s*([a-zA-Z][\w-]*)", text)
    what = f"<{tag.group(1).lower()}>" if tag else repr(shown)
    return (f"raw HTML {what} is not allowed in an issue ({shown!r}); an issue may use only "
            f"{', '.join(f'<{t}>' for t in INLINE_TAGS)}, without attributes: remove it, and write the content in "
            "MyST: text, links [text](https://...), images ![alt](file)")


def raw_html(text: str) -> list[tuple[int, str]]:
    """(line, message) for each piece of raw HTML, unsafe address or unsafe directive in an issue, read from its
    model (:mod:`newsletter.model`: MyST's parser, directive bodies parsed as the Markdown they are)."""
    from .model import directive, parse_issue

    issue = parse_issue(text)
    problems: list[tuple[int, str]] = []
    for fence in issue.fences:
        name = directive(fence.info)[0]
        reads = [key for line in fence.content.split("\n")[:20] for key in READING_OPTIONS.get(name, ())
                 if line.strip().startswith(f":{key}:")]
        if reads:
            problems.append((fence.line, f"a {{{name}}} with ':{reads[0]}:' reads another file or an address into "
                                         "the page at build time; write the table's rows in the block itself"))
        if name in UNSAFE_DIRECTIVES:
            problems.append((fence.line, f"a {{{name}}} block is not allowed in an issue: it puts text into the page "
                                         "unchecked or reads other files; write the content in MyST (stories, {bi} "
                                         "labels, charts from code cells) instead"))
    problems += [(line, problem) for line, html in issue.html if (problem := raw_problem(html))]
    problems += [(line, problem) for line, url in issue.links + issue.images if (problem := url_problem(url))]
    return sorted(problems, key=lambda p: p[0])


#: what an SVG the site publishes may hold besides drawing: the elements matplotlib writes, with no script,
#: no foreign content and no address but the file's own parts and embedded PNG or JPEG images
_SVG_BANNED = frozenset({"script", "foreignobject", "iframe", "embed", "object", "set", "animate", "animatemotion",
                         "animatetransform", "handler", "listener", "a"})
_SVG_HREF = re.compile(r"^(#|data:image/(png|jpeg);base64,)", re.I)
SVG_NS = "http://www.w3.org/2000/svg"
#: the chart's numbers, in its <metadata> (charts/_render.py)
CHART_DATA_NS = "https://panda-minidrama.example/ns/chart-data"
#: a chart's narrow drawing: the suffix of its identifier, and the viewports that get it (charts/_render.py draws
#: it, directives/chartfig.py serves it; here, so the extension need not import matplotlib to know them)
NARROW_SUFFIX = "-narrow"
NARROW_MEDIA = "(max-width: 599.98px)"
#: what a <metadata> may hold besides SVG: matplotlib's RDF description (Dublin Core, Creative Commons), the data
_METADATA_NS = frozenset({SVG_NS, "http://www.w3.org/1999/02/22-rdf-syntax-ns#", "http://creativecommons.org/ns#",
                          "http://purl.org/dc/elements/1.1/", CHART_DATA_NS})
#: the only namespaced attributes outside <metadata>: links (checked as addresses) and xml:space / xml:lang
_ATTRIBUTE_NS = frozenset({"http://www.w3.org/1999/xlink", "http://www.w3.org/XML/1998/namespace"})


def _namespace(name: str) -> str:
    return name[1:].split("}", 1)[0] if name.startswith("{") else ""


def svg_problem(text: str) -> str | None:
    """Why an SVG may not be published (opened on its own, it runs its scripts on the site's address with no
    policy), or None: it must parse as XML, be SVG (an ``<svg>`` of the SVG namespace, with elements of other
    namespaces only in its ``<metadata>``), and hold no processing instruction (an XSLT stylesheet would run),
    script, event handler, foreign content (an XHTML ``<meta>`` refresh or form), animation, link, stylesheet
    import or address other than its own parts and embedded images."""
    from xml.etree import ElementTree

    # a pull parser: every element as it starts (no recursion, however deep the nesting), and the instructions
    # of the prolog too, which a tree leaves out
    parser = ElementTree.XMLPullParser(events=("start", "end", "pi"))
    try:
        parser.feed(text)
        parser.close()
    except ElementTree.ParseError as exc:
        return f"an SVG that does not parse as XML ({exc})"
    metadata = f"{{{SVG_NS}}}metadata"
    depth = 0  # how many <metadata> the element stands in
    for count, (event, element) in enumerate(parser.read_events()):
        if event == "pi":
            return f"an SVG with a processing instruction ({(element.text or '')[:60]!r})"
        if event == "end":
            depth -= element.tag == metadata
            continue
        if count == 0 and element.tag != f"{{{SVG_NS}}}svg":
            return f"an SVG whose root is not an SVG <svg> element ({str(element.tag)[:80]})"
        if problem := _svg_element_problem(element, inside_metadata=depth > 0):
            return problem
        depth += element.tag == metadata
    return None


def _svg_element_problem(element, inside_metadata: bool) -> str | None:
    namespace, tag = _namespace(element.tag), element.tag.rsplit("}", 1)[-1].lower()
    if namespace not in (_METADATA_NS if inside_metadata else {SVG_NS}):
        return f"an SVG with a <{tag}> element of another namespace ({namespace or 'none'})"
    if tag in _SVG_BANNED:
        return f"an SVG with a <{tag}> element"
    attribute_ns = _ATTRIBUTE_NS | _METADATA_NS if inside_metadata else _ATTRIBUTE_NS
    for name, value in element.attrib.items():
        local = name.rsplit("}", 1)[-1].lower()
        if name.startswith("{") and _namespace(name) not in attribute_ns:
            return f"an SVG with an attribute of another namespace ({name[:80]})"
        if local.startswith("on"):
            return f"an SVG with an event handler ({local})"
        if local in ("href", "src") and not _SVG_HREF.match(value.strip()):
            return f"an SVG that refers to {value[:60]!r}"
    if tag == "style" and re.search(r"@import|url\(\s*['\"]?(?!#)", element.text or "", re.I):
        return "an SVG whose stylesheet loads other files"
    return None
