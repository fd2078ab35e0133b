"""Lint rules for stored notebooks: what must never be published in an output."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
MACHINE_PATH = re.compile(r"(/home/|/root/|/tmp/|/work/|/Users/|[A-Z]:\\\\|site-packages|\.venv/)")
STRAY_REPR = re.compile(r"<(matplotlib\.|Figure |Axes)")

# A glued number the prose states as a difference or ratio of other shown numbers ("3.3 points",
# "a factor of 1.4", "2.5 times as fast", "higher by 0.4"). It must be glued by
# actbook.report.glue_difference / glue_ratio, which compute from the values as displayed, or
# the sentence must say the figure is of unrounded values.
_GLUE = r"\{glue:text\}`(?P<name>\w+)(?::[^`]*)?`"
STATED_COMPARISON = [
    re.compile(_GLUE + r"\s*(?:percentage\s+)?points?\b"),
    re.compile(r"\b(?:factor|ratio|gap|difference)\s+of\s+(?:about\s+|roughly\s+|only\s+)?"
               + _GLUE),
    re.compile(r"\b(?:higher|lower|faster|slower|larger|smaller|more|less|better|worse|ahead|"
               r"behind)\s+by\s+(?:about\s+|roughly\s+|only\s+)?" + _GLUE),
    re.compile(_GLUE + r"\s*(?:times|\u00d7)\s+(?:as|more|less|faster|slower|larger|smaller|"
               r"higher|lower|longer|shorter|fewer|the)\b"),
]
REGISTERED = re.compile(r"glue_(?:difference|ratio)\(\s*[\"'](\w+)[\"']")


def _texts(output) -> list[str]:
    if output.get("output_type") == "stream":
        return [output.get("text", "")]
    texts = []
    for mime, value in output.get("data", {}).items():
        if mime.startswith("text/"):
            texts.append(value if isinstance(value, str) else "".join(value))
    if output.get("output_type") == "error":
        texts.append("\n".join(output.get("traceback", [])))
    return texts


def lint_notebook(path: Path) -> list[str]:
    """Problems in the notebook at ``path``; an empty list means it is clean.

    Rules: kernelspec ``python3``; every code cell executed, once, top to bottom, in one kernel
    (execution counts exactly 1, 2, 3, ... over all code cells: a cell that was never run has
    no count, and is an error even when it is meant to show no output); no empty code cell
    (Jupyter skips it, so it never gets a count); no error outputs; no stderr stream; no memory
    address, machine path or stray matplotlib repr in any text output; every glued number the
    prose states as a difference or ratio comes from ``actbook.report.glue_difference`` or
    ``glue_ratio`` (see ``STATED_COMPARISON``) unless its sentence says "unrounded".
    """
    nb = nbformat.read(str(path), as_version=4)
    problems = []
    kernel = nb.metadata.get("kernelspec", {}).get("name")
    if kernel != "python3":
        problems.append(f"kernelspec is {kernel!r}, not 'python3'")
    code = [(index, cell) for index, cell in enumerate(nb.cells) if cell.cell_type == "code"]
    counts = [cell.get("execution_count") for _, cell in code]
    for index, cell in code:
        if not cell.source.strip():
            problems.append(f"cell {index}: empty code cell (never executed): delete it")
        elif cell.get("execution_count") is None:
            problems.append(f"cell {index}: code cell was never executed (no execution count), "
                            f"so the page would show it without its output: run `make execute`")
    if counts != list(range(1, len(counts) + 1)):
        problems.append(f"cells were not executed in order from a fresh kernel: "
                        f"execution counts {counts}, expected 1 to {len(counts)}")
    for index, cell in code:
        where = f"cell {index}"
        for out in cell.get("outputs", []):
            if out.get("output_type") == "error":
                problems.append(f"{where}: error output {out.get('ename')}")
            if out.get("output_type") == "stream" and out.get("name") == "stderr":
                problems.append(f"{where}: stderr output {out.get('text', '')[:80]!r}")
            for text in _texts(out):
                if ADDRESS.search(text):
                    problems.append(f"{where}: memory address in output")
                if MACHINE_PATH.search(text):
                    problems.append(f"{where}: machine path in output")
                # glue(..., display=False) stores a figure as display_data whose text/plain is
                # "<Figure ...>": that one is never shown; an execute_result or print is.
                if STRAY_REPR.search(text) and out.get("output_type") != "display_data":
                    problems.append(f"{where}: stray matplotlib repr in output")
    problems += _stated_comparisons(nb)
    return problems


def _stated_comparisons(nb) -> list[str]:
    registered = {m.group(1) for cell in nb.cells if cell.cell_type == "code"
                  for m in REGISTERED.finditer(cell.source)}
    problems = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type != "markdown":
            continue
        for rule in STATED_COMPARISON:
            for m in rule.finditer(cell.source):
                name = m.group("name")
                around = cell.source[max(0, m.start() - 200):m.end() + 200]
                if name not in registered and "unrounded" not in around:
                    problems.append(
                        f"cell {index}: {m.group(0)!r} states a difference or ratio: glue "
                        f"{name!r} with actbook.report.glue_difference/glue_ratio (computed "
                        f"from the values as shown), or say it is of unrounded values")
    return problems
