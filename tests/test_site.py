"""The published site, tested as a reader meets it (issue 7).

The built book (the session fixture ``built_site``) is served over HTTP on loopback under
``/book/``, the way GitHub Pages serves a project site, and every page in the table of contents is
opened in Chromium (Playwright driving Debian's ``chromium``). Per page: HTTP 200, no console
errors, every referenced stylesheet, script and image returns 200, images rendered with alt text,
math typeset by MathJax, no internal link or ``#anchor`` leading nowhere, no request leaving the
site, an axe-core audit with no serious or critical violation, and the page weight within budget.
Site search must find a chapter term. Screenshots of the chapter pages at desktop and phone width
go to ``SCREENSHOTS`` (not committed) so a human can look at them.

Without Chromium the browser tests are skipped, with the reason in pytest's summary (``-rs``);
with ``REQUIRE_BROWSER=1`` (set in CI) they fail instead. ``CHROMIUM`` overrides the executable.
"""

from __future__ import annotations

import contextlib
import functools
import http.server
import os
import re
import threading
import urllib.error
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import unquote, urldefrag, urlsplit

import nbformat
import pytest
import yaml
from axe_playwright_python.sync_playwright import Axe
from bs4 import BeautifulSoup
from playwright.sync_api import TimeoutError as PlaywrightTimeout
from test_book import _toc_files

from conftest import ROOT

BASE = "/book/"                      # GitHub Pages serves a project site under /<repository>/
PAGES = [f"{name}.html" for name in _toc_files()]
CHAPTERS = [page for page in PAGES if page.startswith("chapters/")]
SCREENSHOTS = Path(os.environ.get("SCREENSHOTS", "/tmp/actbook-screenshots"))
WIDTHS = {"desktop": 1280, "phone": 390}
PAGE_BUDGET = 1_000_000              # bytes: HTML + images + page-specific assets of a chapter
FIGURE_BUDGET = 150_000              # bytes: any one figure
SEARCH_TERM = "vanishing"
# axe-core audits everything but MathJax's rendered glyphs (upstream markup, thousands of nodes
# that would triple the audit's time; MathJax ships its own assistive MathML for screen readers).
AXE_CONTEXT = {"exclude": [["mjx-container"]]}
CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text())
REPOSITORY = CONFIG["repository"]["url"].rstrip("/")
BRANCH = CONFIG["repository"].get("branch", "main")


# --- Serving the site -----------------------------------------------------------------------

class _SubpathHandler(http.server.SimpleHTTPRequestHandler):
    """Serve the built site under ``BASE`` only (anything else is 404), quietly."""

    timeout = 10   # seconds per connection: a stuck client cannot hold a thread forever

    def send_head(self):
        if not self.path.startswith(BASE):
            self.send_error(404, "outside the site's base path")
            return None
        return super().send_head()

    def translate_path(self, path):
        return super().translate_path("/" + path[len(BASE):])

    def log_message(self, format, *args):   # noqa: A002 (signature of the base class)
        pass


@contextlib.contextmanager
def serve(directory: Path):
    """Serve ``directory`` on loopback under ``BASE``; yield ``http://127.0.0.1:<port>/book/``."""
    handler = functools.partial(_SubpathHandler, directory=str(directory))
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.1},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}{BASE}"
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=5)


@pytest.fixture(scope="session")
def site_url(built_site):
    """``http://127.0.0.1:<port>/book/`` serving ``built_site`` for the whole session."""
    with serve(built_site) as url:
        yield url


def _origin(site_url: str) -> str:
    """``http://127.0.0.1:<port>/``: what a request must start with to stay on our server."""
    return site_url[:-len(BASE) + 1]


_NO_PROXY = urllib.request.build_opener(urllib.request.ProxyHandler({}))


@functools.cache
def _fetch(url: str) -> tuple[int, bytes]:
    """(HTTP status, body) of ``url`` on the loopback server, without any proxy."""
    try:
        with _NO_PROXY.open(url, timeout=10) as response:
            return response.status, response.read()
    except urllib.error.HTTPError as error:
        error.close()
        return error.code, b""


