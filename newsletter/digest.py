"""The weekly digest (text copied from the WeChat article) read into stories, without Sphinx.

The digest's format (``sources/000_484a9975802836a3.txt`` is the first one), line by line:

- line 1: the masthead and its tagline, Chinese then English on one line;
- optionally a contents list, or fragments of one: headlines that stories repeat later, or that give a
  story the headline it lacks later (an English one, say), sometimes numbered (``4. 成都青羊...``);
- the stories, each: a Chinese headline, the Chinese body (a paragraph a line), ``来源:`` / ``来源：`` (or a
  look-alike colon: ︰ ∶ ﹕) and the outlet, an English headline, the English body; any part may be missing;
- the closing: ``推荐阅读``, ``请为我点个赞再走``.

:func:`parse_digest` reads the bytes (UTF-8 with or without byte-order mark, else GBK/GB18030, said in a note)
into a :class:`Digest` (a Big5 file, which GBK would read as nonsense, is refused; the zero-width characters a copy
carries are not part of a line): every non-blank line of the digest is in exactly one place (the masthead, a story, the
contents repeated by a story, the closing) or in :attr:`Digest.unplaced`. A digest that cannot become an issue
raises :class:`DigestError` naming the file, the line and the fix. Nothing here writes a translation: a part the
digest lacks in one language is a gap (:meth:`DigestStory.gaps`).

Also here, pure helpers the importer uses to place the text: the language of a line (its CJK ratio), the
Chinese punctuation a plain-text copy flattened to ASCII (:func:`restore_zh`), the sentences of a paragraph and
the numbers both languages of a story state (:func:`number_pairs`, read with :mod:`newsletter.numbers`).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from pathlib import Path

from .errors import LocatedError
from .numbers import Number, parse_en, parse_zh

#: Chinese characters (ideographs of the BMP and the extension planes)
_HAN = re.compile(r"[\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f]")
_WORD = re.compile(r"[A-Za-z]+(?:['’][A-Za-z]+)?")
#: CJK punctuation and full-width forms: a masthead's Chinese half may end in them
_CJK_PUNCT = "，。！？；：、“”‘’（）《》【】…—·"
#: the colons a 来源 line is written with: ASCII, full-width, and the look-alikes a copy brings (︰ ∶ ﹕ ꞉)
SOURCE_COLONS = ":：︰∶﹕꞉"
_SOURCE = re.compile(rf"^来源\s*[{SOURCE_COLONS}]\s*(?P<names>.*)$")
#: characters a copy from WeChat carries that show nothing (zero-width space, non-joiner, joiner, word joiner,
#: a byte-order mark inside the text): a line is read without them (a joiner inside an emoji sequence stays)
_INVISIBLE = re.compile(r"[\u200b\u200c\u2060\ufeff]|(?<![\u2600-\u27bf\ufe0f\U0001f000-\U0001faff])\u200d"
                        r"|\u200d(?![\u2600-\u27bf\U0001f000-\U0001faff])")
_NUMBERED = re.compile(r"^\s*(?P<n>\d{1,2})\s*[.、．)）]\s*(?P<text>\S.*)$")
#: the article's closing lines (the issue keeps them word for word in its closing {pair})
CLOSING = ("推荐阅读", "请为我点个赞再走")
#: several outlets on one 来源 line: 人民网、绍兴网 / 人民网, 绍兴网 / 人民网；绍兴网 / 人民网 / 绍兴网
_SOURCE_SPLIT = re.compile(r"\s*(?:[、，,；;|]|\s/\s)\s*")
ZH_HEADLINE_MAX = 60
EN_HEADLINE_MAX_WORDS = 30


class DigestError(LocatedError):
    """The digest cannot become an issue: names the file, the line and the fix."""

    def __str__(self) -> str:
        return f"{self.path}: line {self.line}: {self.message}"


@dataclass(frozen=True)
class Line:
    """A non-blank line of the digest: its number (1-based), its text (stripped) and its language."""

    number: int
    text: str
    lang: str  # "zh", "en", or "" (no letters of either)


@dataclass
class DigestStory:
    """One story as the digest gives it; every part optional."""

    headline: dict[str, Line] = field(default_factory=dict)
    body: dict[str, list[Line]] = field(default_factory=lambda: {"zh": [], "en": []})
    #: (digest line, outlet as written), in order
    sources: list[tuple[int, str]] = field(default_factory=list)
    #: a headline taken from the contents list: {lang: how it was paired ("repeated", "numbered", ...)}
    from_contents: dict[str, str] = field(default_factory=dict)
    #: contents lines that repeat one of its headlines (placed: the issue has the headline)
    repeated: list[Line] = field(default_factory=list)

    @property
    def first_line(self) -> int:
        lines = [*self.headline.values(), *self.body["zh"], *self.body["en"]]
        return min([ln.number for ln in lines] + [n for n, _ in self.sources])

    def has(self, lang: str) -> bool:
        return lang in self.headline or bool(self.body[lang])

    def text(self, lang: str) -> str:
        parts = ([self.headline[lang].text] if lang in self.headline else []) + [ln.text for ln in self.body[lang]]
        return " ".join(parts)

    def gaps(self) -> dict[str, str]:
        """``:gap:`` of each language where the other has what it lacks (``headline``, ``body``, ``all``,
        ``partial``), as issue 1 marks them; "" where nothing is missing."""
        out = {}
        for lang in ("zh", "en"):
            head, body = lang in self.headline, bool(self.body[lang])
            out[lang] = "all" if not (head or body) else "headline" if not head else "body" if not body else ""
        partial = partial_side(self)
        if partial and not out[partial]:
            out[partial] = "partial"
        return out


@dataclass
class Digest:
    path: str
    #: how the bytes were read: "utf-8", "utf-8-sig" (with a byte-order mark) or "gb18030"
    encoding: str
    #: the decoded text, line endings as given
    text: str
    masthead: dict[str, Line]
    stories: list[DigestStory]
    closing: list[Line]
    unplaced: list[Line]
    #: what the reader should know about the reading (an encoding other than UTF-8)
    notes: list[str] = field(default_factory=list)


# ---- reading the bytes ---------------------------------------------------------------------------------------


def decode(data: bytes, path: str) -> tuple[str, str, list[str]]:
    """(text, encoding, notes): UTF-8 (a byte-order mark is dropped), else GBK/GB18030, else an error."""
    if data.startswith(b"\xef\xbb\xbf"):
        try:
            return data[3:].decode("utf-8"), "utf-8-sig", []
        except UnicodeDecodeError as exc:
            raise _not_text(data, exc.start + 3, path) from None
    if data.startswith((b"\xff\xfe\x00\x00", b"\x00\x00\xfe\xff")):
        raise DigestError(path, 1, "the digest is UTF-32 (it starts with a UTF-32 byte-order mark); save it as "
                          "UTF-8 (in VS Code: 'Save with Encoding' > 'UTF-8') and run the import again")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):
        raise DigestError(path, 1, "the digest is UTF-16 (it starts with a UTF-16 byte-order mark); save it as "
                          "UTF-8 (in VS Code: 'Save with Encoding' > 'UTF-8') and run the import again")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        first_bad = exc.start
        try:
            text = data.decode("gb18030")
        except UnicodeDecodeError:
            raise _not_text(data, first_bad, path) from None
        line = data.count(b"\n", 0, first_bad) + 1
        _not_big5(data, text, line, path)
        return _no_nul(text, path), "gb18030", [
            f"{path}: line {line}: not UTF-8; the digest was read as GBK (GB18030). The issue and sources/ get "
            "UTF-8 (the bytes as given are kept beside them); check a few Chinese lines of the issue against the "
            "article"]
    return _no_nul(text, path), "utf-8", []


def _not_big5(data: bytes, gbk: str, line: int, path: str) -> None:
    """Big5 (traditional Chinese, as editors in Taiwan and Hong Kong save) mostly decodes as GBK too, into
    nonsense: a digest whose GBK reading has no 来源 while its Big5 reading has 來源 (or the closing 推薦閱讀) is
    Big5, and is refused rather than read wrong."""
    if "来源" in gbk:
        return
    for codec in ("big5hkscs", "cp950"):
        try:
            big5 = data.decode(codec)
        except UnicodeDecodeError:
            continue
        if "來源" in big5 or "推薦閱讀" in big5:
            raise DigestError(path, line, "the digest is neither UTF-8 nor GBK: it looks like Big5 (traditional "
                              "Chinese; read as GBK it is nonsense); save it as UTF-8 (in VS Code: 'Reopen with "
                              "Encoding' > 'Big5', then 'Save with Encoding' > 'UTF-8') and run the import again")


def _not_text(data: bytes, at: int, path: str) -> DigestError:
    if b"\x00" in data:  # (UTF-16 or UTF-32 without a byte-order mark: said so, not "neither UTF-8 nor GBK")
        _no_nul(data.decode("latin-1"), path)
    line = data.count(b"\n", 0, at) + 1
    return DigestError(path, line, f"the digest is neither UTF-8 nor GBK (byte 0x{data[at]:02x} cannot be read "
                       "in either); copy the article's text again and save it as UTF-8")


def _no_nul(text: str, path: str) -> str:
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        raise DigestError(path, line, "the digest holds NUL characters (is it UTF-16 or UTF-32 without a "
                          "byte-order mark, or not a text file?); save the article's text as UTF-8 and run the "
                          "import again")
    return text


# ---- lines ---------------------------------------------------------------------------------------------------


def language(text: str) -> str:
    """"zh" where Chinese characters are at least as many as Latin words, "en" where words are more, "" for a
    line of neither (digits, punctuation, symbols)."""
    han, words = len(_HAN.findall(text)), len(_WORD.findall(text))
    if han and han >= words:
        return "zh"
    return "en" if words else ""


def is_headline(line: Line) -> bool:
    """Short, and not ended like a sentence of a paragraph."""
    text = line.text
    if line.lang == "zh":
        return len(text) <= ZH_HEADLINE_MAX and not text.endswith(("。", "…", "……")) and \
            not re.search(r"[.]$", text)
    if line.lang == "en":
        return len(_WORD.findall(text)) <= EN_HEADLINE_MAX_WORDS and not re.search(r"[.:;,]['\"’”)]?$", text)
    return False


def _key(text: str) -> str:
    """A headline as compared with a repetition of it: numbering, punctuation, spaces and case aside."""
    found = _NUMBERED.match(text)
    text = found["text"] if found else text
    return re.sub(r"[\W_]+", "", unicodedata.normalize("NFKC", text)).lower()


def _same_headline(a: str, b: str) -> bool:
    ka, kb = _key(a), _key(b)
    if not ka or not kb:
        return False
    if ka == kb or (min(len(ka), len(kb)) >= 8 and (ka.startswith(kb) or kb.startswith(ka))):
        return True
    return SequenceMatcher(None, ka, kb).ratio() >= 0.9


def split_masthead(text: str) -> dict[str, str]:
    """Line 1: the Chinese half ends at its last Chinese character (and the punctuation after it)."""
    last = max((m.end() for m in _HAN.finditer(text)), default=0)
    if not last:
        return {"en": text.strip()} if text.strip() else {}
    end = last
    while end < len(text) and (text[end] in "!?,.;:~" or text[end] in _CJK_PUNCT):
        end += 1
    zh, en = text[:end].strip(), text[end:].strip()
    return {k: v for k, v in (("zh", zh), ("en", en)) if v}


def source_names(text: str) -> list[str]:
    """The outlets of a 来源 line (after the colon)."""
    return [n.strip() for n in _SOURCE_SPLIT.split(text.strip()) if n.strip()]


# ---- the digest ----------------------------------------------------------------------------------------------


def visible_lines(text: str) -> list[str]:
    """The digest's lines (any line ending) without the invisible characters a copy carries (:data:`_INVISIBLE`);
    the digest kept in sources/ keeps them."""
    return [_INVISIBLE.sub("", raw) for raw in re.split(r"\r\n|\r|\n", text)]


def parse_digest(data: bytes, path: str | Path) -> Digest:
    """The digest's bytes read into masthead, stories, closing and what could not be placed."""
    path = str(path)
    text, encoding, notes = decode(data, path)
    lines = [Line(i, raw.strip(), language(raw)) for i, raw in enumerate(visible_lines(text), 1) if raw.strip()]
    if not lines:
        raise DigestError(path, 1, "the digest is empty; paste the text of the week's WeChat article into it "
                          "(masthead, stories, 来源 lines, closing) and run the import again")
    first, rest = lines[0], lines[1:]
    masthead = {lang: Line(first.number, half, lang) for lang, half in split_masthead(first.text).items()}
    unplaced: list[Line] = []
    closing: list[Line] = []
    # the closing: from the first closing line on; what follows it that is not a closing line is not the issue's
    at = next((i for i, ln in enumerate(rest) if ln.text in CLOSING), len(rest))
    for ln in rest[at:]:
        (closing if ln.text in CLOSING else unplaced).append(ln)
    rest = rest[:at]
    # the lines before the first story text: headlines only, a contents list (or the first story's headline)
    lead_end = next((i for i, ln in enumerate(rest) if _SOURCE.match(ln.text) or not is_headline(ln)), len(rest))
    lead, body = rest[:lead_end], rest[lead_end:]
    if not body:
        if lead:
            raise DigestError(path, lead[0].number, f"the digest holds only headlines ({len(lead)} line(s), no story "
                              "text and no 来源 line): it looks like the contents list alone. Copy the whole "
                              "article (each story's text and its 来源 line) and run the import again")
        raise DigestError(path, first.number, "the digest holds only its first line (the masthead); copy the whole "
                          "article (each story's text and its 来源 line) and run the import again")
    later = [ln for ln in body if is_headline(ln)]
    if lead and _starts_first_story(lead[-1], body[0], later):
        body.insert(0, lead.pop())
    stories = _stories(body, unplaced)
    _pair_contents(lead, stories, unplaced)
    unplaced.sort(key=lambda ln: ln.number)
    return Digest(path, encoding, text, masthead, stories, closing, unplaced, notes)


