"""The book's performance benchmarks: `make bench` (or `python benchmarks/run.py`).

Prints, in one run:
1. the trainer against a hand-written NumPy loop, Keras `model.fit`, an eager GradientTape loop
   and a per-step `tf.function`, on the XOR experiment (each in a fresh process, median of
   --repeats runs), as seconds and ratios, with the final losses to show they do the same work;
2. how the trainer's time scales with steps and hidden width, with the one-off tracing cost
   reported separately;
3. the multi-network trainer (`training.train_many`) on chapter 5's deep and shallow cells with
   S = 1, 5, 20, 50 networks: seconds, seconds per network and peak memory, against one
   `training.train` call (cold, tracing included, and warm);
4. the wall time and peak memory of executing each chapter notebook (as nbval does) and of
   building the site from stored outputs.

Options: --repeats N (default 3), --only {trainer,scaling,many,book} (repeatable), --quick (fewer
steps for the slow references; their times are then scaled up and marked "extrapolated").
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
HERE = Path(__file__).resolve().parent
PY = sys.executable


def _cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def _threads() -> str:
    return os.environ.get("TF_NUM_INTRAOP_THREADS", f"default ({os.cpu_count()} cores)")


def _impl_once(impl: str, steps: int) -> dict:
    out = subprocess.run([PY, "-m", "benchmarks.xor_impls", impl, str(steps)], cwd=ROOT,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_trainer(repeats: int, quick: bool) -> None:
    print(f"\n== 1. XOR 2-300-2 sigmoid, SGD 0.1, batch 256, 10 000 steps "
          f"(median of {repeats} fresh processes; TF threads: {_threads()})")
    plan = {"trainer": 10_000, "numpy": 10_000, "step_function": 10_000,
            "eager": 1_000 if quick else 10_000, "keras_fit": 1_000 if quick else 10_000}
    results = {}
    for impl, steps in plan.items():
        runs = [_impl_once(impl, steps) for _ in range(repeats)]
        seconds = statistics.median(r["seconds"] for r in runs) * (10_000 / steps)
        results[impl] = (seconds, runs[0]["final_loss"], steps != 10_000)
    base = results["trainer"][0]
    numpy_s = results["numpy"][0]
    print(f"{'implementation':<16}{'seconds':>9}{'trainer / it':>14}{'final loss':>12}")
    for impl, (seconds, loss, extrapolated) in results.items():
        note = "  (extrapolated from 1 000 steps)" if extrapolated else ""
        loss_s = f"{loss:.4f}" if not extrapolated else "-"
        print(f"{impl:<16}{seconds:>9.2f}{base / seconds:>14.3f}{loss_s:>12}{note}")
    print(f"trainer / numpy = {base / numpy_s:.2f} (target < 1.0, aim <= 0.5); "
          f"keras_fit / trainer = {results['keras_fit'][0] / base:.0f}x (target >= 30x)")
    diff = abs(results["trainer"][1] - results["numpy"][1])
    print(f"final training loss, trainer vs numpy: {results['trainer'][1]:.4f} vs "
          f"{results['numpy'][1]:.4f} (|diff| = {diff:.1e})")


def bench_scaling() -> None:
    code = r"""
