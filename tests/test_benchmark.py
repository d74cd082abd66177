"""The build benchmark runs (CI runs it once at N = 1 to prove it works; no timing is asserted)."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest

from .browsing import _require_chromium
from .conftest import ROOT

pytestmark = [pytest.mark.slow, pytest.mark.browser]


def test_benchmark_runs_at_n1(tmp_path):
    _require_chromium()  # it measures what a page loads in Chromium
    out = tmp_path / "bench.json"
    proc = subprocess.run([sys.executable, str(ROOT / "benchmarks" / "run.py"), "--issues", "1", "--repeat", "1",
                           "--json", str(out)], capture_output=True, text=True, timeout=1200)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    assert "| cold |" in proc.stdout and "| add one issue |" in proc.stdout
    data = json.loads(out.read_text(encoding="utf-8"))
    assert data["issues"] == 1
    for variant in ("ours", "plain"):
        results = data[variant]
        assert all(results[k] > 0 for k in ("cold", "no change", "edit text", "edit code", "add one issue"))
        assert results["peak memory (MiB)"] > 50 and results["issue page loads (KiB)"] > 100
    # the measured structure is what the README reports: the page of this book loads far less
    assert data["ours"]["issue page loads (KiB)"] < data["plain"]["issue page loads (KiB)"] / 3
