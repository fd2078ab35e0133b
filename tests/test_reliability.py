"""Reliability: every way the book can go wrong fails loudly (issue: reliability).

Each fault-injection test builds a small broken copy in a temporary folder and asserts that the
check meant to catch it fails, with a message that says what and where.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import time
import tomllib
from datetime import datetime
from importlib import metadata
from pathlib import Path

import nbformat
import pytest
from notebook_lint import lint_notebook
from packaging.markers import Marker
from packaging.specifiers import SpecifierSet

from conftest import JUPYTER_BOOK, ROOT, build_book

CHAPTERS = sorted((ROOT / "chapters").glob("*.ipynb"))


def _notebook(*cells, kernel="python3") -> nbformat.NotebookNode:
    nb = nbformat.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": kernel, "display_name": "Python 3", "language": "python"}
    nb.cells = list(cells)
    return nb


def _code(source, outputs=(), count=None):
    cell = nbformat.v4.new_code_cell(source, execution_count=count)
    cell.outputs = [nbformat.from_dict(o) for o in outputs]
    return cell


def _stdout(text):
    return {"output_type": "stream", "name": "stdout", "text": text}


def cell_timeout() -> int:
    """The per-cell time limit, set in one place: pyproject's addopts (--nbval-cell-timeout)."""
    addopts = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["pytest"][
        "ini_options"]["addopts"]
    found = re.findall(r"--nbval-cell-timeout[= ](\d+)", addopts)
    assert len(found) == 1, f"pyproject addopts must set --nbval-cell-timeout once: {addopts!r}"
    return int(found[0])


def run_nbval(paths, tmp_path, env_extra=None, timeout=900, prefix=(), extra_args=(),
              environ=None, isolate=True):
    """Run nbval (with this project's figure check) on ``paths``, isolated from pyproject
    but with its per-cell timeout and (``isolate``) its Jupyter configuration; ``environ``
    replaces ``os.environ`` as the starting environment."""
    ini = tmp_path / "pytest.ini"
    if not ini.exists():
        ini.write_text("[pytest]\n")
    env = {**(os.environ if environ is None else environ), "PYTHONPATH": str(ROOT),
           **(env_extra or {})}
    plugins = ["-p", "tests.jupyter_env"] if isolate else []
    cmd = [*prefix, sys.executable, "-m", "pytest", "-p", "no:cacheprovider", *plugins, "-p",
           "tests.nbval_checks", "--nbval", "--nbval-current-env", "--nbval-sanitize-with",
           str(ROOT / "tests" / "sanitize.cfg"), f"--nbval-cell-timeout={cell_timeout()}",
           *extra_args, "-c", str(ini), "--rootdir", str(tmp_path), *map(str, paths)]
    return subprocess.run(cmd, capture_output=True, text=True, env=env, cwd=tmp_path,
                          timeout=timeout)


# --- Lint: what must never be stored in a published notebook ------------------------------

@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_chapter_passes_lint(path):
    assert lint_notebook(path) == []


