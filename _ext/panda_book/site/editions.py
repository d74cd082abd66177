"""The issue beyond the web page: the email edition, the WeChat article and the full-text feeds."""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.errors import ConfigError

from newsletter.mailing import email_settings


def _check_settings(app: Sphinx, config) -> None:
    try:
        email_settings(config.panda_email)
    except (TypeError, ValueError) as exc:
        raise ConfigError(str(exc)) from None


def setup_editions(app: Sphinx) -> None:
    # newsletter/mailing.py: the one reader of these settings, for the build and for `python -m newsletter send`
    app.add_config_value("panda_email", {}, "env", types=[dict])
    app.connect("config-inited", _check_settings)