def _starts_first_story(last: Line, nxt: Line, later: list[Line]) -> bool:
    """The last headline before the text is the first story's own headline (not a contents entry): not
    numbered, not repeated later, and the text after it is in its language (or is the 来源 of a Chinese one)."""
    if _NUMBERED.match(last.text) or any(_same_headline(last.text, ln.text) for ln in later):
        return False
    if _SOURCE.match(nxt.text):
        return last.lang == "zh"
    return nxt.lang == last.lang


def _stories(lines: list[Line], unplaced: list[Line]) -> list[DigestStory]:
    """Each story is [Chinese headline] [Chinese body] [来源] [English headline] [English body]: a new one starts
    where the order goes back (Chinese after English, a headline after its language's body once the 来源 or
    the other language came, an English headline after English text)."""
    stories: list[DigestStory] = []
    story = DigestStory()

    def new() -> DigestStory:
        nonlocal story
        if story.has("zh") or story.has("en") or story.sources:
            stories.append(story)
        story = DigestStory()
        return story

    for ln in lines:
        found = _SOURCE.match(ln.text)
        if found:
            names = source_names(found["names"])
            if not names:
                unplaced.append(ln)
                continue
            if story.has("en") and story.sources:  # (a second 来源 after the English: the next story's)
                new()
            story.sources += [(ln.number, name) for name in names]
            continue
        if not ln.lang:
            unplaced.append(ln)
            continue
        headline = is_headline(ln)
        if ln.lang == "zh":
            if story.has("en"):
                new()
            elif headline and (story.sources or ("zh" in story.headline and not story.body["zh"])):
                new()
            if headline and not story.has("zh"):
                story.headline["zh"] = ln
            else:
                story.body["zh"].append(ln)  # (a short line inside the Chinese text: a subheading of the body)
        else:
            if headline and story.has("en"):
                new()
            if headline and not story.has("en"):
                story.headline["en"] = ln
            else:
                story.body["en"].append(ln)
    new()
    return stories


