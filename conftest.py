"""Root pytest configuration: loads the notebook checks that apply to every notebook (the
notebooks live in chapters/, outside tests/, so a tests/conftest.py would not reach them)."""

pytest_plugins = ["tests.nbval_checks"]