@pytest.mark.parametrize("broken, expected", [
    (_notebook(_code("1", count=1), kernel="julia-1.9"), "kernelspec is 'julia-1.9'"),
    (_notebook(_code("a = 1", count=2), _code("a", count=1)), "not executed in order"),
    (_notebook(_code("import sys; sys.stderr.write('oops')", count=1,
                     outputs=[{"output_type": "stream", "name": "stderr", "text": "oops"}])),
     "stderr output"),
    (_notebook(_code("object()", count=1, outputs=[{
        "output_type": "execute_result", "execution_count": 1, "metadata": {},
        "data": {"text/plain": "<object object at 0x7f3a2c1b0e40>"}}])), "memory address"),
    (_notebook(_code("print(path)", count=1, outputs=[_stdout("/home/ana/book/data.csv\n")])),
     "machine path"),
    (_notebook(_code("ax.legend()", count=1, outputs=[{
        "output_type": "execute_result", "execution_count": 1, "metadata": {},
        "data": {"text/plain": "<matplotlib.legend.Legend object>"}}])), "stray matplotlib"),
    (_notebook(_code("a = 1", count=1), _code("print(1)", count=None)), "never executed"),
    (_notebook(_code("a = 1", count=1), _code("a = 2", count=None)), "never executed"),
    (_notebook(_code("a = 1", count=1), _code("", count=None)), "empty code cell"),
    (_notebook(_code("glue('gap', 98.84 - 95.46)", count=1),
               nbformat.v4.new_markdown_cell("ELU was {glue:text}`gap:.1f` points from the best.")),
     "states a difference or ratio"),
    (_notebook(_code("glue('r', a / b)", count=1),
               nbformat.v4.new_markdown_cell("within a factor of {glue:text}`r:.1f`.")),
     "states a difference or ratio"),
    (_notebook(_code("glue('r', a / b)", count=1),
               nbformat.v4.new_markdown_cell("about {glue:text}`r:.0f` times as fast")),
     "states a difference or ratio"),
], ids=["kernelspec", "out-of-order", "stderr", "address", "path", "repr", "unrun",
        "unrun-without-output", "empty", "difference", "ratio", "times"])
def test_lint_catches_each_fault(tmp_path, broken, expected):
    path = tmp_path / "broken.ipynb"
    nbformat.write(broken, str(path))
    problems = lint_notebook(path)
    assert any(expected in p for p in problems), problems


@pytest.mark.parametrize("code, prose", [
    ("report.glue_difference('gap', a, b)", "ELU was {glue:text}`gap:.1f` points from the best."),
    ("report.glue_ratio(\"r\", a, b)", "within a factor of {glue:text}`r:.1f`."),
    ("glue('gap', a - b)", "{glue:text}`gap:.1f` points apart (of the unrounded means)."),
    ("glue('n', 500)", "within {glue:text}`n` steps, multiplied by {glue:text}`n` each layer"),
], ids=["glue_difference", "glue_ratio", "unrounded", "not-a-comparison"])
def test_lint_accepts_comparisons_from_shown_values(tmp_path, code, prose):
    path = tmp_path / "fine.ipynb"
    nbformat.write(_notebook(_code(code, count=1), nbformat.v4.new_markdown_cell(prose)),
                   str(path))
    assert lint_notebook(path) == []


def _unrun_cell():
    """The cell of issue 12.1: {"cell_type": "code", "execution_count": null, "outputs": [],
    "source": "print(1)"} (with the id nbformat 4.5 requires)."""
    cell = nbformat.v4.new_code_cell("print(1)")
    assert cell.execution_count is None and cell.outputs == []
    return cell


@pytest.mark.parametrize("path", CHAPTERS, ids=[p.name for p in CHAPTERS])
def test_lint_catches_an_unrun_cell_inserted_into_a_chapter(tmp_path, path):
    nb = nbformat.read(str(path), as_version=4)
    where = len(nb.cells) // 2
    nb.cells.insert(where, _unrun_cell())
    nbformat.write(nb, str(tmp_path / path.name))
    problems = lint_notebook(tmp_path / path.name)
    assert any(p.startswith(f"cell {where}: code cell was never executed") for p in problems), \
        problems


# --- The Colab install cell (issue 12.7) ------------------------------------------------------

