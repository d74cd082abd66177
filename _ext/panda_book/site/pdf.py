"""The print edition: each issue as a typeset PDF in 中文, English and 双语 (Chinese left, English right).

A post-build step (postbuild/pipeline.py) writes ``pdf/<issue-stem>-{zh,en,both}.pdf`` into the site from the
issue model (newsletter/edition.py), with WeasyPrint (CSS paged media; it needs Pango from the system):

- A4, a running header (masthead, issue and date in the edition's language), page numbers "第 3 页 / 共 6 页" and
  "Page 3 of 6"; a front page with the title, the date, 本期导读 · In this issue with page numbers, and the
  sources with their English names; live links to the issue on the web and to each source.
- The project's Noto Sans CJK SC (the pip font package's Simplified Chinese face, charts/_fonts.py), embedded as
  a subset, for Chinese and Latin alike; Regular only, so nothing asks for a bold or italic WeasyPrint would
  have to fake. Chinese lines break strictly (Pango: no closing punctuation at a line's start, no opening
  bracket at its end); English is hyphenated, Chinese never.
- Charts as vectors, the SVG the notebook drew in the edition's language, with caption, source and alt text.
- 双语: a two-column table, one row per paragraph pair, so each story starts level on both sides and paragraphs
  line up; where one side has a gap, its marker stands in its column and the other side runs on.
- Metadata: title, author, language, and creation date (the issue's date, see README): the same sources give
  the same bytes.

Rendering is cached by content (``_build/.pdf-cache/``: the issue's editions key, the print code, the font, the
engine's version; and for every build of the machine in ``~/.cache/panda-minidrama/pdf``, or ``$PANDA_PDF_CACHE``):
a build makes new PDFs for the issues that changed only, two at a time (forked processes).
Where WeasyPrint or Pango is missing, the build says how to install it and writes no PDF (and no link to one);
the rest of the book builds.
"""

from __future__ import annotations

import functools
import hashlib
import html
import logging as logging_module
import os
import shutil
from pathlib import Path

from sphinx.application import Sphinx
from sphinx.errors import SphinxError
from sphinx.util import logging

from newsletter.edition import Edition, read_edition
from newsletter.issue import issue_datetime
from newsletter.mailing import LANGS

from ..model.store import IssueStore, run_state
from .archive import base_url, render
from .editions import CODE, WORDS, _charts, heading_sides, link_cached, numbered_charts, sides_of

logger = logging.getLogger(__name__)

PDF_DIR = "pdf"
INSTALL = ("sudo apt-get install libpango-1.0-0 libpangoft2-1.0-0 (Debian, Ubuntu) or brew install pango (macOS), "
           "then build again; see https://doc.courtbouillon.org/weasyprint/stable/first_steps.html")
FOLIO = {
    "zh": '"第 " counter(page) " 页 / 共 " counter(pages) " 页"',
    "en": '"Page " counter(page) " of " counter(pages)',
    "both": '"第 " counter(page) " 页 / 共 " counter(pages) " 页 · Page " counter(page) " of " counter(pages)',
}
_WORDS_EXTRA = {"zh": {"sources": "来源"}, "en": {"sources": "Sources"}}
HERE = Path(__file__).parent


@functools.cache
def engine() -> tuple[object | None, str]:
    """WeasyPrint, or None and why not (it loads Pango when imported)."""
    try:
        import weasyprint
    except (ImportError, OSError) as exc:
        return None, f"{type(exc).__name__}: {exc}"
    return weasyprint, ""


def available() -> bool:
    return engine()[0] is not None


def pdf_name(stem: str, lang: str) -> str:
    return f"{PDF_DIR}/{stem}-{lang}.pdf"