_STOP = frozenset("the a an of and in on for to with from by at as is are its new into".split())


def _words(text: str, lang: str) -> set[str]:
    if lang == "zh":
        han = "".join(_HAN.findall(text))
        return {han[i:i + 2] for i in range(len(han) - 1)}
    return {w.lower() for w in _WORD.findall(text) if len(w) > 2 and w.lower() not in _STOP}


def _pair_contents(lead: list[Line], stories: list[DigestStory], unplaced: list[Line]) -> None:
    """Place each contents entry: the repetition of a story's headline, or the headline a story lacks (by its
    number, by the entry of the other language next to it, by shared words, by order). None is dropped."""
    if not lead:
        return
    owner: dict[int, DigestStory] = {}
    left: list[Line] = []
    for ln in lead:
        same = next((s for s in stories if ln.lang in s.headline and _same_headline(ln.text, s.headline[ln.lang].text)),
                    None)
        if same is not None:
            same.repeated.append(ln)
            owner[ln.number] = same
        elif ln.lang:
            left.append(ln)
        else:
            unplaced.append(ln)

    def give(ln: Line, story: DigestStory, how: str) -> None:
        text = _NUMBERED.match(ln.text)
        story.headline[ln.lang] = Line(ln.number, text["text"] if text else ln.text, ln.lang)
        story.from_contents[ln.lang] = how
        owner[ln.number] = story
        left.remove(ln)

    for ln in list(left):  # numbered: "4. ..." is story 4's
        found = _NUMBERED.match(ln.text)
        if found and 1 <= int(found["n"]) <= len(stories) and ln.lang not in stories[int(found["n"]) - 1].headline:
            give(ln, stories[int(found["n"]) - 1], f"numbered {found['n']} in the contents list")
    # next to an entry of the other language that belongs to a story: a headline pair, the one after it first
    # (a contents list gives the Chinese headline, then the English)
    for step, where in ((-1, "after"), (1, "before")):
        changed = True
        while changed:
            changed = False
            for ln in list(left):
                other = lead.index(ln) + step
                if 0 <= other < len(lead) and lead[other].number in owner and lead[other].lang != ln.lang:
                    story = owner[lead[other].number]
                    if ln.lang not in story.headline:
                        give(ln, story, f"{where} its {'Chinese' if ln.lang == 'en' else 'English'} headline "
                                        f"(line {lead[other].number}) in the contents list")
                        changed = True
    for ln in list(left):  # by shared words with the story's text in the entry's language, else by order
        candidates = [s for s in stories if ln.lang not in s.headline]
        if not candidates:
            unplaced.append(ln)
            left.remove(ln)
            continue
        words = _words(ln.text, ln.lang)
        scored = [(len(words & _words(s.text(ln.lang), ln.lang)), -i, s) for i, s in enumerate(candidates)]
        best = max(scored, key=lambda t: (t[0], t[1]))
        how = (f"sharing {best[0]} word(s) with its text" if best[0] else
               "the first story without one (no shared words: check it)")
        give(ln, best[2], how)


