"""Checks that run alongside nbval on every notebook cell.

Unrun cells: nbval executes a code cell whose stored execution count is null but, by design,
does not compare its output, so a cell that was never run (published without its output) would
pass. This plugin fails it: every code cell must have been executed when the outputs were
stored (`make execute`), even one that is meant to show no output.

Stale figures: nbval compares text outputs but skips images, so a plotting cell changed without
refreshing its stored PNG would publish a stale figure. After nbval has run a cell, this plugin
compares every PNG the cell produced now with the PNG stored in the notebook, pixel by pixel,
and fails the cell when they differ by more than anti-aliasing noise.
"""

from __future__ import annotations

import base64
import io

import numpy as np
import pytest
from nbval.plugin import IPyNbFile

#: Where a PNG can sit in an output: shown directly, or stored by myst-nb's glue.
PNG_KEYS = ("image/png", "application/papermill.record/image/png")

#: A pixel "differs" when any channel differs by more than this (0-255).
PIXEL_TOLERANCE = 24
#: A figure is stale when more than this fraction of its pixels differ.
STALE_FRACTION = 0.002


def _pngs(outputs) -> list[np.ndarray]:
    from PIL import Image

    images = []
    for out in outputs or []:
        for key in PNG_KEYS:
            png = out.get("data", {}).get(key)
            if png:
                img = Image.open(io.BytesIO(base64.b64decode(png))).convert("RGB")
                images.append(np.asarray(img, dtype=np.int16))
    return images


def compare_figures(stored_outputs, fresh_outputs) -> list[str]:
    """Differences between the PNGs of two output lists, as readable messages (empty: same)."""
    stored, fresh = _pngs(stored_outputs), _pngs(fresh_outputs)
    problems = []
    if len(stored) != len(fresh):
        problems.append(f"the cell now makes {len(fresh)} figure(s), the notebook stores "
                        f"{len(stored)}")
    for i, (a, b) in enumerate(zip(stored, fresh)):
        if a.shape != b.shape:
            problems.append(f"figure {i + 1}: size changed from {a.shape[1]}x{a.shape[0]} to "
                            f"{b.shape[1]}x{b.shape[0]} pixels")
            continue
        differing = float((np.abs(a - b).max(axis=2) > PIXEL_TOLERANCE).mean())
        if differing > STALE_FRACTION:
            problems.append(f"figure {i + 1}: {differing:.1%} of pixels differ from the stored "
                            f"image (tolerance {STALE_FRACTION:.1%})")
    return problems


def _skip_glued_pngs_in_text_comparison(init):
    """nbval skips image/png when comparing, but not the copy glue stores under a papermill
    MIME type, which it would compare byte for byte (failing on invisible anti-aliasing
    changes). Images are compared here instead, pixel-wise with a tolerance."""

    def patched(self, *args, **kwargs):
        init(self, *args, **kwargs)
        self.skip_compare = tuple(self.skip_compare) + PNG_KEYS

    return patched


IPyNbFile.__init__ = _skip_glued_pngs_in_text_comparison(IPyNbFile.__init__)


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    result = yield
    fresh = getattr(item, "test_outputs", None)
    cell = getattr(item, "cell", None)
    if cell is not None and type(item).__name__ == "IPyNbCell" \
            and cell.get("execution_count") is None:
        pytest.fail(f"unrun cell in {item.nodeid}: the notebook stores this code cell without "
                    "an execution count, so its output was never stored and is not checked. "
                    "Execute every cell: `make execute`.", pytrace=False)
    if fresh is not None and cell is not None and type(item).__name__ == "IPyNbCell":
        problems = compare_figures(cell.get("outputs", []), fresh)
        if problems:
            pytest.fail(f"stale figure in {item.nodeid}: " + "; ".join(problems)
                        + ". Refresh the stored outputs with `make execute`.", pytrace=False)
    return result
