"""The print edition: issue 1's PDFs, written by the build with WeasyPrint and read back with pypdf.

Where WeasyPrint cannot load Pango the build skips the PDFs and says how to install it; these tests then skip
and say so too, and in CI (``CI`` set), where .ci/run installs Pango, they fail instead.
"""

from __future__ import annotations

import os
import re
import sys
import unicodedata

import pytest

from .conftest import ROOT, SEED

sys.path.insert(0, str(ROOT / "_ext"))

from panda_book.site import pdf  # noqa: E402  (the extension lives in _ext/, as Jupyter Book loads it)

STEM = "001-2025-11"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
CLOSING = tuple("。，、：！？）》”；」』】")


@pytest.fixture(scope="module")
def pdfs(built_book):
    if not pdf.available():
        hint = f"WeasyPrint cannot load Pango ({pdf.engine()[1]}): {pdf.INSTALL}"
        if os.environ.get("CI"):
            pytest.fail(f"the print edition is required in CI; {hint}")
        pytest.skip(hint)
    from pypdf import PdfReader

    folder = built_book.html / "pdf"
    return {lang: PdfReader(folder / f"{STEM}-{lang}.pdf") for lang in ("zh", "en", "both")}


def text_of(reader) -> str:
    return "\n".join(page.extract_text() for page in reader.pages)


def fold(text: str) -> str:
    """NFKC, words hyphenated at a line's end joined (the print edition hyphenates with U+2010; a hyphen of the
    text, U+002D, stays), all whitespace dropped."""
    text = re.sub(r"\u2010\s*\n\s*", "", text)
    text = unicodedata.normalize("NFKC", text)
    return re.sub(r"\s+", "", text)


def seed_sentences() -> list[str]:
    out = []
    for line in SEED.read_text(encoding="utf-8").splitlines():
        line = re.sub(r"^\d+\.\s*", "", line.strip())  # the digest's contents list numbers its lines
        for part in re.split(r"(?<=[。！？!?])|(?<=[.;])\s+", line):
            if fold(part):
                out.append(fold(part))
    return out


@pytest.mark.slow
def test_the_issue_page_links_its_pdfs(built_book, pdfs):
    page = (built_book.html / "issues" / f"{STEM}.html").read_text(encoding="utf-8")
    for lang in ("zh", "en", "both"):
        assert f'href="../pdf/{STEM}-{lang}.pdf"' in page
    assert "下载PDF" in page


def columns(reader) -> tuple[str, str, str]:
    """The text of the left and the right half of each page's text area, page after page, and all of it in the
    order it is drawn, without the running header and the folio: a 双语 paragraph that runs over a page break
    reads on in its own column, English that runs on over both columns in the drawing order."""
    left, right, drawn = [], [], []
    for page in reader.pages:
        width, height = float(page.mediabox.width), float(page.mediabox.height)

        def visit(text, cm, tm, font, size, width=width, height=height):
            x, y = cm[4] + tm[4] * cm[0], cm[5] + tm[5] * cm[3]
            # (the contents list's numbers and leaders are drawn after the page's text: not a column's)
            if text.strip() and 18 * 72 / 25.4 < y < height - 22 * 72 / 25.4 \
                    and not re.fullmatch(r"[\d.·\s]+", text):
                (left if x < width / 2 else right).append(text)
                drawn.append(text)
        page.extract_text(visitor_text=visit)
    return "\n".join(left), "\n".join(right), "\n".join(drawn)


@pytest.mark.slow
def test_every_sentence_of_the_source_is_in_the_bilingual_edition(pdfs):
    left, right, drawn = columns(pdfs["both"])
    text = fold(left) + "|" + fold(right) + "|" + fold(drawn)
    sentences = seed_sentences()
    assert len(sentences) > 60
    missing = [s for s in sentences if s not in text]
    assert missing == []
    assert fold("A sentence of no issue.") not in text  # (the check can fail)