@functools.cache
def _anchors(url: str) -> frozenset[str]:
    """Every ``id`` (and legacy ``name``) a fragment can point at in the HTML page at ``url``."""
    soup = BeautifulSoup(_fetch(url)[1], "html.parser")
    return frozenset([tag["id"] for tag in soup.find_all(id=True)]
                     + [tag["name"] for tag in soup.find_all("a", attrs={"name": True})])


# --- The browser ----------------------------------------------------------------------------

@dataclass
class Visit:
    """What one page did when opened in a fresh browser context (cold cache)."""

    url: str
    status: int
    console_errors: list[str] = field(default_factory=list)
    responses: dict[str, int] = field(default_factory=dict)   # URL -> HTTP status
    failed: list[str] = field(default_factory=list)           # requests that got no response
    external: list[str] = field(default_factory=list)         # requests leaving the site
    dom: dict = field(default_factory=dict)                   # see _DOM_PROBE
    axe: list[dict] = field(default_factory=list)             # axe-core violations
    overflow: dict[str, int] = field(default_factory=dict)    # WIDTHS name -> sideways px
    clipped: list[str] = field(default_factory=list)          # see _CLIPPED, at phone width


# Runs in the page after MathJax has finished: what the tests need from the rendered DOM.
_DOM_PROBE = """() => {
  const all = selector => Array.from(document.querySelectorAll(selector));
  const article = document.querySelector('article') || document.body;
  const inCode = n => n.parentElement.closest('pre, code, script, style, mjx-container');
  const walker = document.createTreeWalker(article, NodeFilter.SHOW_TEXT);
  const text = [];
  while (walker.nextNode()) {
    if (!inCode(walker.currentNode)) text.push(walker.currentNode.nodeValue);
  }
  const loads = 'link[rel~=stylesheet], link[rel~=preload], link[rel~=icon]';
  return {
    links: all(`a[href], link[href]:not(${loads.replaceAll(', ', '):not(')})`).map(a => a.href),
    resources: all(`${loads}, script[src], img[src]`).map(e => e.href || e.src).filter(Boolean),
    scripts: all('script[src]').map(s => s.src),
    images: Array.from(document.images, i => ({src: i.currentSrc || i.src,
        alt: i.getAttribute('alt'), width: i.naturalWidth, height: i.naturalHeight,
        complete: i.complete})),
    math: all('.math').length,
    untypeset: all('.math').filter(m => !m.querySelector('mjx-container'))
        .map(m => m.textContent.trim().slice(0, 80)),
    typeset: all('mjx-container').length,
    mathErrors: all('mjx-merror').map(e => e.getAttribute('data-mjx-error') || e.textContent),
    text: text.join(' '),
  };
}"""

# How many CSS pixels the page is wider than the window (> 0: the reader must scroll sideways).
_OVERFLOW = "() => document.documentElement.scrollWidth - window.innerWidth"

# Display equations and tables wider than what the reader can see of them: the rendered width
# (MathJax's mjx-math box, the table's box) against the visible width of the nearest ancestor
# that clips or scrolls it (else the article). A page can avoid sideways scrolling and still hide
# the right end of an equation inside a scroll box: at phone width that is what a reader misses.
_CLIPPED = """() => {
  const article = document.querySelector('article') || document.body;
  const visible = el => {
    for (let a = el; a && a !== article; a = a.parentElement) {
      const o = getComputedStyle(a).overflowX;
      if (o !== 'visible') return a.getBoundingClientRect();
    }
    return article.getBoundingClientRect();
  };
  const out = [];
  const items = [
    ...Array.from(article.querySelectorAll('mjx-container[display="true"]'),
                  m => [m, m.querySelector('mjx-math') || m, 'equation']),
    ...Array.from(article.querySelectorAll('table'), t => [t, t, 'table'])];
  for (const [el, content, kind] of items) {
    if (!el.getClientRects().length) continue;            // hidden (e.g. a closed solution)
    const box = visible(content.parentElement);
    const r = content.getBoundingClientRect();
    const over = Math.round(Math.max(r.right - box.right, box.left - r.left));
    if (over > 1) {
      const text = (el.closest('.math, table') || el).textContent.replace(/\\s+/g, ' ');
      out.push(`${kind} ${over} px too wide: ${text.trim().slice(0, 60)}`);
    }
  }
  return out;
}"""

