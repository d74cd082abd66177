"""The ``{figures}`` block: an issue's figure records, validated and tabulated.

The records are parsed by :mod:`charts` (the same code the notebook's chart cells
use), so the page's table and the charts can never disagree.
"""

from __future__ import annotations

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging
from sphinx.util.docutils import SphinxDirective

from newsletter import FiguresError, parse_figures

from .bilingual import lang_span
from .dataindex import note_records
from .sources import bi_source_nodes, registry

logger = logging.getLogger(__name__)

HEADERS = (("指标", "Metric"), ("数值", "Value"), ("时期", "Period"), ("来源", "Source"))


class figures_table(nodes.General, nodes.Element):
    """Marks the table so that checks can find the records again."""


def _cell(*children) -> nodes.entry:
    entry = nodes.entry()
    para = nodes.paragraph()
    for child in children:
        para += child
    entry += para
    return entry


def _both(zh: str, en: str) -> list[nodes.Node]:
    return [lang_span("", zh, lang="zh-CN", classes=["bl-zh"]), nodes.Text(" "),
            lang_span("", en, lang="en", classes=["bl-en"])]


class FiguresDirective(SphinxDirective):
    has_content = True

    def run(self):
        first_line = self.lineno + 1
        try:
            records = parse_figures("\n".join(self.content), self.env.doc2path(self.env.docname), first_line)
        except FiguresError as exc:  # the rules (newsletter.rules.numbers) report it, with its line
            if not self.env.temp_data.get("panda_rule_errors"):
                logger.error(exc.message, location=(self.env.docname, exc.line), type="panda", subtype="figures")
            return []
        note_records(self.env, self.env.docname, records)
        if not records:  # only the proposals of an import, commented out: nothing to show yet
            return []
        table = nodes.table(classes=["figures-table"])
        group = nodes.tgroup(cols=len(HEADERS))
        table += group
        for _ in HEADERS:
            group += nodes.colspec(colwidth=1)
        head = nodes.thead()
        row = nodes.row()
        for zh, en in HEADERS:
            row += _cell(*_both(zh, en))
        head += row
        group += head
        body = nodes.tbody()
        for fig in records.values():
            row = nodes.row(ids=[nodes.make_id(f"figure-{fig.id}")])
            row += _cell(*_both(fig.label_zh, fig.label_en))
            row += _cell(*_both(fig.text_zh(), fig.text_en()))
            row += _cell(nodes.Text(fig.period))
            row += _cell(*bi_source_nodes(fig.source, registry(self.env)))
            body += row
        group += body
        holder = figures_table()
        holder += table
        return [holder]


def _visit(self, node):
    self.body.append(self.starttag(node, "div", CLASS="figures"))


def _depart(self, node):
    self.body.append("</div>\n")


def setup_figures(app: Sphinx) -> None:
    app.add_node(figures_table, html=(_visit, _depart))
    app.add_directive("figures", FiguresDirective)
