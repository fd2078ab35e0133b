"""The trainer: minibatch SGD on softmax cross-entropy, compiled whole into one ``tf.function``.

Why it is fast: the entire training run (batch selection, forward pass, gradients, update and
the periodic evaluation) is a single TensorFlow graph built from ``tf.while_loop``. Python is not
called per step and no tensor crosses to the host until the run ends. The forward pass is
Keras 3's functional ``model.stateless_call``, so the weights are loop variables rather than
``tf.Variable`` updates, and one compiled graph serves every model of the same architecture
(seeds, learning rates and data of any size reuse it; see ``benchmarks/``).

Why it is reproducible: minibatches are drawn without replacement from a permutation of the
training set that depends only on ``(seed, epoch)`` (stateless random ops), so the same seed
gives the same numbers on every run, and training in chunks (``start_step``) gives exactly the
numbers of one long run.
"""

from __future__ import annotations

import json
from collections import OrderedDict
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from actbook._checks import check_float, check_int
from actbook.models import _check_xy


class TrainingDivergedError(FloatingPointError):
    """Raised when the minibatch loss becomes NaN or infinite; names the step and the loss."""


@dataclass(frozen=True)
class History:
    """What :func:`train` records every ``record_every`` steps, first and last step included.

    Attributes:
        step: int array ``(r,)``, global step numbers (0 = before the first update).
        loss: mean softmax cross-entropy (nats) on the whole training set, ``(r,)``.
        accuracy: fraction of the training set classified correctly, ``(r,)``.
        val_loss, val_accuracy: the same on the validation set (``None`` without one).
    """

    step: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    val_loss: np.ndarray | None
    val_accuracy: np.ndarray | None

    def steps_to(self, val_accuracy: float) -> int | None:
        """First recorded step at which validation accuracy is >= ``val_accuracy`` (or None)."""
        if self.val_accuracy is None:
            raise ValueError("this history has no validation set")
        target = check_float("val_accuracy", val_accuracy, minimum=0.0, maximum=1.0)
        hit = np.flatnonzero(self.val_accuracy >= target)
        return int(self.step[hit[0]]) if hit.size else None


def _permutation(n, seed, epoch):
    """The order of the training set in ``epoch``: a function of ``(seed, epoch)`` only."""
    keys = tf.random.stateless_uniform([n], seed=tf.stack([seed, epoch]))
    return tf.argsort(keys)


def minibatch_indices(n: int, batch_size: int, steps: int, seed: int = 0,
                      start_step: int = 0) -> np.ndarray:
    """The training-set rows :func:`train` uses at each step, for reference implementations.

    Args:
        n: training-set size, an int >= 1.
        batch_size: an int in [1, n].
        steps: number of steps, an int >= 1.
        seed: the ``seed`` given to :func:`train`, an int in [0, 2**31 - 1] (default 0).
        start_step: first global step, an int >= 0 (default 0).

    Returns:
        int32 array ``(steps, batch_size)``: row ``i`` holds the indices of step
        ``start_step + i``.

    Raises:
        TypeError, ValueError: for arguments of the wrong type or out of range.
    """
    n = check_int("n", n, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=n)
    steps = check_int("steps", steps, minimum=1)
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 1)
    start_step = check_int("start_step", start_step, minimum=0)
    per_epoch = n // batch_size
    out = np.empty((steps, batch_size), dtype=np.int32)
    perms = {}
    for i, step in enumerate(range(start_step, start_step + steps)):
        epoch, k = divmod(step, per_epoch)
        if epoch not in perms:
            perms = {epoch: _permutation(tf.constant(n), tf.constant(seed), tf.constant(epoch))
                     .numpy()}
        out[i] = perms[epoch][k * batch_size:(k + 1) * batch_size]
    return out


_CACHE: OrderedDict = OrderedDict()
_CACHE_SIZE = 32


def _architecture_key(model: keras.Model) -> str:
    """Layer types and shapes, without names, seeds or initialisers."""
    parts = []
    for layer in model.layers:
        config = {k: v for k, v in layer.get_config().items()
                  if k not in ("name", "seed", "trainable", "dtype")
                  and "initializer" not in k}
        parts.append([type(layer).__name__, config])
    parts.append([list(v.shape) for v in model.weights])
    return json.dumps(parts, sort_keys=True, default=str)


