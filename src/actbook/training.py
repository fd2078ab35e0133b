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
import warnings
from collections import OrderedDict
from dataclasses import dataclass

import keras
import numpy as np
import scipy.special
import tensorflow as tf

from actbook._checks import (
    check_choice,
    check_float,
    check_int,
    check_memory,
    check_model,
    check_sequence,
    check_steps,
    check_weight_lists,
    check_xy,
)


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
        diverged_step, diverged_loss: for a network of :func:`train_many` that diverged, the
            step at which it did and the loss that showed it: that step's minibatch loss (NaN
            or infinite; finite when it was the update that made a weight so), or, for a
            network whose loss on the whole training set is not finite at the end, that loss
            at the last step; ``None`` otherwise.
    """

    step: np.ndarray
    loss: np.ndarray
    accuracy: np.ndarray
    val_loss: np.ndarray | None
    val_accuracy: np.ndarray | None
    diverged_step: int | None = None
    diverged_loss: float | None = None

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
        steps: number of steps, an int in [1, 2**31 - 2].
        seed: the ``seed`` given to :func:`train`, an int in [0, 2**31 - 1] (default 0).
        start_step: first global step, an int >= 0 (default 0); ``start_step + steps`` at
            most 2**31 - 1 (steps are int32 in the trainers).

    Returns:
        int32 array ``(steps, batch_size)``: row ``i`` holds the indices of step
        ``start_step + i``.

    Raises:
        TypeError, ValueError: for arguments of the wrong type or out of range, or an array
            larger than half the memory available.
    """
    n = check_int("n", n, minimum=1)
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=n)
    steps, start_step, _ = check_steps(steps, start_step, 1)
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 1)
    check_memory(4 * steps * batch_size + 16 * n,
                 f"the indices of {steps} steps of {batch_size} from {n} examples",
                 "ask for fewer steps at a time (start_step continues where a call ended)")
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
#: Bytes per record and network, measured: 4 float32 values, the graph's buffers and the
#: float64 copies the histories are made from (a review measured about 96).
_RECORD_BYTES = 128
_CACHE_SIZE = 32


def _architecture_key(model: keras.Model) -> str:
    """Everything that fixes a model's computation: per layer the identity of its class (a
    class redefined under the same name is another class), its configuration, ``trainable``
    flag and the identity of its activation function (two different functions may share a
    name, e.g. two lambdas); the shapes of the weights; and which layers feed which. Not names,
    seeds or initialisers, so that models of one architecture share a compiled graph. (The
    identities are stable while the cache holds the model that uses them.)"""
    index = {layer.name: i for i, layer in enumerate(model.layers)}
    parts = []
    for layer in model.layers:
        try:
            with warnings.catch_warnings():   # Keras warns when it serialises a lambda
                warnings.simplefilter("ignore", UserWarning)
                config = layer.get_config()
        except Exception:  # noqa: BLE001 - a custom layer without a config: never shared
            config = {"layer": id(layer)}
        config = {k: v for k, v in config.items()
                  if k not in ("name", "seed", "trainable", "dtype")
                  and "initializer" not in k}
        functions = [id(getattr(layer, a)) for a in ("activation", "function")
                     if getattr(layer, a, None) is not None]
        parents = [index.get(p, -1) for p in _parents(layer)] if layer._inbound_nodes else []
        parts.append([id(type(layer)), config, bool(layer.trainable), functions, parents])
    parts.append([list(v.shape) for v in model.weights])
    return json.dumps(parts, sort_keys=True, default=str)


#: The optimisers of :func:`train` and :func:`train_many`: name -> description.
OPTIMIZERS = {
    "sgd": "plain minibatch SGD, w <- w - lr * g (the default and the book's reference)",
    "adam": "Adam (Kingma & Ba 2015) with Keras' defaults and update formula "
            "(keras.optimizers.Adam: beta_1 0.9, beta_2 0.999, epsilon 1e-7)",
}


def _adam_constants() -> tuple[float, float, float]:
    """``beta_1, beta_2, epsilon`` of a default ``keras.optimizers.Adam``."""
    adam = keras.optimizers.Adam()
    return float(adam.beta_1), float(adam.beta_2), float(adam.epsilon)


def _make_update(optimizer: str, clipped: bool, model_axis: bool):
    """``update(params, grads, state, step, rates, clip_norm) -> params + state``.

    ``state`` is empty for SGD and Adam's first and second moments ``m + v`` (one tensor per
    parameter each). ``rates`` holds one learning-rate tensor per parameter (broadcastable).
    With ``model_axis`` every tensor carries a leading model axis and the clipping norm is
    taken per network.

    Adam is Keras' ``Adam.update_step`` written on tensors, because TensorFlow's Keras backend
    has no ``stateless_apply`` for the loop variables the trainers carry (the tests check the
    two agree step for step): with ``t = step + 1``,
    ``m <- m + (g - m)(1 - beta_1)``, ``v <- v + (g^2 - v)(1 - beta_2)``,
    ``w <- w - lr sqrt(1 - beta_2^t) / (1 - beta_1^t) * m / (sqrt(v) + epsilon)``,
    the form of Kingma & Ba (2015, end of section 2) with epsilon-hat.
    """
    beta_1, beta_2, epsilon = _adam_constants()

    def axes(g):       # the axes of one network's weights
        return list(range(1, len(g.shape))) if model_axis else None

    def per_network(value, g):   # (S,) -> broadcastable against g (a scalar stays a scalar)
        return _expand(value, len(g.shape) - 1) if model_axis else value

    def clip(grads, clip_norm):
        # Clip by global norm (Pascanu, Mikolov & Bengio 2013): g <- g * min(1, c / ||g||).
        # The sum of squares overflows float32 once the norm passes about 1.8e19; the norm is
        # then taken of g / max|g| and scaled back. Where both are finite they agree, and the
        # plain sum is the one used, so ordinary runs are unchanged.
        squares = tf.add_n([tf.reduce_sum(tf.square(g), axis=axes(g)) for g in grads])
        largest = tf.reduce_max(tf.stack([tf.reduce_max(tf.abs(g), axis=axes(g))
                                          for g in grads]), axis=0)
        largest = tf.where(largest > 0, largest, 1.0)
        scaled = tf.add_n([tf.reduce_sum(tf.square(g / per_network(largest, g)), axis=axes(g))
                           for g in grads])
        norm = tf.where(tf.math.is_finite(squares), tf.sqrt(squares),
                        largest * tf.sqrt(scaled))
        scale = tf.minimum(1.0, clip_norm / norm)
        return [g * per_network(scale, g) for g in grads]

    def update(params, grads, state, step, rates, clip_norm):
        if clipped:
            grads = clip(grads, clip_norm)
        if optimizer == "sgd":
            return [w - r * g for w, g, r in zip(params, grads, rates)]
        n = len(params)
        t = tf.cast(step + 1, tf.float32)
        correction = (tf.sqrt(1 - tf.pow(tf.constant(beta_2), t))
                      / (1 - tf.pow(tf.constant(beta_1), t)))
        new_w, new_m, new_v = [], [], []
        for w, g, r, m, v in zip(params, grads, rates, state[:n], state[n:]):
            m = m + (g - m) * (1 - beta_1)
            v = v + (tf.square(g) - v) * (1 - beta_2)
            new_w.append(w - (m * (r * correction)) / (tf.sqrt(v) + epsilon))
            new_m.append(m)
            new_v.append(v)
        return new_w + new_m + new_v

    return update