@pytest.mark.slow
def test_one_language_editions_hold_no_story_text_of_the_other(pdfs):
    from newsletter.edition import GAP_TEXT, plain, read_edition

    edition = read_edition(ROOT, ROOT / "issues" / f"{STEM}.md", "https://x/")
    zh, en = fold(text_of(pdfs["zh"])), fold(text_of(pdfs["en"]))
    for story in edition.stories:
        for paragraph in story.en.paragraphs:
            assert fold(plain(paragraph))[:40] not in zh
        for paragraph in story.zh.paragraphs:
            assert fold(plain(paragraph))[:20] not in en
            assert fold(plain(paragraph))[:20] in zh
    # the English edition holds no Chinese at all (its gap markers are in English)
    assert CJK.findall(text_of(pdfs["en"])) == []
    assert fold(GAP_TEXT[("en", "partial")]) in en
    assert fold(GAP_TEXT[("zh", "body")]) in zh


def _runs(reader):
    """Each text run drawn on each page, with its x position (user space) and the page's width."""
    for number, page in enumerate(reader.pages, 1):
        width = float(page.mediabox.width)
        runs = []

        def visit(text, cm, tm, font, size, runs=runs):
            if text.strip():
                runs.append((text, cm[4] + tm[4] * cm[0]))
        page.extract_text(visitor_text=visit)
        yield number, width, runs


@pytest.mark.slow
def test_bilingual_edition_sets_chinese_left_and_english_right(pdfs):
    from newsletter.edition import plain, read_edition

    edition = read_edition(ROOT, ROOT / "issues" / f"{STEM}.md", "https://x/")
    # paired text only: where the Chinese has a gap, the English runs on across both columns (no blank half-page)
    english = {fold(plain(p)) for s in edition.stories if not s.zh.body_gap for p in s.en.paragraphs}
    run_on = {fold(plain(p)) for s in edition.stories if s.zh.body_gap for p in s.en.paragraphs}
    assert run_on
    chinese = {fold(plain(p)) for s in edition.stories for p in s.zh.paragraphs}
    left = right = 0
    spread = set()
    for number, width, runs in _runs(pdfs["both"]):
        middle = width / 2
        for text, x in runs:
            piece = fold(text)
            if len(piece) < 12:
                continue
            if CJK.search(piece) and any(piece in p for p in chinese):
                assert x < middle, (number, text, x)
                left += 1
            elif not CJK.search(piece) and any(piece in p for p in english):
                assert x >= middle - 1, (number, text, x)
                right += 1
            elif not CJK.search(piece) and any(piece in p for p in run_on):
                spread.add(x < middle)
    assert left > 30 and right > 50, (left, right)
    assert spread == {True, False}  # the run-on English fills both columns


@pytest.mark.slow
def test_every_font_is_embedded_as_a_subset_of_the_simplified_chinese_face(pdfs):
    import io

    from fontTools.ttLib import TTFont

    for lang, reader in pdfs.items():
        fonts = {}
        for page in reader.pages:
            for font in (page["/Resources"].get("/Font") or {}).values():
                font = font.get_object()
                descendant = font.get("/DescendantFonts")
                described = descendant[0].get_object() if descendant else font
                descriptor = described["/FontDescriptor"].get_object()
                program = next((descriptor[k] for k in ("/FontFile", "/FontFile2", "/FontFile3") if k in descriptor),
                               None)
                assert program is not None, (lang, font["/BaseFont"], "not embedded")
                data = program.get_object().get_data()
                fonts[str(font["/BaseFont"])] = (TTFont(io.BytesIO(data))["name"].getDebugName(1), len(data))
        # one font: Noto Sans CJK SC (never the collection's first, Japanese face), a subset (its name's six-letter
        # tag; a tenth of the 16 MB face or less: WeasyPrint keeps the glyph ids, with the unused ones empty)
        assert fonts and {family for family, _ in fonts.values()} == {"Noto Sans CJK SC"}, (lang, fonts)
        assert all(re.fullmatch(r"/[A-Z]{6}\+\S+", name) and size < 16_000_000 / 10
                   for name, (_, size) in fonts.items()), (lang, fonts)


@pytest.mark.slow
def test_no_chinese_line_starts_with_closing_punctuation(pdfs):
    lines = [line.strip() for lang in ("zh", "both") for line in text_of(pdfs[lang]).splitlines()]
    chinese = [line for line in lines if CJK.search(line)]
    assert len(chinese) > 80
    assert [line for line in chinese if line.startswith(CLOSING)] == []