def test_a_failed_colab_install_stops_in_the_install_cell_with_pips_error(tmp_path,
                                                                          monkeypatch):
    from nbclient import NotebookClient
    from nbclient.exceptions import CellExecutionError

    firsts = {next(c for c in nbformat.read(str(p), as_version=4).cells
                   if c.cell_type == "code").source for p in CHAPTERS}
    assert len(firsts) == 1, "every chapter starts with the same install cell"
    install = firsts.pop()
    assert "remove-cell" in next(c for c in nbformat.read(str(CHAPTERS[0]), as_version=4).cells
                                 if c.cell_type == "code").metadata.get("tags", [])
    nb = _notebook(_code("import sys\nsys.modules['actbook'] = None  # not installed, as on Colab"),
                   _code(install), _code("import actbook"))
    # pip cannot reach the repository (a proxy that refuses connections), never prompts, and
    # would install into a scratch folder rather than this environment if it did succeed.
    for name in ("https_proxy", "HTTPS_PROXY", "http_proxy", "HTTP_PROXY", "all_proxy"):
        monkeypatch.setenv(name, "http://127.0.0.1:9")
    monkeypatch.setenv("GIT_TERMINAL_PROMPT", "0")
    monkeypatch.setenv("PIP_NO_INPUT", "1")
    monkeypatch.setenv("PIP_TARGET", str(tmp_path / "target"))
    with pytest.raises(CellExecutionError) as failure:
        NotebookClient(nb, kernel_name="python3", timeout=300).execute()
    message = str(failure.value)
    assert "RuntimeError" in message and "pip install of actbook failed" in message, message
    assert re.search(r"(?i)error", message.split("pip install of actbook failed", 1)[1])
    assert nb.cells[1].outputs[-1]["ename"] == "RuntimeError"   # in the install cell itself
    assert nb.cells[2].execution_count is None                   # nothing after it ran


# --- nbval faults ---------------------------------------------------------------------------

def test_an_unrun_cell_fails_nbval_but_an_executed_silent_cell_passes(tmp_path):
    silent = _code("x = 6 * 7", count=2)                       # executed, shows nothing: fine
    good = _notebook(_code("print(1)", count=1, outputs=[_stdout("1\n")]), silent)
    nbformat.write(good, str(tmp_path / "silent.ipynb"))
    assert run_nbval([tmp_path / "silent.ipynb"], tmp_path).returncode == 0
    bad = _notebook(_code("print(1)", count=1, outputs=[_stdout("1\n")]),
                    _unrun_cell())
    nbformat.write(bad, str(tmp_path / "unrun.ipynb"))
    result = run_nbval([tmp_path / "unrun.ipynb"], tmp_path)
    assert result.returncode != 0
    assert "unrun cell in" in result.stdout and "unrun.ipynb::Cell 1" in result.stdout, \
        result.stdout[-3000:]
    assert "1 failed, 1 passed" in result.stdout


def test_a_cell_that_raises_fails_and_names_notebook_and_cell(tmp_path):
    nb = _notebook(_code("x = 1", count=1),
                   _code("raise ValueError('deliberate failure')", count=2))
    nbformat.write(nb, str(tmp_path / "raises.ipynb"))
    result = run_nbval([tmp_path / "raises.ipynb"], tmp_path)
    assert result.returncode != 0
    assert "raises.ipynb::Cell 1" in result.stdout
    assert "deliberate failure" in result.stdout


def test_an_edited_stored_output_fails_and_shows_the_difference(tmp_path):
    nb = _notebook(_code("print(6 * 7)", count=1, outputs=[_stdout("41\n")]))
    nbformat.write(nb, str(tmp_path / "edited.ipynb"))
    result = run_nbval([tmp_path / "edited.ipynb"], tmp_path)
    assert result.returncode != 0
    assert "41" in result.stdout and "42" in result.stdout
    assert "Notebook cell execution failed" in result.stdout or "mismatch" in result.stdout


PLOT = """
import matplotlib.pyplot as plt
from IPython.display import display
fig, ax = plt.subplots(figsize=(3, 2), dpi=60)
ax.plot([0, 1, 2], {ys})
display(fig)
plt.close(fig)
"""


def test_stale_figure_is_caught(tmp_path):
    # Execute a plotting cell, store its output, then change the cell without refreshing.
    from nbclient import NotebookClient

    nb = _notebook(_code(PLOT.format(ys=[0, 1, 0])))
    NotebookClient(nb, kernel_name="python3").execute()
    assert "image/png" in nb.cells[0].outputs[0]["data"]
    good = tmp_path / "fresh.ipynb"
    nbformat.write(nb, str(good))
    assert run_nbval([good], tmp_path).returncode == 0      # unchanged: passes

    nb.cells[0].source = PLOT.format(ys=[1, 0, 1])           # the plot changes...
    stale = tmp_path / "stale.ipynb"
    nbformat.write(nb, str(stale))                           # ...but the stored PNG does not
    result = run_nbval([stale], tmp_path)
    assert result.returncode != 0
    assert "stale figure" in result.stdout and "pixels differ" in result.stdout


