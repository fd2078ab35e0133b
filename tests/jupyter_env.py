"""A project-controlled Jupyter, IPython and matplotlib configuration for every kernel that the
tests and ``make execute`` start, so that stored and re-computed outputs never depend on the
configuration of the person who runs them.

Without it a kernel reads the user's IPython profile (``~/.ipython/profile_default``:
``InlineBackend.figure_formats = {'retina'}`` doubles every PNG, ``InlineBackend.rc`` changes the
figure DPI; startup scripts run before the first cell), Jupyter configuration (``~/.jupyter``,
``JUPYTER_CONFIG_PATH``), kernelspecs (``JUPYTER_PATH``, ``~/.local/share/jupyter``: a
``python3`` there may be another Python) and matplotlib's ``matplotlibrc`` and ``MPLBACKEND``.

:func:`isolated_environ` points all of these at a fresh scratch folder holding one kernelspec,
``python3``, for this Python (the ``.venv``), and matplotlib at its built-in defaults. Used as:

* a pytest plugin (``pytest_plugins`` in the root ``conftest.py``): set for the whole run,
  before any kernel starts; nbval's ``--nbval-current-env`` kernel is this Python too;
* a command wrapper: ``python -m tests.jupyter_env COMMAND ARGS...`` runs ``COMMAND`` with that
  environment (``make execute`` runs ``jupyter nbconvert`` this way).
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

#: Variables that carry user configuration into a kernel: removed, or set by the isolation.
VARIABLES = (
    "IPYTHONDIR", "JUPYTER_CONFIG_DIR", "JUPYTER_CONFIG_PATH", "JUPYTER_DATA_DIR",
    "JUPYTER_PATH", "JUPYTER_RUNTIME_DIR", "JUPYTER_PREFER_ENV_PATH", "JUPYTER_PLATFORM_DIRS",
    "MATPLOTLIBRC", "MPLCONFIGDIR", "MPLBACKEND",
)


def _default_matplotlibrc() -> str:
    """matplotlib's own matplotlibrc (its defaults), found without importing matplotlib."""
    spec = importlib.util.find_spec("matplotlib")
    return str(Path(spec.submodule_search_locations[0]) / "mpl-data" / "matplotlibrc")


def isolated_environ(scratch: Path, base=None) -> dict[str, str]:
    """``base`` (default ``os.environ``) with every Jupyter/IPython/matplotlib configuration
    location replaced by folders under ``scratch`` (created; should be empty), which holds
    one kernelspec, ``python3``, running this Python."""
    from ipykernel.kernelspec import write_kernel_spec

    scratch = Path(scratch)
    data = scratch / "jupyter-data"
    kernels = data / "kernels"
    kernels.mkdir(parents=True, exist_ok=True)
    if not (kernels / "python3").exists():
        write_kernel_spec(str(kernels / "python3"))   # argv: this sys.executable
    env = {k: v for k, v in (os.environ if base is None else base).items()
           if k not in VARIABLES}
    env.update({
        "IPYTHONDIR": str(scratch / "ipython"),              # no user profile or startup files
        "JUPYTER_CONFIG_DIR": str(scratch / "jupyter-config"),   # no ~/.jupyter
        "JUPYTER_DATA_DIR": str(data),                       # no ~/.local/share/jupyter
        "JUPYTER_PATH": str(data),                           # searched first: our python3
        "JUPYTER_RUNTIME_DIR": str(scratch / "jupyter-runtime"),
        "MATPLOTLIBRC": _default_matplotlibrc(),             # no user matplotlibrc
    })
    return env


# --- pytest plugin -------------------------------------------------------------------------

_saved: dict[str, str | None] = {}
_scratch: list[Path] = []


def pytest_configure(config):
    scratch = Path(tempfile.mkdtemp(prefix="actbook-jupyter-"))
    _scratch.append(scratch)
    env = isolated_environ(scratch)
    for name in set(VARIABLES) | set(env):
        if os.environ.get(name) != env.get(name):
            _saved.setdefault(name, os.environ.get(name))
            if name in env:
                os.environ[name] = env[name]
            else:
                os.environ.pop(name, None)


def pytest_unconfigure(config):
    for name, value in _saved.items():
        if value is None:
            os.environ.pop(name, None)
        else:
            os.environ[name] = value
    _saved.clear()
    while _scratch:
        shutil.rmtree(_scratch.pop(), ignore_errors=True)


# --- command wrapper -------------------------------------------------------------------------

def main(argv: list[str]) -> int:
    if not argv:
        print("usage: python -m tests.jupyter_env COMMAND [ARGS...]", file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="actbook-jupyter-") as scratch:
        return subprocess.run(argv, env=isolated_environ(Path(scratch))).returncode


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