def _compiled_run(model: keras.Model):
    """The compiled training graph for ``model``'s architecture (cached)."""
    key = _architecture_key(model)
    if key in _CACHE:
        _CACHE.move_to_end(key)
        return _CACHE[key]
    template = model

    def forward(weights, non_trainable, x):
        logits, _ = template.stateless_call(list(weights), list(non_trainable), x)
        return logits

    def cross_entropy_sum(logits, onehot):
        # Summed softmax cross-entropy. Written out rather than
        # tf.nn.sparse_softmax_cross_entropy_with_logits, whose deterministic fallback (under
        # enable_op_determinism) adds label-range checks and a slow gradient: this halves the
        # number of ops per step.
        return -tf.reduce_sum(onehot * tf.nn.log_softmax(logits))

    def evaluate(weights, non_trainable, x, y, onehot):
        logits = forward(weights, non_trainable, x)
        n = tf.cast(tf.shape(x)[0], tf.float32)
        loss = cross_entropy_sum(logits, onehot) / n
        hit = tf.cast(tf.equal(tf.argmax(logits, axis=1, output_type=y.dtype), y), tf.float32)
        return loss, tf.reduce_sum(hit) / n

    @tf.function(reduce_retracing=True, autograph=False)
    def run(weights, non_trainable, x, y, x_val, y_val, start_step, n_records, every,
            batch_size, learning_rate, seed):
        # reduce_retracing relaxes argument shapes; the weights' shapes are fixed by the model.
        weights = [tf.ensure_shape(w, v.shape)
                   for w, v in zip(weights, template.trainable_variables)]
        non_trainable = [tf.ensure_shape(w, v.shape)
                         for w, v in zip(non_trainable, template.non_trainable_variables)]
        n = tf.shape(x)[0]
        steps_per_epoch = n // batch_size
        n_classes = template.outputs[0].shape[-1]
        onehot, onehot_val = tf.one_hot(y, n_classes), tf.one_hot(y_val, n_classes)
        inv_batch = 1.0 / tf.cast(batch_size, tf.float32)

        def permutation(epoch):
            return _permutation(n, seed, epoch)

        def sgd_step(step, weights, perm, batch_loss):
            epoch = step // steps_per_epoch
            k = step % steps_per_epoch
            perm = tf.cond(tf.equal(k, 0), lambda: permutation(epoch), lambda: perm)
            idx = tf.slice(perm, [k * batch_size], [batch_size])
            xb, yb = tf.gather(x, idx), tf.gather(onehot, idx)
            with tf.GradientTape() as tape:
                tape.watch(weights)
                logits = forward(weights, non_trainable, xb)
                batch_loss = cross_entropy_sum(logits, yb) * inv_batch
            grads = tape.gradient(batch_loss, weights)
            weights = [w - learning_rate * g for w, g in zip(weights, grads)]
            return step + 1, weights, perm, batch_loss

        def record(weights):
            loss, acc = evaluate(weights, non_trainable, x, y, onehot)
            val_loss, val_acc = evaluate(weights, non_trainable, x_val, y_val, onehot_val)
            return tf.stack([loss, acc, val_loss, val_acc])

        records = tf.tensor_scatter_nd_update(
            tf.zeros([n_records + 1, 4]), [[0]], record(weights)[None])
        perm0 = permutation(start_step // steps_per_epoch)

        def outer_cond(r, step, weights, perm, batch_loss, records):
            return tf.logical_and(r < n_records, tf.math.is_finite(batch_loss))

        def outer_body(r, step, weights, perm, batch_loss, records):
            end = step + every

            def inner_cond(step, weights, perm, batch_loss):
                return tf.logical_and(step < end, tf.math.is_finite(batch_loss))

            step, weights, perm, batch_loss = tf.while_loop(
                inner_cond, sgd_step, (step, weights, perm, batch_loss),
                shape_invariants=(step.shape, [w.shape for w in weights],
                                  tf.TensorShape([None]), batch_loss.shape))
            records = tf.tensor_scatter_nd_update(records, [[r + 1]], record(weights)[None])
            return r + 1, step, weights, perm, batch_loss, records

        loop_vars = (tf.constant(0), start_step, list(weights), perm0, tf.constant(0.0), records)
        invariants = tf.nest.map_structure(lambda v: v.shape, loop_vars)
        invariants = (invariants[0], invariants[1], invariants[2], tf.TensorShape([None]),
                      invariants[4], invariants[5])
        r, step, weights, _, batch_loss, records = tf.while_loop(
            outer_cond, outer_body, loop_vars, shape_invariants=invariants)
        return weights, records[: r + 1], step, batch_loss

    _CACHE[key] = run
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return run


def train(
    model: keras.Model,
    x,
    y,
    *,
    x_val=None,
    y_val=None,
    steps: int = 10_000,
    batch_size: int = 256,
    learning_rate: float = 0.1,
    seed: int = 0,
    record_every: int = 100,
    start_step: int = 0,
) -> History:
    """Train ``model`` in place with plain minibatch SGD on softmax cross-entropy of its logits.

    Each step takes the next ``batch_size`` examples of a random permutation of the training
    set (a new permutation each epoch; the last ``n mod batch_size`` examples of each
    permutation are skipped), computes the mean cross-entropy of ``model``'s logits, and
    updates every trainable weight by ``w <- w - learning_rate * dL/dw``.

    Args:
        model: a ``keras.Model`` mapping ``(batch, d)`` float32 to ``(batch, k)`` logits, e.g.
            from :func:`actbook.models.mlp`. Its weights are updated in place.
        x: training inputs, real array ``(n, d)``.
        y: training labels, integer array ``(n,)`` with values in ``0 .. k-1``.
        x_val, y_val: optional validation set of the same kinds (both or neither).
        steps: number of SGD updates, an int >= 1, a multiple of ``record_every``
            (default 10 000).
        batch_size: examples per update, an int in [1, n] (default 256).
        learning_rate: SGD step size, a float in (0, 1e6] (default 0.1).
        seed: seed of the minibatch order, an int >= 0 (default 0). Initial weights are set
            by the model's own seed.
        record_every: evaluate every this many steps, an int >= 1 (default 100).
        start_step: global step to start from, an int >= 0 (default 0): call ``train`` again
            with ``start_step`` equal to the previous end to continue exactly where it stopped.

    Returns:
        A :class:`History` with ``steps // record_every + 1`` records.

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for shapes that do not match the model, labels out of range, empty or
            non-finite data, or out-of-range sizes and rates.
        TrainingDivergedError: if the minibatch loss becomes NaN or infinite; the message gives
            the step and the loss, and the model keeps the weights it had before the call.
    """
    x, y = _check_xy(model, x, y)
    if (x_val is None) != (y_val is None):
        raise ValueError("x_val and y_val must be given together (or both left out)")
    if x_val is not None:
        x_val, y_val = _check_xy(model, x_val, y_val, "x_val", "y_val")
    steps = check_int("steps", steps, minimum=1)
    if isinstance(batch_size, int) and not isinstance(batch_size, bool) and batch_size > len(x):
        raise ValueError(f"batch_size (default 256) must be <= the number of training examples "
                         f"({len(x)}), got {batch_size}")
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=len(x))
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0, maximum=1e6,
                                min_inclusive=False)
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 1)
    record_every = check_int("record_every", record_every, minimum=1)
    start_step = check_int("start_step", start_step, minimum=0)
    if steps % record_every:
        raise ValueError(
            f"steps (default 10 000) must be a multiple of record_every ({record_every}; "
            f"default 100), got {steps}")

    run = _compiled_run(model)
    xv, yv = (x, y) if x_val is None else (x_val, y_val)
    weights, records, end_step, batch_loss = run(
        [v.value for v in model.trainable_variables],
        [v.value for v in model.non_trainable_variables],
        tf.constant(x), tf.constant(y), tf.constant(xv), tf.constant(yv),
        tf.constant(start_step), tf.constant(steps // record_every), tf.constant(record_every),
        tf.constant(batch_size), tf.constant(learning_rate, tf.float32), tf.constant(seed),
    )
    batch_loss = float(batch_loss)
    if not np.isfinite(batch_loss):
        raise TrainingDivergedError(
            f"training diverged at step {int(end_step) - 1}: minibatch loss = {batch_loss} "
            f"(learning_rate={learning_rate:g}); try a smaller learning rate"
        )
    for variable, value in zip(model.trainable_variables, weights):
        variable.assign(value)
    records = records.numpy().astype(np.float64)
    step = start_step + record_every * np.arange(len(records))
    has_val = x_val is not None
    return History(
        step=step, loss=records[:, 0], accuracy=records[:, 1],
        val_loss=records[:, 2] if has_val else None,
        val_accuracy=records[:, 3] if has_val else None,
    )


def evaluate(model: keras.Model, x, y) -> tuple[float, float]:
    """Mean softmax cross-entropy (nats) and accuracy (fraction) of ``model`` on ``(x, y)``.

    Args:
        model: a ``keras.Model`` producing logits ``(n, k)``.
        x: real array ``(n, d)``; y: integer array ``(n,)`` with values in ``0 .. k-1``.

    Returns:
        ``(loss, accuracy)`` as Python floats.

    Raises:
        TypeError, ValueError: as :func:`train` for bad data.
    """
    x, y = _check_xy(model, x, y)
    logits = model(tf.constant(x), training=False)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    acc = np.mean(np.argmax(logits.numpy(), axis=1) == y)
    return float(loss), float(acc)
