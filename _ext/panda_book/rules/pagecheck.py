"""Only the site's own scripts: every written page read back with a real HTML parser.

The doctree gate (gate.py) stops what an issue's source may not put on a page,
at its line. This is the backstop after the pages are written, for every road
(a theme template, an extension, a data file, a cell output): the page is parsed
with the standard library's ``html.parser``, attribute values unescaped as a
browser reads them, and the build fails on

- a ``<script>`` that is not one of :data:`SCRIPTS` (files the project ships,
  listed once here) and not a data block of :data:`DATA_BLOCKS`;
- an inline script of any kind, an ``on*`` attribute or a ``style`` attribute;
- a ``<style>`` element whose text is not one the project writes
  (:data:`STYLES`);
- a ``javascript:``, ``vbscript:``, ``data:`` or ``file:`` address in a link,
  image, form or any other URL attribute;
- ``<meta http-equiv>``, ``<base>``, ``<iframe>``, ``<frame>``, ``<object>``,
  ``<embed>``, ``<applet>``, ``<portal>``, SVG ``<set>``/``<animate>`` of an
  address, and a form whose action is not the site's search page;
- a stylesheet or preload from outside the site.

Nothing found in a page is ever allowed because it was found: the
Content-Security-Policy (csp.py) is made from the same lists, not from the page.
"""

from __future__ import annotations

import posixpath
import re
from dataclasses import dataclass
from html.parser import HTMLParser

from newsletter.safety import url_problem

#: every script a page may load: the project's own and those of the pinned packages it builds with,
#: by their path in the built site (a page loads each from its own folder depth)
SCRIPTS = frozenset({
    "_static/panda-lang-init.js", "_static/panda.js", "_static/panda-togglebutton.js",
    "_static/documentation_options.js", "_static/doctools.js", "_static/sphinx_highlight.js",
    "_static/scripts/sphinx-book-theme.js", "_static/scripts/bootstrap.js",
    "_static/scripts/pydata-sphinx-theme.js", "_static/searchtools.js", "_static/language_data.js",
    "searchindex.js", "_static/clipboard.min.js", "_static/copybutton.js", "_static/togglebutton.js",
    "_static/design-tabs.js", "_static/panda-search.js",
})
#: the interactive view's scripts, which static/panda.js loads on request from ``<meta name="panda-widgets">``
#: (after the view's state, ``_static/widgets/<page>.json``); the same files as ``nb_ipywidgets_js`` in _config.yml
WIDGET_SCRIPTS = ("_static/_vendor/require-2.3.8.js", "_static/_vendor/widgets-assets-path.js",
                  "_static/_vendor/html-manager-1.0.15/embed-amd.js")
#: ``<script type>`` of data blocks a page may hold (the browser never runs them): the interactive view
DATA_BLOCKS = frozenset({"application/vnd.jupyter.widget-view+json"})
#: pages whose forms may submit to: the site's search page
FORM_ACTIONS = ("search.html", "#")
_URL_ATTRS = frozenset({"href", "src", "action", "formaction", "xlink:href", "poster", "data", "cite",
                        "background", "ping", "codebase", "manifest", "longdesc", "usemap", "lowsrc", "dynsrc"})
_BANNED = frozenset({"base", "iframe", "frame", "frameset", "object", "embed", "applet", "portal", "param"})


@dataclass(frozen=True)
class Finding:
    page: str
    line: int
    message: str
    #: a piece of the offending markup, to find it in the page's source
    snippet: str = ""


@dataclass
class Reading:
    """A page as the parser read it: what it does not allow, and where the policy step works."""

    findings: list[Finding]
    #: (start, end) offsets of each ``<meta http-equiv="Content-Security-Policy">``: the policy step replaces them
    policies: list[tuple[int, int]]
    #: the offset just after ``<meta charset>``, where the policy goes
    charset_end: int | None
    #: the content of ``<meta name="panda-widgets">``
    widgets: str | None
    #: (type, start, end) offsets of the text of each data block (``<script type=...>`` of DATA_BLOCKS)
    data_blocks: list[tuple[str, int, int]]