# --- A hung cell: bounded per-cell time limit (issue 12.6) -----------------------------------

def _stored_cell_seconds(path) -> list[float]:
    """How long each code cell took when the notebook was last executed (nbclient records
    the kernel's timestamps in each cell's metadata)."""
    seconds = []
    for cell in nbformat.read(str(path), as_version=4).cells:
        stamps = cell.get("metadata", {}).get("execution", {})
        if "iopub.execute_input" in stamps and "iopub.status.idle" in stamps:
            start, end = (datetime.fromisoformat(stamps[k].replace("Z", "+00:00"))
                          for k in ("iopub.execute_input", "iopub.status.idle"))
            seconds.append((end - start).total_seconds())
    return seconds


def test_cell_timeout_is_set_once_generous_and_bounded(pytestconfig):
    limit = cell_timeout()
    slowest = max(s for path in CHAPTERS for s in _stored_cell_seconds(path))
    assert 10 < slowest < limit, slowest            # the stored timings were found
    assert limit >= 3 * slowest, (f"--nbval-cell-timeout={limit} s is less than 3x the slowest "
                                  f"cell ({slowest:.0f} s): raise it in pyproject.toml")
    assert limit <= 600, f"--nbval-cell-timeout={limit} s: a hung cell would block CI too long"
    if pytestconfig.inipath == ROOT / "pyproject.toml":   # this very run uses it
        assert int(pytestconfig.getoption("nbval_cell_timeout")) == limit
    # make execute uses the same limit (read from pyproject.toml, not a second number)
    dry_run = subprocess.run(["make", "-n", "execute"], capture_output=True, text=True,
                             cwd=ROOT)
    assert f"--ExecutePreprocessor.timeout={limit} " in dry_run.stdout, dry_run.stdout


def test_a_hung_cell_fails_at_the_timeout_and_names_the_cell(tmp_path):
    nb = _notebook(_code("x = 1", count=1), _code("import time\ntime.sleep(600)", count=2),
                   _code("print(x)", count=3, outputs=[_stdout("1\n")]))
    nbformat.write(nb, str(tmp_path / "hangs.ipynb"))
    start = time.monotonic()
    # the same option as pyproject's, with a small value (the last one given wins)
    result = run_nbval([tmp_path / "hangs.ipynb"], tmp_path, timeout=300,
                       extra_args=["--nbval-cell-timeout=5"])
    assert time.monotonic() - start < 120
    assert result.returncode != 0
    assert "hangs.ipynb::Cell 1" in result.stdout
    assert "Timeout of 5 seconds exceeded" in result.stdout, result.stdout[-3000:]


# --- The user's Jupyter/IPython configuration changes nothing (issue 12.2) ------------------

#: A user's IPython profile as in the bug reports: older matplotlib-inline defaults, retina.
HOSTILE_PROFILE = """
c.InlineBackend.rc = {"figure.dpi": 72}
c.InlineBackend.figure_formats = {"retina"}
"""

#: Cells like the chapters': the book's DPI, a glued figure and a shown one.
FIGURE_CELLS = [
    "import matplotlib as mpl\nmpl.rcParams.update({'figure.dpi': 80, 'savefig.dpi': 80})",
    "import matplotlib.pyplot as plt\nfrom myst_nb import glue\n"
    "fig, ax = plt.subplots(figsize=(4.2, 2.6))\nax.plot([0, 1, 2], [0, 1, 0])\n"
    "glue('glued', fig, display=False)\nplt.close(fig)",
    "fig, ax = plt.subplots(figsize=(4.2, 2.6))\nax.plot([0, 1, 2], [1, 0, 1])\nplt.show()",
]


