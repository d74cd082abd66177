"""The number checker: the Chinese and the English must report the same figures.

Two checks, on every issue:

1. Every figure record cites the sentence that states it in each language
   (``zh:`` and ``en:``). The sentence must be in the story, must state the
   record's value in that language's own form (203万 / 2.03 million) and, for
   ``about`` / ``over`` / ``nearly``, say so. A record may cite no sentence
   (``null``) only where the story has no text in that language.
2. In every story, each number in the Chinese has its counterpart in the English
   and the other way round: headlines against headlines, body against body. For a
   story marked ``:gap: partial`` the body's unmatched numbers are information,
   not errors; a body that one language lacks (``:gap: body``) is not compared.

Every finding names the file and the line; a number is shown as written and with
its meaning, e.g. ``203万 (2,030,000)``.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path

from .figures import Figure, FiguresError, find_figures_block, format_en, parse_figures
from .issue import Block, Story, read_stories
from .numbers import Number, parse_en, parse_zh

LANG_NAME = {"zh": "Chinese", "en": "English"}
PARSE = {"zh": parse_zh, "en": parse_en}

#: words that say a figure is approximate, a lower bound or an upper bound
QUALIFIER_WORDS = {
    "about": {"zh": ("约", "左右", "大约", "上下"), "en": ("about", "around", "approximately", "roughly", "some")},
    "over": {"zh": ("超", "突破", "逾", "以上"),
             "en": ("over", "more than", "exceed", "surpass", "above", "upwards of")},
    "nearly": {"zh": ("近", "将近", "接近", "逼近"), "en": ("nearly", "almost", "close to", "approaching")},
}


#: how each unit is written near its number (a figure must sit next to its unit:
#: a Chinese or English sentence whose two numbers were swapped fails here)
UNIT_FORMS = {
    "person": {"zh": ("人",), "en": ("people", "person", "jobs", "employ", "workers")},
    "person-day": {"zh": ("工日",), "en": ("person-day", "workday", "days of")},
    "series-per-month": {"zh": ("部",), "en": ("series", "titles")},
    "series": {"zh": ("部",), "en": ("series", "titles")},
    "square-metre": {"zh": ("平方米", "平米"), "en": ("square met", "sq m", "m²")},
    "enterprise": {"zh": ("企业", "家"), "en": ("enterprise", "compan", "firms")},
    "set": {"zh": ("场景", "个"), "en": ("sets", "set")},
    "view": {"zh": ("播放", "次"), "en": ("views", "plays")},
    "popularity": {"zh": ("热度",), "en": ("popularity",)},
    "episode": {"zh": ("集",), "en": ("episode",)},
    "minute": {"zh": ("分钟",), "en": ("minute",)},
}
#: how far from the number the unit may be written, before and after (characters)
WINDOW = {"zh": (8, 6), "en": (30, 40)}


@dataclass(frozen=True)
class Finding:
    level: str  # "error" or "info"
    path: str
    line: int
    message: str

    def __str__(self) -> str:
        prefix = "" if self.level == "error" else "info: "
        return f"{self.path}:{self.line}: {prefix}{self.message}"


def show(n: Number) -> str:
    """``203万 (2,030,000)``: as written, and what it means (when that differs)."""
    return n.text if n.text == n.meaning() else f"{n.text} ({n.meaning()})"


def _fold(text: str) -> str:
    return re.sub(r"\s+", " ", text).strip()


def _located(block: Block, headline: bool) -> list[tuple[Number, int]]:
    """The numbers of a block's headline or body, each with its file line."""
    rows = ([block.headline] if block.headline else []) if headline else block.body
    found = []
    for line, text in rows:
        found += [(n, line) for n in PARSE[block.lang](text)]
    return found


def _distance(a: Number, b: Number) -> float:
    return abs(math.log10(max(a.value, 1e-9)) - math.log10(max(b.value, 1e-9)))


def compare(zh: list[tuple[Number, int]], en: list[tuple[Number, int]], path: str, level: str,
            note: str = "") -> list[Finding]:
    """Match numbers one to one; report what is left, paired with its likeliest counterpart."""
    zh_left, en_left = list(zh), list(en)
    for item in list(zh_left):
        match = next((e for e in en_left if item[0].matches(e[0])), None)
        if match:
            zh_left.remove(item)
            en_left.remove(match)
    findings = []
    for number, line in zh_left:
        same = [e for e in en_left if e[0].family == number.family]
        if same:
            other = min(same, key=lambda e: _distance(number, e[0]))
            en_left.remove(other)
            says = f"; the English says {show(other[0])} (line {other[1]})" if other[1] != line else \
                f"; the English says {show(other[0])}"
        else:
            says = ""
        findings.append(Finding(level, path, line, f"{show(number)} in Chinese has no English counterpart{says}{note}"))
    for number, line in en_left:
        findings.append(Finding(level, path, line, f"{show(number)} in English has no Chinese counterpart{note}"))
    return findings


