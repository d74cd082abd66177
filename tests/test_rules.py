"""The issue format's rules (newsletter/rules.py) on its model (newsletter/model.py), in process and fast.

The validator and the build run these same functions, so a case here is a case of both; the build's
side is held by tests/test_bad_input.py (the same file and line from both) and tests/roots/.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from newsletter.book import Source
from newsletter.model import parse_issue
from newsletter.rules import RULES, Page, card_problem, page_findings, page_rules

TAGS = {"employment": {"zh": "就业", "en": "Employment"}, "policy": {"zh": "政策", "en": "Policy"}}
SOURCES = {"人民网": Source("人民网", "People's Daily Online", "http://www.people.com.cn/")}

STORY = """::::{story} one
:number: 1
:source: 人民网
:tags: employment

:::{zh}
:headline: 中文标题

中文正文。
:::

:::{en}
:headline: English headline

English text.
:::
::::
"""

PAIR = """::::{pair}
:class: masthead

:::{zh}
PANDA微短剧
:::

:::{en}
PANDA Mini-drama
:::
::::
"""


def findings(text: str, is_issue: bool = True, rules=RULES):
    return page_findings(Page(text, "issues/x.md", tags=TAGS, sources=SOURCES, is_issue=is_issue), rules)


def errors(text: str, **kw) -> list[tuple[int, str]]:
    return [(f.line, f.message) for f in findings(text, **kw) if f.level == "error"]


def line_of(text: str, start: str, nth: int = 1) -> int:
    hits = [i for i, line in enumerate(text.split("\n"), 1) if line.startswith(start)]  # lines as Markdown counts
    return hits[nth - 1]


def test_a_good_story_and_pair_pass():
    assert errors(STORY + "\n" + PAIR) == []


def test_the_model_reads_stories_pairs_and_their_lines():
    issue = parse_issue(STORY + "\n" + PAIR)
    story = issue.stories["one"]
    assert (story.line, story.kind, story.options["source"]) == (1, "story", (3, "人民网"))
    assert story.blocks["zh"].headline == (7, "中文标题") and story.blocks["en"].line == 12
    assert story.blocks["zh"].body == [(9, "中文正文。")]  # MyST takes the blank line after the options off
    assert story.stray == [] and story.extra_blocks == []
    (pair,) = issue.pairs
    assert (pair.kind, pair.line, pair.options["class"]) == ("pair", 19, (20, "masthead"))
    assert set(pair.blocks) == {"zh", "en"}


#: (name, change to STORY: old -> new, the line named (its text start, nth), words of the message)
CASES = {
    "no source": (":source: 人民网\n", "", ("::::{story}", 1), ["story 'one' has no source", ":source: <outlet>"]),
    "an empty source": (":source: 人民网\n", ":source:\n", ("::::{story}", 1), ["has no source"]),
    "number not a whole number": (":number: 1\n", ":number: first\n", (":number:", 1),
                                  ["':number: first'", "whole number from 1"]),
    "number zero": (":number: 1\n", ":number: 0\n", (":number:", 1), ["whole number from 1"]),
    "unknown topic": (":tags: employment\n", ":tags: employment, blockchain\n", (":tags:", 1),
                      ["'blockchain'", "tags.yml does not list", "use one of: employment, policy"]),
    "unknown source": (":source: 人民网\n", ":source: 人民日报\n", (":source:", 1),
                       ["story 'one' cites ':source: 人民日报', which sources.yml does not list",
                        "add it to sources.yml with name_zh, name_en and url", "or use one of: 人民网"]),
    "no English block": (":::{en}\n:headline: English headline\n\nEnglish text.\n:::\n", "", ("::::{story}", 1),
                         ["has Chinese but no English block", ":gap: all"]),
    "two Chinese blocks": (":::{en}\n:headline: English headline\n", ":::{zh}\n:headline: 又一个\n\n正文。\n:::\n\n"
                           ":::{en}\n:headline: English headline\n", (":::{zh}", 2),
                           ["has two {zh} blocks (the first at line 6)", "merge them"]),
    "text outside the language blocks": (":::{en}\n", "A stray paragraph.\n\n:::{en}\n", ("A stray", 1),
                                         ["holds text outside a language block"]),
    "a heading outside the language blocks": (":::{en}\n", "## Heading\n\n:::{en}\n", ("## Heading", 1),
                                              ["holds text outside a language block"]),
    "a misspelt language block": (":::{en}\n", ":::{eng}\n", (":::{eng}", 1),
                                  ["story 'one' has no English block, and a {eng} block here", "check the name"]),
    "another directive between the blocks": (":::{en}\n", ":::{note}\nA note.\n:::\n\n:::{en}\n", (":::{note}", 1),
                                             ["holds a {note} block outside its language blocks"]),
    "gap all with text": (":headline: English headline\n", ":headline: English headline\n:gap: all\n",
                          (":::{en}", 1), ["marked ':gap: all' but has text"]),
    "gap body with a body": (":headline: English headline\n", ":headline: English headline\n:gap: body\n",
                             (":::{en}", 1), ["marked ':gap: body' but has a body"]),
    "gap partial without text": ("English text.\n", "", (":::{en}", 1), ["is empty"]),
    "an empty block": ("中文正文。\n", "", (":::{zh}", 1), ["block of story 'one' is empty", ":gap: body"]),
    "gap headline with a headline": (":headline: 中文标题\n", ":headline: 中文标题\n:gap: headline\n",
                                     (":::{zh}", 1), ["':gap: headline' but has ':headline:'"]),
    "no headline, no gap": (":headline: 中文标题\n", "", (":::{zh}", 1),
                            ["has no headline", ":gap: headline"]),
    "a gap that is no gap": (":headline: English headline\n", ":headline: English headline\n:gap: some\n",
                             (":gap:", 1), ["':gap: some'", "one of: headline, body, all, partial"]),
    "an emoji in a card headline": (":headline: English headline\n", ":headline: English headline 🎬\n",
                                    (":headline: English", 1), ["'🎬' (U+1F3AC)", "remove it or write it in words"]),
    "an option MyST does not know": (":headline: 中文标题\n", ":headline: 中文标题\n:colour: red\n", (":::{zh}", 1),
                                     ["Unknown option keys: ['colour']", "templates/issue.md"]),
    "options that do not parse": (":headline: 中文标题\n", ":headline: 'unclosed\n", (":::{zh}", 1),
                                  ["Invalid options format"]),
    # (found by an attack helper: each once passed the validator, and the build lost content or disagreed)
    "a second story with the same id": ("::::\n", "::::\n\n::::{story} one\n:source: 人民网\n\n:::{zh}\n:gap: all\n:::\n\n"
                                        ":::{en}\n:gap: all\n:::\n::::\n", ("::::{story} one", 2),
                                        ["story 'one' is already the story at line 1"]),
    "a story id pages cannot link to": ("{story} one", "{story} One\"><b>", ("::::{story}", 1),
                                        ["must be lower-case letters, digits and hyphens"]),
    "a story inside another block": ("::::{story} one\n", ":::::{note}\n::::{story} one\n", ("::::{story}", 1),
                                     ["story 'one' stands inside a {note} block"]),
    "a story inside a directive whose name holds a colon": (
        "::::{story} one\n", ":::::{py:function} f()\n::::{story} one\n", ("::::{story}", 1),
        ["stands inside a {py:function} block"]),
    "a code cell inside a language block": ("English text.\n", "English text.\n\n```{code-cell} ipython3\nx = 1\n```\n",
                                            ("```{code-cell}", 1), ["stands inside a {en} block, where it does not run"]),
    "a second figures block": ("::::\n", "::::\n\n```{figures}\n[]\n```\n\n```{figures}\n[]\n```\n", ("```{figures}", 2),
                               ["a second {figures} block (the first is at line"]),
    "cell metadata that hides a story": ("::::{story} one\n", '+++ {"tags": ["remove-cell"]}\n\n::::{story} one\n',
                                         ("+++", 1), ["gives the Markdown after it cell metadata"]),
    "a line separator": ("English text.", "English\u2028text.", ("English\u2028", 1), ["U+2028 LINE SEPARATOR"]),
    "a story name run into its id": ("::::{story} one\n", "::::{story}one\n", (":::{zh}", 1),
                                     ["a {zh} block must sit inside a {story} or {pair} block"]),
    "a directive the format does not know": ("English text.\n", "English text.\n\n```{only} latex\nx\n```\n",
                                             ("```{only}", 1), ["{only} is not a directive of the issue format"]),
    "a raw cell": ("English text.\n", "English text.\n\n```{raw-cell}\n<script>x</script>\n```\n", ("```{raw-cell}", 1),
                   ["a {raw-cell} block is not allowed in an issue"]),
    "a directive name in capitals": ("English text.\n", "English text.\n\n```{Raw} html\n<script>x</script>\n```\n",
                                     ("```{Raw}", 1), ["a {raw} block is not allowed in an issue"]),
    "a table read from a file": ("English text.\n", "English text.\n\n```{csv-table}\n:file: /etc/hostname\n```\n",
                                 ("```{csv-table}", 1), ["with ':file:' reads another file"]),
    "a table read from an address": ("English text.\n", "English text.\n\n```{csv-table}\n:url: http://127.0.0.1/x\n```\n",
                                     ("```{csv-table}", 1), ["with ':url:' reads another file or an address"]),
    "raw HTML in a headline": (":headline: English headline\n", ":headline: English <img src=x> headline\n",
                               (":headline: English", 1), ["raw HTML <img> is not allowed in an issue"]),
    "an emoji written as an entity in a card headline": (
        ":headline: English headline\n", ":headline: &#x1F3AC; English headline\n", (":headline: &#x1F3AC;", 1),
        ["'🎬' (U+1F3AC)"]),
    "a reference link to another scheme": ("English text.\n:::\n::::\n",
                                           "English [text][r1].\n:::\n::::\n\n[r1]: ftp://example.com/x\n",
                                           ("English [text]", 1), ["uses 'ftp:'"]),
    "a body of comments only": ("English text.\n", "% English text.\n(a-target)=\n", (":::{en}", 1),
                                ["block of story 'one' is empty"]),
    "a number in superscript digits": (":number: 1\n", ":number: ³\n", (":number:", 1), ["whole number from 1"]),
    "an unclosed block": ("English text.\n:::\n::::\n", "English text.\n::::\n", (":::{en}", 1), ["never closed"]),
    "raw HTML in a story": ("English text.\n", "English <script>alert(1)</script> text.\n", ("English <script>", 1),
                           ["raw HTML <script> is not allowed in an issue", "write the content in MyST"]),
}


@pytest.mark.parametrize("case", CASES)
def test_each_rule_names_its_line_and_fix(case):
    old, new, (start, nth), words = CASES[case]
    assert old in STORY
    text = STORY.replace(old, new, 1)
    found = errors(text)
    line = line_of(text, start, nth)
    assert any(at == line and all(w in message for w in words) for at, message in found), (line, found)


def test_the_model_reads_directives_as_myst_does():
    # options as a YAML block, with a quoted value holding a '#'
    text = STORY.replace(":::{zh}\n:headline: 中文标题\n", ':::{zh}\n---\nheadline: "中文标题 # 二"\n---\n')
    story = parse_issue(text).stories["one"]
    assert story.blocks["zh"].headline == (line_of(text, "headline:"), "中文标题 # 二")
    assert errors(text) == []
    # body text on the directive's own line (a directive without arguments)
    pair = PAIR.replace(":::{en}\nPANDA Mini-drama\n", ":::{en} PANDA Mini-drama\n")
    assert parse_issue(pair).pairs[0].blocks["en"].body == [(line_of(pair, ":::{en}"), "PANDA Mini-drama")]
    assert errors(pair, is_issue=False, rules=page_rules) == []
    # ... also with options below it
    mixed = STORY.replace(":::{en}\n:headline: English headline\n\nEnglish text.\n",
                          ":::{en} English text.\n:headline: English headline\n")
    block = parse_issue(mixed).stories["one"].blocks["en"]
    assert (block.body, block.headline) == ([(line_of(mixed, ":::{en}"), "English text.")],
                                            (line_of(mixed, ":headline: English"), "English headline"))
    assert errors(mixed) == []
    # a story without its id: MyST's own words, at its line
    assert errors("::::{story}\n::::\n", is_issue=False, rules=page_rules) == [
        (1, "the {story} block cannot be read: 1 argument(s) required, 0 supplied; write it as in templates/issue.md")]


def test_what_myst_reads_as_good_passes():
    # a pair whose body opens with its first block (MyST reads no option line there)
    tight = PAIR.replace(":class: masthead\n\n", "")
    assert errors(tight, is_issue=False, rules=page_rules) == []
    # a ':::{note}' line inside a code block inside a language block opens nothing
    code = STORY.replace("English text.\n", "English text.\n\n```text\n:::{note}\n```\n")
    assert errors(code) == []
    # a story inside a {note}: the same story at the top passes
    assert errors(STORY) == []


def test_a_pair_has_no_headline_and_its_blocks_their_text():
    text = PAIR.replace(":::{zh}\n", ":::{zh}\n:headline: 标题\n")
    assert errors(text, is_issue=False, rules=page_rules) == [(line_of(text, ":::{zh}"), "the Chinese block of this {pair} block has ':headline:', "
                                                        "which only a {story} takes")]
    text = PAIR.replace("PANDA Mini-drama\n", "")
    assert [line for line, _ in errors(text, is_issue=False, rules=page_rules)] == [line_of(text, ":::{en}")]


def test_a_language_block_outside_a_story_or_pair():
    text = ":::{zh}\n中文\n:::\n"
    assert errors(text, is_issue=False, rules=page_rules) == [
        (1, "a {zh} block must sit inside a {story} or {pair} block; wrap it in '::::{story} <id>' ... '::::'")]


def test_a_language_block_inside_another_directive_is_not_the_storys():
    text = STORY.replace(":::{en}\n:headline: English headline\n\nEnglish text.\n:::\n",
                         ":::{note}\n::{en}\n:::\n\n``````{note}\n:::{en}\n:headline: English headline\n\n"
                         "English text.\n:::\n``````\n")
    found = errors(text)
    assert any("no English block" in message for _, message in found)
    assert any("must sit inside a {story} or {pair}" in message for _, message in found)


def test_an_issue_without_stories():
    assert errors("# Title\n\nText.\n") == [(1, "this issue has no {story}; write each story as '::::{story} <id>' "
                                                "with a {zh} and an {en} block")]
    assert errors("# Title\n\nText.\n", is_issue=False, rules=page_rules) == []


def test_only_the_stories_the_card_shows_are_checked_for_it():
    from newsletter.rules import CARD_STORIES

    shown = "\n".join(STORY.replace("{story} one", f"{{story}} s{i}") for i in range(CARD_STORIES))
    last = STORY.replace("{story} one", "{story} last").replace("English headline", "English headline 🎬")
    assert errors(shown + "\n" + last) == []
    assert errors(last + "\n" + shown) != []
    assert card_problem("图表 · 2025") is None


def test_the_cards_shortcut_lets_pass_only_what_the_font_has():
    # the attack review found ‣ (U+2023), U+9FF0 and U+FF00 let through by the shortcut, and the build crashing
    from newsletter.rules import _CARD_SAFE, _card_glyphs

    passed = [c for c in range(0x20, 0x10000) if 0xD800 > c or c > 0xDFFF if _CARD_SAFE.fullmatch(chr(c))]
    assert len(passed) > 20000
    assert [hex(c) for c in passed if c not in _card_glyphs()] == []


@pytest.mark.parametrize("text", ["标题🎬", "标题😀", "Ünïcode café — “quoted”", "①②", "→ ✓", "𠀀", "\u0301",
                                  "Peking University ‣ Releases", "‗", "\u9ff0", "\uff00"])
def test_what_the_card_rule_lets_pass_the_card_draws(text):
    # the rule reads the fonts' character maps; the card is drawn by matplotlib, which fails on a missing glyph
    sys.path.insert(0, str(Path(__file__).parents[1] / "_ext"))
    from panda_book.site.cards import Card, draw_card

    problem = card_problem(text)
    try:
        draw_card(Card("PANDA微短剧", ((text, ""),)))
        drawn = True
    except UserWarning:
        drawn = False
    assert (problem is None) == drawn, (text, problem)


def test_the_numbers_rule_is_the_number_checker():
    text = STORY.replace("中文正文。", "带动就业约300人。").replace("English text.", "It created about 500 jobs.")
    assert any("300" in message for _, message in errors(text))


def test_the_validator_and_the_build_run_these_rules():
    # the validator: every rule on each issue; the build (rules/checks.py): the same list, and the
    # structural ones on the book's other pages
    validate = (Path(__file__).parents[1] / "newsletter" / "validate.py").read_text(encoding="utf-8")
    checks = (Path(__file__).parents[1] / "_ext" / "panda_book" / "rules" / "checks.py").read_text(encoding="utf-8")
    assert "page_findings(Page(" in validate
    assert "page_findings(page, RULES if is_issue else page_rules)" in checks
    assert set(page_rules) < set(RULES)


def test_front_matter_lines_come_from_the_yaml_tree():
    from newsletter.issue import front_matter_lines

    text = "---\njupytext:\n  number: 7\nissue:\n  date: 2025-11\n  number: 1\n---\n\n# x\n"
    lines = front_matter_lines(text)
    assert (lines["issue"], lines["issue.number"], lines["issue.date"], lines["jupytext.number"]) == (4, 6, 5, 3)
    assert front_matter_lines("---\nissue: [\n---\n") == {} and front_matter_lines("# no front matter\n") == {}


def test_a_key_written_twice_in_the_front_matter_is_named_at_its_second_line():
    from newsletter.issue import front_matter_lines, front_matter_repeats

    text = ("---\ntitle: a\nissue:\n  number: 1\n  date: \"2025-11\"\n  date: \"2025-12\"\n"
            "kernelspec:\n  name: python3\n  number: 2\ntitle: b\n---\n\n# x\n")
    repeats = front_matter_repeats(text)
    assert [line for line, _ in repeats] == [6, 10]
    assert "'date:' is written a second time under 'issue:' (first at line 5)" in repeats[0][1]
    assert "'title:' is written a second time in the front matter (first at line 2)" in repeats[1][1]
    assert all("remove one of the two lines" in message for _, message in repeats)
    # the same key in two mappings (issue.number, kernelspec.number) is no repeat; lines name the first
    assert front_matter_lines(text)["issue.date"] == 5
    assert front_matter_repeats("---\nissue: [\n---\n") == [] and front_matter_repeats("# none\n") == []


def test_the_inputs_stamp_goes_on_the_calls_the_code_makes():
    sys.path.insert(0, str(Path(__file__).parents[1] / "_ext"))
    from panda_book.model.inputs import load_lines, stamp

    text = ("```{code-cell} ipython3\n:tags: [remove-input]\n\nfrom charts import load_figures\n"
            "figures = load_figures(\n    'x.md')  # the records\nnote = 'load_figures(1)'  # a string\n"
            "# load_figures(2) in a comment\n```\n\n```{code-cell} ipython3\nload_figures(  # does not parse\n```\n")
    assert load_lines(text) == [6]
    stamped = stamp(text).splitlines()
    assert stamped[5].startswith("    'x.md')  # the records  # inputs: ") and len(stamped) == len(text.splitlines())
    assert [i for i, line in enumerate(stamped, 1) if "# inputs:" in line] == [6]
