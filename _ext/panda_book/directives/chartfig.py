"""Charts in both languages: one figure, a Chinese and an English image.

A chart cell that shows a :class:`charts.ChartPair` outputs the Chinese SVG,
the English one, then the narrow drawing of each (``-narrow``). Each SVG names
its language, caption, source and chart in its Dublin Core metadata. This
transform groups the outputs into one numbered figure:

    <figure id="chart-employment">
      <div class="bl-pair bl-charts">
        <div lang="zh-CN" class="bl-block bl-zh"><picture>
          <source media="(max-width: 599.98px)" srcset="…narrow.svg" width=… height=…>
          <img loading="lazy" width=… height=… ...></picture></div>
        <div lang="en" class="bl-block bl-en"><picture>…</picture></div>
      </div>
      <figcaption><span lang="zh-CN">图</span> · <span lang="en">Fig.</span> 1
        <span lang="zh-CN">…。来源：…</span> <span lang="en">… Source: …</span>
    </figure>

so the language switch shows one image or both (stacked, each as wide as the
column: panda.css), a phone gets the drawing made for its width, and a hidden
image is never downloaded (``loading="lazy"`` images that are not displayed are
not fetched; a ``<picture>`` fetches only the source it picks).

Under the caption come the chart's data: the numbers it plots (JSON in the SVG's
metadata, written by :mod:`charts`) as a "download the data" link to a CSV
(UTF-8, headers in both languages) and as a table the reader opens in place
(``<details>``, no script needed).
"""

from __future__ import annotations

import csv
import io
import json
import posixpath
import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path
from xml.etree import ElementTree

from docutils import nodes
from sphinx import addnodes
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform
from sphinx.util import logging

from newsletter.mailing import EMAIL_SUFFIX
from newsletter.safety import NARROW_MEDIA, NARROW_SUFFIX

from ..model.store import EditionStore
from .bilingual import lang_block, lang_pair, lang_span
from .labels import bi_nodes, sep
from .sources import registry, source_nodes

logger = logging.getLogger(__name__)

_DC = "{http://purl.org/dc/elements/1.1/}"
_DATA = "{https://panda-minidrama.example/ns/chart-data}data"
DATA_HEADERS = ("指标", "Metric", "数值 Value", "单位", "Unit")
#: where the CSV files are written before Sphinx copies them to _downloads/
DATA_DIR = "_build/chart-data"
_SVG = "{http://www.w3.org/2000/svg}"
_LANG_SUFFIX = {"zh-CN": "zh", "en": "en"}


class chart_image(nodes.image):
    """A chart's ``<img>``: lazily loaded, with its intrinsic size (no layout jump)."""


class chart_picture(nodes.General, nodes.Element):
    """``<picture>``: a chart's narrow drawing (:class:`chart_source`) for narrow viewports, else its image."""


class chart_source(nodes.image):
    """``<source>`` of a :class:`chart_picture`: an image node, so Sphinx copies the file and the gate checks it."""


class data_details(nodes.General, nodes.Element):
    """``<details>``: the chart's numbers as a table, opened by the reader."""


class data_summary(nodes.General, nodes.TextElement):
    """``<summary>`` of :class:`data_details`."""


@dataclass(frozen=True)
class SvgInfo:
    lang: str
    caption: str
    source: str
    identifier: str
    width: int
    height: int
    data: tuple = ()


def svg_path(env, uri: str) -> Path | None:
    """The file behind a notebook output's image URI."""
    srcdir = Path(env.srcdir)
    if uri.startswith("/"):  # myst-nb: relative to the source folder
        return (srcdir / uri.lstrip("/")) if (srcdir / uri.lstrip("/")).is_file() else None
    for candidate in (srcdir / Path(env.docname).parent / uri, srcdir / uri):
        if candidate.is_file():
            return candidate
    return None


def _px(length: str | None) -> int:
    match = re.fullmatch(r"([\d.]+)(pt|px)?", length or "")
    if not match:
        return 0
    value = float(match.group(1))
    return round(value * 4 / 3 if match.group(2) == "pt" else value)