# Resolves once the layout has settled: next frame, then every finite CSS transition/animation.
_SETTLED = """() => new Promise(requestAnimationFrame).then(() => Promise.all(
    document.getAnimations()
        .filter(a => a.effect && a.effect.getComputedTiming().endTime !== Infinity)
        .map(a => a.finished.catch(() => null))))"""

_MATHJAX_DONE = """() => (window.MathJax && MathJax.startup && MathJax.startup.promise)
    ? MathJax.startup.promise.then(() => true) : false"""


def _open(browser, site_url: str, path: str, screenshots: str | None = None) -> Visit:
    """Open ``path`` (relative to the site) at desktop width, record what happened, run axe;
    then narrow the window to phone width and measure sideways overflow. With ``screenshots``
    (a file stem), save full-page screenshots at both widths in ``SCREENSHOTS``."""
    context = browser.new_context(viewport={"width": WIDTHS["desktop"], "height": 900},
                                  service_workers="block")
    visit = Visit(url=site_url + path, status=0)
    origin = _origin(site_url)

    def leave(route):
        visit.external.append(route.request.url)
        route.abort()

    context.route(lambda url: not url.startswith(origin) and not url.startswith(("data:", "blob:")),
                  leave)
    page = context.new_page()
    page.set_default_timeout(20_000)
    reading = True   # record what a reader's browser does; axe's own requests come later

    def on_console(message):
        if reading and message.type == "error":
            where = f"{message.location.get('url', '')}:{message.location.get('lineNumber', '')}"
            visit.console_errors.append(f"{message.text} ({where})")

    def on_page_error(error):
        if reading:
            visit.console_errors.append(f"uncaught: {error}")

    def on_response(response):
        if reading:
            visit.responses[response.url] = response.status

    def on_request_failed(request):
        if reading and request.url not in visit.external:
            visit.failed.append(f"{request.url}: {request.failure}")

    page.on("console", on_console)
    page.on("pageerror", on_page_error)
    page.on("response", on_response)
    page.on("requestfailed", on_request_failed)
    try:
        response = page.goto(visit.url, wait_until="load")
        visit.status = response.status if response else 0
        page.evaluate(_MATHJAX_DONE)
        page.evaluate("document.fonts.ready.then(() => true)")
        visit.dom = page.evaluate(_DOM_PROBE)
        # axe-core re-fetches stylesheets to inspect them and resolves their @imports against
        # the page instead of the stylesheet (../basic.css -> 404): not what a reader sees.
        reading = False
        visit.axe = Axe().run(page, context=AXE_CONTEXT).response["violations"]
        for name, width in WIDTHS.items():
            page.set_viewport_size({"width": width, "height": 900})
            page.evaluate(_SETTLED)   # the theme slides its sidebars across breakpoints
            visit.overflow[name] = page.evaluate(_OVERFLOW)
            if name == "phone":
                visit.clipped = page.evaluate(_CLIPPED)
            if screenshots:
                page.screenshot(path=str(SCREENSHOTS / f"{screenshots}-{name}.jpg"),
                                full_page=True, type="jpeg", quality=80, animations="disabled")
    finally:
        context.close()
    return visit


@pytest.fixture(scope="session")
def visits(browser, site_url):
    """Each page opened once (see ``_open``), on first request."""
    cache: dict[str, Visit | str] = {}
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def visit(page: str) -> Visit:
        if page not in cache:
            try:
                cache[page] = _open(browser, site_url, page,
                                    Path(page).stem if page in CHAPTERS else None)
            except Exception as error:   # e.g. a timeout: fail every test of the page at once
                cache[page] = f"{page} could not be opened: {type(error).__name__}: {error}"
        if isinstance(cache[page], str):
            pytest.fail(cache[page])
        return cache[page]

    return visit


