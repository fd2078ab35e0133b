"""The book builds with warnings as errors, from the stored notebook outputs."""

from __future__ import annotations

import re

import yaml

from conftest import ROOT


def _toc_files() -> list[str]:
    toc = yaml.safe_load((ROOT / "_toc.yml").read_text())
    files = [toc["root"]]
    for part in toc.get("parts", []):
        files += [chapter["file"] for chapter in part["chapters"]]
    return files


def test_book_builds_without_warnings(built_site):
    for file in _toc_files():
        page = built_site / f"{file}.html"
        assert page.is_file(), f"{page} was not built"


def test_every_chapter_notebook_is_in_the_toc():
    listed = set(_toc_files())
    on_disk = {f"chapters/{p.stem}" for p in (ROOT / "chapters").glob("*.ipynb")}
    assert on_disk <= listed, f"notebooks missing from _toc.yml: {sorted(on_disk - listed)}"


def test_mathjax_is_served_locally(built_site):
    html = (built_site / "chapters" / "02_xor.html").read_text()
    scripts = re.findall(r'<script[^>]+src="([^"]+)"', html)
    mathjax = [s for s in scripts if "mathjax" in s.lower() or "tex-" in s]
    assert mathjax, "no MathJax script on the XOR page"
    assert all(not s.startswith(("http:", "https:", "//")) for s in mathjax), mathjax
    assert (built_site / "_static" / "mathjax" / "tex-chtml.js").is_file()
