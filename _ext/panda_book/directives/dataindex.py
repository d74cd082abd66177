"""数据 / Data: every figure of every issue on one page, and trends over time.

- Each issue's ``{figures}`` records are kept in the environment as the issue
  is read (``env.panda_figures``); the sentence each record cites gets an anchor
  in the story (``#sentence-<id>-zh`` / ``-en``), so the data page links to it.
- ``{figures-index}`` (on ``data.md``) becomes, once every issue is read: a
  filterable table of all records (metric, value, period, issue, story by its
  headlines and topics, source, links to the sentences; stacked on a phone, each
  cell named by its column), one CSV of them all (``_static/data/figures.csv``),
  and for each metric reported for two or more periods, its trend drawn by
  :func:`charts.trend_chart` in Chinese and in English.
- The data page is written again whenever any issue's figures, or its stories' headlines or topics,
  change (``env-get-updated``).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from ..model.store import FigureStore, IssueStore, pages_to_rewrite
from .bilingual import lang_block, lang_pair, lang_span, story_tags
from .chartfig import NARROW_SUFFIX, chart_image, chart_picture, chart_source, svg_info
from .labels import bi_html, bi_nodes, english_count, sep
from .sources import bi_source_nodes, registry

logger = logging.getLogger(__name__)

CSV_PATH = "_static/data/figures.csv"
CSV_HEADERS = ("期号 Issue", "日期 Date", "报道 Story", "指标 Metric id", "指标", "Metric", "数值 Value",
               "单位 Unit", "单位", "Unit", "限定 Qualifier", "时期 Period", "来源 Source", "中文原句",
               "English sentence")


class figures_index(nodes.General, nodes.Element):
    """Placeholder for the data page's contents, filled in once every issue is read."""


def _store(env) -> dict:
    return FigureStore.of(env)


def note_records(env, docname: str, records: dict) -> None:
    """Called by the ``{figures}`` directive with an issue's records."""
    from newsletter.issue import read_front_matter

    text = Path(env.doc2path(docname)).read_text(encoding="utf-8")
    meta = read_front_matter(text).get("issue") or {}
    _store(env)[docname] = {"issue": dict(meta) if isinstance(meta, dict) else {},
                            "records": list(records.values()), "anchors": set()}


class FiguresIndexDirective(SphinxDirective):
    def run(self):
        _store(self.env)
        FigureStore.listed_by(self.env)[self.env.docname] = None
        return [figures_index()]


class AnchorCitedSentences(SphinxTransform):
    """Give each sentence a figure record cites an id the data page can link to."""

    default_priority = 810

    def apply(self) -> None:
        entry = _store(self.env).get(self.env.docname)
        if not entry:
            return
        # the page's cited spans and text nodes, read once and kept in document order as sentences are anchored
        self.cited = [n for n in self.document.findall(nodes.inline) if "bl-cited" in n["classes"]]
        self.texts = list(self.document.findall(nodes.Text))
        for fig in entry["records"]:
            for lang, code in (("zh", "zh-CN"), ("en", "en")):
                sentence = getattr(fig, lang)
                if sentence:
                    self.anchor(fig.id, lang, code, sentence)

    def anchor(self, fig_id: str, lang: str, code: str, sentence: str) -> None:
        anchor_id = nodes.make_id(f"sentence-{fig_id}-{lang}")
        anchors = _store(self.env)[self.env.docname]["anchors"]
        for cited in self.cited:
            if cited.astext() == sentence and _lang_of(cited) == code:
                cited["ids"].append(anchor_id)
                anchors.add(anchor_id)
                return
        for index, text in enumerate(self.texts):
            value = str(text)
            at = value.find(sentence)
            if at < 0 or _lang_of(text.parent) != code:
                continue
            span = nodes.inline("", sentence, ids=[anchor_id], classes=["bl-cited"])
            pieces = [nodes.Text(value[:at]), span, nodes.Text(value[at + len(sentence):])]
            pieces = [p for p in pieces if not isinstance(p, nodes.Text) or str(p)]
            text.parent.replace(text, pieces)
            self.texts[index:index + 1] = [p if isinstance(p, nodes.Text) else p[0] for p in pieces]
            self.cited.append(span)
            anchors.add(anchor_id)
            return


def _toc_without_ids(app: Sphinx, doctree: nodes.document) -> None:
    """A cited sentence in a headline keeps its id in the headline only: the page's
    contents lists copy the headline, and an id must be unique in a page."""
    toc = app.env.tocs.get(app.env.docname)
    for ref in toc.findall(nodes.reference) if toc is not None else ():
        for node in ref.findall(nodes.Element):
            node["ids"] = []


def _lang_of(node) -> str | None:
    """The ``lang`` of the nearest block or span around a node."""
    while node is not None:
        if isinstance(node, nodes.Element) and node.get("lang"):
            return node["lang"]
        node = node.parent
    return None