def svg_info(path: Path) -> SvgInfo | None:
    try:
        root = ElementTree.parse(path).getroot()
    except (OSError, ElementTree.ParseError):
        return None

    def dc(key: str) -> str:
        el = root.find(f".//{_DC}{key}")
        return el.text.strip() if el is not None and el.text else ""

    data_el = root.find(f".//{_DATA}")
    data = tuple(tuple(row) for row in json.loads(data_el.text)) if data_el is not None and data_el.text else ()
    return SvgInfo(lang=dc("language"), caption=dc("title"), source=dc("source"),
                   identifier=dc("identifier"), width=_px(root.get("width")), height=_px(root.get("height")),
                   data=data)


def png_info(path: Path) -> dict | None:
    """A PNG's text chunks and its size in pixels (``size``), or None if it cannot be read."""
    from PIL import Image

    try:
        with Image.open(path) as image:
            return {**{k: v for k, v in image.info.items() if isinstance(v, str)}, "size": image.size}
    except OSError:
        return None


def _bundle_image(bundle: nodes.Element) -> nodes.image | None:
    for child in bundle.children:
        if isinstance(child, nodes.container) and child.get("mime_type") == "image/svg+xml":
            images = list(child.findall(nodes.image))
            return images[0] if images else None
    return None


class GroupChartPairs(SphinxTransform):
    """Turn each Chinese+English pair of chart outputs into one bilingual figure."""

    # before SphinxDomains (850) so the figure's label is registered
    default_priority = 800

    def apply(self) -> None:
        self.numbered = 0
        for output in list(self.document.findall(
                lambda n: isinstance(n, nodes.container) and n.get("nb_element") == "cell_code_output")):
            self.group(output)

    def group(self, output: nodes.container) -> None:
        found: list[tuple[nodes.Element, nodes.image, SvgInfo]] = []
        for bundle in list(output.children):
            if not (isinstance(bundle, nodes.container) and bundle.get("nb_element") == "mime_bundle"):
                continue
            if self.email_png(bundle):
                continue
            image = _bundle_image(bundle)
            path = svg_path(self.env, image["uri"]) if image is not None else None
            info = svg_info(path) if path else None
            if info and info.lang in _LANG_SUFFIX:
                found.append((bundle, image, info))
        # a chart's outputs come together: Chinese, English, then each one's narrow drawing (optional)
        groups: list[list[tuple[nodes.Element, nodes.image, SvgInfo]]] = []
        for item in found:
            if groups and _base(groups[-1][0][2]) == _base(item[2]) and not any(
                    (m[2].lang, _narrow(m[2])) == (item[2].lang, _narrow(item[2])) for m in groups[-1]):
                groups[-1].append(item)
            else:
                groups.append([item])
        for group in groups:
            wide = {info.lang: (bundle, image, info) for bundle, image, info in group if not _narrow(info)}
            narrow = {info.lang: (bundle, image, info) for bundle, image, info in group if _narrow(info)}
            if set(wide) == {"zh-CN", "en"} and set(narrow) <= set(wide):
                self.make_figure(_base(group[0][2]), [wide["zh-CN"], wide["en"]], narrow)
                continue
            info = group[0][2]
            logger.error(f"chart {info.identifier!r} ({info.lang}) has no partner in the other language; "
                         "show a ChartPair (the chart functions' default) so both languages are drawn",
                         location=(self.env.docname, self.shown_at(output)), type="panda", subtype="charts")

    def email_png(self, bundle: nodes.Element) -> bool:
        """A chart's email PNG (its ``Identifier`` text chunk ends in ``-email``, charts/_render.py): the bundle
        leaves the page, noted in :class:`EditionStore` with the facts its text chunks carry."""
        for child in bundle.children:
            if not (isinstance(child, nodes.container) and child.get("mime_type") == "image/png"):
                continue
            image = next(iter(child.findall(nodes.image)), None)
            path = svg_path(self.env, image["uri"]) if image is not None else None
            info = png_info(path) if path else None
            if not info or not info.get("Identifier", "").endswith(EMAIL_SUFFIX) \
                    or info.get("Language") not in _LANG_SUFFIX:
                return False
            bundle.parent.remove(bundle)  # not on the page: site/editions.py copies the file for the editions
            lang = _LANG_SUFFIX[info["Language"]]
            name = info["Identifier"].removesuffix(EMAIL_SUFFIX)
            base = name.removesuffix(NARROW_SUFFIX).removesuffix(f"-{lang}")
            EditionStore.of(self.env).setdefault(self.env.docname, []).append({
                "chart": base, "lang": lang, "narrow": name.endswith(NARROW_SUFFIX),
                "path": path.relative_to(self.env.srcdir).as_posix(),
                "size": info["size"], "caption": info.get("Title", ""), "alt": info.get("Description", ""),
                "source": info.get("Source", "")})
            return True
        return False

    def shown_at(self, output: nodes.Element) -> int | None:
        """The file line of the cell's last code line, the one whose value is shown."""
        line = output.line or output.parent.line
        if not line:
            return None
        lines = Path(self.env.doc2path(self.env.docname)).read_text(encoding="utf-8").splitlines()
        last = line
        for number in range(line, len(lines) + 1):
            text = lines[number - 1].strip()
            if text.startswith("```"):
                break
            if text and not text.startswith(":"):
                last = number
        return last

    def make_figure(self, base: str, members, narrow: dict) -> None:
        first_bundle = members[0][0]
        parent = first_bundle.parent
        index = parent.index(first_bundle)
        figure = nodes.figure(classes=["bl-figure"])
        figure.source, figure.line = first_bundle.source, first_bundle.line
        name = f"chart-{base}"
        # the page id is chart-<name>; the label, global to the book, carries the issue
        figure["ids"].append(nodes.make_id(name))
        figure["names"].append(f"{Path(self.env.docname).name}-{name}")
        self.document.note_explicit_target(figure, figure)
        pair = lang_pair(classes=["bl-pair", "bl-charts"])
        caption = nodes.caption()
        for bundle, image, info in members:
            suffix = _LANG_SUFFIX[info.lang]
            drawn = svg_path(self.env, image["uri"])
            if drawn is not None:  # the print edition draws the chart as vectors (site/pdf.py)
                EditionStore.of(self.env).setdefault(self.env.docname, []).append({
                    "chart": base, "lang": suffix, "kind": "svg",
                    "path": drawn.relative_to(self.env.srcdir).as_posix()})
            parent.remove(bundle)
            replacement = chart_image(**image.attributes)
            replacement["classes"] = [*image["classes"], "bl-chart"]
            replacement["loading"] = "lazy"
            replacement["chart_size"] = (info.width, info.height)
            image.replace_self(replacement)
            if info.lang in narrow:
                n_bundle, n_image, n_info = narrow[info.lang]
                n_bundle.parent.remove(n_bundle)
                source = chart_source(**n_image.attributes)
                source["chart_size"] = (n_info.width, n_info.height)
                picture = chart_picture()
                replacement.replace_self(picture)
                picture += source
                picture += replacement
            block = lang_block(lang=info.lang, classes=["bl-block", f"bl-{suffix}", "bl-chart-block"])
            block += bundle
            pair += block
            label = ("。来源：" if suffix == "zh" else ". Source: ") if info.source else ""
            if len(caption):
                caption += sep()
            text = lang_span("", info.caption + label, lang=info.lang, classes=[f"bl-{suffix}"])
            if info.source:  # its name in this side's language, linked (sources.yml)
                text += source_nodes(info.source, suffix, registry(self.env))
            caption += text
        # numbered within the issue (图/Fig. 1, 2 ...): Sphinx's numfig numbers
        # figures across the whole book, so a new issue would renumber every
        # later one, and it reads every page of the book again on each build to do it
        self.numbered += 1
        caption.insert(0, nodes.inline("", "", *bi_nodes("图", "Fig."), nodes.Text(f" {self.numbered} "),
                                       classes=["caption-number"]))
        figure += pair
        figure += caption
        data = members[0][2].data
        if data:
            figure += self.data_legend(name, data)
        parent.insert(index, figure)

    def data_legend(self, name: str, data: tuple) -> nodes.legend:
        """The download link and the table view of a chart's numbers."""
        folder = Path(self.env.srcdir) / DATA_DIR / self.env.docname
        folder.mkdir(parents=True, exist_ok=True)
        path = folder / f"{name}.csv"
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(DATA_HEADERS)
        writer.writerows(data)
        if not path.is_file() or path.read_text(encoding="utf-8") != out.getvalue():
            path.write_text(out.getvalue(), encoding="utf-8")
        legend = nodes.legend(classes=["bl-chart-data"])
        para = nodes.paragraph()
        link = addnodes.download_reference("", "", reftarget="/" + path.relative_to(self.env.srcdir).as_posix(),
                                           refdoc=self.env.docname, refexplicit=True, classes=["bl-download"])
        link += bi_nodes("下载数据（CSV）", "Download the data (CSV)")
        para += link
        legend += para
        details = data_details()
        details += data_summary("", "", *bi_nodes("数据表", "Data table"))
        details += _table(data)
        legend += details
        return legend


