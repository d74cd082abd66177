"""Numbers as Chinese and English news text writes them.

:func:`parse_zh` and :func:`parse_en` find every number in a text and say what it
means: its value and its kind (a count or amount, a percentage, an ordinal, a
date, a year). Forms understood:

- Chinese: Arabic and full-width digits, thousands separators, decimals, and the
  scales 千, 万, 十万, 百万, 千万, 亿, 百亿, 千亿, 万亿 after digits (203万 = 2,030,000;
  3千万 = 30,000,000); Chinese numerals before a measure word (三千部, 两万人,
  一百二十集); the qualifiers 约/大约 (about), 近/将近/接近 (nearly), 超/超过/逾 (over)
  before a number and 余/多 (over) inside it (3000余万 = 30,000,000, over; 5千余万 = 50,000,000,
  over; 三千余万, 十余万, 十余部); Chinese-numeral years (二〇二五年); ranges
  with one scale (3-5万 = 30,000 and 50,000); percentages (12%, 百分之十二) and 成
  (三成 = 30%); ordinals (第38届, 第四部, 150周年), dates (11月8日) and years (2025年).
- English: digits with separators and decimals, million / billion / thousand /
  trillion (2.03 million) and bn / mn (5bn), money glued to its currency (RMB5,000,
  US$3m, HK$1.2bn, ¥300k); the qualifiers about/around/approximately (about),
  nearly/almost (nearly), over/more than/exceeding (over) before a number; ranges with
  one scale (3-5 million); percentages (12%, 12 percent), ordinals (38th, fourth),
  dates (November 8, 8 November) and bare years (2025).

Numbers are written back with babel (``format_decimal``), in the house style: 2,030,000.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

#: kinds that can stand for each other: a year is also a plain number ("2000人" / "2000 people")
FAMILY = {"number": "number", "year": "number", "percent": "percent", "ordinal": "ordinal", "date": "date"}

_FULLWIDTH = str.maketrans("０１２３４５６７８９，．％", "0123456789,.%")
_ZH_DIGITS = {"零": 0, "〇": 0, "一": 1, "二": 2, "两": 2, "三": 3, "四": 4, "五": 5, "六": 6, "七": 7, "八": 8,
              "九": 9}
_ZH_UNITS = {"十": 10, "百": 100, "千": 1000}
_ZH_BIG = {"万": 10_000, "亿": 100_000_000}
_ZH_SCALE = {"千": 1e3, "万": 1e4, "十万": 1e5, "百万": 1e6, "千万": 1e7, "亿": 1e8, "百亿": 1e10, "千亿": 1e11,
             "万亿": 1e12}
#: the scales as a regex alternation, longest first (千万 before 千); 余 or 多 may stand inside one (5千余万 is over
#: 50,000,000)
_ZH_SCALE_RE = "|".join("(?:余|多)?".join(scale) for scale in sorted(_ZH_SCALE, key=len, reverse=True))
#: the scales after Chinese numerals and 余/多 (十余万, 三千余万); not 千 alone (三百余千米 is kilometres)
_ZH_NUMERAL_SCALE_RE = "|".join(scale for scale in sorted(_ZH_SCALE, key=len, reverse=True) if scale != "千")
_ZH_BEFORE = {"约": "about", "大约": "about", "近": "nearly", "将近": "nearly", "接近": "nearly", "超": "over",
              "超过": "over", "逾": "over", "突破": "over"}
_ZH_BEFORE_RE = "|".join(sorted(_ZH_BEFORE, key=len, reverse=True))
#: measure words after which a run of Chinese numerals is a count
_COUNTERS = "人部集家个次名位项条场届期年天岁元块倍万亿千百"
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12, "k": 1e3, "m": 1e6, "mn": 1e6,
             "b": 1e9, "bn": 1e9}
_EN_BEFORE = {"about": "about", "around": "about", "approximately": "about", "roughly": "about", "nearly": "nearly",
              "almost": "nearly", "over": "over", "more than": "over", "exceeding": "over", "upwards of": "over"}
_EN_BEFORE_RE = "|".join(sorted(_EN_BEFORE, key=len, reverse=True))
_CURRENCY = r"(?:US\$|HK\$|NT\$|RMB|CNY|USD|\$|¥|￥|€|£)"
_EN_ORDINALS = ["first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth", "ninth", "tenth",
                "eleventh", "twelfth", "thirteenth", "fourteenth", "fifteenth", "sixteenth", "seventeenth",
                "eighteenth", "nineteenth", "twentieth"]

_NUM = r"(?:\d{1,3}(?:,\d{3})+|\d+)(?:\.\d+)?"
_ZH_NUMERALS = "零〇一二两三四五六七八九十百千万亿"


@dataclass(frozen=True)
class Number:
    """One number in a text: as written, what it means, and where it is."""

    text: str
    value: float
    kind: str  # number, percent, ordinal, date, year
    start: int
    end: int
    #: what the text says of its precision: "about", "nearly", "over", or "" (as written)
    qualifier: str = ""

    @property
    def family(self) -> str:
        return FAMILY[self.kind]

    def meaning(self) -> str:
        """What the number means, in a form both languages' readers check at a glance."""
        if self.kind == "date":
            month, day = divmod(int(self.value), 100)
            return f"{_MONTHS[month - 1].title()} {day}"
        if self.kind == "ordinal":
            n = int(self.value)
            suffix = "th" if 10 <= n % 100 <= 20 else {1: "st", 2: "nd", 3: "rd"}.get(n % 10, "th")
            return f"{n}{suffix}"
        if self.kind == "percent":
            return f"{_plain(self.value)}%"
        if self.kind == "year":
            return str(int(self.value))
        return _plain(self.value)

    def matches(self, other: "Number") -> bool:
        return self.family == other.family and abs(self.value - other.value) <= 1e-9 * max(1, abs(self.value))