#: The smallest learning rate or clipping norm accepted: float32's smallest normal number
#: (about 1.2e-38); a smaller value is subnormal or 0 in float32, and the update would vanish.
MIN_RATE = float(np.finfo(np.float32).tiny)


def _check_rate(name: str, value) -> float:
    """A learning rate or clipping norm: a finite float in [:data:`MIN_RATE`, 1e6]."""
    value = check_float(name, value, minimum=0.0, maximum=1e6, min_inclusive=False)
    if value < MIN_RATE:
        raise ValueError(f"{name} must be at least {MIN_RATE:.3g} (smaller values are 0 or "
                         f"subnormal in float32, so the update would vanish), got {value}")
    return value


def _check_model_to_train(model: keras.Model) -> None:
    """Raise ``ValueError`` for a model the trainers would train other than as written: one
    with no trainable weights, with layers that act only in training mode (dropout, noise),
    or with weight penalties (the trainers' loss is the cross-entropy alone)."""
    if not model.trainable_variables:
        raise ValueError("model has no trainable weights: there is nothing to train")
    for layer in model.layers:
        kind = type(layer).__name__
        if "Dropout" in kind or "Noise" in kind:
            raise ValueError(f"the trainers run layers in inference mode, where {kind} does "
                             f"nothing: remove layer {layer.name!r}")
        if isinstance(layer, keras.Model):
            raise ValueError(f"layer {layer.name!r} is itself a model, which the trainers do "
                             f"not look inside: build one flat model")
        if isinstance(layer, keras.layers.Lambda):
            raise ValueError(f"layer {layer.name!r} is a Lambda layer: the values of Python "
                             f"names it reads would be frozen when its graph is compiled, "
                             f"and the graph would be shared with other models; write the "
                             f"computation as a layer class")
        extras = [f"a weight penalty on {w.path!r}" for w in layer.weights
                  if getattr(w, "regularizer", None) is not None]
        extras += [f"a constraint on {w.path!r}" for w in layer.weights
                   if getattr(w, "constraint", None) is not None]
        if getattr(layer, "activity_regularizer", None) is not None:
            extras.append("an activity penalty")
        if extras:
            raise ValueError(f"the trainers minimise the cross-entropy alone, with plain "
                             f"updates; layer {layer.name!r} has {extras[0]}, which would be "
                             f"ignored")


def _check_optimizer(optimizer, clip_norm, start_step):
    """The trainers' ``optimizer`` and ``clip_norm``, checked (``start_step`` already is)."""
    optimizer = check_choice("optimizer", optimizer, OPTIMIZERS)
    if optimizer == "adam" and start_step != 0:
        raise ValueError("optimizer='adam' starts its moment estimates at zero and does not "
                         "carry them between calls: start_step must be 0")
    if clip_norm is not None:
        clip_norm = _check_rate("clip_norm", clip_norm)
    return optimizer, clip_norm


def _lookup(cache, model: keras.Model, optimizer: str, clipped: bool):
    """``(key, compiled graph or None)`` for ``model``'s architecture and update rule in
    ``cache`` (an OrderedDict used least-recently-used first)."""
    key = _architecture_key(model)
    if (optimizer, clipped) != ("sgd", False):
        key = json.dumps([key, optimizer, clipped])
    if key in cache:
        cache.move_to_end(key)
        return key, cache[key]
    return key, None


def _logits_gradient(onehot, log_p, scale):
    """The gradient of ``loss = -scale * sum(onehot * log_p)`` with respect to the logits, where
    ``log_p = tf.nn.log_softmax(logits)`` (last axis: classes; ``scale`` a scalar).

    Written out with the ops TensorFlow's registered gradients of ``Mul``, ``Sum`` and
    ``LogSoftmax`` apply, ``g - sum(g) * softmax`` with ``g = -scale * onehot``, so the numbers
    are those of ``tape.gradient(loss, ...)`` bit for bit (the tests check it); left out is the
    shape bookkeeping autodiff adds to every step (``Shape``, ``Reshape``, ``Tile``,
    ``BroadcastGradientArgs``). The rest of the backward pass is autodiff:
    ``tape.gradient(logits, weights, output_gradients=...)``.
    """
    g = onehot * -scale
    return g - tf.reduce_sum(g, -1, keepdims=True) * tf.exp(log_p)


def _mean_loss(total, terms, n, axis):
    """``total / n`` (``total = -sum(terms)`` over ``axis``), the mean cross-entropy of a
    record; where the float32 sum overflows although the terms do not, ``-sum(terms / n)``
    instead, so a large but finite loss is not reported as infinite."""
    return tf.where(tf.math.is_finite(total), total / n, -tf.reduce_sum(terms / n, axis=axis))