import json, time, sys
import actbook
from actbook import data, models, training
x, y = data.xor_data(n=1000, seed=0)
x, y, _, _ = data.train_val_split(x, y)
width, steps = int(sys.argv[1]), int(sys.argv[2])
model = models.mlp(2, [width], "sigmoid", init="original", seed=0)
t0 = time.perf_counter(); training.train(model, x, y, steps=10, record_every=10)
first = time.perf_counter() - t0
t0 = time.perf_counter(); training.train(model, x, y, steps=10, record_every=10)
warm10 = time.perf_counter() - t0
t0 = time.perf_counter(); training.train(model, x, y, steps=steps, record_every=steps)
print(json.dumps({"trace": first - warm10, "seconds": time.perf_counter() - t0}))
"""
    print("\n== 2. Trainer scaling (sigmoid, batch 256; one fresh process per row)")
    print(f"{'width':>6}{'steps':>9}{'seconds':>9}{'us/step':>9}{'trace s':>9}")
    rows = []
    for width, steps in [(300, 1_000), (300, 10_000), (300, 100_000), (30, 10_000),
                         (3000, 10_000)]:
        out = subprocess.run([PY, "-c", code, str(width), str(steps)], capture_output=True,
                             text=True, check=True)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        rows.append((width, steps, r["seconds"]))
        print(f"{width:>6}{steps:>9}{r['seconds']:>9.2f}{1e6 * r['seconds'] / steps:>9.0f}"
              f"{r['trace']:>9.2f}")
    (_, s1, t1), (_, s2, t2) = rows[0], rows[2]
    slope = (t2 - t1) / (s2 - s1)
    print(f"time vs steps at width 300: slope {1e6 * slope:.0f} us/step, "
          f"intercept {t1 - slope * s1:.2f} s")


def _many_once(depth: str, n_models: int) -> dict:
    out = subprocess.run([PY, str(HERE / "many.py"), depth, str(n_models)], cwd=HERE,
                         capture_output=True, text=True, check=True)
    return json.loads(out.stdout.strip().splitlines()[-1])


def bench_many(repeats: int) -> None:
    print(f"\n== 3. Many networks at once: chapter 5's cells (digits, ReLU, batch 32, 500 steps; "
          f"median of {repeats} fresh processes, tracing included)")
    for depth in ("deep", "shallow"):
        single = [_many_once(depth, 0) for _ in range(repeats)]
        cold = statistics.median(r["cold"] for r in single)
        warm = statistics.median(r["warm"] for r in single)
        print(f"{depth}: one train call {cold:.2f} s cold (tracing included), {warm:.3f} s warm")
        print(f"{'S':>4}{'seconds':>9}{'s/model':>9}{'vs cold':>9}{'vs warm':>9}{'peak MB':>9}")
        for n_models in (1, 5, 20, 50):
            runs = [_many_once(depth, n_models) for _ in range(repeats)]
            seconds = statistics.median(r["seconds"] for r in runs)
            per = seconds / n_models
            peak = max(r["peak_mb"] for r in runs)
            print(f"{n_models:>4}{seconds:>9.2f}{per:>9.3f}{per / cold:>9.3f}{per / warm:>9.2f}"
                  f"{peak:>9.0f}")
    print("target: at S = 20 the cost per network is at most 1/8 of one train call (aim 1/15)")


def _execute_one(notebook: str) -> None:
    """Child mode: execute one notebook with nbclient, print wall time and peak memory."""
    import nbformat
    from nbclient import NotebookClient

    nb = nbformat.read(notebook, as_version=4)
    t0 = time.perf_counter()
    NotebookClient(nb, kernel_name="python3", timeout=600,
                   resources={"metadata": {"path": str(Path(notebook).parent)}}).execute()
    seconds = time.perf_counter() - t0
    peak_kb = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    print(json.dumps({"seconds": seconds, "peak_mb": peak_kb / 1024}))


def bench_book() -> None:
    print("\n== 4. The book: executing each notebook (fresh kernel, as nbval) and building "
          "the site")
    total = 0.0
    peak = 0.0
    for nb in sorted((ROOT / "chapters").glob("*.ipynb")):
        out = subprocess.run([PY, __file__, "--execute-one", str(nb)], capture_output=True,
                             text=True, check=True, cwd=ROOT)
        r = json.loads(out.stdout.strip().splitlines()[-1])
        total += r["seconds"]
        peak = max(peak, r["peak_mb"])
        print(f"{nb.name:<28}{r['seconds']:>8.1f} s{r['peak_mb']:>9.0f} MB peak (kernel)")
    print(f"{'all notebooks':<28}{total:>8.1f} s   (budget 180 s)   peak {peak:.0f} MB")
    t0 = time.perf_counter()
    subprocess.run([str(Path(PY).with_name("jupyter-book")), "build", ".", "-W", "-n",
                    "--keep-going", "--all", "-q"], cwd=ROOT, check=True,
                   capture_output=True)
    print(f"{'site build (stored outputs)':<28}{time.perf_counter() - t0:>8.1f} s   (budget 20 s)")


def main() -> None:
    if len(sys.argv) == 3 and sys.argv[1] == "--execute-one":
        _execute_one(sys.argv[2])
        return
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--only", action="append",
                        choices=["trainer", "scaling", "many", "book"])
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args()
    parts = args.only or ["trainer", "scaling", "many", "book"]
    import platform

    print(f"machine: {platform.machine()} ({_cpu_model()}), {os.cpu_count()} cores, Python "
          f"{platform.python_version()}, {platform.platform()}; TF threads: {_threads()}, "
          f"oneDNN: {os.environ.get('TF_ENABLE_ONEDNN_OPTS', 'off (package default)')}")
    if "trainer" in parts:
        bench_trainer(args.repeats, args.quick)
    if "scaling" in parts:
        bench_scaling()
    if "many" in parts:
        bench_many(args.repeats)
    if "book" in parts:
        bench_book()


if __name__ == "__main__":
    main()
