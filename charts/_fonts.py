"""The one place where the Chinese font is set up.

The font comes from the ``noto-cjk-sans-otc`` wheel (OFL, byte-identical to
Debian's Noto Sans CJK), so ``pip install -r requirements.txt`` is all a machine
needs; no apt package, no download at build time.
"""

from __future__ import annotations

import os
from functools import cache
from pathlib import Path

from matplotlib import font_manager

CJK_FAMILY = "Noto Sans CJK SC"


@cache
def register_cjk_font() -> str:
    """Register the bundled Noto Sans CJK collection with matplotlib once.

    Returns the path of the font file.
    """
    try:
        from noto_cjk_sans_otc import FONT_PATH
    except ImportError as exc:  # pragma: no cover - install problem
        raise RuntimeError(
            "The Chinese chart font is missing: install the project's "
            "requirements (pip install -r requirements.txt), which include "
            "noto-cjk-sans-otc."
        ) from exc
    path = str(FONT_PATH)
    font_manager.fontManager.addfont(path)
    if CJK_FAMILY not in {f.name for f in font_manager.fontManager.ttflist}:
        raise RuntimeError(f"{path} did not provide the font family {CJK_FAMILY!r}")
    return path


def cjk_font_face(folder) -> Path:
    """The Simplified Chinese face of the bundled collection as a font file of its own, in ``folder`` (made
    once): a document engine that takes the collection would use its first face, Japanese (print edition)."""
    from fontTools.ttLib import TTCollection

    source = Path(register_cjk_font())
    stamp = source.stat()
    target = Path(folder) / f"NotoSansCJKsc-Regular-{stamp.st_size}-{int(stamp.st_mtime)}.otf"
    if not target.is_file():
        target.parent.mkdir(parents=True, exist_ok=True)
        collection = TTCollection(str(source))
        face = next((f for f in collection.fonts if f["name"].getDebugName(1) == CJK_FAMILY), None)
        if face is None:
            raise RuntimeError(f"{source} holds no {CJK_FAMILY!r} face")
        part = target.with_suffix(f".{os.getpid()}.part")
        face.save(str(part))
        os.replace(part, target)
    return target
