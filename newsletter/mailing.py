"""The email edition's settings and file layout, read without Sphinx: one dataclass, one reader.

The build (``_ext/panda_book/site/editions.py``) writes each issue's email edition into
``_build/email/<issue-stem>/``::

    zh.html  en.html  both.html     the HTML parts (inline styles, at most 102 KB each)
    zh.txt   en.txt   both.txt      the plain-text parts
    edition.json                    {"stem", "number", "url", "subjects": {lang: ...},
                                     "preheaders": {lang: ...}}

Both parts hold :data:`UNSUBSCRIBE_PLACEHOLDER` where the recipient's unsubscribe link
goes; ``python -m newsletter send`` (send.py) puts each recipient's link there, made from
``unsubscribe_url`` in ``_config.yml``. A mail service that sends the files (or the feeds)
itself replaces the placeholder with its own merge tag instead (README, "Subscribe and send").

The settings live in ``_config.yml`` under ``sphinx: config: panda_email:`` so the build and
the send command read the same ones; SMTP settings never do (environment variables only).
"""

from __future__ import annotations

import re
import urllib.parse
from dataclasses import dataclass
from pathlib import Path

from .book import BookError, read_yaml

#: the unsubscribe link's place in the built files: a valid relative URL, so the HTML checks pass
UNSUBSCRIBE_PLACEHOLDER = "__UNSUBSCRIBE_URL__"
#: the editions, in the order a reader's choice names them (the send list's ``lang`` column)
LANGS = ("zh", "en", "both")
EMAIL_DIR = "_build/email"
WECHAT_DIR = "_build/wechat"
CONFIG = "_config.yml"
#: the email's content column (600 px less its padding): charts are shown this wide, from a PNG twice as wide
EMAIL_IMAGE_WIDTH = 560
#: on a phone (the email's narrow screens, a WeChat article) the chart's narrow drawing, shown this wide at most
EMAIL_NARROW_WIDTH = 360
#: a chart's email PNG is named after the chart (``employment-zh``) with this suffix (charts/_render.py)
EMAIL_SUFFIX = "-email"
#: the template's fields: the recipient's address and the issue's stem, URL-encoded when filled
_FIELDS = {"email", "issue"}


@dataclass(frozen=True)
class EmailSettings:
    """``panda_email`` in ``_config.yml`` (every key optional)."""

    #: where a recipient unsubscribes, with ``{email}`` (and optionally ``{issue}``): the link in each message
    #: and its ``List-Unsubscribe`` header; it must answer a POST for one-click unsubscribe (RFC 8058)
    unsubscribe_url: str = "https://panda-minidrama.github.io/newsletter/unsubscribe?email={email}&issue={issue}"
    #: the most messages ``send`` hands to the SMTP server in a minute
    per_minute: int = 30
    #: a sign-up page of a mail service, shown in the home page's 订阅 · Subscribe block (empty: feeds only)
    subscribe_url: str = ""

    def unsubscribe_for(self, email: str, issue: str) -> str:
        quote = urllib.parse.quote
        return self.unsubscribe_url.replace("{email}", quote(email, safe="@")).replace("{issue}", quote(issue))


def email_settings(value, where: str = f"{CONFIG}: sphinx: config: panda_email") -> EmailSettings:
    """The settings from the ``panda_email`` mapping; an error names the key and the fix."""
    value = value or {}
    if not isinstance(value, dict):
        raise ValueError(f"{where} must be a mapping of unsubscribe_url, per_minute and subscribe_url")
    unknown = sorted(set(value) - {"unsubscribe_url", "per_minute", "subscribe_url"})
    if unknown:
        raise ValueError(f"{where}: unknown key(s) {', '.join(unknown)}; the keys are unsubscribe_url, per_minute "
                         "and subscribe_url")
    settings = EmailSettings(**value)
    url = settings.unsubscribe_url
    text = url if isinstance(url, str) else ""  # (not a string: the error below, not a TypeError here)
    fields = set(re.findall(r"\{(\w*)\}", text))
    if not isinstance(url, str) or not _address(text) or "email" not in fields or fields - _FIELDS:
        raise ValueError(f"{where}: unsubscribe_url {url!r} must be an https address holding {{email}} (and "
                         "optionally {issue}), e.g. https://example.org/unsubscribe?email={email}; one-click "
                         "unsubscribe needs https")
    if not isinstance(settings.per_minute, int) or isinstance(settings.per_minute, bool) \
            or not 1 <= settings.per_minute <= 6000:
        raise ValueError(f"{where}: per_minute {settings.per_minute!r} must be a whole number from 1 to 6000")
    sub = settings.subscribe_url
    if not isinstance(sub, str) or (sub and not _address(sub)):
        raise ValueError(f"{where}: subscribe_url {sub!r} must be empty or an https address (a host, and no "
                         "space, quote or < >), e.g. https://example.org/subscribe")
    return settings


def _address(url: str) -> bool:
    """An https address with a host, and nothing that could end an attribute where it is written."""
    if not re.fullmatch(r"[A-Za-z0-9\-._~:/?#\[\]@!$&()*+,;=%{}]+", url):
        return False
    parts = urllib.parse.urlsplit(url)
    return parts.scheme == "https" and bool(parts.hostname) and "{" not in parts.netloc


def read_email_settings(root: Path) -> EmailSettings:
    """The settings as ``_config.yml`` gives them (for ``python -m newsletter send``)."""
    path = root / CONFIG
    config = read_yaml(path) or {}
    value = ((config.get("sphinx") or {}).get("config") or {}).get("panda_email")
    text = path.read_text(encoding="utf-8").splitlines()
    line = next((i for i, t in enumerate(text, 1) if t.strip().startswith("panda_email:")), 1)
    try:
        return email_settings(value)
    except (TypeError, ValueError) as exc:
        raise BookError(path, line, str(exc).removeprefix(f"{CONFIG}: ")) from None
