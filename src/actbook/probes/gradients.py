"""Gradients: per-layer gradient norms ("speed of learning", Nielsen 2015, ch. 5), the factor
``f'(z)`` backpropagation applies at every hidden unit, and saturation (how many units sit where
that factor is almost 0), built on the representations and ``tf.GradientTape``.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from actbook import activations
from actbook._checks import check_choice, check_float, check_xy
from actbook.models import hidden_layer_names
from actbook.probes.representations import pre_activations

GRADIENT_COSTS = {
    "softmax": "softmax cross-entropy of the logits, as the trainer minimises",
    "sigmoid": "Nielsen's network2 cost: a sigmoid on every logit, binary cross-entropy against "
    "the one-hot label, summed over output units",
}


def _hidden_dense_layers(model: keras.Model) -> dict[str, keras.layers.Layer]:
    """The layer holding each hidden layer's kernel and bias: ``hidden_i_pre``, or the Maxout
    layer ``hidden_i`` itself."""
    layers = {layer.name: layer for layer in model.layers}
    return {name: layers.get(f"{name}_pre", layers[name]) for name in hidden_layer_names(model)}


def _bias_gradient_norms(model, x, y, cost) -> dict[str, float]:
    x, y = check_xy(model, x, y)
    n_out = int(model.outputs[0].shape[-1])
    cost = check_choice("cost", cost, GRADIENT_COSTS)
    layers = _hidden_dense_layers(model)
    variables = [layer.bias for layer in layers.values()]
    with tf.GradientTape() as tape:
        out = model(tf.constant(x), training=False)
        if cost == "softmax":
            per_example = tf.nn.sparse_softmax_cross_entropy_with_logits(y, out)
        else:
            target = tf.one_hot(y, n_out, dtype=out.dtype)
            per_example = tf.reduce_sum(
                tf.nn.sigmoid_cross_entropy_with_logits(labels=target, logits=out), axis=1)
        mean_cost = tf.reduce_mean(per_example)
    grads = tape.gradient(mean_cost, variables)
    return {name: float(tf.norm(g)) for name, g in zip(layers, grads)}


def bias_gradient_norms(model: keras.Model, x, y, *, cost: str = "softmax") -> dict[str, float]:
    """Nielsen's "speed of learning" of each hidden layer: the norm of dC/d(bias).

    ``C`` is the *mean* cost over the examples ``(x, y)``, so the gradient is the average of the
    per-example gradients, and the norm is taken of that average (not the average of the
    per-example norms, which would be larger). This is what Nielsen computes for his chapter 5
    numbers (``generate_gradient.py``: average ``dC_x/db`` over the first 1000 training
    examples, then the Euclidean length per layer). Nielsen, *Neural Networks and Deep Learning*
    (2015), ch. 5, "The vanishing gradient problem".

    Args:
        model: a model from :func:`actbook.models.mlp` (any activation, maxout included).
        x: real array ``(n, input_dim)``, finite, not empty.
        y: integer class labels ``(n,)`` in ``0 .. output_units - 1``.
        cost: ``"softmax"`` (default: mean softmax cross-entropy of the logits, in nats, the cost
            :func:`actbook.training.train` minimises) or ``"sigmoid"`` (Nielsen's network2
            cross-entropy: sigmoid output units, binary cross-entropy per unit against the
            one-hot label, summed over units); see :data:`GRADIENT_COSTS`.

    Returns:
        ``{"hidden_1": norm, ...}`` in layer order, Python floats >= 0 (nats per unit of bias);
        empty for a model without hidden layers.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``, ``x``/``y`` have the wrong dtype or
            ``cost`` is not a str.
        ValueError: for shapes that do not match the model, labels out of range, empty or
            non-finite data, or an unknown ``cost``.
    """
    return _bias_gradient_norms(model, x, y, cost)


def hidden_derivatives(model: keras.Model, x) -> dict[str, np.ndarray]:
    """The factor ``f'(z)`` by which backpropagation multiplies the error reaching every hidden
    unit, on every example, exactly as TensorFlow computes it in the model (float32).

    ``z`` comes from :func:`pre_activations`; the factor is the gradient of the model's own
    activation layer at ``z`` (``tf.GradientTape``), so it is the number the trainer's
    gradients are made of (Nielsen 2015, ch. 2, equation BP2), with TensorFlow's conventions at
    kinks (``relu'(0) = 0``) and its float32 rounding. It equals the mathematical derivative
    (the registry's NumPy :attr:`~actbook.activations.Activation.derivative`) to within 1e-6,
    except that in the float32 tails TensorFlow's factor is exactly 0 where the derivative is
    tiny but not 0: sigmoid from about ``z = 16.6`` up (``sigma (1 - sigma)`` with ``sigma``
    rounded to 1) and below about -87.3, tanh for ``|z|`` above about 7.9, ELU below about
    -17.3, GELU below about -13.2, SiLU below about -87.3. A unit there gets no gradient.

    Args:
        model: a model from :func:`actbook.models.mlp` with an elementwise activation
            (not maxout, not PReLU).
        x: real array ``(n, input_dim)``.

    Returns:
        ``{"hidden_1": float64 array (n, units_1), ...}`` in layer order (float32 values).

    Raises:
        TypeError, ValueError: as :func:`pre_activations`; ``ValueError`` for maxout or PReLU
        hidden layers.
    """
    out = {}
    for name, values in pre_activations(model, x).items():
        layer = model.get_layer(name)
        activations.from_layer(layer)       # an elementwise activation of the registry
        z = tf.constant(values)
        with tf.GradientTape() as tape:
            tape.watch(z)
            h = layer(z, training=False)
        # elementwise: the gradient of sum(h) with respect to z is f'(z), element by element
        out[name] = tape.gradient(h, z).numpy().astype(np.float64)
    return out


def derivative_peak(activation) -> float:
    """The largest value of an activation's derivative, found on a grid of step 0.001 over
    ``[-20, 20]`` (exact for the registry's functions: 1/4 for sigmoid at 0, 1 for tanh at 0,
    about 1.100 for SiLU near 2.4).

    Args:
        activation: a registry name or :class:`~actbook.activations.Activation` (not maxout).

    Returns:
        The peak of ``f'``, a Python float.

    Raises:
        TypeError, ValueError: as :func:`actbook.activations.get`; ``ValueError`` for maxout.
    """
    act = activations.get(activation)
    if act.derivative is None:
        raise ValueError(f"activation {act.name!r} has no elementwise derivative")
    return float(np.max(act.derivative(np.linspace(-20.0, 20.0, 40001))))


def saturation_fraction(model: keras.Model, x, threshold: float = 0.01) -> dict[str, float]:
    """Per hidden layer, the fraction of (example, unit) pairs where ``f'(z) < threshold * peak``
    (``f'(z)`` as backpropagation applies it: :func:`hidden_derivatives`).

    "Saturated" means the unit sits on a flat part of its activation, where backpropagation
    multiplies the error by less than ``threshold`` times the best the activation can do
    (``peak`` from :func:`derivative_peak`: 1/4 for sigmoid, 1 for tanh). The fraction counts
    every unit on every example, so it is the chance that a randomly chosen unit, on a randomly
    chosen example, is saturated. With the default 1 %, sigmoid units saturate for
    ``|z| > 5.99`` and tanh units for ``|z| > 2.99``. Glorot & Bengio (2010) track saturation
    through sigmoid activation values near 0 or 1; this probe measures it on the derivative so
    that it applies to any activation (for ReLU it counts the units with ``z <= 0``).

    Args:
        model: a model from :func:`actbook.models.mlp` with an elementwise activation.
        x: real array ``(n, input_dim)``.
        threshold: a float in (0, 1] (default 0.01), relative to the derivative's peak.

    Returns:
        ``{"hidden_1": fraction in [0, 1], ...}`` in layer order, Python floats.

    Raises:
        TypeError: for a non-real ``threshold`` and as :func:`hidden_derivatives`.
        ValueError: for ``threshold`` outside (0, 1] and as :func:`hidden_derivatives`.
    """
    threshold = check_float("threshold", threshold, minimum=0.0, maximum=1.0,
                            min_inclusive=False)
    out = {}
    for name, d in hidden_derivatives(model, x).items():
        peak = derivative_peak(activations.from_layer(model.get_layer(name)))
        out[name] = float(np.mean(d < threshold * peak))
    return out
