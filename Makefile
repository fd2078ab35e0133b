# The two commands a newcomer needs:  make book  and  make test.
# Each bootstraps .venv from the pinned requirements.txt (and MathJax from package-lock.json).
# The pins are tested on Python 3.11 (3.12 and 3.13 install them too). Take the first of these
# that runs and is 3.11-3.13, unless told (make test PYTHON=/path/to/python).
PYTHON ?= $(or $(shell for p in python3.11 python3.12 python3.13 python3; do \
  $$p -c 'import sys; assert (3, 11) <= sys.version_info[:2] <= (3, 13)' 2>/dev/null \
  && { echo $$p; break; }; done),python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
MATHJAX := _static/mathjax/tex-chtml.js
NOTEBOOKS := $(sort $(wildcard chapters/*.ipynb))
# Per-cell time limit in seconds: set once, in pyproject.toml (--nbval-cell-timeout).
CELL_TIMEOUT := $(shell sed -n 's/.*--nbval-cell-timeout=\([0-9][0-9]*\).*/\1/p' pyproject.toml)

.PHONY: book test unit notebooks site chromium execute serve lab bench lock clean help

# Tests that need neither npm nor a browser nor the notebooks: the package's unit tests.
# (Named paths: pytest would otherwise collect testpaths, chapters included, whatever --ignore says.)
UNIT := tests --ignore=tests/test_site.py --ignore=tests/test_book.py \
        --ignore=tests/test_reliability.py --ignore=tests/test_playground.py

help:
	@echo "make book     build the HTML book into _build/html (from stored outputs)"
	@echo "make test     unit tests + nbval on every notebook + book build (+ browser tests)"
	@echo "make unit     only the package's unit tests (no npm, no browser; 1-3 minutes)"
	@echo "make notebooks  only nbval on every notebook (re-executes them)"
	@echo "make site     only the book build and the browser tests of the site"
	@echo "make execute  re-execute every notebook in place (refresh stored outputs)"
	@echo "make serve    serve _build/html on http://127.0.0.1:8000/"
	@echo "make lab      start JupyterLab on the chapters"
	@echo "make bench    run the performance benchmarks"
	@echo "make lock     regenerate requirements.txt (the lock) from requirements.in"
	@echo "make clean    remove build output"

# requirements.txt is the lock (exact versions with hashes) of requirements.in; the package
# itself is installed on top, editable, with the lock's setuptools (no build isolation).
$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade "pip==26.3"
	$(BIN)/python -m pip install --quiet --require-hashes -r requirements.txt
	$(BIN)/python -m pip install --quiet --no-deps --no-build-isolation -e .
	$(BIN)/python -m pip check
	touch $@

# Regenerate the lock after editing requirements.in: versions already in the lock are kept
# unless requirements.in asks otherwise (uv reads the old lock as its preferences).
UV := uv==0.13.9
UV_VENV := $(or $(TMPDIR),/tmp)/actbook-uv
lock:
	$(PYTHON) -m venv $(UV_VENV)
	$(UV_VENV)/bin/python -m pip install --quiet "$(UV)"
	cp requirements.txt $(UV_VENV)/lock.txt
	$(UV_VENV)/bin/uv pip compile requirements.in --universal --python-version 3.11.5 \
	  --generate-hashes --no-header --index-url https://pypi.org/simple -o $(UV_VENV)/lock.txt
	{ sed -n '/^#/!q;p' requirements.txt; cat $(UV_VENV)/lock.txt; } > $(UV_VENV)/new.txt
	mv $(UV_VENV)/new.txt requirements.txt

$(MATHJAX): package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	rm -rf _static/mathjax
	mkdir -p _static/mathjax/output/chtml/fonts
	cp node_modules/mathjax/es5/tex-chtml.js _static/mathjax/
	cp -r node_modules/mathjax/es5/output/chtml/fonts/woff-v2 _static/mathjax/output/chtml/fonts/

book: $(STAMP) $(MATHJAX)
	$(BIN)/jupyter-book build . -W -n --keep-going
	touch _build/html/.nojekyll
	@echo "Open _build/html/index.html"

test: $(STAMP) $(MATHJAX) chromium
	$(BIN)/python -m pytest -rs

unit: $(STAMP)
	$(BIN)/python -m pytest -rs $(UNIT)

notebooks: $(STAMP)
	$(BIN)/python -m pytest -rs chapters

site: $(STAMP) $(MATHJAX) chromium
	$(BIN)/python -m pytest -rs tests/test_book.py tests/test_site.py tests/test_playground.py

# The browser tests (tests/test_site.py) drive Debian's Chromium. Install it when it is missing and
# we can (root with apt-get, as on the CI machine); otherwise say so: pytest then skips those
# tests and, with -rs, prints why.
chromium:
	@if [ -z "$$CHROMIUM" ] && ! command -v chromium >/dev/null 2>&1; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    echo "Installing Chromium (Debian package chromium) for the browser tests"; \
	    apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq \
	      --no-install-recommends chromium || echo "Could not install Chromium"; \
	  fi; \
	  command -v chromium >/dev/null 2>&1 || echo "Chromium is not installed and cannot be" \
	    "installed here (needs root and apt-get): the browser tests will be SKIPPED"; \
	fi

# Run with the project's Jupyter/IPython configuration, not the user's (tests/jupyter_env.py).
execute: $(STAMP)
	$(BIN)/python -m tests.jupyter_env $(BIN)/jupyter nbconvert --to notebook --execute --inplace --ExecutePreprocessor.kernel_name=python3 --ExecutePreprocessor.timeout=$(CELL_TIMEOUT) $(NOTEBOOKS)

serve: book
	$(BIN)/python -m http.server --directory _build/html 8000

lab: $(STAMP)
	$(BIN)/jupyter lab chapters/

bench: $(STAMP)
	$(BIN)/python benchmarks/run.py

clean:
	rm -rf _build .jupyter_cache _static/mathjax
