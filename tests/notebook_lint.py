"""Lint rules for stored notebooks: what must never be published in an output."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat

ADDRESS = re.compile(r"\b0x[0-9a-fA-F]{6,16}\b")
MACHINE_PATH = re.compile(r"(/home/|/root/|/tmp/|/work/|/Users/|[A-Z]:\\\\|site-packages|\.venv/)")
STRAY_REPR = re.compile(r"<(matplotlib\.|Figure |Axes)")


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
    address, machine path or stray matplotlib repr in any text output.
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
    return problems
