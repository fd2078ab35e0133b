"""Root pytest configuration: loads the plugins that apply to every notebook (the notebooks
live in chapters/, outside tests/, so a tests/conftest.py would not reach them): a
project-controlled Jupyter/IPython/matplotlib configuration for every kernel
(tests/jupyter_env.py, so no ~/.ipython profile changes a result) and the notebook checks."""

pytest_plugins = ["tests.jupyter_env", "tests.nbval_checks"]
