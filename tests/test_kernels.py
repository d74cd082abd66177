"""Each notebook runs in a state equal to a fresh kernel's (execute.py, forkserver.py).

Two issues run one after the other by one worker: the first changes what a cell
prints everywhere after it (numpy's print options, a module attribute, a global,
matplotlib's rcParams, the working directory); the second must see none of it.
"""

from __future__ import annotations

import re

import pytest

from .conftest import ROOT, build, make_book

pytestmark = pytest.mark.slow

NAME = "001-2025-11.md"

POLLUTE = """
```{code-cell} ipython3
import os, string, numpy as np, matplotlib
np.set_printoptions(precision=2)
string.digits = "patched"
LEFT_BEHIND = 1
matplotlib.rcParams["font.size"] = 3
os.chdir("/")
print("polluted", np.array([3.14159265]))
```
"""

PROBE = """
```{code-cell} ipython3
import os, string, numpy as np, matplotlib
print("probe", np.array([3.14159265]), string.digits, "LEFT_BEHIND" in globals(),
      matplotlib.rcParams["font.size"], os.path.basename(os.getcwd()))
```
"""


def _issue(number: int, extra: str) -> str:
    text = (ROOT / "templates" / "issue.md").read_text(encoding="utf-8")
    name = f"00{number}-2025-1{number}.md"
    text = (text.replace("ISSUE_FILE", name).replace("  number: 0\n", f"  number: {number}\n")
            .replace("  date: 2000-01\n", f"  date: 2025-1{number}\n").replace("第0期 | Issue 0", f"第{number}期 | Issue {number}"))
    return text + extra  # last: the pollution must not break this issue's own cells


def test_no_state_passes_from_one_notebook_to_the_next(tmp_path):
    root = make_book(tmp_path, _issue(1, POLLUTE))
    (root / "issues" / "002-2025-12.md").write_text(_issue(2, PROBE), encoding="utf-8")
    (root / "_toc.yml").write_text("format: jb-book\nroot: index\nchapters:\n  - file: issues/001-2025-11\n"
                                   "  - file: issues/002-2025-12\n", encoding="utf-8")
    config = (root / "_config.yml").read_text(encoding="utf-8")
    # one worker: the second notebook runs right after the first, in the same worker
    (root / "_config.yml").write_text(config.replace("    nitpicky: true\n",
                                                     "    nitpicky: true\n    panda_execution_workers: 1\n"),
                                      encoding="utf-8")
    result = build(root)
    assert result.returncode == 0, result.output[-3000:]
    assert "ran 2 of 2 notebooks, each in a fresh kernel, 1 at a time" in result.output
    first = (result.html / "issues" / "001-2025-11.html").read_text(encoding="utf-8")
    second = (result.html / "issues" / "002-2025-12.html").read_text(encoding="utf-8")
    assert "polluted [3.14]" in first
    probe = re.search(r"probe \[3\.\d+\] (\S+) (\w+) ([\d.]+) (\S+)", second)
    assert probe, second[-2000:]
    assert probe.group(0).startswith("probe [3.14159265]")
    assert probe.groups() == ("0123456789", "False", "10.0", "issues"), probe.group(0)
