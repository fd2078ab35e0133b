"""Representations: what a model computes on a data set, layer by layer.

The output-space (logit) representation of any input set, the hidden activations ``h`` and
pre-activations ``z`` of an :func:`actbook.models.mlp`, and each layer's mean activation.
"""

from __future__ import annotations

import keras
import numpy as np

from actbook._checks import check_inputs
from actbook.models import hidden_layer_names


def logits(model: keras.Model, x) -> np.ndarray:
    """The model's output (logit) space representation of ``x``.

    Args:
        model: a ``keras.Model`` with one input of width ``d``.
        x: real array ``(n, d)``, finite, not empty.

    Returns:
        float32 array ``(n, k)``: the logits, before any softmax.

    Raises:
        TypeError: if ``model`` is not a ``keras.Model`` or ``x`` is not numeric.
        ValueError: if ``x`` has the wrong shape, is empty or contains NaN/inf.
    """
    x = check_inputs(model, x)
    return np.asarray(model(x, training=False))


def _layer_outputs(model: keras.Model, x, suffix: str) -> dict[str, np.ndarray]:
    x = check_inputs(model, x)
    names = hidden_layer_names(model)
    if not names:
        return {}
    wanted = [f"{name}{suffix}" for name in names]
    missing = [w for w in wanted if w not in {layer.name for layer in model.layers}]
    if missing:
        raise ValueError(f"model has no layer(s) {missing}: pre-activations need an mlp whose "
                         "hidden layers are Dense + activation (maxout has none)")
    probe = keras.Model(model.input, [model.get_layer(w).output for w in wanted])
    outputs = probe(x, training=False)
    if not isinstance(outputs, (list, tuple)):
        outputs = [outputs]
    return {name: np.asarray(out) for name, out in zip(names, outputs)}


def hidden_activations(model: keras.Model, x) -> dict[str, np.ndarray]:
    """Hidden activations ``h = f(z)`` of every hidden layer of an :func:`~actbook.models.mlp`.

    Args:
        model: a model from :func:`actbook.models.mlp` (layers named ``hidden_1``, ...).
        x: real array ``(n, input_dim)``.

    Returns:
        ``{"hidden_1": array (n, units_1), ...}`` in layer order (empty for a linear model).

    Raises:
        TypeError, ValueError: as :func:`logits`.
    """
    return _layer_outputs(model, x, "")


def pre_activations(model: keras.Model, x) -> dict[str, np.ndarray]:
    """Hidden pre-activations ``z = W h_prev + b`` of every hidden layer, keyed ``hidden_i``.

    Args:
        model: a model from :func:`actbook.models.mlp` whose hidden layers are not maxout.
        x: real array ``(n, input_dim)``.

    Returns:
        ``{"hidden_1": array (n, units_1), ...}``.

    Raises:
        TypeError, ValueError: as :func:`logits`; ``ValueError`` for a maxout model.
    """
    return _layer_outputs(model, x, "_pre")


def mean_activations(model: keras.Model, x) -> dict[str, float]:
    """The mean hidden activation of each layer, over every unit and every example of ``x``.

    The quantity Glorot & Bengio (2010, figure 2) follow during training: for sigmoid units, a
    layer mean near 0 or 1 means the layer is saturated (sigma' = sigma (1 - sigma) is small
    there).

    Args:
        model: a model from :func:`actbook.models.mlp` (any activation, maxout included).
        x: real array ``(n, input_dim)``, finite, not empty.

    Returns:
        ``{"hidden_1": mean, ...}`` in layer order, Python floats.

    Raises:
        TypeError, ValueError: as :func:`hidden_activations`.
    """
    return {name: float(np.mean(h))
            for name, h in hidden_activations(model, x).items()}


def output_spread(model: keras.Model, x) -> dict[str, float]:
    """How much each hidden layer's outputs, and the logits, vary from one example to another.

    For each layer: the standard deviation of every unit's output over the examples of ``x``,
    averaged over the layer's units. A spread that falls towards 0 from layer to layer means
    the deeper layers (and the output) barely depend on the input: the forward signal vanishes
    (Glorot & Bengio 2010 follow the same signal).

    Args:
        model: a model from :func:`actbook.models.mlp` (any activation, maxout included).
        x: real array ``(n, input_dim)``, finite, ``n >= 2``.

    Returns:
        ``{"hidden_1": spread, ..., "logits": spread}`` in layer order, Python floats.

    Raises:
        TypeError, ValueError: as :func:`hidden_activations`; ValueError for fewer than 2
            examples (no spread).
    """
    x = check_inputs(model, x)
    if len(x) < 2:
        raise ValueError(f"x must hold at least 2 examples for a spread, got {len(x)}")
    out = {name: float(h.std(axis=0).mean()) for name, h in hidden_activations(model, x).items()}
    out["logits"] = float(logits(model, x).std(axis=0).mean())
    return out