def _narrow(info: SvgInfo) -> bool:
    return info.identifier.endswith(NARROW_SUFFIX)


def _base(info: SvgInfo) -> str:
    """The chart's name, the same for its languages and drawings (``employment`` of ``employment-zh-narrow``)."""
    name = info.identifier.removesuffix(NARROW_SUFFIX)
    return name.removesuffix(f"-{_LANG_SUFFIX[info.lang]}")


def _table(data: tuple) -> nodes.table:
    table = nodes.table(classes=["bl-data-table"])
    group = nodes.tgroup(cols=3)
    table += group
    for _ in range(3):
        group += nodes.colspec(colwidth=1)
    head, body = nodes.thead(), nodes.tbody()
    row = nodes.row()
    for zh, en in (("指标", "Metric"), ("数值", "Value"), ("单位", "Unit")):
        row += nodes.entry("", nodes.paragraph("", "", *bi_nodes(zh, en)))
    head += row
    for label_zh, label_en, value, unit_zh, unit_en in data:
        row = nodes.row()
        row += nodes.entry("", nodes.paragraph("", "", *bi_nodes(label_zh, label_en)))
        number = f"{value:,}" if isinstance(value, int) else f"{value:,.4f}".rstrip("0").rstrip(".")
        row += nodes.entry("", nodes.paragraph("", number))
        row += nodes.entry("", nodes.paragraph("", "", *bi_nodes(unit_zh, unit_en)))
        body += row
    group += head
    group += body
    return table


