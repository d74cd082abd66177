"""``python -m newsletter import``: the week's digest becomes the next issue (newsletter/digest.py, importer.py).

Fast: each digest is imported into a small copy of the book (no build) and the issue it writes is read back
with the issue model (newsletter/model.py) and checked with the validator's rules. The one build of an imported
issue is in tests/test_workflow.py (the recipe's build, extended).
"""

from __future__ import annotations

import os
import sys
import unicodedata
from pathlib import Path

import pytest

from newsletter.__main__ import main
from newsletter.book import BookError, read_tag_keywords, read_tags
from newsletter.digest import DigestError, parse_digest, restore_zh, sentences
from newsletter.importer import import_digest
from newsletter.model import parse_issue
from newsletter.validate import validate

from .conftest import ROOT, SEED, copy_items

DIGESTS = Path(__file__).parent / "digests"
#: what the validator needs of the book (no build)
BOOK = ("_config.yml", "_toc.yml", "index.md", "data.md", "archive.md", "tags.yml", "sources.yml", "templates",
        "issues", "sources")
ISSUE2 = "issues/002-2025-12.md"


@pytest.fixture
def book(tmp_path: Path) -> Path:
    copy_items(BOOK, tmp_path)
    return tmp_path


def snapshot(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def imported(book: Path, digest: Path, date: str = "2025-12"):
    done = import_digest(book, digest, date)
    return done, parse_issue((book / ISSUE2).read_text(encoding="utf-8"))


def errors(book: Path) -> list[str]:
    return [str(f) for f in validate(book) if f.level == "error"]


def body(block) -> list[str]:
    return [text for _, text in block.body if text.strip()]


def summary(issue) -> list[dict]:
    """Each story as the model reads it: sources, and per language the gap, the headline and the paragraphs."""
    return [{"sources": story.sources,
             **{lang: (block.gap, block.headline[1] if block.headline else None, body(block))
                for lang, block in story.blocks.items()}}
            for story in issue.stories.values()]


# ---- the seed: issue 1 again --------------------------------------------------------------------------------

def test_the_seed_gives_issue_1s_stories_exactly(book):
    done, new = imported(book, SEED)
    old = parse_issue((ROOT / "issues" / "001-2025-11.md").read_text(encoding="utf-8"))
    assert summary(new) == summary(old)  # the same texts (the full-width punctuation restored), gaps, sources
    nfkc = [unicodedata.normalize("NFKC", repr(s)) for s in summary(new)]
    assert nfkc == [unicodedata.normalize("NFKC", repr(s)) for s in summary(old)]
    for mine, theirs in zip(new.pairs, old.pairs):  # the masthead and the closing
        assert mine.options["class"][1] == theirs.options["class"][1]
        assert {lang: (b.gap, body(b)) for lang, b in mine.blocks.items()} == \
            {lang: (b.gap, body(b)) for lang, b in theirs.blocks.items()}
    assert [s.options["number"][1] for s in new.stories.values()] == ["1", "2", "3", "4"]
    assert done.unplaced == [] and done.proposals == 6
    # the contents fragment's English headlines went to stories 3 and 4, said so above each story
    assert [line.split(" (")[0] for line in done.from_contents] == [
        "story 3: English headline from digest line 2", "story 4: English headline from digest line 4"]
    text = (book / ISSUE2).read_text(encoding="utf-8")
    assert "% the English headline is digest line 2, from the contents list" in text
    assert errors(book) == []
    assert (book / "sources" / "002-2025-12.txt").read_bytes() == SEED.read_bytes()
    toc = (book / "_toc.yml").read_text(encoding="utf-8")
    assert toc.index("issues/001-2025-11\n") < toc.index("issues/002-2025-12\n") < toc.index("file: data")


def test_topics_are_suggested_from_the_keywords_and_marked_for_the_editor(book):
    imported(book, SEED)
    text = (book / ISSUE2).read_text(encoding="utf-8")
    issue = parse_issue(text)
    first = issue.stories["peking-university-releases-report"]
    assert first.tags[0] == "employment"
    assert "% topics suggested from tags.yml keywords (就业, 用工, employment, jobs, labor market → employment" in text
    blocks = text.split("::::{story}")[:-1]  # the comment lines right above each story
    assert all(b.rstrip("\n").split("\n% topics suggested")[-1].count("\n%") <= 2 and "% topics suggested" in b
               and b.rstrip("\n").splitlines()[-1].startswith("%") for b in blocks) and len(blocks) == 4
    assert set(issue.stories["qingyang-district-chengdu-accelerating"].tags) >= {"chengdu", "heritage", "filming"}
    keywords = read_tag_keywords(book)
    assert "Nanning" in keywords["nanning"] and "南宁" in keywords["nanning"]
    assert read_tags(book)["nanning"] == {"zh": "南宁", "en": "Nanning"}  # the names' readers see what they saw


def test_editing_a_topics_keywords_reads_no_page_again_and_editing_its_name_does(tmp_path):
    sys.path.insert(0, str(ROOT / "_ext"))  # (the extension lives in _ext/, as Jupyter Book loads it)
    from panda_book.model.inputs import book_inputs_digest

    copy_items(("tags.yml", "sources.yml"), tmp_path)
    tags = tmp_path / "tags.yml"
    before = book_inputs_digest(tmp_path)
    tags.write_text(tags.read_text(encoding="utf-8").replace("keywords: [南宁, Nanning]", "keywords: [南宁, 邕城]"),
                    encoding="utf-8")
    assert book_inputs_digest(tmp_path) == before
    tags.write_text(tags.read_text(encoding="utf-8").replace("en: Nanning,", "en: Nanning City,"), encoding="utf-8")
    assert book_inputs_digest(tmp_path) != before


@pytest.mark.parametrize("keywords, message", [
    ("keywords: 就业", "keywords must be a list"),
    ("keywords: [就业, '']", "keywords must be a list"),
    ("words: [就业]", "has the field 'words'"),
])
def test_a_bad_keywords_field_is_refused_at_its_line(tmp_path, keywords, message):
    (tmp_path / "tags.yml").write_text(f"chengdu: {{zh: 成都, en: Chengdu}}\nemployment: {{zh: 就业, en: Employment, "
                                       f"{keywords}}}\n", encoding="utf-8")
    with pytest.raises(BookError) as caught:
        read_tags(tmp_path)
    assert caught.value.line == 2 and message in caught.value.message


# ---- figure records proposed --------------------------------------------------------------------------------

def test_figures_are_proposed_commented_out_and_a_kept_one_needs_its_todos_written(book):
    imported(book, SEED)
    path = book / ISSUE2
    text = path.read_text(encoding="utf-8")
    issue = parse_issue(text)
    assert issue.figures is not None and errors(book) == []  # commented out: the issue builds as it is
    block = issue.figures.content
    assert "#   zh: 测算结果显示，2025年全国短剧行业预计产生直接劳动投入约3685万个工日，直接吸纳就业人数约69万人。" in block
    assert "#   value: 36850000\n#   unit: person-day\n#   qualifier: about\n#   period: '2025'\n" in block
    assert "#   value: 690000\n#   unit: person\n" in block and "#   value: 3670000\n#   unit: popularity\n" in block
    assert "#   unit: TODO" in block  # 3000部: a series, or series a month? Not said: the editor's call
    # keep the 69万 record: uncommented as it is, the validator refuses its TODOs
    start = block.index("## story 1: 69万 ↔ 690,000")
    record = block[start:block.index("## story", start + 5)]
    kept = "\n".join(line[2:] for line in record.splitlines()[1:])
    path.write_text(text.replace(record, kept + "\n"), encoding="utf-8")
    found = errors(book)
    assert len(found) == 1 and "id of figure record 'TODO' is still 'TODO'" in found[0], found
    filled = kept.replace("id: TODO", "id: direct_jobs").replace("period: TODO", "period: '2025'") \
        .replace("label_zh: TODO", "label_zh: 直接就业").replace("label_en: TODO", "label_en: Direct jobs")
    path.write_text(text.replace(record, filled + "\n"), encoding="utf-8")
    assert errors(book) == []  # the sentences it cites are the story's, its number stated in both


def test_sentences_are_cut_where_they_end_not_at_decimals_or_initials():
    assert sentences("It rose to 3.67 million. Mr. Li said so. Q. Wang agreed!", "en") == [
        "It rose to 3.67 million.", "Mr. Li said so.", "Q. Wang agreed!"]
    assert sentences("Dr. Q. Wang met Mr. Li at 10.30. They agreed.", "en") == [
        "Dr. Q. Wang met Mr. Li at 10.30.", "They agreed."]
    assert sentences("热度达367万。剧集共20集！“好”。", "zh") == ["热度达367万。", "剧集共20集！", "“好”。"]


# ---- the digests of tests/digests/ ---------------------------------------------------------------------------

def test_a_digest_without_contents_fragment(book):
    done, issue = imported(book, DIGESTS / "no-contents.txt")
    assert summary(issue) == [
        {"sources": ["人民网"],
         "zh": ("", "杭州发布微短剧扶持新政", ["近日，杭州市发布微短剧产业扶持办法，对优秀作品最高奖励50万元。办法还提出建设3个拍摄基地。"]),
         "en": ("", "Hangzhou Issues New Support Policy for Mini Dramas", [
             "Recently, Hangzhou released measures to support the mini drama industry, with awards of up to 500,000 "
             "yuan for outstanding works. The measures also call for building 3 filming bases."])},
        {"sources": ["广西日报-广西云"],
         "zh": ("", "南宁微短剧基地迎来首批剧组", ["南宁一处微短剧拍摄基地近日迎来首批12个剧组入驻。"]),
         "en": ("", "Nanning Mini Drama Base Welcomes Its Initial Crews", [
             "A mini drama filming base in Nanning recently welcomed 12 production crews, its initial group."])}]
    assert done.from_contents == [] and errors(book) == []


def test_stories_in_one_language_only(book):
    _, issue = imported(book, DIGESTS / "one-language.txt")
    stories = summary(issue)
    assert [s["sources"] for s in stories] == [["人民网"], ["绍兴网"], ["广西日报-广西云"]]
    assert [(s["zh"][0], s["en"][0]) for s in stories] == [("", ""), ("all", ""), ("", "all")]
    assert stories[1]["en"][1] == "Shaoxing Opera Troupe Films Its First Mini Drama"
    assert stories[1]["zh"] == ("all", None, [])  # never a translation
    assert stories[2]["zh"] == ("", "南宁举办微短剧创作大赛", ["南宁市近日举办微短剧创作大赛，共收到参赛作品300余部。"])
    assert stories[2]["en"] == ("all", None, [])
    assert errors(book) == []


def test_a_story_with_both_headlines_and_no_body(book):
    _, issue = imported(book, DIGESTS / "headlines-no-body.txt")
    first = summary(issue)[0]
    assert first == {"sources": ["广西日报-广西云"], "zh": ("body", "微短剧《山海之间》在南宁杀青", []),
                     "en": ("body", "Mini Drama Between Mountains and Seas Wraps Filming in Nanning", [])}
    assert summary(issue)[1]["zh"][1] == "杭州短剧基地扩建" and errors(book) == []


def test_two_sources_in_one_story(book):
    _, issue = imported(book, DIGESTS / "two-sources.txt")
    assert [s.sources for s in issue.stories.values()] == [["人民网", "绍兴网"], ["广西日报-广西云", "绍兴网"]]
    assert ":source: 人民网, 绍兴网\n" in (book / ISSUE2).read_text(encoding="utf-8")
    assert errors(book) == []


def test_a_gbk_digest_is_read_with_a_note_and_kept_as_given(book, capsys, monkeypatch):
    monkeypatch.chdir(book)
    assert main(["import", str(DIGESTS / "gbk.txt"), "--date", "2025-12"]) == 0
    err = capsys.readouterr().err
    assert "gbk.txt: line 1: not UTF-8; the digest was read as GBK (GB18030)" in err
    issue = parse_issue((book / ISSUE2).read_text(encoding="utf-8"))
    story = summary(issue)[0]
    assert story["zh"] == ("", "短剧出海：海外用户突破1亿", ["据统计，国产短剧应用海外用户已突破1亿。"])
    assert story["en"][1] == "Short Dramas Go Global: Overseas Users Exceed 100 Million"
    assert (book / "sources" / "002-2025-12.gbk.txt").read_bytes() == (DIGESTS / "gbk.txt").read_bytes()
    assert (book / "sources" / "002-2025-12.txt").read_text(encoding="utf-8") == \
        (DIGESTS / "gbk.txt").read_bytes().decode("gbk")
    assert errors(book) == []


def test_windows_line_endings_and_a_numbered_contents_fragment(book):
    assert b"\r\n" in (DIGESTS / "windows-line-endings.txt").read_bytes()
    done, issue = imported(book, DIGESTS / "windows-line-endings.txt")
    stories = summary(issue)
    assert stories[0]["zh"][1] == "杭州短剧基地扩建" and stories[0]["en"][1] == "Hangzhou Short Drama Base Expands"
    # "2. 绍兴文旅短剧上线" repeats story 2's headline; the English line after it is story 2's English headline
    assert stories[1] == {"sources": ["绍兴网"], "zh": ("", "绍兴文旅短剧上线", ["一部展现绍兴风光的文旅短剧近日上线。"]),
                          "en": ("", "Mini Drama Promotes Shaoxing Tourism",
                                 ["The drama, which showcases the scenery of Shaoxing, premiered recently."])}
    assert done.from_contents == ["story 2: English headline from digest line 3 (after its Chinese headline (line 2) "
                                  "in the contents list)"]
    assert (book / "sources" / "002-2025-12.txt").read_bytes() == (DIGESTS / "windows-line-endings.txt").read_bytes()
    assert errors(book) == []


def test_a_byte_order_mark_and_flattened_punctuation(book):
    done, issue = imported(book, DIGESTS / "bom-and-punctuation.txt", "2025-12-05")
    zh = summary(issue)[0]["zh"]
    assert zh[1] == "“微短剧+文旅”项目落地绍兴"
    assert zh[2] == ["“微短剧+文旅”项目近日在绍兴落地，首批投资3.5亿元，发布会于10:30在https://www.shaoxing.com.cn/直播。"]
    text = (book / ISSUE2).read_text(encoding="utf-8")
    assert '  date: "2025-12-05"\n' in text and not text.startswith("\ufeff")
    assert (book / "sources" / "002-2025-12.bom.txt").read_bytes() == (DIGESTS / "bom-and-punctuation.txt").read_bytes()
    assert not (book / "sources" / "002-2025-12.txt").read_bytes().startswith(b"\xef\xbb\xbf")
    assert errors(book) == []


def test_markdown_characters_in_the_digest_stay_text(book):
    """A digest line that Markdown would read as a heading, a list, an option, a comment, emphasis, code, HTML, a
    link or an entity is written escaped: the page shows it as the digest has it, and no rule refuses it."""
    from newsletter.model import parser

    _, issue = imported(book, DIGESTS / "markdown-characters.txt")
    story = next(iter(issue.stories.values()))
    assert story.blocks["en"].headline[1] == '"Stars" & *Sparks*: Mini Drama #1 <b>Hot</b>'
    assert story.blocks["zh"].headline[1] == "“Stars” & *Sparks*：微短剧 #1 <b>热</b>"
    shown = [parser().render(text).strip() for text in body(story.blocks["en"])]
    assert shown == [
        "<p>1. First, a body line that starts like a list, with snake_case, `code` and &amp;amp; an entity.</p>",
        "<p>:key: a body line that looks like an option, and another sentence here.</p>",
        "<p>% a line that looks like a comment, with more words to be a body line.</p>"]
    assert parser().render(body(story.blocks["zh"])[0]).strip() == \
        "<p># 标题后的正文：含*星号*、`反引号`、&lt;b&gt;标签&lt;/b&gt;和[链接]（http://x.cn）。</p>"
    assert issue.html == [] and issue.links == [] and errors(book) == []


@pytest.mark.parametrize("flat, restored", [
    ("近日,本土国风微短剧《开机!鉴湖女侠》正式登陆红果短剧。", "近日，本土国风微短剧《开机！鉴湖女侠》正式登陆红果短剧。"),
    ("成都青羊:加速推进", "成都青羊：加速推进"),
    ("热度已达3.67万,共1,000部", "热度已达3.67万，共1,000部"),
    ("于10:30开幕?", "于10:30开幕？"),
    ('在抖音、B站等平台上线(首播);"名城绍兴"', "在抖音、B站等平台上线（首播）；“名城绍兴”"),
    ("详见http://www.people.com.cn/,欢迎", "详见http://www.people.com.cn/，欢迎"),
    ('一个"引号', '一个"引号'),  # an odd quote is not paired with nothing
    ("微短剧<逆光之艾>开机", "微短剧《逆光之艾》开机"),
    ("PANDA微短剧, 网罗", "PANDA微短剧，网罗"),
])
def test_chinese_punctuation_is_given_back(flat, restored):
    assert restore_zh(flat) == restored


# ---- what cannot be placed, and errors -----------------------------------------------------------------------

def test_an_unplaced_line_is_listed_and_fails_the_validator_naming_the_digest_line(book):
    done, issue = imported(book, DIGESTS / "unplaced.txt")
    assert done.unplaced == ["digest line 7: ———", "digest line 10: 本文图片来自网络"]
    assert [text for _, text in issue.unplaced] == done.unplaced
    found = errors(book)
    assert [f.split(": ", 1)[0] for f in found] == [f"{ISSUE2}:{line}" for line, _ in issue.unplaced]
    assert "'digest line 10: 本文图片来自网络' is not placed in the issue yet" in found[1]
    # the editor deletes both lines (the block empty): nothing left to fail, and the empty block shows nothing
    path = book / ISSUE2
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("digest line 7: ———\ndigest line 10: 本文图片来自网络\n", ""), encoding="utf-8")
    assert parse_issue(path.read_text(encoding="utf-8")).unplaced == [] and errors(book) == []


