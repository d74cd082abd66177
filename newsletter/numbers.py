"""Numbers as Chinese and English news text writes them.

:func:`parse_zh` and :func:`parse_en` find every number in a text and say what it
means: its value and its kind (a count or amount, a percentage, an ordinal, a
date, a year). Forms understood:

- Chinese: Arabic and full-width digits, thousands separators, decimals, 万, 亿,
  万亿 and 千 after digits (203万 = 2,030,000; 3685万 = 36,850,000), Chinese
  numerals before a measure word (三千部, 两万人, 一百二十集), percentages (12%,
  百分之十二), ordinals (第38届, 第四部, 150周年), dates (11月8日) and years (2025年).
- English: digits with separators and decimals, million / billion / thousand /
  trillion (2.03 million), percentages (12%, 12 percent), ordinals (38th, fourth),
  dates (November 8, 8 November) and bare years (2025).
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
_ZH_SCALE = {"千": 1e3, "万": 1e4, "亿": 1e8, "万亿": 1e12}
#: measure words after which a run of Chinese numerals is a count
_COUNTERS = "人部集家个次名位项条场届期年天岁元块倍万亿千百"
_MONTHS = ["january", "february", "march", "april", "may", "june", "july", "august", "september",
           "october", "november", "december"]
_EN_SCALE = {"thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12}
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
    if float(value).is_integer():
        return f"{int(value):,}"
    return f"{value:,.6f}".rstrip("0").rstrip(".")


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
            found.append(Number(m.group(0).strip(), value, kind, m.start(), m.end()))
            for i in range(m.start(), m.end()):
                taken[i] = True
    return sorted(found, key=lambda n: n.start)


def parse_zh(text: str) -> list[Number]:
    """Every number in a Chinese text (see the module doc for the forms)."""
    text = text.translate(_FULLWIDTH)  # same length: positions stay valid

    def numeral_count(m):
        value = zh_numeral(m.group(1))
        return value if value is not None and (m.group(2) or m.group(1)[-1] in "十百千万亿") else None

    return _scan(text, [
        (r"(\d{1,2})月(\d{1,2})[日号]", "date", lambda m: int(m.group(1)) * 100 + int(m.group(2))
         if 1 <= int(m.group(1)) <= 12 and 1 <= int(m.group(2)) <= 31 else None),
        (r"(\d{4})年", "year", lambda m: int(m.group(1)) if 1900 <= int(m.group(1)) <= 2100 else None),
        (r"第(\d+)", "ordinal", lambda m: int(m.group(1))),
        (rf"第([{_ZH_NUMERALS}]+)", "ordinal", lambda m: zh_numeral(m.group(1))),
        (r"(\d+)周年", "ordinal", lambda m: int(m.group(1))),
        (rf"({_NUM})\s*%", "percent", lambda m: _number(m.group(1))),
        (rf"百分之([{_ZH_NUMERALS}]+|{_NUM})", "percent",
         lambda m: zh_numeral(m.group(1)) if not m.group(1)[0].isdigit() else _number(m.group(1))),
        (rf"({_NUM})\s*(万亿|亿|万|千)?", "number", lambda m: _number(m.group(1)) * _ZH_SCALE.get(m.group(2), 1)),
        (rf"([{_ZH_NUMERALS}]{{2,}})([{_COUNTERS}]?)", "number", numeral_count),
    ])


def parse_en(text: str) -> list[Number]:
    """Every number in an English text (see the module doc for the forms)."""
    months = "|".join(_MONTHS)

    def month(name: str) -> int:
        return _MONTHS.index(name.lower()) + 1

    def scaled(m):
        value = _number(m.group(1)) * _EN_SCALE.get((m.group(2) or "").lower(), 1)
        return value

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
        (r"(?<![\d.,])\d{4}(?![\d.,%])(?!\s*(?:million|billion|thousand|trillion)\b)", "year", bare),
        (rf"(?<![\w.])({_NUM})(?:\s*(million|billion|thousand|trillion)\b)?", "number", scaled),
    ])