class _Reader(HTMLParser):
    def __init__(self, page: str, html: str, styles: frozenset[str]):
        super().__init__(convert_charrefs=True)
        self.page, self.styles = page, styles
        self.findings: list[Finding] = []
        self.folder = posixpath.dirname(page)
        self._text_of: str | None = None  # "script" or "style" while inside one
        self._text: list[str] = []
        self._line_starts = [0] + [m.end() for m in re.finditer("\n", html)]
        self.policies: list[tuple[int, int]] = []
        self.charset_end: int | None = None
        self.widgets: str | None = None
        self.data_blocks: list[tuple[str, int, int]] = []
        self._block: tuple[str, int] | None = None

    def _offset(self) -> int:
        line, column = self.getpos()
        return self._line_starts[line - 1] + column

    def _found(self, message: str, snippet: str = "") -> None:
        self.findings.append(Finding(self.page, self.getpos()[0], message, snippet))

    def _site_path(self, url: str) -> str | None:
        """The file of the site a relative address names, or None (another host, or outside the site)."""
        if re.match(r"^[a-zA-Z][a-zA-Z0-9+.-]*:", url) or url.startswith("//"):
            return None
        path = url.split("#")[0].split("?")[0]
        joined = posixpath.normpath(posixpath.join(self.folder, path)) if not path.startswith("/") else None
        return None if joined is None or joined.startswith("..") else joined

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self._tag(tag, attrs)

    def handle_startendtag(self, tag: str, attrs) -> None:
        self._tag(tag, attrs, closed=True)

    def _tag(self, tag: str, attrs, closed: bool = False) -> None:
        values = {name: value or "" for name, value in attrs}
        for name, value in attrs:
            value = value or ""
            if name.startswith("on"):
                self._found(f"<{tag} {name}=...> is an inline event handler; the site runs no inline code: "
                            "handle the event in a script of the site's (static/panda.js)", value)
            elif name == "style":
                self._found(f"<{tag} style=...> is a style attribute, which the Content-Security-Policy blocks; "
                            "use a class in static/panda.css", value)
            elif tag == "link" and name == "href" and value == "data:," and values.get("rel") == "icon":
                continue  # the 404 page's empty icon (no request for /favicon.ico at any depth): holds nothing
            elif name in _URL_ATTRS or name == "srcset":
                for url in (value.split(",") if name == "srcset" else [value]):
                    problem = url_problem(url.strip().split(" ")[0] if name == "srcset" else url)
                    if problem:
                        self._found(f"<{tag} {name}>: {problem}", value)
        if tag in _BANNED:
            self._found(f"<{tag}> is not allowed on a page (it loads or runs what the site did not ship)", tag)
        elif tag == "meta" and "charset" in values and self.charset_end is None:
            self.charset_end = self._offset() + len(self.get_starttag_text() or "")
        elif tag == "meta" and values.get("http-equiv", "").lower() == "content-security-policy":
            start = self._offset()  # the policy step's own, from an earlier pass: it is written anew
            self.policies.append((start, start + len(self.get_starttag_text() or "")))
        elif tag == "meta" and values.get("name") == "panda-widgets":
            self.widgets = values.get("content", "")
            state, *scripts = [self._site_path(u) for u in values.get("content", "").split()]
            if not (state or "").startswith("_static/widgets/") or tuple(scripts) != WIDGET_SCRIPTS:
                self._found("<meta name='panda-widgets'> names files that are not the interactive view's state and "
                            "the site's widget scripts (pagecheck.WIDGET_SCRIPTS)", values.get("content", ""))
        elif tag == "meta" and "http-equiv" in values:  # (a policy is caught above and replaced)
            self._found(f"<meta http-equiv={values['http-equiv']!r}> is not allowed (it could refresh the page to "
                        "another site or change its policy); the book writes its own policy", values["http-equiv"])
        elif tag in ("set", "animate") and values.get("attributename", "").lower() in ("href", "xlink:href"):
            self._found(f"<{tag} attributeName=href> may change a link into script; it is not allowed", tag)
        elif tag == "form":
            action = values.get("action", "")
            if posixpath.basename(action.split("?")[0]) not in FORM_ACTIONS and action not in FORM_ACTIONS:
                self._found(f"<form action={action!r}>: a form may only submit to the site's search page", action)
        elif tag == "link" and set(values.get("rel", "").lower().split()) & {
                "stylesheet", "preload", "modulepreload", "import", "prefetch", "prerender"}:
            if self._site_path(values.get("href", "")) is None:
                self._found(f"<link rel={values.get('rel')!r} href={values.get('href')!r}> loads from outside the "
                            "site; vendor the file and link the copy", values.get("href", ""))
        elif tag == "script":
            self._script(values)
            if not closed:
                self._text_of, self._text = "script", []
                kind = values.get("type", "").strip().lower()
                if "src" not in values and kind in DATA_BLOCKS:
                    self._block = (kind, self._offset() + len(self.get_starttag_text() or ""))
        elif tag == "style" and not closed:
            self._text_of, self._text = "style", []

    def _script(self, values: dict[str, str]) -> None:
        kind = values.get("type", "").strip().lower()
        if "src" in values:
            path = self._site_path(values["src"])
            if path not in SCRIPTS:
                self._found(f"<script src={values['src']!r}> is not one of the site's scripts (pagecheck.SCRIPTS): "
                            "only files the project ships run", values["src"])
        elif kind not in DATA_BLOCKS:
            self._found(f"an inline <script{' type=' + repr(kind) if kind else ''}>: the site runs no inline code "
                        "(only its own script files, pagecheck.SCRIPTS)", "<script")

    def handle_data(self, data: str) -> None:
        if self._text_of:
            self._text.append(data)

    def handle_endtag(self, tag: str) -> None:
        if tag == "script" and self._block is not None:
            self.data_blocks.append((self._block[0], self._block[1], self._offset()))
            self._block = None
        if self._text_of == tag:
            text = "".join(self._text)
            if tag == "style" and text not in self.styles:
                self._found("a <style> element the project did not write; the Content-Security-Policy allows only "
                            "the site's stylesheets: use static/panda.css", text[:60])
            self._text_of = None