@pytest.mark.parametrize("name, data, expected", [
    ("empty.txt", None, "empty.txt: line 1: the digest is empty; paste the text of the week's WeChat article"),
    ("contents-only.txt", None, "contents-only.txt: line 2: the digest holds only headlines (3 line(s), no story "
                                "text and no 来源 line)"),
    ("unknown-source.txt", None, "unknown-source.txt: line 4: the source '新华网' is not listed in sources.yml; add "
                                 "it to sources.yml with name_zh, name_en and url"),
    ("binary.txt", b"PANDA\n\xff\xfe\xff\n", "binary.txt: line 2: the digest is neither UTF-8 nor GBK"),
    ("utf16.txt", "PANDA微短剧".encode("utf-16"), "utf16.txt: line 1: the digest is UTF-16"),
    ("blank.txt", b" \r\n\r\n\t\n", "blank.txt: line 1: the digest is empty"),
    ("masthead-only.txt", "PANDA微短剧,网罗行业热点不迷路!\n".encode(), "masthead-only.txt: line 1: the digest holds "
                                                                   "only its first line"),
    ("no-source.txt", "PANDA\n南宁短剧周开幕\n南宁短剧周近日开幕。\n".encode(), "no-source.txt: line 2: story 1 (from this "
                                                                     "line) has no 来源 line; add '来源："),
    ("utf32.txt", "PANDA微短剧".encode("utf-32"), "utf32.txt: line 1: the digest is UTF-32"),
    ("utf32-no-bom.txt", "PANDA微短剧\n".encode("utf-32-be"), "utf32-no-bom.txt: line 1: the digest holds NUL "
                                                             "characters (is it UTF-16 or UTF-32 without"),
    # a photo credit between two stories: not "add 来源 after its Chinese text" (it has none)
    ("stray-credit.txt", "PANDA\n南宁短剧周开幕\n南宁短剧周近日开幕。\n来源:人民网\nNanning Week Opens\n"
                         "Nanning week opened recently.\n(Photo: Xinhua)\n成都短剧节\n成都短剧节近日举行。\n来源:人民网\n"
                         .encode(), "stray-credit.txt: line 7: a line of English with no Chinese text and no 来源 line "
                                    "('(Photo: Xinhua)'), read as story 2: if it is not a story (a photo credit, a "
                                    "caption, a note), delete it or move it into the story it belongs to"),
    ("source-without-colon.txt", "PANDA\n南宁短剧周开幕\n南宁短剧周近日开幕。\n来源 - 人民网\n".encode(),
     "source-without-colon.txt: line 4: this line begins with 来源 but is not read as story 1's 来源 line"),
])
def test_a_digest_that_cannot_become_an_issue_is_refused_and_nothing_is_written(book, tmp_path, capsys, monkeypatch,
                                                                               name, data, expected):
    digest = DIGESTS / name
    if data is not None:
        digest = tmp_path / name
        digest.write_bytes(data)
    before = snapshot(book)
    monkeypatch.chdir(book)
    assert main(["import", str(digest), "--date", "2025-12"]) == 1
    err = capsys.readouterr().err
    assert expected in err, err
    assert snapshot(book) == before  # no issue, no source, the toc untouched


def test_invisible_characters_are_not_part_of_a_line_and_sources_keeps_them(book, tmp_path):
    text = ("PANDA微短剧\n\u200b南宁短剧周开幕\n南宁短剧周\u2060近日开幕。\n来源﹕\u200c人民网\ufeff\n"
            "Nanning Week Opens 👩\u200d💻\nNanning\u200b week opened.\n")
    digest = tmp_path / "zw.txt"
    digest.write_text(text, encoding="utf-8")
    done, issue = imported(book, digest)
    assert summary(issue) == [{"sources": ["人民网"], "zh": ("", "南宁短剧周开幕", ["南宁短剧周近日开幕。"]),
                               "en": ("", "Nanning Week Opens 👩\u200d💻", ["Nanning week opened."])}]
    assert done.source.read_text(encoding="utf-8") == text  # the digest as given


def test_an_import_whose_writing_fails_half_way_leaves_nothing(book, monkeypatch):
    before = snapshot(book)
    real = os.replace
    calls = []

    def failing(src, dst):
        calls.append(dst)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(src, dst)

    monkeypatch.setattr("newsletter.importer.os.replace", failing)
    with pytest.raises(OSError):
        import_digest(book, SEED, "2025-12")
    assert snapshot(book) == before


def test_the_date_and_an_existing_source_are_checked_before_anything_is_written(book):
    before = snapshot(book)
    with pytest.raises(BookError, match="must be a year and month, e.g. 2025-12 \\(or a day, 2025-12-05\\)"):
        import_digest(book, SEED, "December")
    with pytest.raises(BookError, match="not a date of the calendar"):
        import_digest(book, SEED, "2025-02-30")
    (book / "sources" / "002-2025-12.txt").write_text("someone's notes\n", encoding="utf-8")
    with pytest.raises(BookError, match="002-2025-12.txt already exists in sources/"):
        import_digest(book, SEED, "2025-12")
    assert snapshot(book) == {**before, "sources/002-2025-12.txt": b"someone's notes\n"}