# ---- placing the text ----------------------------------------------------------------------------------------

_URL = re.compile(r"(?:https?://|www\.)[^\s\u3000-\u303f\uff00-\uffef\u4e00-\u9fff]+")
_FULL = {",": "，", ":": "：", "!": "！", "?": "？", ";": "；", "(": "（", ")": "）"}


def restore_zh(text: str) -> str:
    """Chinese text whose punctuation a plain-text copy flattened to ASCII, with the full-width marks back:
    ，：！？；（）“” and 《》; decimals (3.67), thousands (1,000), times and ratios (10:30), web addresses and
    Latin words (B站, Mr.) keep theirs. ASCII double quotes are paired (“...”) only where they pair up."""
    kept_at = bytearray(len(text))  # 1 where a character is part of a web address (one pass: linear)
    for m in _URL.finditer(text):
        end = m.start() + len(m.group().rstrip(",.;:!?)"))
        kept_at[m.start():end] = b"\x01" * (end - m.start())

    def kept(i: int) -> bool:
        return bool(kept_at[i])

    out = []
    quotes = sum(1 for i, ch in enumerate(text) if ch == '"' and not kept(i))
    opened = False
    for i, ch in enumerate(text):
        before, after = text[i - 1] if i else "", text[i + 1] if i + 1 < len(text) else ""
        if kept(i):
            out.append(ch)
        elif ch == "," and before.isdigit() and re.match(r"\d{3}(?!\d)", text[i + 1:i + 5]):
            out.append(ch)
        elif ch == ":" and before.isdigit() and after.isdigit():
            out.append(ch)
        elif ch in _FULL:
            out.append(_FULL[ch])
        elif ch == '"' and quotes % 2 == 0:
            out.append("”" if opened else "“")
            opened = not opened
        elif ch == "." and _HAN.match(before or " ") and (not after or _HAN.match(after) or after in "\"”"):
            out.append("。")
        else:
            out.append(ch)
    result = "".join(out)
    # (the first Chinese character of the title found once: no backtracking over every one of a long line)
    result = re.sub(r"<<?([^<>\u4e00-\u9fff]*[\u4e00-\u9fff][^<>]*)>>?", r"《\1》", result)
    # no space beside full-width punctuation where the other side is Chinese
    return re.sub(r"(?<=[\u4e00-\u9fff》”）])\s+(?=[，：！？；）])|(?<=[，：！？；（])\s+(?=[\u4e00-\u9fff《“（])",
                  "", result)


