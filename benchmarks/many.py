"""One measurement of the multi-network trainer, in a fresh process (called by run.py).

Usage: python many.py {deep,shallow} S
  S = 0 times one `training.train` call instead (cold: tracing included), then a second call
  on a new network of the same architecture (warm: graph cached).
Prints one JSON line: seconds (tracing and building the initial weights included), seconds per
model, and the process's peak resident memory.
"""

from __future__ import annotations

import json
import resource
import sys
import time

import actbook  # noqa: F401  (quiet TensorFlow, seeds)
from actbook import data, models, training

# Chapter 5's cells: digits, 64 -> hidden -> 10 ReLU, batch 32, 500 SGD steps at rate 0.1.
HIDDEN = {"deep": [16] * 6, "shallow": [32]}
TRAINING = dict(steps=500, batch_size=32, record_every=25)


def main() -> None:
    depth, n_models = sys.argv[1], int(sys.argv[2])
    x, y = data.digits()
    x, y, xv, yv = data.train_val_split(x, y)
    units = HIDDEN[depth]
    out = {"depth": depth, "models": n_models}
    if n_models == 0:
        t0 = time.perf_counter()
        model = models.mlp(64, units, "relu", 10, seed=0)
        training.train(model, x, y, x_val=xv, y_val=yv, seed=0, **TRAINING)
        out["cold"] = time.perf_counter() - t0
        t0 = time.perf_counter()
        model = models.mlp(64, units, "relu", 10, seed=1)
        training.train(model, x, y, x_val=xv, y_val=yv, seed=1, **TRAINING)
        out["warm"] = time.perf_counter() - t0
    else:
        t0 = time.perf_counter()
        template = models.mlp(64, units, "relu", 10, seed=0)
        seeds = list(range(n_models))
        start = [models.initial_weights(64, units, "relu", 10, seed=s) for s in seeds]
        training.train_many(template, x, y, x_val=xv, y_val=yv, seeds=seeds,
                            initial_weights=start, **TRAINING)
        out["seconds"] = time.perf_counter() - t0
        out["per_model"] = out["seconds"] / n_models
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


if __name__ == "__main__":
    main()