def test_the_parser_keeps_every_line_somewhere():
    digest = parse_digest(SEED.read_bytes(), "seed.txt")
    placed = {ln.number for ln in digest.masthead.values()} | {ln.number for ln in digest.closing}
    placed |= {ln.number for ln in digest.unplaced}
    for story in digest.stories:
        placed |= {ln.number for ln in story.headline.values()} | {ln.number for ln in story.repeated}
        placed |= {ln.number for lang in ("zh", "en") for ln in story.body[lang]} | {n for n, _ in story.sources}
    lines = SEED.read_text(encoding="utf-8").splitlines()
    assert placed == {i for i, text in enumerate(lines, 1) if text.strip()}


def test_an_unplaced_block_is_refused_in_any_issue_with_its_line():
    from newsletter.rules import Page, unplaced

    text = "# T\n\n```{unplaced}\ndigest line 3: 广告\n```\n"
    found = unplaced(Page(text, "issues/009-2026-01.md"))
    assert [(f.line, f.level) for f in found] == [(4, "error")] and "digest line 3: 广告" in found[0].message
    assert unplaced(Page("# T\n\n```{unplaced}\n```\n", "x.md")) == []


def test_a_story_citing_an_unlisted_second_source_is_refused():
    from newsletter.rules import Page, sources

    text = "::::{story} s\n:source: 人民网, 新华网\n\n:::{zh}\n:headline: 中\n\n正文\n:::\n\n:::{en}\n:headline: E\n\nText\n:::\n::::\n"
    found = sources(Page(text, "x.md", sources={"人民网": object()}))
    assert len(found) == 1 and "cites ':source: 新华网'" in found[0].message and found[0].line == 2


def test_digest_errors_name_the_file_and_the_line():
    with pytest.raises(DigestError) as caught:
        parse_digest(b"", "my-digest.txt")
    assert str(caught.value).startswith("my-digest.txt: line 1: the digest is empty; ")