def sentences(text: str, lang: str) -> list[str]:
    """A paragraph's sentences, each as written (so each is found again in the paragraph)."""
    if lang == "zh":
        parts = re.findall(r"[^。！？]*[。！？]+[”’」』）]*|[^。！？]+$", text)
    else:
        parts, start = [], 0
        for end in re.finditer(r"[.!?][\"”’)]*(?=\s+[\"“(‘]?[A-Z0-9]|\s*$)", text):
            if re.search(r"(?:\b[A-Z]|\b(?:Mr|Ms|Mrs|Dr|No|St|Co|Inc|Ltd|vs))\.$", text[start:end.start() + 1]):
                continue  # an initial or an abbreviation, not a sentence's end
            parts.append(text[start:end.end()])
            start = end.end()
        parts.append(text[start:])
    return [p.strip() for p in parts if p.strip()]


def _counts(numbers: list[Number]) -> list[Number]:
    return [n for n in numbers if n.kind == "number"]


def partial_side(story: DigestStory) -> str:
    """The language whose body covers only part of the other's ("" if neither): numbers the other states that
    it lacks (and none the other way round), or a body far shorter than a translation of the other would be
    (1.5 to 2 Chinese characters an English word, as issue 1's)."""
    zh, en = " ".join(ln.text for ln in story.body["zh"]), " ".join(ln.text for ln in story.body["en"])
    if not zh or not en:
        return ""
    zh_numbers, en_numbers = parse_zh(zh), parse_en(en)
    zh_left, en_left = _unmatched(zh_numbers, en_numbers)
    if zh_left and not en_left:
        return "en"
    if en_left and not zh_left:
        return "zh"
    han, words = len(_HAN.findall(zh)), len(_WORD.findall(en))
    if han > 4 * words:
        return "en"
    if words > 2 * han:
        return "zh"
    return ""