@pytest.fixture(scope="session")
def report(request):
    """Tables printed at the end of the session (page weight, axe), even without ``-s``."""
    sections: dict[str, list[str]] = {}
    yield sections
    reporter = request.config.pluginmanager.get_plugin("terminalreporter")
    capture = request.config.pluginmanager.get_plugin("capturemanager")
    if reporter is None or not sections:
        return
    with capture.global_and_fixture_disabled():
        for title, lines in sections.items():
            reporter.write_sep("-", title)
            for line in lines:
                reporter.write_line(line)


# --- Every page: loads, resources, images, math, links ---------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_page_loads_without_errors(visits, page):
    visit = visits(page)
    assert visit.status == 200, f"{page}: HTTP {visit.status}"
    assert visit.console_errors == [], f"{page}: console errors {visit.console_errors}"
    bad = {url: status for url, status in visit.responses.items() if status >= 400}
    assert bad == {}, f"{page}: requests that failed {bad}"
    assert visit.failed == [], f"{page}: requests with no response {visit.failed}"
    assert visit.external == [], f"{page}: requests leaving the site {visit.external}"


@pytest.mark.parametrize("page", PAGES)
def test_every_referenced_asset_is_served(visits, page):
    dom = visits(page).dom
    missing = {url: _fetch(url)[0] for url in dom["resources"] if _fetch(url)[0] != 200}
    assert missing == {}, f"{page}: stylesheets/scripts/images not served {missing}"
    twice = sorted({s for s in dom["scripts"] if dom["scripts"].count(s) > 1})
    assert twice == [], f"{page}: scripts loaded more than once {twice}"


@pytest.mark.parametrize("page", PAGES)
def test_images_render_with_alt_text(visits, page):
    for image in visits(page).dom["images"]:
        name = image["src"].rsplit("/", 1)[-1]
        assert image["complete"] and image["width"] > 0 and image["height"] > 0, (
            f"{page}: image {name} did not render")
        alt = (image["alt"] or "").strip()
        assert alt, f"{page}: image {name} has no alt text"
        # myst-nb's default alt text for an undescribed output image is its file name
        assert not re.search(r"_images/|\.(png|jpe?g|svg|gif)$", alt), (
            f"{page}: image {name} has a file name for alt text: {alt!r}")


@pytest.mark.parametrize("page", PAGES)
def test_math_is_typeset(visits, page):
    dom = visits(page).dom
    assert dom["untypeset"] == [], f"{page}: math MathJax did not typeset {dom['untypeset']}"
    assert dom["mathErrors"] == [], f"{page}: MathJax errors {dom['mathErrors']}"
    assert dom["typeset"] >= dom["math"], f"{page}: {dom['math']} math, {dom['typeset']} typeset"
    raw = re.findall(r"\$[^$\s][^$]*?\$|\\\(.+?\\\)|\\\[.+?\\\]", dom["text"])
    assert raw == [], f"{page}: raw TeX left in the text {raw[:5]}"


@pytest.mark.parametrize("page", PAGES)
def test_no_internal_link_leads_nowhere(visits, site_url, page):
    broken = []
    internal = [link for link in sorted(set(visits(page).dom["links"]))
                if link.startswith(_origin(site_url))]   # other sites: not checked (offline)
    assert len(internal) > 5, f"{page}: only {internal} found; is the link probe broken?"
    for link in internal:
        target, fragment = urldefrag(link)
        status = _fetch(target)[0]
        if status != 200:
            broken.append(f"{link} (HTTP {status})")
        elif fragment and urlsplit(target).path.endswith((".html", "/")) \
                and unquote(fragment) not in _anchors(target):
            broken.append(f"{link} (no #{fragment} on the target page)")
    assert broken == [], f"{page}: links leading nowhere:\n  " + "\n  ".join(broken)


def test_site_root_redirects_to_the_first_page(browser, site_url):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(site_url)   # index.html: a meta refresh to the first page
        page.wait_for_url(site_url + PAGES[0], timeout=10_000)
    finally:
        context.close()