def _plain(value: float) -> str:
    from babel.numbers import format_decimal

    if abs(value) >= 1e15:  # beyond what a float holds exactly (and babel's rounding): shown as it is stored
        return f"{value:,.0f}"
    return format_decimal(round(value, 6), format="#,##0.######", locale="en_US")


def _number(text: str) -> float:
    return float(text.replace(",", ""))


def zh_numeral(text: str) -> int | None:
    """The value of Chinese numerals (三千 = 3000, 两万 = 20000, 一百二十 = 120); None if malformed."""
    total, section, digit = 0, 0, None
    for ch in text:
        if ch in "零〇" and digit is None:
            continue  # a place holder: 一百零五 = 105
        if ch in _ZH_DIGITS:
            if digit is not None:
                return None  # two digits in a row (一一) is not a number
            digit = _ZH_DIGITS[ch]
        elif ch in _ZH_UNITS:
            section += (1 if digit is None else digit) * _ZH_UNITS[ch]
            digit = None
        elif ch in _ZH_BIG:
            section += digit or 0
            total = (total + section) * _ZH_BIG[ch] if ch == "亿" else total + section * _ZH_BIG[ch]
            section, digit = 0, None
        else:
            return None
    return total + section + (digit or 0)


def _scan(text: str, patterns) -> list[Number]:
    """Apply (regex, kind, value function) in order; earlier patterns claim their spans first."""
    taken = [False] * len(text)
    found: list[Number] = []
    for regex, kind, value_of in patterns:
        for m in re.finditer(regex, text, flags=re.IGNORECASE):
            if any(taken[m.start():m.end()]):
                continue
            value = value_of(m)
            if value is None:
                continue
            if isinstance(value, list):  # a range: one number for each end
                found += [Number(text[a:b].strip(), v, kind, a, b, q) for v, q, a, b in value]
            else:
                value, qualifier = value if isinstance(value, tuple) else (value, "")
                # a qualifier word before the number (约, about) is not part of its text or span
                start = m.start("n") if "n" in m.re.groupindex else m.start()
                found.append(Number(text[start:m.end()].strip(), value, kind, start, m.end(), qualifier))
            for i in range(m.start(), m.end()):
                taken[i] = True
    return sorted(found, key=lambda n: n.start)