def _compiled_run(model: keras.Model, optimizer: str = "sgd", clipped: bool = False):
    """The compiled training graph for ``model``'s architecture and update rule (cached)."""
    key, hit = _lookup(_CACHE, model, optimizer, clipped)
    if hit is not None:
        return hit
    template = model
    n_params = len(template.trainable_variables)
    update = _make_update(optimizer, clipped, model_axis=False)

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
        loss = _mean_loss(cross_entropy_sum(logits, onehot), onehot * tf.nn.log_softmax(logits),
                          n, axis=None)
        hit = tf.cast(tf.equal(tf.argmax(logits, axis=1, output_type=y.dtype), y), tf.float32)
        return loss, tf.reduce_sum(hit) / n

    @tf.function(reduce_retracing=True, autograph=False)
    def run(weights, non_trainable, x, y, x_val, y_val, start_step, n_records, every,
            batch_size, learning_rate, seed, clip_norm):
        # reduce_retracing relaxes argument shapes; the weights' shapes are fixed by the model.
        # ``weights`` holds the parameters, then the optimiser's state (Adam: m, then v).
        shapes = [v.shape for v in template.trainable_variables]
        shapes = shapes * (len(weights) // n_params)
        weights = [tf.ensure_shape(w, s) for w, s in zip(weights, shapes)]
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
            params = weights[:n_params]
            with tf.GradientTape() as tape:
                tape.watch(params)
                logits = forward(params, non_trainable, xb)
                batch_loss = cross_entropy_sum(logits, yb) * inv_batch
            grads = tape.gradient(batch_loss, params)
            weights = update(params, grads, weights[n_params:], step,
                             [learning_rate] * n_params, clip_norm)
            return step + 1, weights, perm, batch_loss

        def record(weights):
            weights = weights[:n_params]
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
        return weights[:n_params], records[: r + 1], step, batch_loss

    _CACHE[key] = run
    if len(_CACHE) > _CACHE_SIZE:
        _CACHE.popitem(last=False)
    return run


def train(model: keras.Model, x, y, *, x_val=None, y_val=None, steps: int = 10_000,
          batch_size: int = 256, learning_rate: float = 0.1, seed: int = 0,
          record_every: int = 100, start_step: int = 0, optimizer: str = "sgd",
          clip_norm: float | None = None) -> History:
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
        steps: number of SGD updates, an int in [1, 2**31 - 2], a multiple of
            ``record_every`` (default 10 000); ``start_step + steps`` at most 2**31 - 1.
        batch_size: examples per update, an int in [1, n] (default 256).
        learning_rate: SGD step size, a float in [:data:`MIN_RATE`, 1e6] (default 0.1).
        seed: seed of the minibatch order, an int >= 0 (default 0). Initial weights are set
            by the model's own seed.
        record_every: evaluate every this many steps, an int >= 1 (default 100).
        start_step: global step to start from, an int >= 0 (default 0): call ``train`` again
            with ``start_step`` equal to the previous end to continue exactly where it stopped.
        optimizer: ``"sgd"`` (default: the update above) or ``"adam"`` (Kingma & Ba 2015,
            Keras' defaults and formula; see :data:`OPTIMIZERS`; ``learning_rate`` is then
            Adam's step size, and ``start_step`` must be 0: the moments start at zero).
        clip_norm: ``None`` (default: no clipping) or a float in [:data:`MIN_RATE`, 1e6]:
            before each update, the gradient of all weights, taken as one vector, is scaled
            down to this norm when it is longer, ``g <- g min(1, clip_norm / ||g||)``
            (clipping by global norm, Pascanu, Mikolov & Bengio 2013).

    Returns:
        A :class:`History` with ``steps // record_every + 1`` records.

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for shapes that do not match the model, labels out of range, empty or
            non-finite data, out-of-range sizes and rates, an unknown ``optimizer``, records
            that would not fit in memory, or a model the trainer would not train as written:
            not one float32 input ``(batch, d)`` and one output of logits ``(batch, k)``, no
            trainable weights, dropout or noise layers (inactive in inference mode), weight
            penalties (not part of the loss), or batch normalisation (train it with
            :func:`train_many`, which uses batch statistics; Keras' inference mode here would
            not).
        TrainingDivergedError: if the minibatch loss becomes NaN or infinite, or at the end
            the loss on the whole training set or a weight is (the rules of :func:`train_many`;
            a weight that overflowed behind a saturated unit is found at the end, so the
            message then says "by" the last step); the message gives the step and the loss, and
            the model keeps the weights it had before the call.
    """
    x, y = check_xy(model, x, y)
    if any(isinstance(layer, keras.layers.BatchNormalization) for layer in model.layers):
        raise ValueError("train runs Keras layers in inference mode, which would freeze batch "
                         "normalisation's statistics: train a model with BatchNormalization "
                         "layers with train_many")
    if (x_val is None) != (y_val is None):
        raise ValueError("x_val and y_val must be given together (or both left out)")
    if x_val is not None:
        x_val, y_val = check_xy(model, x_val, y_val, "x_val", "y_val")
    steps, start_step, record_every = check_steps(steps, start_step, record_every)
    batch_size = check_int("batch_size (default 256; at most the number of training examples)",
                           batch_size, minimum=1, maximum=len(x))
    learning_rate = _check_rate("learning_rate", learning_rate)
    seed = check_int("seed", seed, minimum=0, maximum=2**31 - 1)
    optimizer, clip_norm = _check_optimizer(optimizer, clip_norm, start_step)
    xv, yv = (x, y) if x_val is None else (x_val, y_val)
    _check_model_to_train(model)
    n_records = steps // record_every + 1
    check_memory(_RECORD_BYTES * n_records, f"recording {steps} steps every {record_every}",
                 "record less often (a larger record_every)")
    check_memory(estimate_memory(model, 1, max(len(x), len(xv)), batch_size),
                 f"training on {max(len(x), len(xv))} examples", "use fewer examples")

    run = _compiled_run(model, optimizer, clip_norm is not None)
    params = [v.value for v in model.trainable_variables]
    state = [tf.zeros_like(w) for w in params + params] if optimizer == "adam" else []
    weights, records, end_step, batch_loss = run(
        params + state,
        [v.value for v in model.non_trainable_variables],
        tf.constant(x), tf.constant(y), tf.constant(xv), tf.constant(yv),
        tf.constant(start_step), tf.constant(steps // record_every), tf.constant(record_every),
        tf.constant(batch_size), tf.constant(learning_rate, tf.float32), tf.constant(seed),
        tf.constant(0.0 if clip_norm is None else clip_norm, tf.float32),
    )
    batch_loss = float(batch_loss)
    if not np.isfinite(batch_loss):
        raise TrainingDivergedError(
            f"training diverged at step {int(end_step) - 1}: minibatch loss = {batch_loss} "
            f"(learning_rate={learning_rate:g}); try a smaller learning rate"
        )
    records = records.numpy().astype(np.float64)
    step = start_step + record_every * np.arange(len(records))
    # The rules of train_many, checked once at the end: a loss on the whole training set that
    # is not finite (the last update overflowed on some examples, and no later minibatch can
    # show it), or weights that are not finite (a weight behind a saturated unit can overflow
    # with the loss finite; train_many, which checks every step, names the step).
    if not np.isfinite(records[-1, 0]):
        raise TrainingDivergedError(
            f"training diverged at step {step[-1]}: the loss on the whole training set is "
            f"{records[-1, 0]} after the last update (learning_rate={learning_rate:g}); try a "
            f"smaller learning rate"
        )
    if not all(np.all(np.isfinite(w.numpy())) for w in weights):
        raise TrainingDivergedError(
            f"training diverged by step {step[-1]}: some weights are not finite at the end, "
            f"although every minibatch loss was (learning_rate={learning_rate:g}); try a "
            f"smaller learning rate"
        )
    for variable, value in zip(model.trainable_variables, weights):
        variable.assign(value)
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
    x, y = check_xy(model, x, y)
    check_memory(estimate_memory(model, 1, len(x), 1), f"evaluating on {len(x)} examples",
                 "evaluate on fewer examples at a time")
    logits = model(tf.constant(x), training=False)
    loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, logits))
    acc = np.mean(np.argmax(logits.numpy(), axis=1) == y)
    return float(loss), float(acc)


# --- Many networks at once -------------------------------------------------------------------

@dataclass(frozen=True)
class ManyRuns:
    """What :func:`train_many` returns: one entry per network, in the order of ``seeds``.

    Attributes:
        histories: one :class:`History` per network. A network that diverged keeps the records
            made before it diverged, and its ``diverged_step``/``diverged_loss`` are set.
        weights: the trained weights of each network, a list of float32 arrays in
            ``model.get_weights()`` order (``model.set_weights(runs.weights[k])`` loads network
            ``k``). A diverged network keeps the weights it had before the step that diverged.
    """

    histories: list
    weights: list

    @property
    def diverged(self) -> np.ndarray:
        """Boolean array ``(S,)``: which networks diverged."""
        return np.array([h.diverged_step is not None for h in self.histories])


#: The Keras layer types :func:`train_many` can stack along a model axis: those
#: :func:`actbook.models.mlp` builds.
_STACKABLE = ("InputLayer", "Dense", "Activation", "LeakyReLU", "ELU", "PReLU", "Maxout",
              "Gated", "BatchNormalization", "Add")


def _is_keras_activation(function) -> bool:
    """Whether ``function`` is one of Keras' built-in activations (elementwise)."""
    name = getattr(function, "__name__", None)
    try:
        return isinstance(name, str) and keras.activations.get(name) is function
    except ValueError:
        return False


def _stackable_class(kind: str):
    """The class named ``kind`` in :data:`_STACKABLE` (Keras' own, or actbook.models')."""
    from actbook import models

    return getattr(models, kind) if kind in ("Maxout", "Gated") else getattr(keras.layers, kind)


def _parents(layer) -> list[str]:
    """Names of the layers whose outputs ``layer`` takes, in argument order."""
    return [node.operation.name for node in layer._inbound_nodes[0].parent_nodes]


def _stacked_forward(template: keras.Model):
    """``forward(weights, x, taps=None) -> logits (S, batch, k)`` for S copies of
    ``template``'s graph of layers, each weight carrying a leading model axis; ``x`` is ``(S,
    batch, d)`` or ``(batch, d)`` (shared by all networks). Given a dict ``taps``, every
    layer's output ``(S, batch, units)`` is stored in it by layer name.

    Batch normalisation always uses the statistics of the batch it is given (training mode),
    per network: mean and variance over the batch axis (Ioffe & Szegedy 2015, Algorithm 1)."""
    position = {id(v): i for i, v in enumerate(template.trainable_variables)}
    steps = []
    for layer in template.layers:
        kind = type(layer).__name__
        if kind not in _STACKABLE or type(layer) is not _stackable_class(kind):
            raise ValueError(
                f"train_many trains networks built by actbook.models.mlp (layers "
                f"{', '.join(_STACKABLE)}); model has a {kind} layer {layer.name!r}")
        if kind == "InputLayer":
            continue
        if len(layer._inbound_nodes) != 1:
            raise ValueError(f"train_many needs every layer used once; {layer.name!r} is called "
                             f"{len(layer._inbound_nodes)} times")
        if layer.weights and not layer.trainable:
            raise ValueError(f"train_many trains every weight; layer {layer.name!r} is frozen "
                             f"(trainable=False)")
        if layer.non_trainable_weights and kind != "BatchNormalization":
            raise ValueError(f"train_many trains networks without non-trainable weights "
                             f"(actbook.models.mlp; batch normalisation's moving statistics, "
                             f"which it does not use, excepted); layer {layer.name!r} has some")
        if kind == "Activation" and not _is_keras_activation(layer.activation):
            raise ValueError(f"train_many applies Keras' own activation functions elementwise; "
                             f"layer {layer.name!r} applies another function")
        if kind == "Dense" and not layer.use_bias:
            raise ValueError(f"train_many needs Dense layers with biases; {layer.name!r} has none")
        if kind == "Dense" and keras.activations.serialize(layer.activation) != "linear":
            raise ValueError(
                f"train_many needs linear Dense layers, as actbook.models.mlp builds them "
                f"(activations are separate layers, the last layer outputs logits); "
                f"{layer.name!r} applies {keras.activations.serialize(layer.activation)!r}")
        if kind == "BatchNormalization" and not (layer.center and layer.scale
                                                 and layer.axis in (-1, 1)):
            raise ValueError(f"train_many needs BatchNormalization over the last axis with a "
                             f"learned scale and shift; {layer.name!r} differs")
        steps.append((kind, layer, [position[id(v)] for v in layer.trainable_weights],
                      _parents(layer)))
    if not steps:
        raise ValueError("train_many needs a model with at least one layer after its input")
    first = template.inputs[0]._keras_history.operation.name   # also for a Sequential model
    last = steps[-1][1].name

    def forward(weights, x, taps=None):
        out = {first: x}
        for kind, layer, idx, parents in steps:
            h = out[parents[0]]
            if kind in ("Dense", "Maxout", "Gated"):
                kernel, bias = weights[idx[0]], weights[idx[1]]
                h = tf.matmul(h, kernel) + bias[:, None, :]
                if kind == "Maxout":
                    shape = tf.shape(h)
                    h = tf.reduce_max(
                        tf.reshape(h, [shape[0], shape[1], layer.pieces, layer.units]), axis=2)
                elif kind == "Gated":
                    gate = getattr(keras.activations, layer.gate)
                    h = gate(h[..., :layer.units]) * h[..., layer.units:]
                else:
                    h = layer.activation(h)
            elif kind == "BatchNormalization":
                if len(h.shape) == 2:      # the shared input: statistics over its batch axis
                    h = h[None]
                gamma, beta = weights[idx[0]], weights[idx[1]]
                mean, variance = tf.nn.moments(h, axes=[1], keepdims=True)
                h = tf.nn.batch_normalization(h, mean, variance, beta[:, None, :],
                                              gamma[:, None, :], layer.epsilon)
            elif kind == "Add":
                # Sums with broadcasting: the input x may be shared, (batch, d), while the other
                # terms carry the model axis.
                h = out[parents[0]]
                for p in parents[1:]:
                    h = h + out[p]
            elif kind == "PReLU":
                # Keras' PReLU: relu(x) - alpha * relu(-x).
                alpha = weights[idx[0]][:, None, :]
                h = tf.nn.relu(h) - alpha * tf.nn.relu(-h)
            else:  # Activation, LeakyReLU, ELU: elementwise, no weights
                h = layer.call(h)
            out[layer.name] = h
        if taps is not None:
            taps.update(out)
        return out[last]

    return forward


_MANY_CACHE: OrderedDict = OrderedDict()


def _expand(per_model, ndim: int):
    """``(S,)`` -> ``(S, 1, ..., 1)`` with ``ndim`` trailing ones, keeping S static."""
    for _ in range(ndim):
        per_model = per_model[..., None]
    return per_model


def _compiled_many(model: keras.Model, optimizer: str = "sgd", clipped: bool = False):
    """The compiled multi-network training graph for ``model``'s architecture and update rule
    (cached)."""
    key, hit = _lookup(_MANY_CACHE, model, optimizer, clipped)
    if hit is not None:
        return hit
    forward = _stacked_forward(model)
    n_params = len(model.trainable_variables)
    update = _make_update(optimizer, clipped, model_axis=True)
    n_copies = 3 if optimizer == "adam" else 1     # parameters, then Adam's m and v
    shapes = [v.shape for v in model.trainable_variables] * n_copies
    n_classes = model.outputs[0].shape[-1]

    def cross_entropy(logits, onehot):
        # Mean softmax cross-entropy of each network, (S,): written as in the single trainer.
        return -tf.reduce_sum(onehot * tf.nn.log_softmax(logits), axis=[1, 2])

    def evaluate(weights, x, y, onehot):
        logits = forward(weights[:n_params], x)
        n = tf.cast(tf.shape(x)[0], tf.float32)
        loss = _mean_loss(cross_entropy(logits, onehot[None]),
                          onehot[None] * tf.nn.log_softmax(logits), n, axis=[1, 2])
        hit = tf.equal(tf.argmax(logits, axis=2, output_type=y.dtype), y[None])
        return loss, tf.reduce_sum(tf.cast(hit, tf.float32), axis=1) / n

    @tf.function(reduce_retracing=True, autograph=False)
    def run(weights, x, y, x_val, y_val, start_step, n_records, every, batch_size,
            learning_rates, seeds, clip_norm):
        n_static = weights[0].shape[0]
        w_shapes = [tf.TensorShape([n_static, *s]) for s in shapes]
        per_model = tf.TensorShape([n_static])
        n = tf.shape(x)[0]
        n_models = seeds.shape[0] if seeds.shape[0] is not None else tf.shape(seeds)[0]
        steps_per_epoch = n // batch_size
        onehot, onehot_val = tf.one_hot(y, n_classes), tf.one_hot(y_val, n_classes)
        inv_batch = 1.0 / tf.cast(batch_size, tf.float32)
        rates = [_expand(learning_rates, len(s)) for s in shapes]

        def permutations(epoch):
            return tf.map_fn(lambda s: _permutation(n, s, epoch), seeds,
                             fn_output_signature=tf.int32)

        def sgd_step(step, weights, perms, alive, div_step, div_loss):
            epoch = step // steps_per_epoch
            k = step % steps_per_epoch
            perms = tf.cond(tf.equal(k, 0), lambda: permutations(epoch), lambda: perms)
            idx = tf.slice(perms, [0, k * batch_size], [n_models, batch_size])
            xb, yb = tf.gather(x, idx), tf.gather(onehot, idx)
            params = weights[:n_params]
            with tf.GradientTape() as tape:
                tape.watch(params)
                logits = forward(params, xb)
            log_p = tf.nn.log_softmax(logits)
            losses = -tf.reduce_sum(yb * log_p, axis=[1, 2]) * inv_batch
            # Each network's gradient is that of its own loss (they share no weights); a
            # diverged network's is discarded below.
            grads = tape.gradient(logits, params,
                                  output_gradients=_logits_gradient(yb, log_p, inv_batch))
            grads = [tf.ensure_shape(g, w.shape) for g, w in zip(grads, params)]
            new = update(params, grads, weights[n_params:], step, rates, clip_norm)
            # Diverged: a non-finite minibatch loss, or an update that made a weight non-finite.
            # Behind batch normalisation or a saturated sigmoid such weights leave the loss
            # finite. (w * 0 is 0 for a finite weight and NaN otherwise: the sums cannot
            # overflow.)
            weight_sums = tf.add_n([tf.reduce_sum(w * 0.0, axis=list(range(1, len(s) + 1)))
                                    for w, s in zip(new[:n_params], shapes)])
            finite = tf.logical_and(tf.math.is_finite(losses), tf.math.is_finite(weight_sums))
            newly = tf.logical_and(alive, tf.logical_not(finite))
            div_step = tf.where(newly, step, div_step)
            div_loss = tf.where(newly, losses, div_loss)
            alive = tf.logical_and(alive, finite)
            weights = [tf.where(_expand(alive, len(s)), w_new, w)
                       for w_new, w, s in zip(new, weights, shapes)]
            return step + 1, weights, perms, alive, div_step, div_loss

        def record(weights, alive):
            loss, acc = evaluate(weights, x, y, onehot)
            val_loss, val_acc = evaluate(weights, x_val, y_val, onehot_val)
            rec = tf.stack([loss, acc, val_loss, val_acc], axis=1)
            return tf.where(alive[:, None], rec, float("nan"))

        alive = tf.ones([n_models], tf.bool)
        records = tf.TensorArray(tf.float32, size=n_records + 1, element_shape=[None, 4])
        records = records.write(0, record(weights, alive))
        perms0 = permutations(start_step // steps_per_epoch)
        div_step = tf.fill([n_models], -1)
        div_loss = tf.zeros([n_models])

        def outer_cond(r, step, weights, perms, alive, div_step, div_loss, records):
            return tf.logical_and(r < n_records, tf.reduce_any(alive))

        def outer_body(r, step, weights, perms, alive, div_step, div_loss, records):
            end = step + every

            def inner_cond(step, weights, perms, alive, div_step, div_loss):
                return tf.logical_and(step < end, tf.reduce_any(alive))

            step, weights, perms, alive, div_step, div_loss = tf.while_loop(
                inner_cond, sgd_step, (step, weights, perms, alive, div_step, div_loss),
                shape_invariants=(step.shape, w_shapes, tf.TensorShape([None, None]),
                                  per_model, per_model, per_model))
            records = records.write(r + 1, record(weights, alive))
            return r + 1, step, weights, perms, alive, div_step, div_loss, records

        loop_vars = (tf.constant(0), start_step, list(weights), perms0, alive, div_step,
                     div_loss, records)
        r, step, weights, _, alive, div_step, div_loss, records = tf.while_loop(
            outer_cond, outer_body, loop_vars,
            shape_invariants=(tf.TensorShape([]), tf.TensorShape([]), w_shapes,
                              tf.TensorShape([None, None]), per_model, per_model, per_model,
                              tf.TensorShape(None)))
        return weights[:n_params], records.stack()[: r + 1], div_step, div_loss

    _MANY_CACHE[key] = run
    if len(_MANY_CACHE) > _CACHE_SIZE:
        _MANY_CACHE.popitem(last=False)
    return run


def _trainable_order(model: keras.Model) -> list[int]:
    """For each trainable variable, its position in ``model.get_weights()`` order."""
    return [next(i for i, w in enumerate(model.weights) if w is v)
            for v in model.trainable_variables]


def _stack(weight_lists, order) -> list:
    """S weight lists (``get_weights()`` order) -> one tensor per variable with a model axis."""
    return [tf.constant(np.stack([np.asarray(ws[i], np.float32) for ws in weight_lists]))
            for i in order]


def _check_sequence(name: str, value, kind: str) -> list:
    value = check_sequence(name, value, what=f"{kind}s")
    if kind == "int":
        return [check_int(f"{name}[{i}]", v, minimum=0, maximum=2**31 - 1)
                for i, v in enumerate(value)]
    return [_check_rate(f"{name}[{i}]", v) for i, v in enumerate(value)]


def estimate_memory(model: keras.Model, n_models: int, n_examples: int,
                    batch_size: int, *, records: int = 0) -> int:
    """Bytes :func:`train_many`, :func:`evaluate_many` or :func:`layer_stats_many` need for
    ``n_models`` copies of ``model`` (an upper estimate; the tests check it against measured
    peak memory).

    Counts float32 values per network: 5 per weight (the weights, their gradients, the updated
    copies and Adam's two moments); for the largest pass, evaluation on ``n_examples`` rows or
    a training step on ``batch_size`` rows, 5 per row and unit (a value, its gradient and
    temporaries), where the units are the input's width (a step gathers each network's own
    minibatch), every layer's output width, and the width of every kernel's output (for maxout
    all pieces before the maximum, for gated units both halves); and ``records`` records, at
    128 bytes each (measured).

    Args:
        model: the template network, a ``keras.Model``.
        n_models, n_examples, batch_size: ints >= 1.
        records: records kept per network, an int >= 0 (default 0).

    Returns:
        An int, in bytes.

    Raises:
        TypeError, ValueError: for a model that is not a built ``keras.Model`` with one input
            and one output, or counts out of range.
    """
    check_model(model)
    n_models = check_int("n_models", n_models, minimum=1)
    rows = max(check_int("n_examples", n_examples, minimum=1),
               check_int("batch_size", batch_size, minimum=1))
    records = check_int("records", records, minimum=0)
    params = sum(int(np.prod(v.shape)) for v in model.trainable_variables)
    units = int(model.inputs[0].shape[-1])
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        units += int(np.prod(layer.output.shape[1:]))
        units += sum(int(w.shape[-1]) for w in layer.trainable_weights if len(w.shape) == 2)
    return n_models * (4 * (5 * params + 5 * rows * units) + _RECORD_BYTES * records)


def train_many(model: keras.Model, x, y, *, seeds, learning_rates=0.1, initial_weights=None,
               x_val=None, y_val=None, steps: int = 10_000, batch_size: int = 256,
               record_every: int = 100, start_step: int = 0, optimizer: str = "sgd",
               clip_norm: float | None = None) -> ManyRuns:
    """Train S networks of ``model``'s architecture side by side in one compiled graph.

    Network ``k`` starts from ``initial_weights[k]``, draws its minibatches in the order of
    ``seeds[k]`` and steps with ``learning_rates[k]``: it follows exactly the arithmetic of
    :func:`train` on the same weights, seed and rate (the tests check the weights and the
    history to float32 round-off). ``model`` itself is not changed; it only fixes the
    architecture.

    How: every weight carries a leading model axis (shape ``(S, *shape)``), so each dense layer
    is one batched matmul over the S networks, and one ``tf.while_loop`` runs all of them. Why
    this rather than ``tf.vectorized_map`` over the single trainer's ``stateless_call``: the
    model axis keeps the graph as small as the single-model one (the per-step cost is TensorFlow's
    per-op overhead, not arithmetic, for the book's networks), supports every layer the book
    uses, and gradients of the summed losses are per-network gradients because the networks
    share no weights. Measured with ``make bench`` (chapter 5's deep cell: 64-16x6-10 ReLU,
    batch 32, 500 steps): see the README's performance section.

    Round-off: the batched matmul adds in another order than a single network's matmul (and
    the order can depend on where a network sits in the batch, through memory alignment), so
    network ``k`` equals :func:`train` to float32 round-off, not bit for bit. Measured (chapter
    5's deep ReLU network on digits, rate 0.1): weights within 1e-7 of :func:`train`'s for the
    first 100 steps; then, while the network escapes its initial plateau, the difference grows
    to 1e-2 by step 200 and individual runs end visibly different, as they would on another
    CPU. A call is deterministic (same inputs, same numbers); claims about activations rest on
    the distribution over seeds, which does not change (the tests check the mean over 20 seeds).

    Divergence: a network whose minibatch loss becomes NaN or infinite, or whose update makes a
    weight NaN or infinite, is frozen at the weights it had before that step; one whose loss
    on the whole training set is NaN or infinite at the end is reported as diverged at the
    last step (an update on the last step that overflows, which no later minibatch can show).
    Either is reported
    (``History.diverged_step``/``diverged_loss``), and the others go on. Training stops early
    only when every network has diverged.

    Args:
        model: a network from :func:`actbook.models.mlp` (any activation, PReLU and maxout
            included); its architecture is used, its weights are not changed.
        x, y, x_val, y_val: as :func:`train`.
        seeds: minibatch-order seeds, a non-empty list of S ints in [0, 2**31 - 1] (repeats
            allowed, e.g. one seed at several learning rates).
        learning_rates: one float in [:data:`MIN_RATE`, 1e6] for every network (default 0.1)
            or a list of S.
        initial_weights: a list of S weight lists in ``model.get_weights()`` order (e.g. from
            :func:`actbook.models.initial_weights`); default: every network starts from
            ``model``'s current weights.
        steps, batch_size, record_every, start_step: as :func:`train` (same defaults).
        optimizer: ``"sgd"`` (default) or ``"adam"``, as :func:`train`. Adam is elementwise,
            so Adam on the stacked weights is S independent Adams; network ``k``'s rate
            multiplies its own step (Adam's step does not scale with the gradient, so a rate
            cannot be folded into the gradient: it is applied in the update).
        clip_norm: ``None`` (default) or a float in [:data:`MIN_RATE`, 1e6], as :func:`train`;
            the norm is each network's own (over all its weights).

    Returns:
        A :class:`ManyRuns` with one :class:`History` and one weight list per network.

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for the errors of :func:`train`, lengths of ``seeds``, ``learning_rates``
            and ``initial_weights`` that differ, weights whose shapes do not match ``model``,
            a model with layers :func:`actbook.models.mlp` does not make (or a layer used
            twice, or frozen), or an S whose memory estimate (:func:`estimate_memory`, records
            included) exceeds half the memory available; all before any training.
    """
    x, y = check_xy(model, x, y)
    if (x_val is None) != (y_val is None):
        raise ValueError("x_val and y_val must be given together (or both left out)")
    if x_val is not None:
        x_val, y_val = check_xy(model, x_val, y_val, "x_val", "y_val")
    _stacked_forward(model)  # raises for a layer it cannot stack
    _check_model_to_train(model)
    n_models = len(check_sequence("seeds", seeds, what="ints"))
    one_rate = not isinstance(learning_rates, (list, tuple, range, np.ndarray))
    if not one_rate and len(check_sequence("learning_rates", learning_rates,
                                           what="floats")) != n_models:
        raise ValueError(f"learning_rates must have one rate per seed ({n_models}), got "
                         f"{len(learning_rates)}")
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=len(x))
    steps, start_step, record_every = check_steps(steps, start_step, record_every)
    # Memory before the seeds' and rates' values and the weights: validating millions of them
    # would itself take long or exhaust it.
    need = estimate_memory(model, n_models, max(len(x), 0 if x_val is None else len(x_val)),
                           batch_size, records=steps // record_every + 1)
    check_memory(need, f"training {n_models} networks at once",
                 "pass fewer seeds per call, or record less often (a larger record_every)")
    seeds = _check_sequence("seeds", seeds, "int")
    if one_rate:
        learning_rates = [_check_rate("learning_rates", learning_rates)] * n_models
    else:
        learning_rates = _check_sequence("learning_rates", learning_rates, "float")
    if initial_weights is None:
        initial_weights = [model.get_weights()] * n_models
    if len(check_sequence("initial_weights", initial_weights)) != n_models:
        raise ValueError(f"initial_weights must have one weight list per seed ({n_models}), "
                         f"got {len(initial_weights)}")
    initial_weights = check_weight_lists("initial_weights", initial_weights, model)
    optimizer, clip_norm = _check_optimizer(optimizer, clip_norm, start_step)

    # Stack weights in trainable_variables order (== get_weights() order for an mlp).
    order = _trainable_order(model)
    stacked = _stack(initial_weights, order)
    if optimizer == "adam":
        stacked += [tf.zeros_like(w) for w in stacked + stacked]
    run = _compiled_many(model, optimizer, clip_norm is not None)
    xv, yv = (x, y) if x_val is None else (x_val, y_val)
    weights, records, div_step, div_loss = run(
        stacked, tf.constant(x), tf.constant(y), tf.constant(xv), tf.constant(yv),
        tf.constant(start_step), tf.constant(steps // record_every), tf.constant(record_every),
        tf.constant(batch_size), tf.constant(learning_rates, tf.float32),
        tf.constant(seeds, tf.int32),
        tf.constant(0.0 if clip_norm is None else clip_norm, tf.float32))
    records = np.transpose(records.numpy().astype(np.float64), (1, 0, 2))   # (S, r, 4)
    weights = [w.numpy() for w in weights]
    div_step, div_loss = div_step.numpy(), div_loss.numpy()
    step = start_step + record_every * np.arange(records.shape[1])
    # A network that ends with a loss on the whole training set that is not finite has
    # diverged on the last step (its update overflowed on some examples, and no later
    # minibatch can show it): frozen there, at the last record. Checked after the run, not
    # in the graph, where it would stall each record until the evaluation is done.
    last = np.full(n_models, len(step) - 1)
    ended = (div_step < 0) & ~np.isfinite(records[np.arange(n_models), last, 0])
    div_step = np.where(ended, step[-1], div_step)
    div_loss = np.where(ended, records[np.arange(n_models), last, 0], div_loss)
    has_val = x_val is not None
    histories, trained = [], []
    for k in range(n_models):
        keep = slice(None) if div_step[k] < 0 else step < div_step[k]
        rec = records[k][keep]
        histories.append(History(
            step=step[keep], loss=rec[:, 0], accuracy=rec[:, 1],
            val_loss=rec[:, 2] if has_val else None,
            val_accuracy=rec[:, 3] if has_val else None,
            diverged_step=None if div_step[k] < 0 else int(div_step[k]),
            diverged_loss=None if div_step[k] < 0 else float(div_loss[k])))
        by_position = list(initial_weights[k])   # non-trainable ones (BN statistics) kept
        for j, i in enumerate(order):
            by_position[i] = weights[j][k]
        trained.append(by_position)
    return ManyRuns(histories=histories, weights=trained)


def _check_many_memory(model: keras.Model, weights, x) -> None:
    """Refuse a pass of ``len(weights)`` networks over ``x`` that would not fit in memory."""
    n_models = len(check_sequence("weights", weights, what="weight lists (one per network)"))
    check_memory(estimate_memory(model, n_models, len(x), 1),
                 f"a pass of {n_models} networks over {len(x)} examples",
                 "pass fewer weight lists or fewer examples per call")


def evaluate_many(model: keras.Model, weights, x, y) -> tuple[np.ndarray, np.ndarray]:
    """Mean cross-entropy (nats) and accuracy of many weight sets of ``model`` on ``(x, y)``.

    Args:
        model: the template network of :func:`train_many`.
        weights: a non-empty list of S weight lists in ``model.get_weights()`` order (e.g.
            ``ManyRuns.weights``).
        x: real array ``(n, d)``; y: integer array ``(n,)`` with values in ``0 .. k-1``.

    Returns:
        ``(loss, accuracy)``: float arrays ``(S,)``. A network whose weights overflow in the
        forward pass has an infinite or NaN loss, and its accuracy is that of the constant
        classifier it has become (the argmax of its inf/NaN logits).

    Raises:
        TypeError, ValueError: as :func:`train_many` for bad weights or data.
    """
    x, y = check_xy(model, x, y)
    forward = _stacked_forward(model)
    _check_many_memory(model, weights, x)
    weights = check_weight_lists("weights", weights, model)
    stacked = _stack(weights, _trainable_order(model))
    logits = forward(stacked, tf.constant(x)).numpy().astype(np.float64)   # (S, n, k)
    # A network whose weights blew up has inf or NaN logits: its loss is then NaN or inf,
    # without NumPy warnings.
    with np.errstate(over="ignore", invalid="ignore"):
        logp = scipy.special.log_softmax(logits, axis=2)
        loss = -np.take_along_axis(logp, y[None, :, None].astype(np.int64), axis=2)[..., 0]
    # The prediction is NumPy's argmax, also where a blown-up network's logits are inf or NaN
    # (argmax then returns the first NaN's class): such a network is scored as the constant
    # classifier it has become, and its loss is inf or NaN.
    acc = (logits.argmax(axis=2) == y[None]).mean(axis=1).astype(np.float64)
    return loss.mean(axis=1).astype(np.float64), acc


def layer_stats_many(model: keras.Model, weights, x, y) -> dict[str, np.ndarray]:
    """Per-layer signals of S networks of ``model``'s architecture on ``(x, y)``, in one pass.

    The probes of the book's chapters (gradient norms per layer, the spread of the forward
    signal, dead units) for many weight sets at once, through :func:`train_many`'s stacked
    forward pass, so batch normalisation uses the statistics of ``x`` (training mode) as in
    training.

    Args:
        model: a network from :func:`actbook.models.mlp` (the template of :func:`train_many`).
        weights: a non-empty list of S weight lists in ``model.get_weights()`` order.
        x: real array ``(n, d)``; y: integer array ``(n,)`` with values in ``0 .. k-1``.

    Returns:
        A dict of float64 arrays, hidden layer 1 first:

        - ``"gradient_norm"`` ``(S, L)``: Euclidean (Frobenius) norm of the gradient of the mean
          softmax cross-entropy on ``(x, y)`` with respect to each hidden layer's kernel;
        - ``"spread"`` ``(S, L)``: each hidden layer's output (after the residual addition
          where there is one), its standard deviation over the examples, averaged over units;
        - ``"dead"`` ``(S,)``: the share of hidden units whose activation output is exactly 0 on
          every example (float64 count; a NaN output counts as alive).

    Raises:
        TypeError, ValueError: as :func:`evaluate_many`, or for a model without hidden layers.
    """
    from actbook.models import hidden_layer_names

    x, y = check_xy(model, x, y)
    forward = _stacked_forward(model)
    _check_many_memory(model, weights, x)
    weights = check_weight_lists("weights", weights, model)
    names = hidden_layer_names(model)
    if not names:
        raise ValueError("model has no hidden layers (hidden_1, hidden_2, ...) to probe")
    order = _trainable_order(model)
    position = {id(v): j for j, v in enumerate(model.trainable_variables)}
    layer_names = {layer.name for layer in model.layers}
    kernels = []
    for name in names:
        owner = model.get_layer(f"{name}_pre" if f"{name}_pre" in layer_names else name)
        if not hasattr(owner, "kernel"):
            raise ValueError(f"layer_stats_many needs the layout of actbook.models.mlp: hidden "
                             f"layer {name!r} has no kernel and no {name + '_pre'!r} layer")
        kernels.append(position[id(owner.kernel)])
    stacked = _stack(weights, order)
    onehot = tf.one_hot(y, model.outputs[0].shape[-1])
    taps = {}
    with tf.GradientTape() as tape:
        tape.watch(stacked)
        logits = forward(stacked, tf.constant(x), taps)
        losses = -tf.reduce_sum(onehot[None] * tf.nn.log_softmax(logits), axis=[1, 2])
        total = tf.reduce_sum(losses) / len(x)
    grads = tape.gradient(total, [stacked[j] for j in kernels])
    grad_norm = np.stack([np.sqrt(np.sum(np.square(g.numpy().astype(np.float64)),
                                         axis=tuple(range(1, len(g.shape)))))
                          for g in grads], axis=1)
    spread, dead, units = [], 0.0, 0
    for name in names:
        out = taps[f"{name}_res" if f"{name}_res" in taps else name].numpy().astype(np.float64)
        spread.append(out.std(axis=1).mean(axis=1))
        act = taps[name].numpy().astype(np.float64)
        dead = dead + np.sum(np.all(act == 0.0, axis=1), axis=1)
        units += act.shape[2]
    return {"gradient_norm": grad_norm, "spread": np.stack(spread, axis=1),
            "dead": dead / units}