def _hostile_user(tmp_path) -> dict[str, str]:
    """The environment of a user whose home holds a hostile IPython profile, a matplotlibrc
    that thickens every line, and whose JUPYTER_PATH has a ``python3`` kernelspec that points
    at no Python; none of the project's isolation variables are set."""
    from jupyter_env import VARIABLES

    home = tmp_path / "home"
    profile = home / ".ipython" / "profile_default"
    profile.mkdir(parents=True)
    (profile / "ipython_kernel_config.py").write_text(HOSTILE_PROFILE)
    (home / ".config" / "matplotlib").mkdir(parents=True)
    (home / ".config" / "matplotlib" / "matplotlibrc").write_text("lines.linewidth: 8\n")
    kernel = home / "jupyter-path" / "kernels" / "python3"
    kernel.mkdir(parents=True)
    (kernel / "kernel.json").write_text(
        '{"argv": ["/nonexistent/python3", "-m", "ipykernel_launcher", "-f", '
        '"{connection_file}"], "display_name": "Python 3", "language": "python"}')
    env = {k: v for k, v in os.environ.items()
           if k not in VARIABLES and not k.startswith("XDG_")}
    env.update({"HOME": str(home), "JUPYTER_PATH": str(home / "jupyter-path")})
    return env


def _clean_figure_notebook(path: Path) -> nbformat.NotebookNode:
    """Execute FIGURE_CELLS in this session's (isolated) kernel and store them at ``path``."""
    from nbclient import NotebookClient

    nb = _notebook(*(_code(source) for source in FIGURE_CELLS))
    NotebookClient(nb, kernel_name="python3").execute()
    nbformat.write(nb, str(path))
    return nb


def _stored_figures(nb) -> list[tuple[str, tuple[int, ...]]]:
    """(figure repr or '', PNG shape) for every figure a notebook stores."""
    from nbval_checks import _pngs

    out = []
    for cell in nb.cells:
        for output in cell.get("outputs", []):
            data = output.get("data", {})
            text = data.get("application/papermill.record/text/plain", "")
            out += [(text, png.shape) for png in _pngs([output])]
    return out


def test_nbval_ignores_the_users_ipython_profile(tmp_path):
    path = tmp_path / "figures.ipynb"
    clean = _stored_figures(_clean_figure_notebook(path))
    assert clean[0][0] == "<Figure size 336x208 with 1 Axes>"               # 4.2x2.6 in, 80 dpi
    height, width, _ = clean[1][1]                                           # a tight bbox
    user = _hostile_user(tmp_path)

    # the broken copy: nbval without the project's configuration reads the user's profile
    broken = run_nbval([path], tmp_path, environ=user, isolate=False)
    assert broken.returncode != 0
    assert "stale figure" in broken.stdout, broken.stdout[-3000:]
    assert f"size changed from {width}x{height} to" in broken.stdout    # retina, and 72 dpi

    # the project's run: same home, same notebook, passes
    result = run_nbval([path], tmp_path, environ=user)
    assert result.returncode == 0, result.stdout[-3000:]
    assert "3 passed" in result.stdout


def test_make_execute_ignores_the_users_configuration(tmp_path):
    path = tmp_path / "figures.ipynb"
    clean = _stored_figures(_clean_figure_notebook(path))
    user = _hostile_user(tmp_path)
    execute = [str(Path(sys.executable).with_name("jupyter")), "nbconvert", "--to", "notebook",
               "--execute", "--inplace", "--ExecutePreprocessor.kernel_name=python3", str(path)]
    # make execute runs nbconvert through the wrapper...
    dry_run = subprocess.run(["make", "-n", "execute"], capture_output=True, text=True, cwd=ROOT)
    assert re.search(r"python -m tests\.jupyter_env \S*jupyter nbconvert", dry_run.stdout), \
        dry_run.stdout
    # ...without which the user's kernelspec is used (and here fails to start)
    bare = subprocess.run(execute, capture_output=True, text=True, env=user, timeout=300)
    assert bare.returncode != 0 and "/nonexistent/python3" in bare.stderr, bare.stderr[-2000:]
    wrapped = subprocess.run([sys.executable, "-m", "tests.jupyter_env", *execute],
                             capture_output=True, text=True, env=user, cwd=ROOT, timeout=300)
    assert wrapped.returncode == 0, wrapped.stderr[-2000:]
    assert _stored_figures(nbformat.read(str(path), as_version=4)) == clean   # not retina


