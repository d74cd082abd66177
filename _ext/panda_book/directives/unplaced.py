"""``{unplaced}``: the lines of a digest that ``python -m newsletter import`` could not place in the issue.

Each line (``digest line 33: ...``) is an error of the rule ``unplaced`` (newsletter/rules.py), in the validator
and in the build, until the editor places or deletes it; so the page only ever draws the empty block, which
shows nothing.
"""

from __future__ import annotations

from sphinx.application import Sphinx
from sphinx.util.docutils import SphinxDirective


class UnplacedDirective(SphinxDirective):
    has_content = True

    def run(self):
        return []  # (a line in it failed the build at the rules, with its line)


def setup_unplaced(app: Sphinx) -> None:
    app.add_directive("unplaced", UnplacedDirective)
