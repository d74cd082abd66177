"""Figure records: the numbers an issue reports, kept once, in the issue.

An issue holds one fenced ``{figures}`` block of YAML records, validated against
``figure.schema.json`` (JSON Schema). The book's Sphinx extension renders and
validates that block; the chart code reads it from the same file with
:func:`load_figures`; the number checker (:mod:`newsletter.check`) holds each
record against the sentences it cites. Nothing is typed twice.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from pathlib import Path

import yaml
from jsonschema import Draft202012Validator

from .errors import LocatedError

#: libyaml's parser where PyYAML has it (10x faster on a book of hundreds of issues)
_LOADER = getattr(yaml, "CSafeLoader", yaml.SafeLoader)

#: Units a record may use, with their Chinese and English names.
UNITS: dict[str, tuple[str, str]] = {
    "person": ("人", "people"),
    "person-day": ("个工日", "person-days"),
    "series-per-month": ("部/月", "series a month"),
    "series": ("部", "series"),
    "square-metre": ("平方米", "square metres"),
    "enterprise": ("家", "enterprises"),
    "set": ("个", "sets"),
    "view": ("次", "views"),
    "popularity": ("热度", "popularity"),
    "episode": ("集", "episodes"),
    "minute": ("分钟", "minutes"),
}

#: How exact a figure is, as the source says it.
QUALIFIERS: dict[str, tuple[str, str]] = {
    "exact": ("", ""),
    "about": ("约", "about"),
    "over": ("超过", "over"),
    "nearly": ("近", "nearly"),
}

@cache
def schema() -> dict:
    """The JSON Schema of one record (``newsletter/figure.schema.json``)."""
    return json.loads((files("newsletter") / "figure.schema.json").read_text(encoding="utf-8"))


REQUIRED = tuple(schema()["required"])
OPTIONAL = tuple(k for k in schema()["properties"] if k not in REQUIRED)



class FiguresError(LocatedError):
    """A figure record is wrong; names the file, the line and the fix."""


class Figures(dict):
    """An issue's records by id; asking for an id it does not have says which ones it has.

    A chart cell that cites a figure the ``{figures}`` block lacks (a typo, a
    removed record) fails with this message instead of a bare ``KeyError``.
    """

    path: str = "<text>"

    def __missing__(self, key):
        known = ", ".join(sorted(self)) or "none"
        raise KeyError(f"figure {key!r} is not in the {{figures}} block of {self.path}; its ids: {known}. Cite one "
                       f"of them, or add a record with id {key!r}")


@dataclass(frozen=True)
class Figure:
    """One number an issue reports."""

    id: str
    story: str
    value: float
    unit: str
    period: str
    label_zh: str
    label_en: str
    source: str
    qualifier: str = "exact"
    part_of: str | None = None
    line: int = 0
    #: the sentences that state it, as in the story (None: the story has no such text)
    zh: str | None = None
    en: str | None = None
    #: file lines of the record's keys, for messages about one field
    key_lines: tuple[tuple[str, int], ...] = ()

    def line_of(self, key: str) -> int:
        return dict(self.key_lines).get(key, self.line)

    @property
    def unit_zh(self) -> str:
        return UNITS[self.unit][0]

    @property
    def unit_en(self) -> str:
        return UNITS[self.unit][1]

    def text_zh(self) -> str:
        """The figure as a Chinese reader writes it, e.g. ``约69万人``."""
        return f"{QUALIFIERS[self.qualifier][0]}{format_zh(self.value)}{self.unit_zh}"

    def text_en(self) -> str:
        """The figure as an English reader writes it, e.g. ``about 690,000 people``."""
        words = [QUALIFIERS[self.qualifier][1], format_en(self.value), self.unit_en]
        return " ".join(w for w in words if w)


def format_zh(value: float) -> str:
    """A number in Chinese form (babel, zh_CN): 万 from ten thousand, 亿 from a hundred million.

    >>> format_zh(2030000)
    '203万'
    """
    from babel.numbers import format_compact_decimal

    return format_compact_decimal(value, locale="zh_CN", fraction_digits=4)


def format_en(value: float) -> str:
    """A number in English form (babel, en): separators below a million, words above.

    >>> format_en(36850000)
    '36.85 million'
    """
    from babel.numbers import format_compact_decimal, format_decimal

    if abs(value) >= 1e6:
        return format_compact_decimal(value, locale="en", format_type="long", fraction_digits=3)
    return format_decimal(value, format="#,##0.##", locale="en")


def find_figures_block(text: str) -> tuple[int, str] | None:
    """The first line number (1-based) of the YAML and the YAML of the block (from the issue's model)."""
    from .model import parse_issue

    fence = parse_issue(text).figures
    if fence is None:
        return None
    if not fence.closed:
        raise FiguresError("<text>", fence.line, f"the {{figures}} block is not closed: add a line '{fence.markup}'")
    return fence.line + 1, fence.content.removesuffix("\n")


def parse_figures(yaml_text: str, path: str | Path = "<text>", first_line: int = 1) -> dict[str, Figure]:
    """Validate YAML records and return them by id.

    ``first_line`` is the file line of the YAML's first line, so that every error
    names the line of the record at fault.
    """
    try:
        root = yaml.compose(yaml_text, Loader=_LOADER)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        line = first_line + (mark.line if mark else 0)
        raise FiguresError(path, line, f"the figures are not valid YAML ({getattr(exc, 'problem', exc)}); "
                           "each record is a '- id: ...' list item with 'key: value' lines") from None
    if root is None and yaml_text.strip() and all(not t.strip() or t.lstrip().startswith("#")
                                                  for t in yaml_text.splitlines()):
        # only comments: the records python -m newsletter import proposes, none kept yet
        figures = Figures()
        figures.path = str(path)
        return figures
    if root is None or not isinstance(root, yaml.SequenceNode):
        raise FiguresError(path, first_line, "the {figures} block must be a YAML list of records ('- id: ...')")
    figures = Figures()
    figures.path = str(path)
    for node in root.value:
        line = first_line + node.start_mark.line
        if not isinstance(node, yaml.MappingNode):
            raise FiguresError(path, line, "a figure record must be a mapping of 'key: value' lines")
        record = yaml.constructor.SafeConstructor().construct_document(node)
        key_lines = {k.value: first_line + k.start_mark.line for k, _ in node.value}
        figure = _check_record(record, key_lines, path, line)
        if figure.id in figures:
            raise FiguresError(path, line, f"figure id {figure.id!r} is used twice (first at line "
                               f"{figures[figure.id].line}); give each record its own id")
        figures[figure.id] = figure
    for figure in figures.values():
        if figure.part_of is None:
            continue
        whole = figures.get(figure.part_of)
        if whole is None:
            raise FiguresError(path, figure.line, f"figure {figure.id!r} is part_of {figure.part_of!r}, "
                               f"which is not a figure id here; known ids: {', '.join(sorted(figures))}")
        if whole.unit != figure.unit:
            raise FiguresError(path, figure.line, f"figure {figure.id!r} ({figure.unit}) is part_of "
                               f"{whole.id!r} ({whole.unit}): a part needs its whole's unit")
        if whole.value < figure.value:
            raise FiguresError(path, whole.line, f"total {whole.id!r} ({format_en(whole.value)}) is smaller "
                               f"than its part {figure.id!r} ({format_en(figure.value)}); check both values")
    return figures


def _message(error, record: dict) -> tuple[str, str]:
    """(field, message) for the first schema error of a record, in plain words."""
    rid = record.get("id", "?")
    field = error.path[0] if error.path else None
    if error.validator == "required":
        missing = [k for k in REQUIRED if k not in record]
        hint = " (null where the story has no text in that language)" if {"zh", "en"} & set(missing) else ""
        return "id", (f"figure record {rid!r} lacks {', '.join(missing)}; every record needs "
                      f"{', '.join(REQUIRED)}{hint}")
    if error.validator == "additionalProperties":
        unknown = sorted(set(record) - set(REQUIRED) - set(OPTIONAL))[0]
        return unknown, f"unknown field {unknown!r} in figure {rid!r}; allowed: {', '.join(REQUIRED + OPTIONAL)}"
    value = record.get(field)
    if field == "value" and error.validator == "type":
        return field, (f"value of {rid!r} is {value!r}, not a number; write digits only, e.g. 2030000 "
                       "(units and words go in 'unit' and 'qualifier')")
    if field == "value" and error.validator == "minimum":
        return field, f"value of {rid!r} is negative ({value}); counts cannot be negative"
    if field in ("unit", "qualifier") and error.validator == "enum":
        return field, (f"{field} {value!r} of {rid!r} does not exist; use one of: "
                       f"{', '.join(schema()['properties'][field]['enum'])}")
    if field == "id":
        return field, f"figure id {value!r} must be lower-case letters, digits and '_', starting with a letter"
    if field == "period":
        return field, f"period {value!r} of {rid!r} must be a year or a year-month, e.g. \"2025\" or \"2025-11\""
    return field or "id", f"{field} of {rid!r}: {error.message}"


def _check_record(record: dict, key_lines: dict[str, int], path, line: int) -> Figure:
    todo = next((key for key, value in record.items() if isinstance(value, str) and value.startswith("TODO")), None)
    if todo is not None:
        raise FiguresError(path, key_lines.get(todo, line), f"{todo} of figure record {record.get('id', '?')!r} is "
                           f"still {record[todo]!r} (a record python -m newsletter import proposed): write its "
                           f"{todo}, or delete the record")
    errors = sorted(Draft202012Validator(schema()).iter_errors(record),
                    key=lambda e: (REQUIRED + OPTIONAL).index(e.path[0]) if e.path and e.path[0] in
                    REQUIRED + OPTIONAL else -1)
    if errors:
        field, message = _message(errors[0], record)
        raise FiguresError(path, key_lines.get(field, line), message)
    if record["value"] != record["value"] or record["value"] in (float("inf"), float("-inf")):
        raise FiguresError(path, key_lines["value"], f"value of {record['id']!r} is {record['value']}, "
                           "not a number; write digits only")
    return Figure(
        id=record["id"], story=str(record["story"]), value=record["value"], unit=record["unit"],
        period=str(record["period"]), label_zh=str(record["label_zh"]), label_en=str(record["label_en"]),
        source=str(record["source"]), qualifier=record.get("qualifier", "exact"), part_of=record.get("part_of"),
        line=line, zh=record["zh"], en=record["en"], key_lines=tuple(key_lines.items()),
    )


def load_figures(path: str | Path) -> dict[str, Figure]:
    """Read the ``{figures}`` block of an issue file."""
    path = Path(path)
    text = path.read_text(encoding="utf-8")
    try:
        found = find_figures_block(text)
    except FiguresError as exc:
        raise FiguresError(path, exc.line, exc.message) from None
    if found is None:
        raise FiguresError(path, 1, "this issue has no {figures} block; add one (see templates/issue.md)")
    first_line, body = found
    return parse_figures(body, path, first_line)