def test_a_figure_repr_from_another_dpi_is_sanitized(tmp_path):
    # What a kernel at 72 dpi stores for the same glued figure: only the text repr differs.
    path = tmp_path / "figures.ipynb"
    nb = _clean_figure_notebook(path)
    record = nb.cells[1].outputs[0]["data"]
    record["application/papermill.record/text/plain"] = "<Figure size 302.4x187.2 with 1 Axes>"
    nbformat.write(nb, str(path))
    assert run_nbval([path], tmp_path).returncode == 0
    record["application/papermill.record/text/plain"] = "<Figure size 336x208 with 2 Axes>"
    nbformat.write(nb, str(path))                       # a real change is still caught
    result = run_nbval([path], tmp_path)
    assert result.returncode != 0 and "2 Axes" in result.stdout


# --- Book build faults ----------------------------------------------------------------------

def _mini_book(tmp_path: Path, page: str, extra_files=(), mathjax=True) -> Path:
    """A small book with this book's configuration and extensions; with ``mathjax=False`` it has
    no ``_static/`` (MathJax is not in git), like a clean clone before ``make book``."""
    book = tmp_path / "book"
    book.mkdir()
    for name in ["_config.yml", "references.bib"]:
        shutil.copy(ROOT / name, book / name)
    shutil.copytree(ROOT / "_ext", book / "_ext")   # local Sphinx extensions _config.yml loads
    (book / "_toc.yml").write_text("format: jb-book\nroot: intro\nchapters:\n  - file: page\n")
    (book / "intro.md").write_text("# Intro\n\nA test book.\n\n```{bibliography}\n```\n")
    (book / "page.md").write_text(page)
    if mathjax:   # what make book copies from the npm package
        shutil.copytree(ROOT / "_static" / "mathjax", book / "_static" / "mathjax")
    for name in extra_files:
        (book / name).write_bytes(b"")
    return book


@pytest.mark.parametrize("page, expected", [
    ("# Page\n\nSee {numref}`fig-that-does-not-exist`.\n", "fig-that-does-not-exist"),
    ("# Page\n\nAs shown by {cite:p}`nobody2099`.\n", "nobody2099"),
    ("# Page\n\n![a missing figure](figures/missing.png)\n", "missing.png"),
], ids=["cross-reference", "citation", "image"])
def test_build_fails_on_broken_reference(tmp_path, page, expected):
    result = build_book(_mini_book(tmp_path, page))
    assert result.returncode != 0
    assert expected in result.stdout + result.stderr


def test_build_fails_on_an_unrun_notebook_cell(tmp_path):
    book = _mini_book(tmp_path, "# Page\n")
    (book / "page.md").unlink()
    nb = _notebook(nbformat.v4.new_markdown_cell("# Page"),
                   _code("print(1)", count=1, outputs=[_stdout("1\n")]), _unrun_cell())
    nbformat.write(nb, str(book / "page.ipynb"))
    result = build_book(book)
    assert result.returncode != 0
    assert "page.ipynb: WARNING: code cell 2 was never executed" in result.stderr, \
        result.stderr[-2000:]
    assert "make execute" in result.stderr

    nb.cells[2].execution_count = 2                  # executed, shows no output: publishable
    nbformat.write(nb, str(book / "page.ipynb"))
    result = build_book(book)
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-2000:]