def _updated(app, env) -> list[str]:
    # The data page shows every issue's figures, and the headlines and topics of their stories: it is written
    # again when they change, and only then (an edit of a story's text leaves it as it is). Both digests are
    # brought up to date on every build.
    pages = FigureStore.listed_by(env)
    figures = pages_to_rewrite(env, _store(env), "figures", pages)
    stories = pages_to_rewrite(env, IssueStore.of(env), "figure-stories", pages)
    return sorted(set(figures) | set(stories))


def _issue_label(meta: dict) -> list[nodes.Node]:
    number = meta.get("number", "?")
    return bi_nodes(f"第{number}期", f"Issue {number}")


def _rows(env) -> list[tuple[str, dict, object]]:
    rows = []
    for docname, entry in sorted(_store(env).items()):
        for fig in entry["records"]:
            rows.append((docname, entry["issue"], fig))
    return rows


def write_csv(rows, path: Path) -> None:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(CSV_HEADERS)
    for docname, meta, fig in rows:
        value = int(fig.value) if float(fig.value).is_integer() else fig.value
        writer.writerow((meta.get("number", ""), meta.get("date", ""), fig.story, fig.id, fig.label_zh, fig.label_en,
                         value, fig.unit, fig.unit_zh, fig.unit_en, fig.qualifier, fig.period, fig.source,
                         fig.zh or "", fig.en or ""))
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.is_file() or path.read_text(encoding="utf-8") != out.getvalue():
        path.write_text(out.getvalue(), encoding="utf-8")


def _link(builder, fromdoc: str, todoc: str, anchor: str, *children) -> nodes.reference:
    uri = builder.get_relative_uri(fromdoc, todoc) + (f"#{anchor}" if anchor else "")
    return nodes.reference("", "", *children, refuri=uri, internal=True)


def _table(app, fromdoc: str, rows) -> nodes.table:
    headers = (("指标", "Metric"), ("数值", "Value"), ("时期", "Period"), ("期号", "Issue"),
               ("报道", "Story"), ("来源", "Source"), ("原句", "Sentence"))
    table = nodes.table(classes=["bl-figures-index"])
    group = nodes.tgroup(cols=len(headers))
    table += group
    for _ in headers:
        group += nodes.colspec(colwidth=1)
    head, body = nodes.thead(), nodes.tbody()
    row = nodes.row()
    for zh, en in headers:
        row += nodes.entry("", nodes.paragraph("", "", *bi_nodes(zh, en)))
    head += row
    outlets = registry(app.env)  # sources.yml, read once for the table, not once a row
    for docname, meta, fig in rows:
        anchors = _store(app.env)[docname].get("anchors", set())
        row = nodes.row(ids=[nodes.make_id(f"data-{docname}-{fig.id}")])
        row += nodes.entry("", nodes.paragraph("", "", *bi_nodes(fig.label_zh, fig.label_en)))
        row += nodes.entry("", nodes.paragraph("", "", *bi_nodes(fig.text_zh(), fig.text_en())))
        row += nodes.entry("", nodes.paragraph("", fig.period))
        row += nodes.entry("", nodes.paragraph("", "", _link(app.builder, fromdoc, docname, "", *_issue_label(meta))))
        row += _story_cell(app, fromdoc, docname, fig)
        row += nodes.entry("", nodes.paragraph("", "", *bi_source_nodes(fig.source, outlets)))
        cites = nodes.paragraph()
        for lang, zh_label, en_label in (("zh", "中文", "Chinese"), ("en", "英文", "English")):
            anchor = nodes.make_id(f"sentence-{fig.id}-{lang}")
            if getattr(fig, lang) and anchor in anchors:
                if len(cites):
                    cites += nodes.Text(" ")
                cites += _link(app.builder, fromdoc, docname, anchor, *bi_nodes(zh_label, en_label))
        row += nodes.entry("", cites)
        body += row
    group += head
    group += body
    _label_cells(body, headers)
    return table


#: each column's class (its width and wrapping in panda.css), in the order of the headers
COLUMNS = ("metric", "value", "period", "issue", "story", "source", "sentence")


def _label_cells(body: nodes.tbody, headers) -> None:
    """Each cell gets its column's class and, first in it, its column's name: on a phone the rows are
    stacked (panda.css) and the name stands where the header did; on a wide screen it is not shown."""
    for row in body.children:
        for entry, column, (zh, en) in zip(row.children, COLUMNS, headers):
            entry["classes"].append(f"bl-col-{column}")
            entry.insert(0, nodes.inline("", "", *bi_nodes(zh, en), classes=["bl-cell-label"]))


def _story_cell(app, fromdoc: str, docname: str, fig) -> nodes.entry:
    """The story's headline in each language (where the source has none in one, the other's, tagged with
    its language and noted so), linked to the story, and the story's topics, linked to their pages."""
    story = next((s for s in IssueStore.of(app.env).get(docname, {}).get("stories", []) if s["id"] == fig.story),
                 None)
    if story is None:  # newsletter/check.py rejects such a record first: a safety net
        logger.error(f"figure {fig.id!r} belongs to story {fig.story!r}, which the issue does not have; "
                     "set its 'story' to the id of a {story} of the issue", location=docname,
                     type="panda", subtype="figures")
        story = {"zh": "", "en": fig.story, "tags": []}
    # where the source has a headline in one language only, it shows in every mode after a note (labels.py)
    para = nodes.paragraph("", "", _link(app.builder, fromdoc, docname, f"story-{fig.story}",
                                         *bi_nodes(story["zh"], story["en"], fill=True)))
    cell = nodes.entry("", para)
    if story["tags"]:
        cell += story_tags(tags=list(story["tags"]))
    return cell


