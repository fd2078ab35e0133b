"""Shared pytest fixtures: the book build used by the site tests."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
JUPYTER_BOOK = Path(sys.executable).with_name("jupyter-book")


def build_book(source: Path, output: Path | None = None) -> subprocess.CompletedProcess:
    """Build the book at ``source`` with warnings as errors; return the finished process."""
    cmd = [str(JUPYTER_BOOK), "build", str(source), "-W", "-n", "--keep-going", "--all"]
    if output is not None:
        cmd += ["--path-output", str(output)]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=600)


@pytest.fixture(scope="session")
def built_site() -> Path:
    """Build the real book once per session into _build/html and return that folder."""
    result = build_book(ROOT)
    assert result.returncode == 0, (
        f"book build failed (exit {result.returncode}):\n{result.stdout[-4000:]}\n"
        f"{result.stderr[-4000:]}")
    html = ROOT / "_build" / "html"
    (html / ".nojekyll").touch()
    return html