@pytest.mark.parametrize("flags", [(), ("-W", "-n", "--keep-going")], ids=["plain", "-W"])
def test_build_without_mathjax_stops_and_says_to_run_make_book(tmp_path, flags):
    # `jupyter-book build .` on a clean clone: _static/mathjax is made by `make book`.
    book = _mini_book(tmp_path, "# Page\n\nMath: $e^{i \\pi} = -1$.\n", mathjax=False)
    result = subprocess.run([str(JUPYTER_BOOK), "build", ".", *flags], capture_output=True,
                            text=True, cwd=book, timeout=600)
    output = result.stdout + result.stderr
    assert result.returncode != 0
    assert "MathJax is missing: _static/mathjax/tex-chtml.js does not exist" in output, \
        output[-3000:]
    assert "`make book`" in output
    assert not (book / "_build" / "html" / "page.html").exists()   # nothing was published


def test_a_clean_mini_book_builds(tmp_path):
    # The control for the three tests above: the same book without the fault builds.
    page = "# Page\n\nAs shown by {cite:p}`nielsen2015neural`.\n"
    result = build_book(_mini_book(tmp_path, page))
    assert result.returncode == 0, result.stdout[-2000:]


# --- Reproducibility across thread counts, without network ---------------------------------

def _no_network_prefix() -> tuple[str, ...]:
    """Run in a new network namespace with only loopback (the kernel talks over loopback)."""
    if shutil.which("unshare") is None or shutil.which("ip") is None or os.geteuid() != 0:
        return ()
    probe = subprocess.run(["unshare", "-n", "true"], capture_output=True)
    return ("unshare", "-n", "sh", "-c", 'ip link set lo up && exec "$0" "$@"') \
        if probe.returncode == 0 else ()


@pytest.mark.slow
def test_notebooks_identical_with_one_thread_and_no_network(tmp_path):
    prefix = _no_network_prefix()
    if not prefix:
        pytest.skip("cannot make a network namespace here (needs root and unshare): "
                    "the one-thread re-execution still runs in the other tests' nbval pass")
    env = {"TF_NUM_INTRAOP_THREADS": "1", "TF_NUM_INTEROP_THREADS": "1",
           "OMP_NUM_THREADS": "1"}
    result = run_nbval(CHAPTERS, tmp_path, env_extra=env, timeout=1800, prefix=prefix)
    tail = "\n".join(result.stdout.splitlines()[-40:])
    assert result.returncode == 0, tail
    assert re.search(r"\d+ passed", tail)


# --- Supply chain ----------------------------------------------------------------------------

_PIN = re.compile(r"^([A-Za-z0-9_.\-\[\]]+)==([\w.+\-]+)\s*(?:;\s*([^\\]+?))?\s*\\?$")


def _normal(name: str) -> str:
    return re.sub(r"[-_.]+", "-", name).lower()


def _lock_entries() -> list[tuple[str, str, str | None, int]]:
    """(name, version, marker, number of hashes) of every package in requirements.txt."""
    entries, lines = [], (ROOT / "requirements.txt").read_text().splitlines()
    for i, line in enumerate(lines):
        if not line or line.startswith((" ", "#")):
            continue
        match = _PIN.match(line)
        assert match, f"requirements.txt line {i + 1} is not 'name==version [; marker] \\': {line}"
        hashes = 0
        for follow in lines[i + 1:]:
            if not follow.startswith("    --hash=sha256:"):
                break
            hashes += 1
        entries.append((_normal(match.group(1)), match.group(2), match.group(3), hashes))
    return entries


def test_installed_packages_match_the_lock():
    wanted = {name: version for name, version, marker, _ in _lock_entries()
              if marker is None or Marker(marker).evaluate()}
    assert {"tensorflow", "jupyter-book", "nbval", "keras", "numpy"} <= set(wanted)
    wrong = {name: (version, metadata.version(name)) for name, version in wanted.items()
             if metadata.version(name) != version}
    assert not wrong, f"installed versions differ from requirements.txt: {wrong}"
    check = subprocess.run([sys.executable, "-m", "pip", "check"], capture_output=True,
                           text=True)
    assert check.returncode == 0, check.stdout


def test_every_locked_package_is_pinned_with_hashes():
    entries = _lock_entries()
    assert len(entries) > 100
    assert [name for name, _, _, hashes in entries if hashes == 0] == []
    assert not re.search(r"^-e|^\.", (ROOT / "requirements.txt").read_text(), re.M), \
        "the lock holds dependencies only: the package is installed on top (Makefile, postBuild)"


