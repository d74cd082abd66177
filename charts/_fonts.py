"""The one place where the Chinese font is set up.

The font comes from the ``noto-cjk-sans-otc`` wheel (OFL, byte-identical to
Debian's Noto Sans CJK), so ``pip install -r requirements.txt`` is all a machine
needs; no apt package, no download at build time.
"""

from __future__ import annotations

from functools import cache

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