#: markup that browsers end where html.parser does not, so what a parser takes for a comment or data a browser
#: would run: comments ending ``<!-->``, ``<!--->`` or at ``--!>``; ``<![CDATA[`` sections (outside SVG and
#: MathML a browser ends them at the first ``>``, html.parser at ``]]>``); and a script or style text that holds
#: ``</script`` or ``</style`` followed by more than ``>`` (a browser ends the element there, html.parser does not)
_MALFORMED_COMMENT = re.compile(r"<!--(?:>|->)|--!>|<!\[|</(?:script|style)(?=[\s/])[^>]*>", re.I)


def read_page(page: str, html: str, styles: frozenset[str] = frozenset()) -> Reading:
    """A written page (``page``: its path in the site) read with ``html.parser``: what it does not allow, and
    where its policy, charset, widget files and data blocks are."""
    findings = [Finding(page, html.count("\n", 0, m.start()) + 1, "markup that browsers end elsewhere than a parser "
                        f"does ({m.group(0)[:40]!r}), so what follows could run; remove it", m.group(0))
                for m in _MALFORMED_COMMENT.finditer(html)]
    if findings:
        return Reading(findings, [], None, None, [])
    reader = _Reader(page, html, styles)
    reader.feed(html)
    reader.close()
    return Reading(reader.findings, reader.policies, reader.charset_end, reader.widgets, reader.data_blocks)


def check_page(page: str, html: str, styles: frozenset[str] = frozenset()) -> list[Finding]:
    """What in this written page the site does not allow (``page``: its path in the site)."""
    return read_page(page, html, styles).findings


#: the widget packages whose models and views a page's interactive view may use (html-manager ships them)
WIDGET_MODULES = frozenset({"@jupyter-widgets/base", "@jupyter-widgets/controls", "@jupyter-widgets/output"})
_WIDGET_HTML_BANNED = frozenset({"script", "style", "link", "meta", "base", "iframe", "frame", "object", "embed",
                                 "form", "svg", "math", "template"})


class _WidgetHTML(HTMLParser):
    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.problems: list[str] = []
        self.styles: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.styles += [value or "" for name, value in attrs if name == "style"]
        if tag in _WIDGET_HTML_BANNED:
            self.problems.append(f"<{tag}>")
        for name, value in attrs:
            if name.startswith("on"):
                self.problems.append(f"<{tag} {name}>")
            elif name in _URL_ATTRS and value and not re.match(r"^data:image/(png|svg\+xml)[;,]", value) \
                    and url_problem(value):
                self.problems.append(f"<{tag} {name}={value[:40]!r}>")
            elif name == "srcset" and value:  # a chart's narrow drawing (<picture><source srcset>)
                for url in value.split(","):
                    url = url.strip().split(" ")[0]
                    if not re.match(r"^data:image/(png|svg\+xml)[;,]", url) and url_problem(url):
                        self.problems.append(f"<{tag} {name}={url[:40]!r}>")

    handle_startendtag = handle_starttag


def widget_html(text: str) -> _WidgetHTML:
    """A piece of HTML from a widget state, read: its problems and its style attributes (as a browser reads them)."""
    reader = _WidgetHTML()
    reader.feed(text)
    reader.close()
    return reader


def check_widget_state(state: dict) -> list[str]:
    """What in an interactive view's state (``_static/widgets/<page>.json``) the site does not allow: a model or
    view from another module than the widget packages it ships (require.js would load it as a script), or HTML
    with scripts, styles, meta refreshes, frames or handlers. Chart images (``data:image/png|svg``) pass."""
    problems = []
    for mid, model in (state.get("state") or {}).items():
        for key in ("model_module", "view_module"):
            module = model.get(key) or (model.get("state") or {}).get(f"_{key}")
            if module is not None and module not in WIDGET_MODULES:
                problems.append(f"widget {mid}: {key} {module!r} is not one of {sorted(WIDGET_MODULES)}")

        for value in html_strings(model.get("state")):
            if _MALFORMED_COMMENT.search(value):
                problems.append(f"widget {mid}: markup that browsers end elsewhere than a parser does")
            problems.extend(f"widget {mid}: {p}" for p in widget_html(value).problems)
    return problems


def html_strings(value):
    """Every string holding markup in a widget state's JSON value, at any depth."""
    if isinstance(value, str):
        if "<" in value:
            yield value
    elif isinstance(value, dict):
        for item in value.values():
            yield from html_strings(item)
    elif isinstance(value, list):
        for item in value:
            yield from html_strings(item)
