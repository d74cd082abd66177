"""Figure records, the number parser and the number checker (no build)."""

from __future__ import annotations

import pytest

from newsletter import FiguresError, check_text, parse_en, parse_figures, parse_zh
from newsletter.numbers import zh_numeral

from .conftest import ISSUE1, ROOT

GOOD = """\
- id: total
  story: s
  value: 300
  unit: person
  period: "2025"
  label_zh: 总
  label_en: Total
  source: 人民网
  zh: 共300人。
  en: 300 people in all.
- id: part
  story: s
  value: 100
  unit: person
  period: "2025"
  label_zh: 部分
  label_en: Part
  source: 人民网
  part_of: total
  zh: 其中100人。
  en: 100 people of them.
"""


def test_good_records_parse():
    figures = parse_figures(GOOD, "issues/x.md")
    assert figures["part"].part_of == "total" and figures["total"].zh == "共300人。"
    assert figures["part"].line_of("zh") == 20


@pytest.mark.parametrize(("old", "new", "line", "words"), [
    ("  source: 人民网\n  zh: 共300人。", "  zh: 共300人。", 1, "lacks source"),
    ("  zh: 其中100人。\n", "", 11, "lacks zh"),
    ("value: 300", "value: 三百", 3, "not a number"),
    ("value: 100", "value: -100", 13, "negative"),
    ("value: 300", "value: .nan", 3, "not a number"),
    ("unit: person\n  period: \"2025\"\n  label_zh: 部分", "unit: people\n  period: \"2025\"\n  label_zh: 部分",
     14, "does not exist"),
    ("period: \"2025\"\n  label_zh: 总", "period: last year\n  label_zh: 总", 5, "year or a year-month"),
    ("  en: 300 people in all.", "  en: 300 people in all.\n  colour: red", 11, "unknown field 'colour'"),
    ("value: 300", "value: 30", 1, "smaller than its part"),
    ("part_of: total", "part_of: nothing", 11, "not a figure id"),
    ("- id: part", "- id: total", 11, "used twice"),
])
def test_figure_errors_name_line_and_fix(old, new, line, words):
    text = GOOD.replace(old, new, 1)
    assert text != GOOD
    with pytest.raises(FiguresError) as info:
        parse_figures(text, "issues/x.md", first_line=1)
    assert info.value.line == line, str(info.value)
    assert words in info.value.message
    assert str(info.value).startswith(f"issues/x.md:{line}: ")


# ---- the parser --------------------------------------------------------------

@pytest.mark.parametrize(("text", "meanings"), [
    ("带动就业203万人", ["2,030,000"]),
    ("约3685万个工日", ["36,850,000"]),
    ("热度已达367万", ["3,670,000"]),
    ("约69万人", ["690,000"]),
    ("稳定在3000部左右", ["3,000"]),
    ("共3,000部", ["3,000"]),
    ("１２３万人", ["1,230,000"]),  # full-width digits
    ("2.5亿次", ["250,000,000"]),
    ("1.2万亿元", ["1,200,000,000,000"]),
    ("3千部", ["3,000"]),
    ("三千部", ["3,000"]),
    ("两万人", ["20,000"]),
    ("一百二十集", ["120"]),
    ("十五家", ["15"]),
    ("三亿五千万人", ["350,000,000"]),
    ("增长12.5%", ["12.5%"]),
    ("百分之十二", ["12%"]),
    ("秋瑾诞辰150周年", ["150th"]),
    ("第38届金鸡奖", ["38th"]),
    ("第四部微短剧", ["4th"]),
    ("自11月8日上线", ["November 8"]),
    ("2025年全国", ["2025"]),
    ("韵味十足，统一，一体", []),  # numeral characters inside words are not numbers
])
def test_parse_zh(text, meanings):
    assert [n.meaning() for n in parse_zh(text)] == meanings


@pytest.mark.parametrize(("text", "meanings"), [
    ("about 2.03 million people", ["2,030,000"]),
    ("36.85 million person-days", ["36,850,000"]),
    ("3.67 million", ["3,670,000"]),
    ("Popularity Surpasses 5 Million!", ["5,000,000"]),
    ("around 3,000 mini series", ["3,000"]),
    ("about 690,000 people", ["690,000"]),
    ("2.5 billion views", ["2,500,000,000"]),
    ("12 thousand", ["12,000"]),
    ("12.5% growth", ["12.5%"]),
    ("12 percent", ["12%"]),
    ("the 150th anniversary", ["150th"]),
    ("the 38th Golden Rooster Awards", ["38th"]),
    ("the fourth mini series", ["4th"]),
    ("since November 8", ["November 8"]),
    ("on 8 November", ["November 8"]),
    ("the 2025 Seminar", ["2025"]),
    ("1,958 people", ["1,958"]),
    ("Kai Ji! Jian Hu Nv Xia", []),
])
def test_parse_en(text, meanings):
    assert [n.meaning() for n in parse_en(text)] == meanings


@pytest.mark.parametrize(("text", "value"), [("三千", 3000), ("两万", 20000), ("一百零五", 105), ("十", 10),
                                              ("一亿二千万", 120_000_000), ("一一", None)])
