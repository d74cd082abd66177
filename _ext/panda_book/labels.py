"""The bilingual label "中文 · English" as HTML, escaped (every name from a data file goes through here)."""

from __future__ import annotations

import html


def bi_html(zh: str, en: str) -> str:
    """``<span lang="zh-CN" class="bl-zh">中文</span> · <span lang="en" class="bl-en">English</span>``, each half
    escaped; either half may be empty (then no separator)."""
    parts = []
    if zh:
        parts.append(f'<span lang="zh-CN" class="bl-zh">{html.escape(zh)}</span>')
    if zh and en:
        parts.append('<span class="bl-sep" aria-hidden="true"> · </span>')
    if en:
        parts.append(f'<span lang="en" class="bl-en">{html.escape(en)}</span>')
    return "".join(parts)
