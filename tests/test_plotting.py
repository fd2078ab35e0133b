"""Unit tests of actbook.plotting's style helpers (real values, not just shapes)."""

from __future__ import annotations

from actbook import plotting


def test_line_style_matches_series_style_without_marker():
    style = plotting.line_style(1)
    assert style == {"color": "#E69F00", "linestyle": "--"}
    assert style["color"] == plotting.series_style(1)["color"]
    # cycles after 7 like series_style; overrides win and extra keywords pass through
    assert plotting.line_style(8)["color"] == plotting.PALETTE[1]
    assert plotting.line_style(0, lw=2, label="a", linestyle=":") == {
        "color": "#0072B2", "linestyle": ":", "lw": 2, "label": "a"}