@pytest.mark.slow
def test_page_counts_metadata_and_links(pdfs):
    assert len(pdfs["both"].pages) <= 8
    assert len(pdfs["zh"].pages) <= len(pdfs["both"].pages) and len(pdfs["en"].pages) <= len(pdfs["both"].pages)
    for lang, reader in pdfs.items():
        info = reader.metadata
        assert info.title == {"zh": "第1期 · PANDA微短剧", "en": "PANDA Mini-drama · Issue 1",
                              "both": "第1期 · PANDA微短剧 / PANDA Mini-drama · Issue 1"}[lang]
        assert info.author == "PANDA"
        assert str(info.get("/CreationDate", "")).startswith("D:20251101")
        assert str(reader.trailer["/Root"]["/Lang"]) == {"zh": "zh-CN", "en": "en", "both": "zh-CN"}[lang]
        links = {annotation.get_object()["/A"].get("/URI") for page in reader.pages
                 for annotation in (page.get("/Annots") or []) if "/A" in annotation.get_object()}
        assert f"https://panda-minidrama.github.io/newsletter/issues/{STEM}.html?lang={lang}" in links
        assert ("http://www.people.com.cn/" if lang != "en" else "http://en.people.cn/") in links
    # page numbers in each edition's language
    assert "第 1 页 / 共" in pdfs["zh"].pages[0].extract_text()
    assert re.search(r"Page 1 of \d", pdfs["en"].pages[0].extract_text())


@pytest.mark.slow
def test_a_build_typesets_again_only_what_changed(built_book, tmp_path, pdfs):
    import shutil

    from .conftest import ISSUE1, build

    root = tmp_path / "book"
    shutil.copytree(built_book.root, root, symlinks=True)
    target = root / "_build" / "html" / "pdf" / f"{STEM}-zh.pdf"
    before = target.read_bytes()
    # (a cache of its own: the machine's shared cache may hold this edit's PDFs from an earlier run)
    env = {**os.environ, "PANDA_PDF_CACHE": str(tmp_path / "shared")}
    again = build(root, env=env)
    assert again.returncode == 0, again.output[-3000:]
    assert "PDF(s) typeset" not in again.output and target.read_bytes() == before
    issue = root / ISSUE1
    issue.write_text(issue.read_text(encoding="utf-8").replace("形成了各具特色的生产集群。", "形成了各具特色的生产集群（已修订）。"),
                     encoding="utf-8")
    edited = build(root, env=env)
    assert edited.returncode == 0, edited.output[-3000:]
    assert "panda_book: 3 PDF(s) typeset" in edited.output
    assert len(list((tmp_path / "shared").glob("*.pdf"))) == 3  # and kept for the machine's next build
    from pypdf import PdfReader

    assert "已修订" in "".join(p.extract_text() for p in PdfReader(target).pages)
    assert len(list((root / "_build" / ".pdf-cache").glob("*.pdf"))) == 3  # the old ones gone


@pytest.mark.parametrize("step", ["build", "links"])
def test_without_pango_the_build_says_how_to_install_it_and_skips_only_the_pdfs(monkeypatch, tmp_path, step):
    """(fast: the engine is made missing in this process) no PDF, no stale PDF, no link to one, and the fix."""
    from types import SimpleNamespace

    monkeypatch.setattr(pdf, "engine", lambda: (None, "OSError: cannot load library 'libpango-1.0-0'"))
    if step == "build":
        stale = tmp_path / "html" / "pdf"
        stale.mkdir(parents=True)
        (stale / f"{STEM}-zh.pdf").write_bytes(b"%PDF- an earlier build's")
        pdf.write_pdfs(SimpleNamespace(outdir=str(tmp_path / "html")))
        assert not stale.exists()
        said = []
        monkeypatch.setattr(pdf.logger, "info", said.append)
        pdf._say_if_missing(None, None)
        assert said and "libpango" in said[0] and "apt-get install libpango-1.0-0 libpangoft2-1.0-0" in said[0]
    else:
        assert pdf.pdf_links(SimpleNamespace(env=SimpleNamespace(panda_issues={f"issues/{STEM}": {}})),
                             f"issues/{STEM}") == []
