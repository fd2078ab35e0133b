"""Shared pytest fixtures: the book build and the browser used by the site tests.

One ``browser`` for the whole session: Playwright's sync API cannot run two instances in one
thread, so the site tests and the playground tests share this one.
"""

from __future__ import annotations

import os
import shutil
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


# --- The browser ----------------------------------------------------------------------------

CHROMIUM_ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                 "--disable-component-update", "--no-first-run", "--disable-sync"]


def _chromium() -> str:
    """Path of the Chromium executable, or skip (fail when REQUIRE_BROWSER=1) saying why."""
    exe = os.environ.get("CHROMIUM") or shutil.which("chromium")
    if exe and Path(exe).is_file():
        return exe
    reason = ("browser tests SKIPPED: Chromium not found (looked for $CHROMIUM, then `chromium` "
              "on PATH); install Debian's `chromium` package (`make test` does this when run as "
              "root) to test the site in a browser")
    if os.environ.get("REQUIRE_BROWSER") == "1":
        pytest.fail(reason.replace("SKIPPED", "cannot run") + " (REQUIRE_BROWSER=1)")
    pytest.skip(reason)


@pytest.fixture(scope="session")
def browser():
    """Debian's Chromium driven by Playwright, launched once per session."""
    from playwright.sync_api import sync_playwright

    exe = _chromium()
    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(executable_path=exe, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()