def check_story(story: Story, path: str) -> list[Finding]:
    zh, en = story.blocks.get("zh"), story.blocks.get("en")
    if zh is None or en is None:
        return []  # an unpaired story is the extension's error, with its own message
    findings = []
    if zh.headline and en.headline:
        findings += compare(_located(zh, True), _located(en, True), path, "error")
    if zh.has_body and en.has_body:
        if story.partial:
            note = (f" (story {story.id!r} is marked ':gap: partial': information, not an error)")
            findings += compare(_located(zh, False), _located(en, False), path, "info", note)
        else:
            findings += compare(_located(zh, False), _located(en, False), path, "error")
    return findings


def check_figure(fig: Figure, stories: dict[str, Story], path: str) -> list[Finding]:
    story = stories.get(fig.story)
    if story is None:
        return [Finding("error", path, fig.line_of("story"), f"figure {fig.id!r} belongs to story {fig.story!r}, "
                        f"which is not in this issue; stories: {', '.join(stories) or 'none'}")]
    findings = []
    for lang in ("zh", "en"):
        sentence = getattr(fig, lang)
        block = story.blocks.get(lang)
        line = fig.line_of(lang)
        name = LANG_NAME[lang]
        if block is None:
            continue  # an unpaired story is the extension's error, with its own message
        if sentence is None:
            if block.gap in ("body", "all", "partial"):
                continue
            findings.append(Finding("error", path, line, f"figure {fig.id!r} cites no {name} sentence ({lang}: null), "
                                    f"but story {fig.story!r} has its {name} text; quote the sentence that states it"))
            continue
        if _fold(sentence) not in block.text():
            findings.append(Finding("error", path, line, f"the {name} sentence of figure {fig.id!r} is not in story "
                                    f"{fig.story!r}; copy it from the story exactly"))
            continue
        numbers = [n for n in PARSE[lang](sentence) if n.family == "number"]
        stated = [n for n in numbers if abs(n.value - fig.value) <= 1e-9 * max(1, fig.value)]
        if not stated:
            form = fig.text_zh() if lang == "zh" else fig.text_en()
            said = ", ".join(show(n) for n in numbers) or "no number"
            findings.append(Finding("error", path, line, f"figure {fig.id!r} is {format_en(fig.value)} ({form}), but "
                                    f"its {name} sentence says {said}; fix the record or the text"))
            continue
        forms = UNIT_FORMS.get(fig.unit, {}).get(lang, ())
        before, after = WINDOW[lang]
        near = [sentence[max(0, n.start - before):n.end + after].lower() for n in stated]
        if forms and not any(form in text for text in near for form in forms):
            unit = fig.unit_zh if lang == "zh" else fig.unit_en
            findings.append(Finding("error", path, line, f"figure {fig.id!r}: {show(stated[0])} in its {name} sentence "
                                    f"is not next to its unit ({unit}: {', '.join(forms)}); were two figures "
                                    "swapped? Fix the record or the text"))
            continue
        words = QUALIFIER_WORDS.get(fig.qualifier, {}).get(lang, ())
        if words and not any(w in sentence.lower() for w in words):
            findings.append(Finding("error", path, line, f"figure {fig.id!r} is '{fig.qualifier}', but its {name} "
                                    f"sentence has none of: {', '.join(words)}; fix the qualifier or the text"))
    return findings


def check_text(text: str, path: str | Path, *, records: bool = True) -> list[Finding]:
    """Every finding for one issue's source text.

    ``records=False`` skips errors in the ``{figures}`` YAML itself (the book's
    build reports those from the directive, once).
    """
    path = str(path)
    stories = read_stories(text)
    findings: list[Finding] = []
    for story in stories.values():
        findings += check_story(story, path)
    try:
        found = find_figures_block(text)
        figures = parse_figures(found[1], path, found[0]) if found else {}
    except FiguresError as exc:
        if records:
            findings.append(Finding("error", path, exc.line, exc.message))
        figures = {}
    for fig in figures.values():
        findings += check_figure(fig, stories, path)
    return sorted(findings, key=lambda f: (f.line, f.level))


def check_file(path: str | Path) -> list[Finding]:
    from .source import SourceError, read_source

    try:
        text = read_source(path)
    except SourceError as exc:  # not UTF-8, or a byte-order mark
        return [Finding("error", str(path), exc.line, exc.message)]
    return check_text(text, path)