def parse_zh(text: str) -> list[Number]:
    """Every number in a Chinese text (see the module doc for the forms)."""
    text = text.translate(_FULLWIDTH)  # same length: positions stay valid

    def numeral_count(m):
        value = zh_numeral(m.group("v"))
        if value is None or not (m.group("c") or m.group("o") or m.group("s") or m.group("v")[-1] in "十百千万亿"):
            return None
        if len(m.group("v")) == 1 and not (m.group("o") and m.group("v") in "十百千万"):
            return None  # one numeral (一个, 统一, 一多半) is a number only as 十余, 百多, 千余, 万余
        value *= _ZH_SCALE.get(m.group("s"), 1)
        return value, "over" if m.group("o") else _ZH_BEFORE.get(m.group("q") or "", "")

    def scaled(m):
        scale = re.sub("余|多", "", m.group("s") or "")
        over = "余" in m.group(0) or "多" in m.group(0)
        qualifier = "over" if over else _ZH_BEFORE.get(m.group("q") or "", "")
        return _number(m.group("n")) * _ZH_SCALE.get(scale, 1), qualifier

    def digit_year(m):  # 二〇二五年: the year digit by digit
        year = int("".join(str(_ZH_DIGITS[ch]) for ch in m.group(1)))
        return year if 1900 <= year <= 2100 else None

    def tenths(m):
        share = _number(m.group("v")) if m.group("v")[0].isdigit() else zh_numeral(m.group("v"))
        return 10 * share, _ZH_BEFORE.get(m.group("q") or "", "")

    return _scan(text, [
        (r"(\d{1,2})月(\d{1,2})[日号]", "date", lambda m: int(m.group(1)) * 100 + int(m.group(2))
         if 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31 else None),
        (r"(\d{4})年", "year", lambda m: int(m.group(1)) if 1900 <= int(m.group(1)) <= 2100 else None),
        (r"([〇零一二三四五六七八九]{4})年", "year", digit_year),
        (r"第(\d+)", "ordinal", lambda m: int(m.group(1))),
        (rf"第([{_ZH_NUMERALS}]+)", "ordinal", lambda m: zh_numeral(m.group(1))),
        (r"(\d+)周年", "ordinal", lambda m: int(m.group(1))),
        (rf"({_NUM})\s*%", "percent", lambda m: _number(m.group(1))),
        (rf"百分之([{_ZH_NUMERALS}]+|{_NUM})", "percent",
         lambda m: zh_numeral(m.group(1)) if not m.group(1)[0].isdigit() else _number(m.group(1))),
        (rf"(?P<q>{_ZH_BEFORE_RE})?(?P<n>(?P<v>{_NUM}|[一二两三四五六七八九十])成)(?![都为功立长本员果交绩就])",
         "percent", tenths),
        (rf"({_NUM})\s*[-–—~～至到]\s*({_NUM})\s*({_ZH_SCALE_RE})", "number", lambda m: [
            (_number(m.group(1)) * _ZH_SCALE[m.group(3)], "", m.start(1), m.end(1)),
            (_number(m.group(2)) * _ZH_SCALE[m.group(3)], "", m.start(2), m.end())]),
        (rf"(?P<q>{_ZH_BEFORE_RE})?\s*(?P<n>{_NUM})\s*(?:余|多)?\s*(?P<s>{_ZH_SCALE_RE})?(?:余|多)?", "number", scaled),
        (rf"(?P<q>{_ZH_BEFORE_RE})?(?P<n>(?P<v>[{_ZH_NUMERALS}]+)(?P<o>余|多)?(?P<s>{_ZH_NUMERAL_SCALE_RE})?"
         rf"(?P<c>[{_COUNTERS}]?))(?![{_ZH_NUMERALS}])", "number", numeral_count),
    ])


def parse_en(text: str) -> list[Number]:
    """Every number in an English text (see the module doc for the forms)."""
    months = "|".join(_MONTHS)

    def month(name: str) -> int:
        return _MONTHS.index(name.lower()) + 1

    def scaled(m):
        before = re.sub(r"\s+", " ", (m.group("q") or "").lower())
        scale = m.group("s") or (m.group("g") if "g" in m.re.groupindex else None) or ""
        return _number(m.group("v")) * _EN_SCALE.get(scale.lower(), 1), _EN_BEFORE.get(before, "")

    def ranged(m):
        scale = _EN_SCALE[m.group(3).lower()]
        return [(_number(m.group(1)) * scale, "", m.start(1), m.end(1)),
                (_number(m.group(2)) * scale, "", m.start(2), m.end())]

    def bare(m):
        return int(m.group(0)) if re.fullmatch(r"\d{4}", m.group(0)) and 1900 <= int(m.group(0)) <= 2100 else None

    return _scan(text, [
        (rf"\b({months})\s+(\d{{1,2}})(?:st|nd|rd|th)?\b", "date",
         lambda m: month(m.group(1)) * 100 + int(m.group(2)) if 1 <= int(m.group(2)) <= 31 else None),
        (rf"\b(\d{{1,2}})(?:st|nd|rd|th)?\s+({months})\b", "date",
         lambda m: month(m.group(2)) * 100 + int(m.group(1)) if 1 <= int(m.group(1)) <= 31 else None),
        (r"\b(\d+)(?:st|nd|rd|th)\b", "ordinal", lambda m: int(m.group(1))),
        (rf"\b({'|'.join(_EN_ORDINALS)})\b", "ordinal", lambda m: _EN_ORDINALS.index(m.group(1).lower()) + 1),
        (rf"({_NUM})\s*(?:%|percent\b|per cent\b)", "percent", lambda m: _number(m.group(1))),
        (rf"(?<![\w.])({_NUM})\s*(?:-|–|to)\s*({_NUM})\s*(million|billion|thousand|trillion|bn|mn)\b", "number",
         ranged),
        (rf"(?:\b(?P<q>{_EN_BEFORE_RE})\s+)?(?P<n>{_CURRENCY}\s?(?P<v>{_NUM}))"
         r"\s*(?P<s>million|billion|thousand|trillion|bn|mn|m|b|k)?\b", "number", scaled),
        (r"(?<![\d.,])\d{4}(?![\d.,%])(?!\s*(?:million|billion|thousand|trillion|bn|mn)\b)", "year", bare),
        (rf"(?:\b(?P<q>{_EN_BEFORE_RE})\s+)?(?<![\w.])(?P<n>(?P<v>{_NUM}))"
         r"(?:\s*(?P<s>million|billion|thousand|trillion)\b|(?P<g>bn|mn)\b)?", "number", scaled),
    ])