def test_zh_numeral(text, value):
    assert zh_numeral(text) == value


def test_year_and_count_of_the_same_value_pair_up():
    (zh,), (en,) = parse_zh("2000年"), parse_en("2000")
    assert zh.kind == en.kind == "year" and zh.matches(en)
    assert parse_zh("2000人")[0].matches(en)  # "2000 people" reads as a year in English; still a match


# ---- the checker --------------------------------------------------------------

def issue1() -> str:
    return (ROOT / ISSUE1).read_text(encoding="utf-8")


def line_with(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


def test_issue1_as_published_has_no_error_and_notes_story2():
    findings = check_text(issue1(), ISSUE1)
    assert [f for f in findings if f.level == "error"] == []
    notes = [f for f in findings if f.level == "info"]
    said = sorted(f.message.split(" in Chinese")[0] for f in notes)
    assert said == ["11月8日 (November 8)", "20", "5", "500万 (5,000,000)"]
    story2 = line_with(issue1(), "近日，本土国风微短剧")
    assert all(f.line == story2 and "jianhu-nvxia-hongguo" in f.message for f in notes)


# each injected mistake: (find, replace with, the line's text, what the checker must say)
MISTAKES = {
    "wrong unit in English": (
        "approximately 36.85 million person-days", "approximately 36.85 billion person-days",
        "测算结果显示，2025年全国短剧行业预计产生",
        "3685万 (36,850,000) in Chinese has no English counterpart; the English says 36.85 billion (36,850,000,000)"),
    "wrong unit in Chinese": (
        "平台热度已达367万", "平台热度已达367亿", "  zh: 剧集上线后",
        "figure 'hongguo_popularity' is 3.67 million (367万热度), but its Chinese sentence says 367亿 (36,700,000,000)"),
    "dropped digit": (
        "直接吸纳就业人数约69万人", "直接吸纳就业人数约6万人", "测算结果显示",
        "6万 (60,000) in Chinese has no English counterpart; the English says 690,000"),
    "swapped figures": (
        "直接劳动投入约3685万个工日，直接吸纳就业人数约69万人", "直接劳动投入约69万个工日，直接吸纳就业人数约3685万人",
        "  zh: 测算结果显示",
        "figure 'direct_jobs': 69万 (690,000) in its Chinese sentence is not next to its unit"),
    "figure missing in Chinese": (
        "约3685万个工日，直接吸纳就业人数约69万人。", "约3685万个工日。", "directly employ about 690,000 people",
        "690,000 in English has no Chinese counterpart"),
    "figure missing in English": (
        "monthly output has stabilized at around 3,000 mini series", "monthly output has stabilized",
        "全国短剧月度产量已稳定在3000部左右",
        "3000 (3,000) in Chinese has no English counterpart"),
    "record with the wrong value": (
        "  value: 3000\n", "  value: 300\n", "  zh: 全国短剧月度产量",
        "figure 'monthly_output' is 300 (约300部/月), but its Chinese sentence says 3000 (3,000)"),
    "record with the wrong qualifier": (
        "  qualifier: nearly\n", "  qualifier: about\n", "  en: Earlier, another ICH-themed series",
        "figure 'hongguo_views' is 'about', but its English sentence has none of: about"),
    "record citing a sentence that is not in the story": (
        "  en: Nationwide, monthly output has stabilized at around 3,000 mini series,",
        "  en: Nationwide, monthly output stabilized at around 3,000 mini series,", "  en: Nationwide",
        "the English sentence of figure 'monthly_output' is not in story 'pku-employment-report'"),
}


@pytest.mark.parametrize("case", MISTAKES)
def test_checker_catches_injected_mistakes(case):
    old, new, where, message = MISTAKES[case]
    text = issue1()
    assert old in text, old
    text = text.replace(old, new)
    errors = [f for f in check_text(text, ISSUE1) if f.level == "error"]
    line = line_with(text, where)
    hits = [f for f in errors if message in f.message]
    assert hits, "\n".join(map(str, errors))
    assert any(f.line == line for f in hits), (line, [str(f) for f in hits])
    assert all(str(f).startswith(f"{ISSUE1}:{f.line}: ") for f in errors)


def test_partial_story_numbers_are_notes_not_errors():
    text = issue1().replace("秋瑾诞辰150周年", "秋瑾诞辰160周年")  # story 2 is marked partial
    findings = check_text(text, ISSUE1)
    assert [f for f in findings if f.level == "error"] == []
    assert any(f.level == "info" and f.message.startswith("160周年 (160th) in Chinese has no English counterpart; "
                                                          "the English says 150th") for f in findings)


def test_the_command_line(tmp_path, capsys):
    from newsletter.__main__ import main

    good = tmp_path / "good.md"
    good.write_text(issue1(), encoding="utf-8")
    assert main(["check", str(good)]) == 0
    bad = tmp_path / "bad.md"
    bad.write_text(issue1().replace("约69万人", "约6万人"), encoding="utf-8")
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert f"{bad}:" in out and "6万 (60,000) in Chinese has no English counterpart" in out