def test_search_finds_a_chapter_term(browser, site_url):
    context = browser.new_context()
    try:
        page = context.new_page()
        page.goto(f"{site_url}search.html?q={SEARCH_TERM}", wait_until="load")
        try:
            page.wait_for_selector("#search-results ul.search li a", timeout=15_000)
        except PlaywrightTimeout:
            summary = page.inner_text("#search-results")
            pytest.fail(f"search for {SEARCH_TERM!r} found nothing: {summary!r}")
        hits = page.eval_on_selector_all("#search-results ul.search li a",
                                         "links => links.map(a => a.href)")
    finally:
        context.close()
    assert any("/chapters/" in hit for hit in hits), f"no chapter among the hits {hits}"


# --- Accessibility ----------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_accessibility_no_serious_violations(visits, report, page):
    violations = visits(page).axe
    lines = report.setdefault("axe-core violations per page (impact: rule x elements)", [])
    summary = ", ".join(f"{v['impact']}: {v['id']} x{len(v['nodes'])}" for v in violations)
    lines.append(f"{page:32s} {len(violations):2d}  {summary or '-'}")
    serious = [f"{v['id']} ({v['impact']}): {v['help']}; "
               + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
               for v in violations if v["impact"] in ("serious", "critical")]
    assert serious == [], f"{page}: serious/critical accessibility violations:\n  " + \
        "\n  ".join(serious)


# --- Weight ------------------------------------------------------------------------------------

def _referenced_files(site: Path, page: str) -> dict[str, int]:
    """Size in bytes of every file in ``site`` that ``page`` loads (itself, images, scripts,
    stylesheets, icons, preloads), keyed by path relative to ``site``; fonts and CSS imports,
    all shared theme assets, are left out."""
    soup = BeautifulSoup((site / page).read_text(), "html.parser")
    loaded = {"stylesheet", "preload", "icon"}
    refs = [tag.get("src") for tag in soup.find_all(["img", "script"])]
    refs += [tag.get("href") for tag in soup.find_all("link") if loaded & set(tag.get("rel", []))]
    files = {page: (site / page).stat().st_size}
    for ref in filter(None, refs):
        if urlsplit(ref).scheme or ref.startswith("//"):
            continue   # a third-party file: test_page_loads_without_errors fails on those
        path = ((site / page).parent / unquote(urlsplit(ref).path)).resolve()
        files[path.relative_to(site.resolve()).as_posix()] = path.stat().st_size
    return files


@pytest.mark.parametrize("page", CHAPTERS)
def test_page_weight_within_budget(built_site, report, page):
    files = _referenced_files(built_site, page)
    shared = sum(size for path, size in files.items()
                 if path.startswith("_static/") or path == "searchindex.js")
    figures = {path: size for path, size in files.items() if path.startswith("_images/")}
    own = sum(files.values()) - shared          # HTML + images + page-specific assets
    lines = report.setdefault(
        "page weight in KB, uncompressed (shared: theme, MathJax, search index; cached)",
        [f"{'page':32s} {'html':>6s} {'figures (n)':>12s} {'largest':>8s} {'page total':>11s}"
         f" {'shared':>7s}"])
    lines.append(f"{page:32s} {files[page] / 1e3:6.0f} {sum(figures.values()) / 1e3:7.0f} "
                 f"({len(figures):2d}) {max(figures.values(), default=0) / 1e3:8.0f} "
                 f"{own / 1e3:11.0f} {shared / 1e3:7.0f}")
    over = {path: size for path, size in figures.items() if size >= FIGURE_BUDGET}
    assert over == {}, f"{page}: figures of {FIGURE_BUDGET} bytes or more {over}"
    assert own <= PAGE_BUDGET, f"{page}: {own} bytes of HTML, images and page assets"


# --- How it looks ------------------------------------------------------------------------------

@pytest.mark.parametrize("page", PAGES)
def test_no_sideways_scrolling_on_desktop_or_phone(visits, page):
    overflow = {name: px for name, px in visits(page).overflow.items() if px > 0}
    assert overflow == {}, f"{page}: wider than the window by {overflow} CSS px"