def _visit_details(self, node):
    self.body.append(self.starttag(node, "details", CLASS="bl-data"))


def _depart_details(self, node):
    self.body.append("</details>\n")


def _visit_summary(self, node):
    self.body.append(self.starttag(node, "summary", ""))


def _depart_summary(self, node):
    self.body.append("</summary>\n")


def _visit_chart_image(self, node):
    self.visit_image(node)
    width, height = node.get("chart_size", (0, 0))
    if width and height:
        self.body[-1] = self.body[-1].replace("<img ", f'<img width="{width}" height="{height}" '
                                              'decoding="async" ', 1)


def _depart_chart_image(self, node):
    self.depart_image(node)


def _visit_picture(self, node):
    self.body.append("<picture>")


def _depart_picture(self, node):
    self.body.append("</picture>")


def _visit_source(self, node):
    uri = node["uri"]
    if uri in self.builder.images:  # as Sphinx's visit_image finds the copied file
        uri = posixpath.join(self.builder.imgpath, urllib.parse.quote(self.builder.images[uri]))
    width, height = node.get("chart_size", (0, 0))
    size = f' width="{width}" height="{height}"' if width and height else ""
    self.body.append(f'<source media="{NARROW_MEDIA}" srcset="{self.attval(uri)}" type="image/svg+xml"{size}>')
    raise nodes.SkipNode


def _depart_source(self, node):
    pass


def _no_numfig(app: Sphinx, config) -> None:
    # Charts are numbered per issue here (make_figure). Sphinx's numfig, which
    # Jupyter Book's LaTeX extension switches on at config-inited for every
    # builder, counts across the book and reads every page on each build.
    config.numfig = False


def setup_chartfig(app: Sphinx) -> None:
    app.connect("config-inited", _no_numfig, priority=900)
    app.add_node(chart_image, html=(_visit_chart_image, _depart_chart_image))
    app.add_node(chart_picture, html=(_visit_picture, _depart_picture))
    app.add_node(chart_source, html=(_visit_source, _depart_source))
    app.add_node(data_details, html=(_visit_details, _depart_details))
    app.add_node(data_summary, html=(_visit_summary, _depart_summary))
    app.add_transform(GroupChartPairs)