def _css_string(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def print_html(edition: Edition, lang: str, font: Path) -> str:
    """The print edition's HTML in ``lang`` (zh, en, both), for WeasyPrint."""
    sides = sides_of(lang)
    running = " / ".join(f"PANDA微短剧　{edition.title(s)}　{edition.date[0]}" if s == "zh" else
                         f"PANDA Mini-drama | {edition.title(s)} | {edition.date[1]}" for s in sides)
    css = (HERE / "templates" / "editions" / "print.css").read_text(encoding="utf-8")
    css = css.replace("var(--running)", _css_string(running)).replace("var(--folio)", FOLIO[lang])
    css = f'@font-face {{ font-family: "Noto Sans CJK SC"; src: url("{font.resolve().as_uri()}"); }}\n' + css
    words = {side: {**WORDS[side], **_WORDS_EXTRA[side]} for side in ("zh", "en")}
    sources = list({s.name_zh: s for story in edition.stories for s in story.sources}.values())
    charts = []
    for number, chart in numbered_charts(edition, lang):
        if not chart.svg:
            continue
        source = edition.registry.get(chart.source)
        charts.append((number, {"svg_uri": Path(chart.svg).resolve().as_uri(), "alt": chart.alt, "lang": chart.lang,
                                "caption": chart.caption,
                                "source_name": source.name(chart.lang) if source else chart.source,
                                "source": chart.source}))

    def rows(story):
        """双语's rows: each Chinese paragraph beside its English one; a gap's marker in its own column."""
        def column(side):
            own = story.side(side)
            if own.body_gap:
                return [own.marker("body")]
            out = list(own.paragraphs)
            return out + ([own.marker("body")] if own.gap == "partial" else [])
        zh, en = column("zh"), column("en")
        return [(zh[i] if i < len(zh) else None, en[i] if i < len(en) else None) for i in range(max(len(zh), len(en)))]

    created = issue_datetime({"date": edition.date[2]}).strftime("%Y-%m-%dT%H:%M:%SZ")
    return render("editions/print.html", edition=edition, lang=lang, sides=sides, code=CODE, words=words,
                  date={"zh": edition.date[0], "en": edition.date[1]}, css=css, title=f"{edition.subject(lang)}",
                  description=html.unescape(edition.preheader(lang)), created=created, sources=sources,
                  charts=charts, rows=rows, heading=lambda story: heading_sides(story, lang),
                  closing=[(side.lang, p) for side in (edition.closing or ()) if side.lang in sides
                           for p in side.paragraphs])


class _Said(logging_module.Handler):
    """What WeasyPrint warns of while it typesets (an ignored CSS rule, an image it cannot read): an error here."""

    def __init__(self):
        super().__init__(logging_module.WARNING)
        self.said: list[str] = []

    def emit(self, record):
        self.said.append(record.getMessage())


def _render(job: tuple[str, str, str]) -> None:
    """One PDF: (HTML, base folder, target); written whole, then moved into place. Anything WeasyPrint warns of
    fails it (warnings are errors, as in the rest of the build)."""
    page, base, target = job
    weasyprint = engine()[0]
    part = f"{target}.{os.getpid()}.part"
    said = _Said()
    quiet = logging_module.getLogger("weasyprint")
    quiet.addHandler(said)
    level, quiet.level = quiet.level, logging_module.WARNING  # its progress lines are not the build's
    progress = logging_module.getLogger("weasyprint.progress")
    progress.disabled = True
    try:
        weasyprint.HTML(string=page, base_url=base).write_pdf(part, pdf_tags=True, pdf_identifier=b"panda-minidrama")
    finally:
        quiet.removeHandler(said)
        quiet.level = level
    if said.said:
        Path(part).unlink(missing_ok=True)
        raise RuntimeError(f"{Path(target).name}: WeasyPrint said: " + "; ".join(said.said))
    os.replace(part, target)


@functools.cache
def _print_digest() -> str:
    digest = hashlib.sha256()
    for file in (Path(__file__), HERE / "templates" / "editions" / "print.html",
                 HERE / "templates" / "editions" / "print.css"):
        digest.update(file.read_bytes())
    weasyprint = engine()[0]
    digest.update(getattr(weasyprint, "__version__", "").encode())
    return digest.hexdigest()


def write_pdfs(app: Sphinx) -> None:
    """Every issue's three PDFs into the site's ``pdf/`` (a post-build step), rendered again only for the issues
    whose content changed; the PDFs of removed issues swept."""
    outdir = Path(app.outdir)
    folder = outdir / PDF_DIR
    if not available():
        if folder.is_dir():
            shutil.rmtree(folder)  # no PDF this build: none from an earlier one stays without its link
        return
    from charts._fonts import cjk_font_face

    staging = run_state(app).staging
    root = (staging.final if staging is not None else outdir).parent
    cache = root / ".pdf-cache"
    font = cjk_font_face(cache / "fonts")
    folder.mkdir(exist_ok=True)
    keep, jobs, used, copies = set(), [], {"fonts"}, []
    srcdir = Path(app.srcdir)
    # the editions' step (the one before) keyed each issue on what it is made of: its cache folder's name
    for docname, rendered in run_state(app).rendered:
        stem = Path(docname).name
        key = hashlib.sha256(f"{rendered.name} {_print_digest()} {font.name}".encode()).hexdigest()[:32]
        edition = None
        for lang in LANGS:
            cached = cache / f"{key}-{lang}.pdf"
            used.add(cached.name)
            shared = _shared_cache() / cached.name
            if not cached.is_file() and shared.is_file():  # typeset by another build of this machine
                link_cached(shared, cached)
            if not cached.is_file():
                if edition is None:
                    edition = read_edition(srcdir, Path(app.env.doc2path(docname)), base_url(app),
                                           _charts(app, docname, outdir))
                jobs.append((print_html(edition, lang, font), str(srcdir), str(cached)))
            keep.add(f"{stem}-{lang}.pdf")
            copies.append((cached, folder / f"{stem}-{lang}.pdf"))
    if jobs:
        try:
            _run(jobs)
        except RuntimeError as exc:
            raise SphinxError(f"the print edition could not be typeset: {exc}") from None
        logger.info(f"panda_book: {len(jobs)} PDF(s) typeset")
        _share([Path(target) for _page, _base, target in jobs])
    for cached, target in copies:  # (a PDF whose bytes did not change keeps its file and time)
        if not target.is_file() or target.stat().st_size != cached.stat().st_size \
                or target.read_bytes() != cached.read_bytes():
            shutil.copy2(cached, target)
    for path in folder.iterdir():
        if path.name not in keep:
            path.unlink()
    for old in cache.iterdir():  # the cache holds what this build used, no more
        if old.name not in used and old.is_file():
            old.unlink()


#: PDFs kept for every build of this machine, by the same content key (a copy of the book builds the same issue)
SHARED_CACHE_ENV = "PANDA_PDF_CACHE"
SHARED_LIMIT = 3000


def _shared_cache() -> Path:
    """``$PANDA_PDF_CACHE``, or ``~/.cache/panda-minidrama/pdf`` (``$XDG_CACHE_HOME`` where set)."""
    given = os.environ.get(SHARED_CACHE_ENV)
    if given:
        return Path(given)
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "panda-minidrama" / "pdf"


def _share(made: list[Path]) -> None:
    """The PDFs this build typeset, into the machine's cache (the oldest dropped past SHARED_LIMIT files); a cache
    that cannot be written is no error (it only saves time)."""
    folder = _shared_cache()
    try:
        folder.mkdir(parents=True, exist_ok=True)
        for path in made:
            if not (folder / path.name).exists():
                part = folder / f".{path.name}.{os.getpid()}.part"
                shutil.copy2(path, part)
                os.replace(part, folder / path.name)
        files = sorted(folder.glob("*.pdf"), key=lambda p: p.stat().st_mtime)
        for old in files[:max(0, len(files) - SHARED_LIMIT)]:
            old.unlink(missing_ok=True)
    except OSError:
        pass


def _run(jobs: list) -> None:
    """The PDFs to make, two at a time in forked processes (the machine's cores; one job runs here)."""
    if len(jobs) == 1 or not hasattr(os, "fork"):
        for job in jobs:
            _render(job)
        return
    import multiprocessing

    with multiprocessing.get_context("fork").Pool(min(len(jobs), os.cpu_count() or 1, 4)) as pool:
        pool.map(_render, jobs, chunksize=1)


def pdf_links(app: Sphinx, docname: str) -> list[tuple[str, str]]:
    """The issue page's links to its PDFs, (language, address relative to the page), or none without an engine."""
    if not available() or docname not in IssueStore.of(app.env):
        return []
    up = "../" * docname.count("/")
    return [(lang, f"{up}{pdf_name(Path(docname).name, lang)}") for lang in LANGS]


def _say_if_missing(app: Sphinx, config) -> None:
    if not available():
        logger.info(f"panda_book: no PDF edition this build: WeasyPrint cannot load Pango ({engine()[1]}); "
                    f"install it: {INSTALL}")


def setup_pdf(app: Sphinx) -> None:
    app.connect("config-inited", _say_if_missing)