def _unmatched(zh: list[Number], en: list[Number]) -> tuple[list[Number], list[Number]]:
    en_left = list(en)
    zh_left = []
    for number in zh:
        match = next((e for e in en_left if number.matches(e)), None)
        if match is None:
            zh_left.append(number)
        else:
            en_left.remove(match)
    return zh_left, en_left


@dataclass(frozen=True)
class NumberPair:
    """A number both languages of a story state: each side's number and the sentence it stands in."""

    zh: Number
    en: Number
    zh_sentence: str
    en_sentence: str


def number_pairs(zh_paragraphs: list[str], en_paragraphs: list[str]) -> list[NumberPair]:
    """Counts and amounts (not years, dates, ordinals) stated in both languages, matched one to one in order of
    appearance (203万 ↔ 2.03 million, 69万 ↔ 690,000), each with its sentence as written."""
    zh = [(n, s) for p in zh_paragraphs for s in sentences(p, "zh") for n in _counts(parse_zh(s))]
    en = [(n, s) for p in en_paragraphs for s in sentences(p, "en") for n in _counts(parse_en(s))]
    pairs = []
    for number, sentence in zh:
        match = next((e for e in en if number.matches(e[0])), None)
        if match is not None:
            en.remove(match)
            pairs.append(NumberPair(number, match[0], sentence, match[1]))
    return pairs