def _trends(app, fromdoc: str, rows) -> list[nodes.Node]:
    from charts import trend_chart

    series: dict[str, list] = {}
    for _docname, _meta, fig in rows:
        series.setdefault(fig.id, []).append((fig.period, fig))
    recurring = {k: v for k, v in series.items() if len({p for p, _ in v}) >= 2}
    if not recurring:
        return [nodes.paragraph("", "", *bi_nodes("还没有在两个以上时期报道的指标；有了就会在这里画出趋势。",
                                              "No metric has been reported for two periods yet; when one is, "
                                              "its trend is drawn here."), classes=["bl-no-trend"])]
    out = []
    images = Path(app.outdir) / "_images"
    images.mkdir(parents=True, exist_ok=True)
    prefix = "../" * fromdoc.count("/")
    for metric, points in sorted(recurring.items()):
        try:
            pair = trend_chart(points)
        except ValueError as exc:
            logger.error(f"the trend of {metric!r} cannot be drawn: {exc}", location=fromdoc,
                         type="panda", subtype="figures")
            continue
        figure = nodes.figure(ids=[nodes.make_id(f"trend-{metric}")], classes=["bl-figure", "bl-trend"])
        pair_node = lang_pair(classes=["bl-pair", "bl-charts"])
        caption = nodes.caption()
        for chart, code, suffix in ((pair.zh, "zh-CN", "zh"), (pair.en, "en", "en")):
            path = images / f"trend-{metric}-{suffix}.svg"
            if not path.is_file() or path.read_text(encoding="utf-8") != chart.svg:
                path.write_text(chart.svg, encoding="utf-8")
            info = svg_info(path)
            uri = f"{prefix}_images/{path.name}"
            # written to the output already: "?" tells Sphinx not to look for it among the sources
            image = chart_image(uri=uri, candidates={"?": uri}, alt=chart.alt, classes=["bl-chart"],
                                loading="lazy", chart_size=(info.width, info.height))
            block = lang_block(lang=code, classes=["bl-block", f"bl-{suffix}", "bl-chart-block"])
            if chart.narrow is not None:  # phones get the drawing made for their width, as on the issue pages
                narrow = images / f"trend-{metric}-{suffix}{NARROW_SUFFIX}.svg"
                if not narrow.is_file() or narrow.read_text(encoding="utf-8") != chart.narrow.svg:
                    narrow.write_text(chart.narrow.svg, encoding="utf-8")
                n_info, n_uri = svg_info(narrow), f"{prefix}_images/{narrow.name}"
                picture = chart_picture()
                picture += chart_source(uri=n_uri, candidates={"?": n_uri}, chart_size=(n_info.width, n_info.height))
                picture += image
                image = picture
            block += image
            pair_node += block
            if len(caption):
                caption += sep()
            caption += lang_span("", chart.title, lang=code, classes=[f"bl-{suffix}"])
        figure += pair_node
        figure += caption
        out.append(figure)
    return out


def _resolve(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    for placeholder in list(doctree.findall(figures_index)):
        rows = _rows(app.env)
        write_csv(rows, Path(app.outdir) / CSV_PATH)
        prefix = "../" * docname.count("/")
        issues = len({d for d, _, _ in rows})
        summary = nodes.paragraph("", "", *bi_nodes(f"共{issues}期、{len(rows)}项数据。",
                                                f"{english_count(len(rows), 'figure')} from "
                                                f"{english_count(issues, 'issue')}."), classes=["bl-data-summary"])
        download = nodes.raw("", f'<p><a class="bl-download" href="{prefix}{CSV_PATH}" download>'
                                 f'{bi_html("下载全部数据（CSV）", "Download all the data (CSV)")}</a></p>',
                             format="html")
        search = nodes.raw("", f'<p class="bl-filter pst-js-only"><label>{bi_html("筛选", "Filter")} '
                               '<input type="search" data-filter="bl-figures-index" autocomplete="off"></label> '
                               '<output aria-live="polite"></output></p>', format="html")
        trends = nodes.section(ids=["trends"], classes=["bl-trends"])
        trends += nodes.title("", "", *bi_nodes("趋势", "Trends"))
        trends += _trends(app, docname, rows)
        placeholder.replace_self([summary, download, search, _table(app, docname, rows), trends])


def setup_dataindex(app: Sphinx) -> None:
    app.add_node(figures_index)
    app.add_directive("figures-index", FiguresIndexDirective)
    app.add_transform(AnchorCitedSentences)
    app.connect("env-get-updated", _updated)
    app.connect("doctree-resolved", _resolve)
    app.connect("doctree-read", _toc_without_ids, priority=900)  # after Sphinx's contents collector
