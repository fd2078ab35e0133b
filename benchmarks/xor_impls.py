"""One timed training run of the XOR experiment (2-300-2 sigmoid, SGD 0.1, batch 256, 10 000
steps) with one implementation, in this fresh process. Prints one JSON line.

Usage (from the repository root):
  python -m benchmarks.xor_impls {trainer,numpy,keras_fit,eager,step_function} [steps]
"""

from __future__ import annotations

import json
import sys
import time

import numpy as np

import actbook  # noqa: F401  (quiet TensorFlow, seeds, determinism)
from actbook import data, models, training

HIDDEN, LR, BATCH = 300, 0.1, 256


def setup():
    x, y = data.xor_data(n=1000, noise=0.05, seed=0)
    x_train, y_train, _, _ = data.train_val_split(x, y, seed=0)
    model = models.mlp(2, [HIDDEN], "sigmoid", init="original", seed=0)
    return model, x_train, y_train.astype(np.int32)


def run(impl: str, steps: int) -> dict:
    import keras
    import tensorflow as tf

    model, x, y = setup()
    if impl == "trainer":
        t0 = time.perf_counter()
        training.train(model, x, y, steps=steps, batch_size=BATCH, learning_rate=LR,
                       record_every=steps)
        seconds = time.perf_counter() - t0
        loss, _ = training.evaluate(model, x, y)
    elif impl == "numpy":
        from tests.numpy_reference import train_numpy

        batches = training.minibatch_indices(len(x), BATCH, steps)   # not timed
        start = [np.array(w) for w in model.get_weights()]
        t0 = time.perf_counter()
        weights, _ = train_numpy(start, x, y, batches, LR)
        seconds = time.perf_counter() - t0
        model.set_weights(weights)
        loss, _ = training.evaluate(model, x, y)
    elif impl == "keras_fit":
        model.compile(optimizer=keras.optimizers.SGD(LR),
                      loss=keras.losses.SparseCategoricalCrossentropy(from_logits=True))
        per_epoch = -(-len(x) // BATCH)          # 4 batches per epoch: 256, 256, 256, 32
        t0 = time.perf_counter()
        model.fit(x, y, batch_size=BATCH, epochs=steps // per_epoch, verbose=0, shuffle=True)
        seconds = time.perf_counter() - t0
        loss, _ = training.evaluate(model, x, y)
    elif impl in ("eager", "step_function"):
        batches = training.minibatch_indices(len(x), BATCH, steps)
        xt, yt = tf.constant(x), tf.constant(y)
        variables = model.trainable_variables

        def step(idx):
            xb, yb = tf.gather(xt, idx), tf.gather(yt, idx)
            with tf.GradientTape() as tape:
                logits = model(xb)
                loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(yb, logits))
            for v, g in zip(variables, tape.gradient(loss, variables)):
                v.assign_sub(LR * g)

        if impl == "step_function":
            step = tf.function(step)
        t0 = time.perf_counter()
        for idx in batches:
            step(tf.constant(idx))
        seconds = time.perf_counter() - t0
        loss, _ = training.evaluate(model, x, y)
    else:
        raise SystemExit(f"unknown implementation {impl!r}")
    return {"impl": impl, "steps": steps, "seconds": seconds, "final_loss": loss}


if __name__ == "__main__":
    impl = sys.argv[1]
    steps = int(sys.argv[2]) if len(sys.argv) > 2 else 10_000
    print(json.dumps(run(impl, steps)))