@pytest.mark.parametrize("page", PAGES)
def test_equations_and_tables_fit_the_phone_width(visits, page):
    """Issue 16: at 390 px, long display equations ran off the right edge under their numbers
    and wide tables scrolled inside their boxes; every one must fit what the reader sees."""
    assert visits(page).clipped == [], f"{page} at {WIDTHS['phone']} px"


# --- Publishing: one repository URL drives every button ---------------------------------------

@pytest.mark.parametrize("page", CHAPTERS)
def test_buttons_point_at_the_configured_repository(built_site, page):
    soup = BeautifulSoup((built_site / page).read_text(), "html.parser")
    hrefs = [a["href"] for a in soup.find_all("a", href=True)]
    notebook = f"{CONFIG['repository'].get('path_to_book', '')}{page[:-len('.html')]}.ipynb"
    owner_repo = urlsplit(REPOSITORY).path.strip("/")
    expected = {
        "repository": REPOSITORY,
        "edit this page": f"{REPOSITORY}/edit/{BRANCH}/{notebook}",
        "issues": f"{REPOSITORY}/issues/new",
        "Binder": f"{CONFIG['launch_buttons']['binderhub_url']}/v2/gh/{owner_repo}/{BRANCH}",
        "Colab": f"{CONFIG['launch_buttons']['colab_url']}/github/{owner_repo}/blob/{BRANCH}/"
                 f"{notebook}",
        "download .ipynb": f"../_sources/{page[:-len('.html')]}.ipynb",
    }
    missing = [name for name, start in expected.items()
               if not any(href.startswith(start) for href in hrefs)]
    assert missing == [], f"{page}: no {missing} button built from repository.url {REPOSITORY}"


def test_colab_install_cells_use_the_configured_repository():
    """A notebook's Colab cell (installs actbook when missing) names the configured repository."""
    for path in sorted((ROOT / "chapters").glob("*.ipynb")):
        cells = [c for c in nbformat.read(str(path), as_version=4).cells if c.cell_type == "code"]
        install = [c for c in cells if "pip install" in c.source and "actbook" in c.source]
        for cell in install:
            assert f"git+{REPOSITORY}" in cell.source, (
                f"{path.name}: the install cell does not use repository.url {REPOSITORY}; "
                "update it after changing repository.url in _config.yml")
            assert "remove-cell" in cell.metadata.get("tags", []), f"{path.name}: tag remove-cell"


def test_workflow_is_pinned_and_least_privilege():
    """CI: test on pull requests; deploy from main with Pages permissions in the deploy job only."""
    workflow = yaml.safe_load((ROOT / ".github" / "workflows" / "book.yml").read_text())
    triggers = workflow[True]   # YAML 1.1 reads the key `on` as True
    assert "pull_request" in triggers and triggers["push"]["branches"] == ["main"]
    assert workflow["permissions"] == {"contents": "read"}
    jobs = workflow["jobs"]
    assert jobs["deploy"]["permissions"] == {"pages": "write", "id-token": "write"}
    assert all("permissions" not in job for name, job in jobs.items() if name != "deploy")
    steps = [step for job in jobs.values() for step in job["steps"]]
    unpinned = [s["uses"] for s in steps if "uses" in s
                and not re.fullmatch(r"[\w.-]+/[\w.-]+@[0-9a-f]{40}", s["uses"])]
    assert unpinned == [], f"actions not pinned to a commit SHA: {unpinned}"
    python = next(s for s in steps if s.get("uses", "").startswith("actions/setup-python@"))
    assert python["with"]["cache"] == "pip"
    assert python["with"]["cache-dependency-path"] == "requirements.txt"
    used = {s["uses"].split("@")[0] for s in steps if "uses" in s}
    assert {"actions/configure-pages", "actions/upload-pages-artifact",
            "actions/deploy-pages"} <= used
    upload = next(s for s in steps if s.get("uses", "").startswith("actions/upload-pages-art"))
    assert upload["with"]["path"] == "_build/html"
    assert upload["with"]["include-hidden-files"] is True, "the artifact must keep .nojekyll"
