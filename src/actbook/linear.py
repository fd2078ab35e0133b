"""Stacks of affine layers: what they collapse to, and how many linear pieces a ReLU stack has.

A layer here is a pair ``(kernel, bias)`` in Keras' convention: ``kernel`` has shape
``(n_in, n_out)``, ``bias`` has shape ``(n_out,)``, and the layer maps a row of inputs ``x``
(shape ``(batch, n_in)``) to ``x @ kernel + bias``. A model is a list of such layers
``[(K_1, c_1), ..., (K_L, c_L)]``; :func:`dense_layers` reads it from a Keras model.

* Without activations the stack is one affine map (:func:`collapse`), whose rank is at most the
  narrowest width in the stack (:func:`rank_bound`).
* With ReLU after every layer but the last and a single input, the network is a continuous
  piecewise linear function of that input; :func:`relu_kinks` finds where its slope changes on
  an interval and :func:`count_pieces` counts the linear pieces (Montufar, Pascanu, Cho &
  Bengio, "On the Number of Linear Regions of Deep Neural Networks", NeurIPS 2014, count
  linear regions the same way).

Everything is computed in float64 NumPy, whatever the dtype of the weights.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from actbook._checks import (
    check_array,
    check_choice,
    check_float,
    check_int,
    check_model,
    check_sequence,
)

#: Hidden activations :func:`forward` and :func:`dense_layers` accept.
HIDDEN_ACTIVATIONS = ("linear", "relu")


def _check_layers(layers) -> list[tuple[np.ndarray, np.ndarray]]:
    """Validate ``layers`` and return it as a list of float64 ``(kernel, bias)`` pairs."""
    layers = check_sequence("layers", layers, what="(kernel, bias) pairs", allow_empty=True)
    if len(layers) == 0:
        raise ValueError("layers must hold at least one (kernel, bias) pair, got none")
    out = []
    for i, layer in enumerate(layers):
        if isinstance(layer, (str, bytes)) or not isinstance(layer, Sequence) or len(layer) != 2:
            raise TypeError(f"layers[{i}] must be a (kernel, bias) pair, got "
                            f"{type(layer).__name__}")
        kernel = check_array(f"layers[{i}] kernel", layer[0], ndim=2).astype(np.float64)
        bias = check_array(f"layers[{i}] bias", layer[1], ndim=1).astype(np.float64)
        if bias.shape[0] != kernel.shape[1]:
            raise ValueError(f"layers[{i}] bias must have shape ({kernel.shape[1]},) to match its "
                             f"kernel of shape {kernel.shape}, got {bias.shape}")
        if out and out[-1][0].shape[1] != kernel.shape[0]:
            raise ValueError(f"layers[{i}] kernel must have {out[-1][0].shape[1]} rows (the width "
                             f"of layers[{i - 1}]), got shape {kernel.shape}")
        out.append((kernel, bias))
    return out


def collapse(layers) -> tuple[np.ndarray, np.ndarray]:
    """The single affine map equal to a stack of affine layers with no activation in between.

    With layers ``x -> x @ K_k + c_k`` for ``k = 1 .. L``, the stack maps ``x`` to
    ``x @ W + b`` with

    ``W = K_1 @ K_2 @ ... @ K_L`` and
    ``b = c_1 @ K_2 @ ... @ K_L + c_2 @ K_3 @ ... @ K_L + ... + c_{L-1} @ K_L + c_L``

    (in column-vector notation, ``A_k = K_k^T``: ``W^T = A_L ... A_1`` and
    ``b = sum_k A_L ... A_{k+1} c_k``). Computed by folding one layer at a time:
    ``(W, b) <- (W @ K, b @ K + c)``.

    Args:
        layers: a list or tuple of ``(kernel, bias)`` pairs, kernel ``(n_{k-1}, n_k)``, bias
            ``(n_k,)``, consecutive widths matching; real, finite, at least one layer.

    Returns:
        ``(W, b)``: float64 arrays of shapes ``(n_0, n_L)`` and ``(n_L,)``.

    Raises:
        TypeError: if ``layers`` is not a sequence of pairs of real arrays.
        ValueError: if it is empty, a kernel is not 2-D, a bias is not 1-D, shapes do not
            chain, or a value is NaN or infinite; the message names the offending layer.
    """
    layers = _check_layers(layers)
    weight, bias = layers[0]
    for kernel, c in layers[1:]:
        weight, bias = weight @ kernel, bias @ kernel + c
    return weight, bias


def rank_bound(layers) -> int:
    """Upper bound on the rank of :func:`collapse`'s matrix: the narrowest width in the stack.

    ``rank(K_1 @ ... @ K_L) <= min(n_0, n_1, ..., n_L)`` because the rank of a product is at
    most the rank of each factor, and a ``(p, q)`` matrix has rank at most ``min(p, q)``.

    Args:
        layers: as :func:`collapse`.

    Returns:
        ``min(n_0, ..., n_L)``, an int >= 1.

    Raises:
        TypeError, ValueError: as :func:`collapse`.
    """
    layers = _check_layers(layers)
    widths = [layers[0][0].shape[0]] + [kernel.shape[1] for kernel, _ in layers]
    return int(min(widths))


def forward(layers, x, hidden_activation: str = "relu") -> np.ndarray:
    """Run a stack of layers in float64: ``hidden_activation`` after every layer but the last.

    Args:
        layers: as :func:`collapse`.
        x: real array ``(n, n_0)``.
        hidden_activation: ``"relu"`` (``max(z, 0)``, default) or ``"linear"`` (identity).

    Returns:
        float64 array ``(n, n_L)``; the last layer has no activation.

    Raises:
        TypeError, ValueError: as :func:`collapse`, for a bad ``x`` (wrong width, non-finite)
            or an unknown ``hidden_activation``.
    """
    layers = _check_layers(layers)
    hidden_activation = check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    h = check_array("x", x, ndim=2, last_dim=layers[0][0].shape[0]).astype(np.float64)
    for k, (kernel, bias) in enumerate(layers):
        h = h @ kernel + bias
        if hidden_activation == "relu" and k < len(layers) - 1:
            h = np.maximum(h, 0.0)
    return h


def _relu_value_and_slope(layers, t, depth):
    """Pre-activations of layer ``depth`` (0-based) and their slopes d/dt at the points ``t``."""
    h = t[:, None]
    dh = np.ones_like(h)
    for k, (kernel, bias) in enumerate(layers[: depth + 1]):
        z, dz = h @ kernel + bias, dh @ kernel
        if k < depth:
            active = z > 0
            h, dh = np.where(active, z, 0.0), np.where(active, dz, 0.0)
    return z, dz


def relu_kinks(layers, lo: float, hi: float, *, rtol: float = 1e-9) -> np.ndarray:
    """Where the output of a one-input ReLU network changes slope, on the open interval (lo, hi).

    The network is ``layers`` with ReLU after every layer but the last (as :func:`forward`) and
    input width 1, so each output is a continuous piecewise linear function of the input ``t``.
    The search is exact up to float64 round-off, layer by layer: on every interval between the
    points found so far, each unit of the next layer is affine in ``t``, so it changes sign at
    most once, at the root of that affine function; those roots are added. (For one hidden
    layer the candidates are just ``-c_i / k_i`` of each hidden unit ``i``.) Finally the
    output's slope is evaluated inside every interval, and a candidate counts as a kink only if
    the slope of some output differs on its two sides by more than ``rtol`` times the largest
    slope magnitude: a unit whose outgoing weights are zero, or kinks of several units that
    cancel, add no kink.

    Args:
        layers: as :func:`collapse`, with ``layers[0]`` kernel of shape ``(1, n_1)``.
        lo, hi: the interval, finite floats with ``lo < hi``.
        rtol: relative tolerance for "the slope changed", a float in [0, 1) (default 1e-9).

    Returns:
        float64 array ``(m,)`` of the kink positions, sorted, all strictly inside (lo, hi).

    Raises:
        TypeError, ValueError: as :func:`collapse`; ``ValueError`` if the input width is not 1,
            ``lo >= hi``, or ``rtol`` is out of range.
    """
    layers = _check_layers(layers)
    if layers[0][0].shape[0] != 1:
        raise ValueError(f"layers[0] kernel must have shape (1, n_1) (one input), got "
                         f"{layers[0][0].shape}")
    lo = check_float("lo", lo)
    hi = check_float("hi", hi)
    if not lo < hi:
        raise ValueError(f"lo must be < hi, got lo={lo}, hi={hi}")
    rtol = check_float("rtol", rtol, minimum=0.0, maximum=1.0, max_inclusive=False)

    knots = np.array([lo, hi])
    for depth in range(len(layers) - 1):
        mid = 0.5 * (knots[:-1] + knots[1:])
        z, dz = _relu_value_and_slope(layers, mid, depth)
        with np.errstate(divide="ignore", invalid="ignore"):
            roots = mid[:, None] - z / dz
        inside = (dz != 0) & (roots > knots[:-1, None]) & (roots < knots[1:, None])
        knots = np.unique(np.concatenate([knots, roots[inside]]))
    mid = 0.5 * (knots[:-1] + knots[1:])
    _, slope = _relu_value_and_slope(layers, mid, len(layers) - 1)
    scale = np.max(np.abs(slope))
    if scale == 0.0:
        return np.empty(0)
    change = np.max(np.abs(np.diff(slope, axis=0)), axis=1)
    return knots[1:-1][change > rtol * scale]


def count_pieces(layers, lo: float, hi: float, *, rtol: float = 1e-9) -> int:
    """Number of linear pieces of a one-input ReLU network on [lo, hi]: kinks + 1.

    A network with one hidden layer of ``n`` ReLU units has at most ``n`` kinks, hence at most
    ``n + 1`` pieces, on any interval.

    Args:
        layers, lo, hi, rtol: as :func:`relu_kinks`.

    Returns:
        An int >= 1.

    Raises:
        TypeError, ValueError: as :func:`relu_kinks`.
    """
    return int(len(relu_kinks(layers, lo, hi, rtol=rtol))) + 1


def sawtooth(depth: int) -> list[tuple[np.ndarray, np.ndarray]]:
    """A ReLU network of ``depth`` hidden layers of 2 units whose output has ``2**depth`` pieces.

    The triangle map ``g(t) = 2 relu(t) - 4 relu(t - 1/2)`` rises from 0 to 1 on [0, 1/2] and
    falls back on [1/2, 1]; the network computes ``g`` composed ``depth`` times, a sawtooth with
    kinks at ``j / 2**depth`` for ``j = 1 .. 2**depth - 1`` on (0, 1). With ``2 * depth`` hidden
    units in all it has ``2**depth`` linear pieces, whereas one hidden layer of ``2 * depth``
    units has at most ``2 * depth + 1`` (the construction of Montufar, Pascanu, Cho & Bengio,
    NeurIPS 2014, and of Telgarsky, 2016).

    Args:
        depth: number of hidden layers, an int >= 1.

    Returns:
        ``depth + 1`` float64 ``(kernel, bias)`` pairs for :func:`forward` and :func:`relu_kinks`
        (hidden widths 2, one input, one output).

    Raises:
        TypeError, ValueError: if ``depth`` is not an int >= 1.
    """
    depth = check_int("depth", depth, minimum=1)
    half = np.array([0.0, -0.5])
    layers = [(np.array([[1.0, 1.0]]), half)]
    layers += [(np.array([[2.0, 2.0], [-4.0, -4.0]]), half.copy()) for _ in range(depth - 1)]
    layers.append((np.array([[2.0], [-4.0]]), np.array([0.0])))
    return layers


def dense_layers(model, hidden_activation: str = "linear") -> list[tuple[np.ndarray, np.ndarray]]:
    """The ``(kernel, bias)`` pairs of a Keras model made of ``Dense`` and ``Activation`` layers.

    Checks that the model really is the stack the other functions assume: every ``Dense``
    layer is followed by ``hidden_activation`` (either the ``Dense``'s own activation or
    ``Activation`` layers after it), except the last, which must be linear. A model from
    :func:`actbook.models.mlp` with ``activation="linear"`` or ``"relu"`` qualifies.

    Args:
        model: a ``keras.Model`` whose layers are ``InputLayer``, ``Dense`` and ``Activation``.
        hidden_activation: ``"linear"`` (default) or ``"relu"``.

    Returns:
        A list of float64 ``(kernel (n_in, n_out), bias (n_out,))`` pairs, input to output
        (a ``Dense`` without bias gets a zero bias).

    Raises:
        TypeError: if ``model`` is not a ``keras.Model``.
        ValueError: for another kind of layer, an activation other than the expected one, or
            a model without ``Dense`` layers.
    """
    import keras

    check_model(model)
    hidden_activation = check_choice("hidden_activation", hidden_activation, HIDDEN_ACTIVATIONS)
    layers, after = [], []
    for layer in model.layers:
        if isinstance(layer, keras.layers.InputLayer):
            continue
        if isinstance(layer, keras.layers.Dense):
            kernel = np.asarray(layer.kernel, dtype=np.float64)
            bias = (np.asarray(layer.bias, dtype=np.float64) if layer.use_bias
                    else np.zeros(kernel.shape[1]))
            layers.append((kernel, bias))
            after.append([])
        elif not isinstance(layer, keras.layers.Activation) or not layers:
            raise ValueError(f"model layer {layer.name!r} ({type(layer).__name__}) is not a "
                             "Dense layer or an Activation after one")
        act = layer.get_config().get("activation", "linear")
        if not isinstance(act, str):
            raise ValueError(f"model layer {layer.name!r} has a non-standard activation")
        if act != "linear":
            after[-1].append(act)
    if not layers:
        raise ValueError("model has no Dense layer")
    for k, acts in enumerate(after):
        want = [] if (k == len(layers) - 1 or hidden_activation == "linear") else ["relu"]
        if acts != want:
            role = "output" if k == len(layers) - 1 else "hidden"
            raise ValueError(f"{role} Dense layer {k + 1} is followed by activation(s) "
                             f"{acts or ['linear']}, expected {want or ['linear']} "
                             f"(hidden_activation={hidden_activation!r})")
    return layers
