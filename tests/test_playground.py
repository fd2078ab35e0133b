"""The playground page (issue 17): same numbers as the book, URL state, accessibility, bad input.

The browser tests open the built book's ``playground.html`` in Chromium (the server, launch
arguments and skip rules of ``tests/test_site.py``: without Chromium they are skipped, with
``REQUIRE_BROWSER=1`` they fail). ``PLAYGROUND_SITE=/path/to/_build/html`` tests an already
built site instead of building one (handy while editing the page:
``jupyter-book build . --path-output DIR``).

Same numbers: :func:`actbook.playground.export_run` exports the book's initial weights, data and
minibatch order (``actbook.models.initial_weights``, ``actbook.data``,
``actbook.training.minibatch_indices``); the page's engine (``_static/playground/engine.mjs``)
runs ``AGREE_STEPS`` SGD steps on them in float32, and the weights and the training loss must
match ``actbook.training.train`` on the same inputs within ``WEIGHT_TOL`` and ``LOSS_TOL``, for
every activation and every initialisation the page offers. The probes must match
``actbook.probes`` on the trained weights: dead and saturated fractions exactly, bias-gradient
norms within ``GRAD_RTOL``. Measured when the tests were written: weights within 1.5e-7 and
losses within 1.2e-7 after 50 steps, gradient norms within 4e-6 (relative), probes' fractions
identical; the tolerances leave about 50x room for another CPU's float32 rounding.
"""

from __future__ import annotations

import json
import os
import re
from pathlib import Path

import nbformat
import numpy as np
import pytest
from test_site import _open, report, serve  # noqa: F401

from actbook import playground, probes, training
from conftest import ROOT

PAGE = "playground.html"
PAGE_BUDGET = 1_500_000          # bytes: the page's HTML and its own scripts (issue 17)
AGREE_STEPS = 100
WEIGHT_TOL = 1e-5                # max |w_browser - w_python| after AGREE_STEPS steps
LOSS_TOL = 1e-5                  # |training loss difference| after AGREE_STEPS steps
GRAD_RTOL = 1e-4                 # relative difference of bias-gradient norms
LINK = re.compile(r"(?:\.\./)*playground\.html\?[^)\s\"'<>\]]+")
MIN_CHAPTER_LINKS = 4


# --- Fixtures ---------------------------------------------------------------------------------

@pytest.fixture(scope="session")
def playground_site(request) -> Path:
    """The built book: ``$PLAYGROUND_SITE`` if set, else the session's ``built_site``."""
    given = os.environ.get("PLAYGROUND_SITE")
    if given:
        return Path(given)
    return request.getfixturevalue("built_site")


@pytest.fixture(scope="session")
def pg_base(playground_site):
    """``http://127.0.0.1:<port>/book/`` serving the built book (as test_site serves it)."""
    with serve(playground_site) as url:
        yield url


class Opened:
    """A playground page in a fresh context, recording uncaught errors and console errors."""

    def __init__(self, browser, url, **context):   # noqa: F811 (browser: the fixture's value)
        self.context = browser.new_context(viewport={"width": 1280, "height": 900}, **context)
        self.page = self.context.new_page()
        self.page.set_default_timeout(20_000)
        self.errors = []
        self.page.on("pageerror", lambda e: self.errors.append(f"uncaught: {e}"))
        # the browser's own favicon.ico request (outside the site's base path) is not ours
        self.page.on("console", lambda m: m.type == "error"
                     and not m.location.get("url", "").endswith("/favicon.ico")
                     and self.errors.append(f"{m.text} ({m.location.get('url')})"))
        self.page.goto(url, wait_until="load")
        self.page.wait_for_function("window.playground !== undefined")

    def close(self):
        self.context.close()


@pytest.fixture
def open_page(browser, pg_base):   # noqa: F811
    opened = []

    def _open_page(query: str = "", **context) -> Opened:
        page = Opened(browser, f"{pg_base}{PAGE}{query}", **context)
        opened.append(page)
        return page

    yield _open_page
    for page in opened:
        page.close()


@pytest.fixture(scope="module")
def engine_page(browser, pg_base):   # noqa: F811
    """One page with the engine and state modules loaded as ``window.E`` and ``window.S``."""
    page = Opened(browser, f"{pg_base}{PAGE}")
    page.page.evaluate("""async () => {
        window.E = await import("./_static/playground/engine.mjs");
        window.S = await import("./_static/playground/state.mjs");
    }""")
    yield page.page
    assert page.errors == [], page.errors
    page.close()


# --- The Python side: deep links -------------------------------------------------------------

def test_playground_url_round_trips():
    url = playground.playground_url(data="moons", noise=0.2, depth=3, width=16,
                                    act=["tanh", "relu", "maxout"], init="he_normal", lr=1.5,
                                    batch=10, seed=7, bias=-0.5)
    assert url.startswith("../playground.html?data=moons&noise=0.2&n=1000&depth=3&width=16&")
    assert "act=tanh,relu,maxout" in url
    state = playground.playground_state(url)
    assert state == {"data": "moons", "noise": 0.2, "n": 1000, "depth": 3, "width": 16,
                     "act": ["tanh", "relu", "maxout"], "init": "he_normal", "lr": 1.5,
                     "batch": 10, "seed": 7, "bias": -0.5}
    defaults = playground.playground_state(playground.playground_url())
    assert defaults["act"] == ["relu", "relu"] and defaults["noise"] == 0.05
    assert defaults["bias"] is None and defaults["batch"] == 32


@pytest.mark.parametrize("query, bad", [
    ("lr=0", "lr"), ("lr=-1", "lr"), ("lr=11", "lr"), ("lr=nan", "lr"), ("lr=1e999", "lr"),
    ("lr=0x10", "lr"), ("depth=7", "depth"), ("depth=2.5", "depth"), ("width=0", "width"),
    ("act=softmax", "act"), ("act=relu,relu,relu", "act"), ("data=mnist", "data"),
    ("init=zeros", "init"), ("n=10", "n"), ("seed=-1", "seed"), ("seed=99999999999", "seed"),
    ("bias=2", "bias"), ("noise=0.5", "noise"), ("batch=0", "batch"),
    ("n=50&batch=256", "batch"), ("color=red", "color"), ("lr=0.1&lr=0.2", "lr"),
    ("lr=%3Cscript%3E", "lr"),
])
def test_bad_query_parameters_are_reported_and_replaced(query, bad):
    state, errors = playground.parse_query(query)
    assert len(errors) == 1 and bad in errors[0], errors
    defaults, _ = playground.parse_query("")
    if bad in state:
        assert state[bad] == defaults[bad], state
    with pytest.raises(ValueError, match=bad):
        playground.playground_state(query)


def _chapter_links(root: Path) -> list[tuple[str, str]]:
    """(file, link) for every playground link in the chapters' markdown cells and intro.md."""
    found = []
    for path in sorted((root / "chapters").glob("*.ipynb")):
        for cell in nbformat.read(str(path), as_version=4).cells:
            if cell.cell_type == "markdown":
                found += [(path.name, link) for link in LINK.findall(cell.source)]
    intro = root / "intro.md"
    if intro.is_file():
        found += [("intro.md", link) for link in LINK.findall(intro.read_text())]
    return found


def test_chapter_link_collector_finds_links(tmp_path):
    (tmp_path / "chapters").mkdir()
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_markdown_cell(
        "[open it](../playground.html?data=xor&act=sigmoid) and "
        '<a href="../playground.html?data=moons&amp;lr=1">raw</a>')])
    nbformat.write(nb, str(tmp_path / "chapters" / "02_x.ipynb"))
    (tmp_path / "intro.md").write_text("[play](playground.html?depth=3)\n")
    links = _chapter_links(tmp_path)
    assert [f for f, _ in links] == ["02_x.ipynb", "02_x.ipynb", "intro.md"]
    assert links[0][1] == "../playground.html?data=xor&act=sigmoid"


def test_chapter_links_parse_to_valid_states():
    links = _chapter_links(ROOT)
    for name, link in links:
        where = "intro.md" if name == "intro.md" else "a chapter"
        base = "playground.html?" if name == "intro.md" else "../playground.html?"
        assert link.startswith(base), f"{name}: {link} should start with {base} from {where}"
        playground.playground_state(link.replace("&amp;", "&"))   # raises naming the problem
    assert len(links) >= MIN_CHAPTER_LINKS, (
        f"only {len(links)} playground links in chapters/*.ipynb and intro.md, expected at least "
        f"{MIN_CHAPTER_LINKS} (chapters 2, 3, 4 and 5 each link their experiment; issue 17): "
        f"{links}")


# --- The page agrees with the Python side on the state rules --------------------------------

def test_page_and_package_share_the_state_rules(engine_page):
    spec = engine_page.evaluate("JSON.parse(JSON.stringify(S.SPEC))")
    assert set(spec) == set(playground.SPEC)
    for key, py in playground.SPEC.items():
        js = {k.replace("minExclusive", "min_exclusive"): v for k, v in spec[key].items()}
        assert js == py, f"SPEC[{key!r}]: page {js} != package {py}"
    assert engine_page.evaluate("S.NOISE_DEFAULT") == playground.NOISE_DEFAULT
    assert engine_page.evaluate("S.VAL_FRACTION") == playground.VAL_FRACTION
    assert tuple(engine_page.evaluate("Object.keys(E.ACTIVATIONS)")) == playground.ACTIVATIONS
    assert tuple(engine_page.evaluate("E.INITIALISATIONS")) == playground.INITIALISATIONS


QUERIES = ["", "data=spiral&depth=6&width=16&act=gelu", "act=tanh,relu&lr=2.5&bias=-0.5",
           "lr=0&depth=9", "n=50&batch=256", "act=relu,relu,relu", "junk=1&seed=3",
           "noise=abc&init=he_normal", "lr=1e-3&seed=2000000", "bias=&batch=1",
           "depth=0&act=maxout", "lr=.5", "lr=5.", "seed=007", "lr=+1", "width=%20"]


@pytest.mark.parametrize("query", QUERIES)
def test_page_parses_queries_like_the_package(engine_page, query):
    js = engine_page.evaluate("q => S.parseQuery(q)", query)
    state, errors = playground.parse_query(query)
    assert js["state"] == state
    assert len(js["errors"]) == len(errors), (js["errors"], errors)


def test_deep_links_open_the_state_they_describe(open_page):
    url = playground.playground_url(base="", data="circles", depth=3, width=4,
                                    act=["sigmoid", "tanh", "elu"], init="standard", lr=0.3,
                                    batch=16, seed=5, bias=0.25)
    page = open_page(url)
    assert page.page.evaluate("window.playground.state") == playground.playground_state(url)
    assert page.page.input_value("#pg-lr") == "0.3"
    assert page.page.input_value("#pg-act-2") == "elu"
    assert page.page.is_hidden("#pg-messages")
    assert page.errors == []


# --- Same numbers as the book ----------------------------------------------------------------

_RUN_IN_BROWSER = """({run, steps}) => {
  const net = new E.Network(run.widths, run.acts,
                            run.weights.map(w => Float32Array.from(w.flat())));
  const x = Float32Array.from(run.x), y = Int32Array.from(run.y);
  const r = E.train(net, x, y, {indices: s => Int32Array.from(run.order[s])}, run.lr, steps, 0);
  return {weights: net.weights().map(a => Array.from(a)), loss: net.evaluate(x, y).loss,
          val_loss: net.evaluate(Float32Array.from(run.x_val), Int32Array.from(run.y_val)).loss,
          result: r};
}"""

_PROBE_IN_BROWSER = """({run, weights}) => {
  const net = new E.Network(run.widths, run.acts, weights.map(w => Float32Array.from(w.flat())));
  return net.probes(Float32Array.from(run.x), Int32Array.from(run.y));
}"""

CASES = ([{"act": a} for a in playground.ACTIVATIONS]
         + [{"act": "relu", "init": i} for i in playground.INITIALISATIONS]
         + [{"act": "sigmoid", "init": i, "depth": 4} for i in playground.INITIALISATIONS]
         + [{"act": ["tanh", "maxout", "leaky_relu"], "depth": 3, "data": "spiral", "lr": 0.5},
            {"act": "relu", "depth": 5, "bias": -0.5, "data": "moons", "lr": 1.0, "batch": 10},
            {"act": "sigmoid", "depth": 6, "width": 16, "init": "standard", "data": "circles",
             "lr": 3.0}])
MEASURED: dict[str, tuple[float, float, float]] = {}


@pytest.mark.parametrize("case", CASES, ids=lambda c: "-".join(
    f"{k}={'+'.join(v) if isinstance(v, list) else v}" for k, v in c.items()))
def test_browser_training_matches_actbook_train(engine_page, report, case):  # noqa: F811
    state = playground.playground_state(playground.playground_url(**case))
    run = playground.export_run(state, AGREE_STEPS)
    out = engine_page.evaluate(_RUN_IN_BROWSER, {"run": run, "steps": AGREE_STEPS})
    assert out["result"]["step"] == AGREE_STEPS and not out["result"]["diverged"]

    model = playground.build_model(state)
    model.set_weights(playground.initial_weights(state))
    x, y, xv, yv = playground.dataset(state)
    history = training.train(model, x, y, x_val=xv, y_val=yv, steps=AGREE_STEPS,
                             batch_size=state["batch"], learning_rate=state["lr"],
                             seed=state["seed"], record_every=AGREE_STEPS)
    expected = model.get_weights()
    w_err = max(float(np.max(np.abs(np.asarray(a, np.float64) - w.ravel())))
                for a, w in zip(out["weights"], expected))
    l_err = max(abs(out["loss"] - history.loss[-1]), abs(out["val_loss"] - history.val_loss[-1]))

    # the probes, on the trained (Python) weights
    pr = engine_page.evaluate(_PROBE_IN_BROWSER,
                              {"run": run, "weights": [w.tolist() for w in expected]})
    norms = list(probes.bias_gradient_norms(model, x, y).values())
    # relative difference; a layer whose gradient is exactly 0 (all units dead) must be 0 here
    g_err = max(abs(a - b) / b if b else float(a != 0) for a, b in zip(pr["gradNorms"], norms))
    key = json.dumps(case)
    MEASURED[key] = (w_err, l_err, g_err)
    report.setdefault(f"playground vs actbook after {AGREE_STEPS} steps (max |weight diff|, "
                      "max |loss diff|, max relative gradient-norm diff)", []).append(
        f"{key:90s} {w_err:9.2e} {l_err:9.2e} {g_err:9.2e}")
    assert w_err <= WEIGHT_TOL, f"weights differ by {w_err:.3g} > {WEIGHT_TOL}"
    assert l_err <= LOSS_TOL, f"losses differ by {l_err:.3g} > {LOSS_TOL}"
    assert g_err <= GRAD_RTOL, f"gradient norms differ by {g_err:.3g} (relative)"
    if "maxout" in state["act"]:
        assert all(v is None for v, a in zip(pr["dead"], state["act"]) if a == "maxout")
        return
    dead = probes.dead_fraction(model, x)
    assert pr["dead"] == [dead[f"hidden_{i}"] for i in range(1, state["depth"] + 1)]
    assert pr["deadAll"] == pytest.approx(dead["all"], abs=1e-12)
    saturation = list(probes.saturation_fraction(model, x).values())
    assert pr["saturation"] == pytest.approx(saturation, abs=1e-12)


def test_probes_see_dead_and_saturated_units(engine_page):
    """The probe comparison is not vacuous: these settings have dead and saturated units."""
    for case, probe in (({"act": "relu", "depth": 5, "bias": -0.5, "init": "he_normal"}, "dead"),
                        ({"act": "relu", "init": "standard", "depth": 3}, "saturation")):
        state = playground.playground_state(playground.playground_url(**case))
        run = playground.export_run(state, 1)
        model = playground.build_model(state)
        model.set_weights(playground.initial_weights(state))
        x = np.asarray(run["x"], np.float32).reshape(-1, 2)
        pr = engine_page.evaluate(_PROBE_IN_BROWSER, {"run": run, "weights": run["weights"]})
        book = (list(probes.dead_fraction(model, x).values())[:-1] if probe == "dead"
                else list(probes.saturation_fraction(model, x, threshold=0.01).values()))
        assert max(book) > 0, (probe, book)
        assert pr[probe] == pytest.approx(book, abs=1e-12)


def test_non_finite_loss_stops_at_the_step_the_python_trainer_names(engine_page):
    state = playground.playground_state(playground.playground_url(
        act="relu", depth=6, width=16, init="he_normal", lr=10, data="spiral"))
    run = playground.export_run(state, 200)
    out = engine_page.evaluate(_RUN_IN_BROWSER, {"run": run, "steps": 200})
    model = playground.build_model(state)
    model.set_weights(playground.initial_weights(state))
    x, y, _, _ = playground.dataset(state)
    with pytest.raises(training.TrainingDivergedError) as raised:
        training.train(model, x, y, steps=200, batch_size=state["batch"],
                       learning_rate=state["lr"], seed=state["seed"], record_every=200)
    step = int(re.search(r"at step (\d+)", str(raised.value)).group(1))
    assert out["result"]["diverged"] is True
    assert out["result"]["step"] == step


def test_activation_peaks_are_the_books(engine_page):
    peaks = engine_page.evaluate(
        "Object.fromEntries(Object.entries(E.ACTIVATIONS).map(([k, a]) => [k, a.peak]))")
    for name, peak in peaks.items():
        if name != "maxout":
            assert peak == pytest.approx(probes.derivative_peak(name), rel=1e-12), name


# --- The page as a reader uses it ------------------------------------------------------------

def test_page_is_in_the_book_and_within_its_weight_budget(playground_site):
    html = (playground_site / PAGE).read_text()
    assert 'src="_static/playground/app.mjs"' in html
    own = (playground_site / PAGE).stat().st_size + sum(
        p.stat().st_size for p in (playground_site / "_static" / "playground").iterdir())
    print(f"playground page weight: {own} bytes (budget {PAGE_BUDGET})")
    assert own <= PAGE_BUDGET
    for other in ("intro.html", "chapters/02_xor.html", "bibliography.html"):
        text = (playground_site / other).read_text()
        assert "_static/playground/" not in text, f"{other} loads the playground's scripts"


def test_page_passes_the_site_checks(browser, pg_base):   # noqa: F811
    """test_site's visit (console, requests, axe) on the page after a few steps of a deep net."""
    visit = _open(browser, pg_base, PAGE + "?" + playground.playground_url(
        base="", depth=6, width=16, act="tanh")[1:])
    assert visit.console_errors == [] and visit.external == [] and visit.failed == []
    serious = [v["id"] for v in visit.axe if v["impact"] in ("serious", "critical")]
    assert serious == []
    assert max(visit.overflow.values()) <= 0, visit.overflow


def test_start_pause_step_reset_by_keyboard(open_page):
    page = open_page("?depth=2&width=8&act=relu")
    p = page.page
    controls = p.eval_on_selector_all(
        "#pg-app input, #pg-app select, #pg-app button",
        "els => els.map(e => [e.id, e.labels && e.labels.length ? e.labels[0].innerText.trim() "
        ": e.innerText.trim(), e.offsetParent !== null])")
    assert len(controls) >= 14
    assert all(label and visible for _, label, visible in controls), controls
    # Tab reaches every control
    seen = set()
    p.focus("#pg-data")
    for _ in range(60):
        seen.add(p.evaluate("document.activeElement.id"))
        p.keyboard.press("Tab")
    assert {c[0] for c in controls} <= seen, {c[0] for c in controls} - seen
    p.focus("#pg-step")
    p.keyboard.press("Enter")
    p.keyboard.press("Space")
    assert p.evaluate("window.playground.run.step") == 2
    assert "Step 2." in p.inner_text("#pg-summary")
    p.focus("#pg-start")
    p.keyboard.press("Enter")
    assert p.get_attribute("#pg-start", "aria-pressed") == "true"
    p.wait_for_function("window.playground.run.step > 100")
    p.keyboard.press("Enter")
    assert p.get_attribute("#pg-start", "aria-pressed") == "false"
    stats = p.evaluate("(() => { const s = window.playground.stats; "
                       "return {...s, ms: performance.now() - s.since}; })()")
    print(f"live page: {stats['steps'] / stats['ms'] * 1e3:.0f} steps/s, "
          f"{stats['frames'] / stats['ms'] * 1e3:.1f} frames/s (10 steps per frame)")
    assert re.fullmatch(r"Step \d+\. Training loss \d\.\d{3}, validation loss \d\.\d{3}, "
                        r"validation accuracy [\d.]+ %\. Dead ReLU units: [\d.]+ % of the ReLU "
                        r"layers' units\. Saturated \(f' below 1 % of its peak, ReLU's zero side "
                        r"included\): [\d.]+ % \(mean over layers\)\.", p.inner_text("#pg-summary"))
    p.focus("#pg-reset")
    p.keyboard.press("Enter")
    assert p.evaluate("window.playground.run.step") == 0
    assert page.errors == []


def test_reduced_motion_nothing_moves_until_start(open_page):
    page = open_page("", reduced_motion="reduce")
    page.page.wait_for_timeout(1000)
    assert page.page.evaluate("window.playground.run.step") == 0
    assert page.page.evaluate("window.playground.stats.frames") == 0
    page.page.click("#pg-start")
    page.page.wait_for_function("window.playground.run.step > 0")
    page.page.click("#pg-start")
    assert page.errors == []


def test_bad_url_parameters_are_reported_on_the_page(open_page):
    page = open_page("?lr=-3&depth=99&act=%3Cimg%20src=x%20onerror=alert(1)%3E&junk=1")
    text = page.page.inner_text("#pg-messages")
    assert page.page.is_visible("#pg-messages")
    for key in ("lr=", "depth=", "act=", "junk"):
        assert key in text, text
    assert page.page.evaluate("window.playground.state") == playground.parse_query("")[0]
    assert page.page.eval_on_selector_all("#pg-messages img", "els => els.length") == 0
    assert page.errors == []


def test_divergence_stops_the_run_and_says_where(open_page):
    page = open_page("?" + playground.playground_url(
        base="", act="relu", depth=6, width=16, init="he_normal", lr=10, data="spiral")[1:])
    p = page.page
    p.click("#pg-start")
    p.wait_for_function("window.playground.run.diverged !== null")
    step = p.evaluate("window.playground.run.diverged")
    assert f"Training stopped at step {step}" in p.inner_text("#pg-status")
    assert p.get_attribute("#pg-start", "aria-pressed") == "false"
    assert p.is_disabled("#pg-step")
    p.click("#pg-reset")
    assert p.evaluate("window.playground.run.step") == 0 and not p.is_disabled("#pg-step")
    assert page.errors == []


@pytest.mark.parametrize("field, typed", [
    ("lr", "-1"), ("lr", "abc"), ("lr", "1e400"), ("depth", "2.5"), ("width", "1000"),
    ("seed", "<b>x</b>"), ("noise", ""), ("bias", "NaN"), ("n", "9" * 50),
])
def test_typed_garbage_is_refused_and_the_page_keeps_working(open_page, field, typed):
    page = open_page()
    p = page.page
    before = p.evaluate("window.playground.state")
    p.fill(f"#pg-{field}", typed)
    p.press(f"#pg-{field}", "Tab")
    assert p.get_attribute(f"#pg-{field}", "aria-invalid") == "true"
    assert field in p.inner_text(f"#pg-{field}-error")
    assert p.evaluate("window.playground.state") == before
    # the box shows the value the run uses again, not what was typed
    kept = before[field]
    assert p.input_value(f"#pg-{field}") == ("" if kept is None else str(kept))
    p.click("#pg-step")
    assert p.evaluate("window.playground.run.step") == 1
    assert page.errors == []


def test_zero_gradients_are_marked_on_the_log_chart(open_page):
    """Chapter 4's "biases starting at -0.5": gradients exactly 0, and the page says so."""
    page = open_page("?" + playground.playground_url(
        base="", data="moons", noise=0.2, depth=5, width=8, act="relu", bias=-0.5)[1:])
    p = page.page
    zero = [k + 1 for k, g in enumerate(p.evaluate("window.playground.run.latest.gradNorms"))
            if g == 0]
    assert zero, "the settings should give a layer with an exactly zero gradient"
    note = p.inner_text("#pg-grad-note")
    assert "Gradient exactly 0 in layer" in note and str(zero[0]) in note, note
    assert "Gradient exactly 0 in layer" in p.text_content("#pg-summary")
    assert page.errors == []


def test_dead_units_are_shown_for_relu_layers_only(open_page):
    page = open_page("?" + playground.playground_url(base="", depth=2, act=["sigmoid", "relu"])[1:])
    p = page.page
    note = p.inner_text("#pg-dead-note")
    assert "Not defined for layer 1 (sigmoid)" in note and "layer 2" not in note, note
    assert p.inner_text("#pg-dead-key").strip() == "layer 2"
    assert "Dead ReLU units" in p.text_content("#pg-summary")
    page = open_page("?" + playground.playground_url(base="", depth=2, act="sigmoid")[1:])
    p = page.page
    assert "Dead" not in p.text_content("#pg-summary")
    assert "pg-off" in p.get_attribute("#pg-dead", "class")
    assert "zero side" in p.inner_text("#pg-sat + figcaption")
    assert page.errors == []


def test_typed_settings_change_the_run_and_the_link(open_page):
    page = open_page()
    p = page.page
    p.fill("#pg-depth", "3")
    p.press("#pg-depth", "Tab")
    p.select_option("#pg-act-2", "silu")
    p.fill("#pg-lr", "0.5")
    p.press("#pg-lr", "Tab")
    state = p.evaluate("window.playground.state")
    assert state["depth"] == 3 and state["act"] == ["relu", "relu", "silu"] and state["lr"] == 0.5
    query = p.evaluate("location.search")
    assert playground.playground_state(query) == state
    assert p.get_attribute("#pg-link", "href") == query
    assert p.eval_on_selector_all("#pg-units canvas", "els => els.length") == 3 * 8
    assert page.errors == []


@pytest.mark.parametrize("query", [
    "?depth=0", "?depth=6&width=16&act=linear,sigmoid,tanh,relu,leaky_relu,elu",
    "?depth=3&width=1&act=gelu,silu,maxout&data=spiral", "?depth=2&act=maxout&n=50&batch=1",
])
def test_every_shape_and_activation_runs_in_the_page(open_page, query):
    page = open_page(query)
    p = page.page
    assert p.is_hidden("#pg-messages")
    for _ in range(3):
        p.click("#pg-step")
    state = p.evaluate("window.playground.state")
    assert p.evaluate("window.playground.run.step") == 3
    assert p.eval_on_selector_all("#pg-units canvas", "els => els.length") == \
        state["depth"] * state["width"]
    assert re.match(r"Step 3\. Training loss \d\.\d{3}", p.inner_text("#pg-summary"))
    assert page.errors == []


# --- The reader's own runs draw from the book's distributions --------------------------------

@pytest.mark.parametrize("name", playground.DATASETS)
def test_page_data_sets_follow_the_books_distributions(engine_page, name):
    """The page draws its own data (its own generator), from the same distribution as
    actbook.data: per-class means, spreads and class shares agree within sampling error."""
    state = playground.playground_state(f"data={name}&n=2000&seed=3")
    x_js = engine_page.evaluate(
        "([name, n, noise]) => { const d = E.makeData(name, n, noise, 3); "
        "return {x: Array.from(d.x), y: Array.from(d.y)}; }",
        [name, state["n"], state["noise"]])
    x, y = np.asarray(x_js["x"]).reshape(-1, 2), np.asarray(x_js["y"])
    xp, yp, xvp, yvp = playground.dataset(state)
    xp, yp = np.concatenate([xp, xvp]), np.concatenate([yp, yvp])
    assert len(x) == len(xp) == 2000
    assert abs(y.mean() - yp.mean()) < 0.05
    for c in (0, 1):
        np.testing.assert_allclose(x[y == c].mean(0), xp[yp == c].mean(0), atol=0.08)
        np.testing.assert_allclose(x[y == c].std(0), xp[yp == c].std(0), rtol=0.1, atol=0.02)


@pytest.mark.parametrize("init", playground.INITIALISATIONS)
def test_page_initial_weights_follow_the_books_schemes(engine_page, init):
    """The page's initial weights (its own generator) follow the book's schemes: per layer the
    spread of the kernels, and over all layers that of the biases, agree with
    actbook.models.initial_weights (16 seeds pooled on each side)."""
    acts = ["relu", "relu", "relu", "maxout", "relu", "relu"]
    state = playground.playground_state(f"depth=6&width=16&init={init}&act={','.join(acts)}")
    seeds = range(16)
    js = [engine_page.evaluate(
        "([acts, init, seed]) => E.initialWeights([2, 16, 16, 16, 16, 16, 16, 2], acts, init, "
        "seed).map(a => Array.from(a))", [acts, init, s]) for s in seeds]
    py = [playground.initial_weights({**state, "seed": s}) for s in seeds]
    for i in range(7):   # kernels, layer by layer (layer 4 is maxout: twice the columns)
        k_js = np.concatenate([np.ravel(w[2 * i]) for w in js])
        k_py = np.concatenate([w[2 * i].ravel() for w in py])
        assert k_js.size == k_py.size, f"layer {i + 1}"
        assert k_js.std() == pytest.approx(k_py.std(), rel=0.2), f"layer {i + 1}"
        assert abs(k_js.mean()) < 3 * k_py.std() / np.sqrt(k_py.size) + 1e-12
    b_js = np.concatenate([np.ravel(w[i]) for w in js for i in range(1, 14, 2)])
    b_py = np.concatenate([w[i].ravel() for w in py for i in range(1, 14, 2)])
    assert b_js.size == b_py.size
    assert b_js.std() == pytest.approx(b_py.std(), rel=0.2, abs=1e-6)
    assert b_js.mean() == pytest.approx(b_py.mean(), abs=0.15)