def test_direct_dependencies_are_locked_at_their_pins():
    """requirements.in names the direct dependencies (exact versions); the lock must hold each
    at that version, and every import of the package's pyproject dependencies too."""
    locked = {name: version for name, version, _, _ in _lock_entries()}
    direct = {}
    for line in (ROOT / "requirements.in").read_text().splitlines():
        line = line.split("#")[0].strip()
        if line:
            name, _, version = line.partition("==")
            assert version, f"requirements.in: pin each direct dependency exactly: {line}"
            direct[_normal(name)] = version
    assert {name: locked.get(name) for name in direct} == direct
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    for requirement in project:
        name = _normal(re.split(r"[<>=!~ \[]", requirement)[0])
        assert name in direct, f"pyproject dependency {name} is not in requirements.in"


# --- Binder: the Python the pins are for (issue 12.5) -------------------------------------

def binder_python_problems(root: Path) -> list[str]:
    """Why Binder would not get the Python that ``requirements.txt`` is pinned for (empty: ok).

    Binder (repo2docker) reads the Python version from ``runtime.txt`` (``python-X.Y``); it must
    be the version named in the header of ``requirements.txt``, and its newest patch release
    (what Binder installs) must be admitted by every pinned package's Requires-Python (as
    installed here) and by pyproject's requires-python.
    """
    runtime = root / "runtime.txt"
    if not runtime.exists():
        return ["runtime.txt is missing: Binder would pick its default Python"]
    match = re.fullmatch(r"python-(3\.\d+)\n?", runtime.read_text())
    if not match:
        return [f"runtime.txt must read python-3.X, got {runtime.read_text()!r}"]
    version = match.group(1)
    newest = f"{version}.99"     # Binder installs the newest patch release of that version
    problems = []
    header = re.search(r"pins for Python (3\.\d+)", (root / "requirements.txt").read_text())
    if not header or header.group(1) != version:
        problems.append(f"runtime.txt says Python {version}, requirements.txt is pinned for "
                        f"{header.group(1) if header else 'an unnamed version'}")
    project = tomllib.loads((root / "pyproject.toml").read_text())["project"]
    if not SpecifierSet(project["requires-python"]).contains(newest):
        problems.append(f"pyproject requires-python {project['requires-python']} excludes "
                        f"Python {version}")
    for line in (root / "requirements.txt").read_text().splitlines():
        match = _PIN.match(line)
        if not match or (match.group(3) and not Marker(match.group(3)).evaluate(
                {"python_version": version, "python_full_version": newest})):
            continue
        name, pinned = match.group(1), match.group(2)
        spec = metadata.metadata(name).get("Requires-Python") or ""
        if spec and not SpecifierSet(spec).contains(newest):
            problems.append(f"{name}=={pinned} requires Python {spec}, runtime.txt says {version}")
    return problems


def test_binder_python_matches_the_pins():
    assert binder_python_problems(ROOT) == []
    # and the pins were installed (and pass pip check) on that very version
    version = (ROOT / "runtime.txt").read_text().strip().removeprefix("python-")
    assert f"{sys.version_info.major}.{sys.version_info.minor}" == version


@pytest.mark.parametrize("runtime, expected", [
    (None, "runtime.txt is missing"),
    ("python-3.10\n", "numpy==2.4.6 requires Python >=3.11"),
    ("python-3.12\n", "requirements.txt is pinned for 3.11"),
    ("3.11\n", "must read python-3.X"),
], ids=["missing", "too-old", "not-the-pinned-one", "malformed"])
def test_binder_check_catches_each_fault(tmp_path, runtime, expected):
    for name in ["requirements.txt", "pyproject.toml"]:
        shutil.copy(ROOT / name, tmp_path / name)
    if runtime is not None:
        (tmp_path / "runtime.txt").write_text(runtime)
    problems = binder_python_problems(tmp_path)
    assert any(expected in p for p in problems), problems
