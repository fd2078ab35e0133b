"""Fixes to the HTML Jupyter Book 1 writes (tests/test_site.py checks each of them).

1. Sphinx 7.4 writes each inline script that an extension adds after the builder has started
   twice (sphinx-doc/sphinx#13402, fixed in Sphinx 8.2; Jupyter Book 1 requires Sphinx 7), so
   sphinx-thebe's ``const THEBE_JS_URL`` throws "already been declared" in every reader's console.
   Keep the first of identical scripts.
2. Jupyter Book adds every ``.js`` file under ``_static/`` to every page as a blocking script, so
   our local MathJax (``_static/mathjax/tex-chtml.js``, 1.2 MB) was loaded on pages without math
   and twice on pages with math. Keep only the copy ``sphinx.ext.mathjax`` adds (deferred, and
   only on pages that contain math).
3. docutils 0.21 writes each bibliography entry as ``role="doc-biblioentry"`` inside a
   ``role="list"``: a role deprecated in DPUB-ARIA 1.1, which is not a list item, so axe-core
   reports the bibliography as a critical violation (aria-required-children). Make the entries
   ``role="listitem"``, what DPUB-ARIA 1.1 recommends.
6. Wide tables on a phone. A table of four or more columns (intervals, p-values, verdicts) is
   wider than a 390 px screen and hid its right-hand columns in a sideways-scrolling box. Each
   such table gets the class ``stack-on-phone`` and every cell a ``data-label`` with its column
   header: ``_static/phone-tables.css`` shows each row as a block of "header: value" lines
   below 576 px. Explicit ARIA table roles keep the table a table for screen readers when its
   elements are displayed as blocks.

Checks that stop a build that would publish a broken page:

4. The site shows the outputs stored in the notebooks (``execute_notebooks: "off"``), so a code
   cell that was never executed would be published as code without its output. Warn (an error
   with ``-W``, as ``make book`` builds) for every code cell without an execution count.
5. MathJax is served from ``_static/mathjax/`` (``mathjax_path`` in ``_config.yml``), which is
   not in git: ``make book`` copies it from the npm package. ``jupyter-book build .`` on a clean
   clone would otherwise publish pages whose math never renders (with only a warning about a
   missing ``_static``). Stop the build and say what to run instead.
"""

from __future__ import annotations

import posixpath
from pathlib import Path

import nbformat
from sphinx.errors import ConfigError
from sphinx.util import logging

logger = logging.getLogger(__name__)


def _fix_scripts(app, pagename, templatename, context, doctree):
    mathjax = posixpath.join("_static", app.config.mathjax_path)
    seen, kept = set(), []
    for script in context.get("script_files", []):
        name = script.filename or ""
        attributes = tuple(sorted(script.attributes.items()))
        if name == mathjax and not {"defer", "async"} & set(script.attributes):
            continue   # Jupyter Book's blocking copy; sphinx.ext.mathjax's deferred one stays
        if (name, script.priority, attributes) not in seen:
            seen.add((name, script.priority, attributes))
            kept.append(script)
    context["script_files"][:] = kept


def _fix_bibliography_roles(app, pagename, templatename, context, doctree):
    if "body" in context:
        context["body"] = context["body"].replace('role="doc-biblioentry"', 'role="listitem"')


STACK_FROM_COLUMNS = 4


def _stack_wide_tables(app, pagename, templatename, context, doctree):
    body = context.get("body", "")
    if "<table" not in body:
        return
    from bs4 import BeautifulSoup

    soup = BeautifulSoup(body, "html.parser")
    changed = False
    for table in soup.find_all("table"):
        head = table.find("thead")
        rows = table.find("tbody").find_all("tr") if table.find("tbody") else []
        if head is None or not rows:
            continue
        labels = [th.get_text(" ", strip=True) for th in head.find_all("th")]
        if len(labels) < STACK_FROM_COLUMNS or any(
                len(r.find_all(["td", "th"])) != len(labels) for r in rows):
            continue   # narrow, or spanning cells: leave it as it is
        table["class"] = [*table.get("class", []), "stack-on-phone"]
        table["role"] = "table"
        for row in table.find_all("tr"):
            row["role"] = "row"
        for th in head.find_all("th"):
            th["role"] = "columnheader"
        for row in rows:
            for label, cell in zip(labels, row.find_all(["td", "th"])):
                cell["role"] = "cell"
                cell["data-label"] = label
                if not cell.get_text(strip=True):   # an empty grouping cell: hidden on a phone
                    cell["class"] = [*cell.get("class", []), "stack-empty"]
        changed = True
    if changed:
        context["body"] = str(soup)


def _check_unrun_cells(app, env, docnames):
    if getattr(app.config, "nb_execution_mode", "off") != "off":
        return   # the build executes the notebooks itself
    for docname in docnames:
        path = Path(env.doc2path(docname))
        if path.suffix != ".ipynb":
            continue
        nb = nbformat.read(str(path), as_version=4)
        for index, cell in enumerate(nb.cells):
            if cell.cell_type == "code" and cell.get("execution_count") is None:
                logger.warning(f"code cell {index} was never executed, so the page would show "
                               "it without its output: execute every cell (`make execute`)",
                               location=docname, type="actbook", subtype="unrun_cell")


class MathJaxMissing(ConfigError):
    """The local MathJax the pages load is not there."""


def _check_mathjax(app, config):
    # Runs before Sphinx's own check of html_static_path (priority 800), whose warning alone
    # ("html_static_path entry '_static' does not exist") does not say what to do, and before
    # the builder is known (this book is built as HTML only).
    path = config.mathjax_path or ""
    if "://" in path or path.startswith("/"):
        return   # MathJax from a URL: nothing to check here
    confdir = Path(app.confdir)
    roots = [confdir / entry for entry in config.html_static_path]
    if any((root / path).is_file() and (root / path).stat().st_size > 0 for root in roots):
        return
    wanted = next((posixpath.join(entry, path) for entry in config.html_static_path
                   if not Path(entry).is_absolute()), posixpath.join("_static", path))
    raise MathJaxMissing(
        f"MathJax is missing: {wanted} does not exist, so no page "
        "would render its math. Build the book with `make book`, which copies MathJax from "
        "the npm package (pinned in package-lock.json) into _static/mathjax/ and then runs "
        "jupyter-book.")


def setup(app):
    app.connect("config-inited", _check_mathjax, priority=100)
    app.connect("env-before-read-docs", _check_unrun_cells)
    app.connect("html-page-context", _fix_scripts, priority=900)   # after every other extension
    app.connect("html-page-context", _fix_bibliography_roles)
    app.connect("html-page-context", _stack_wide_tables)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
