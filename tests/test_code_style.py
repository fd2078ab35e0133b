"""The code passes the linter configured in pyproject.toml ([tool.ruff])."""

from __future__ import annotations

import subprocess
import sys

from conftest import ROOT

PATHS = ["src", "tests", "benchmarks", "_ext", "conftest.py"]


def test_ruff_finds_nothing():
    result = subprocess.run([sys.executable, "-m", "ruff", "check", "--output-format",
                             "concise", *PATHS], cwd=ROOT, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr
