"""Measure the playground's engine choice in headless Chromium (README, "Playground engine").

Compares the playground's own engine (``_static/playground/engine.mjs``) with TensorFlow.js
(``@tensorflow/tfjs-core`` + ``@tensorflow/tfjs-backend-cpu``, the smallest tfjs that trains on
a CPU) on the 2-8-8-2 ReLU network at batch 32:

1. bundle size (bytes, minified, and gzip -9);
2. training steps per second, training only, and for the engine also the live page: steps per
   second and frames per second while every view redraws;
3. agreement with ``actbook.training.train`` after 100 steps from the same weights, data and
   minibatch order (largest weight difference, loss difference).

TensorFlow.js is not a dependency of the site. Fetch it for this measurement with npm's own
client into a scratch folder, then point ``TFJS_DIR`` at it::

    mkdir -p /tmp/tfjs && cd /tmp/tfjs && npm pack @tensorflow/tfjs-core@4.22.0 \\
        @tensorflow/tfjs-backend-cpu@4.22.0 @tensorflow/tfjs@4.22.0
    for f in *.tgz; do mkdir -p "${f%.tgz}" && tar xzf "$f" -C "${f%.tgz}"; done
    cd - && TFJS_DIR=/tmp/tfjs .venv/bin/python playground/benchmark.py [BUILT_SITE]

``BUILT_SITE`` (default ``_build/html``) is a built book, for the live-page measurement.
"""

from __future__ import annotations

import functools
import gzip
import http.server
import json
import os
import sys
import threading
from pathlib import Path

import numpy as np
from playwright.sync_api import sync_playwright

from actbook import playground, training

ROOT = Path(__file__).resolve().parents[1]
TFJS = Path(os.environ.get("TFJS_DIR", "/tmp/tfjs"))
CORE = TFJS / "tensorflow-tfjs-core-4.22.0/package/dist/tf-core.min.js"
CPU = TFJS / "tensorflow-tfjs-backend-cpu-4.22.0/package/dist/tf-backend-cpu.min.js"
FULL = TFJS / "tensorflow-tfjs-4.22.0/package/dist/tf.min.js"
STEPS = 100
STATE = playground.playground_state(playground.playground_url(act="relu", depth=2, width=8))

ENGINE = """async ({run, steps, reps}) => {
  const E = await import("/static/engine.mjs");
  const x = Float32Array.from(run.x), y = Int32Array.from(run.y);
  const order = {indices: s => Int32Array.from(run.order[s % run.order.length])};
  const net = new E.Network(run.widths, run.acts,
                            run.weights.map(w => Float32Array.from(w.flat())));
  E.train(net, x, y, order, run.lr, steps, 0);
  const loss = net.evaluate(x, y).loss, weights = net.weights().map(a => Array.from(a));
  const t0 = performance.now();
  E.train(net, x, y, order, run.lr, reps, 0);
  return {loss, weights, stepsPerSecond: reps / (performance.now() - t0) * 1000};
}"""

TFJS_RUN = """async ({run, steps, reps}) => {
  await tf.setBackend("cpu");
  const x = tf.tensor2d(run.x, [run.y.length, 2]);
  const onehot = tf.oneHot(tf.tensor1d(run.y, "int32"), 2);
  const vars = run.weights.map(w => tf.variable(tf.tensor(w)));
  const forward = xb => {
    let h = xb;
    for (let l = 0; l < vars.length; l += 2) {
      h = tf.add(tf.matMul(h, vars[l]), vars[l + 1]);
      if (l < vars.length - 2) h = tf.relu(h);
    }
    return h;
  };
  const inv = 1 / run.order[0].length;
  const lossOf = (xb, yb) => tf.mul(tf.neg(tf.sum(tf.mul(yb, tf.logSoftmax(forward(xb))))), inv);
  const step = s => tf.tidy(() => {
    const idx = tf.tensor1d(run.order[s % run.order.length], "int32");
    const xb = tf.gather(x, idx), yb = tf.gather(onehot, idx);
    const {value, grads} = tf.variableGrads(() => lossOf(xb, yb), vars);
    vars.forEach(v => v.assign(tf.sub(v, tf.mul(grads[v.name], run.lr))));
    return value.dataSync()[0];
  });
  for (let s = 0; s < steps; s++) step(s);
  const loss = tf.tidy(() => tf.div(tf.neg(tf.sum(tf.mul(onehot, tf.logSoftmax(forward(x))))),
                                    run.y.length).dataSync()[0]);
  const weights = vars.map(v => Array.from(v.dataSync()));
  const t0 = performance.now();
  for (let s = 0; s < reps; s++) step(s);
  return {loss, weights, stepsPerSecond: reps / (performance.now() - t0) * 1000};
}"""


def _serve(directory: Path, static: Path):
    class Handler(http.server.SimpleHTTPRequestHandler):
        def translate_path(self, path):
            if path.startswith("/static/"):
                return str(static / path[len("/static/"):].split("?")[0])
            return super().translate_path(path)

        def log_message(self, *args):
            pass

    server = http.server.ThreadingHTTPServer(
        ("127.0.0.1", 0), functools.partial(Handler, directory=str(directory)))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server, f"http://127.0.0.1:{server.server_address[1]}/"


def _size(path: Path) -> tuple[int, int]:
    data = path.read_bytes()
    return len(data), len(gzip.compress(data, 9))


def main(site: Path) -> None:
    run = playground.export_run(STATE, STEPS)
    model = playground.build_model(STATE)
    model.set_weights(playground.initial_weights(STATE))
    x, y, xv, yv = playground.dataset(STATE)
    reference_loss = float(training.train(
        model, x, y, steps=STEPS, batch_size=STATE["batch"], learning_rate=STATE["lr"],
        seed=STATE["seed"], record_every=STEPS).loss[-1])
    reference = model.get_weights()
    engine_files = sorted((ROOT / "_static" / "playground").glob("*.mjs"))
    sizes = {"own engine (all playground scripts)": [sum(_size(p)[i] for p in engine_files)
                                                    for i in (0, 1)],
             "tfjs-core + tfjs-backend-cpu (cannot train: no gradients)":
                 [_size(CORE)[i] + _size(CPU)[i] for i in (0, 1)],
             "tfjs (full bundle, tf.min.js)": list(_size(FULL))}
    server, base = _serve(site, ROOT / "_static" / "playground")
    results = {"cpu": next(line.split(":", 1)[1].strip() for line in
                           Path("/proc/cpuinfo").read_text().splitlines()
                           if line.startswith("model name")),
               "cores": os.cpu_count(), "bundle bytes (min, gzip)": sizes}
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium",
                                    args=["--no-sandbox", "--disable-gpu"])
        page = browser.new_page()
        page.goto(base + "playground.html")
        # tf-core.min.js registers no gradients (the UMD build of tfjs-core leaves them to
        # tfjs proper), so training needs the full bundle; its CPU backend is timed.
        page.add_script_tag(path=str(FULL))
        for name, script in (("own engine", ENGINE), ("tfjs 4.22.0, cpu backend", TFJS_RUN)):
            out = page.evaluate(script, {"run": run, "steps": STEPS, "reps": 2000})
            diff = max(float(np.max(np.abs(np.asarray(a, np.float32) - w.ravel())))
                       for a, w in zip(out["weights"], reference))
            results[name] = {"training steps/s": round(out["stepsPerSecond"]),
                             "max |weight diff| after 100 steps": diff,
                             "|loss diff|": abs(out["loss"] - reference_loss)}
        for per_frame in (3, 10, 30, 100):   # the live page: every view redrawn every frame
            page.goto(base + "playground.html?" + playground.playground_url(base="")[1:])
            page.wait_for_function("window.playground !== undefined")
            page.select_option("#pg-speed", str(per_frame))
            page.click("#pg-start")
            page.wait_for_timeout(5000)
            page.click("#pg-start")
            s = page.evaluate("(() => { const s = window.playground.stats; return {...s, "
                              "ms: performance.now() - s.since}; })()")
            results[f"page, {per_frame} steps/frame"] = {
                "steps/s": round(s["steps"] / s["ms"] * 1000),
                "frames/s": round(s["frames"] / s["ms"] * 1000, 1),
                "train ms/frame": round(s["trainMs"] / s["frames"], 2),
                "draw ms/frame": round(s["drawMs"] / s["frames"], 2)}
        browser.close()
    server.shutdown()
    print(json.dumps(results, indent=2))


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "_build" / "html")
