"""Dead units (chapter 4): a ReLU unit is *dead* on a data set when its pre-activation is <= 0
for every example, so its output is 0 everywhere and so is the gradient of its incoming
weights (TensorFlow's ``relu'(0) = 0``). :func:`dead_units` finds such units,
:func:`dead_fraction` counts them and :func:`zero_fraction` measures sparsity (exact zeros in
the activations). :func:`forward_many`, :func:`dead_masks` and :func:`zero_shares` do the same
for many networks at once, given only their weights (NumPy, float64).
"""

from __future__ import annotations

import keras
import numpy as np

from actbook import activations
from actbook._checks import check_array
from actbook.probes.representations import hidden_activations, pre_activations


def _with_total(counts: dict[str, tuple[int, int]]) -> dict[str, float]:
    """``{layer: (hits, total)}`` -> ``{layer: hits/total, ..., "all": sum hits/sum total}``."""
    out = {name: hits / total for name, (hits, total) in counts.items()}
    if counts:
        out["all"] = (sum(h for h, _ in counts.values())
                      / sum(t for _, t in counts.values()))
    return out


def dead_units(model: keras.Model, x) -> dict[str, np.ndarray]:
    """Per hidden layer, which units have a pre-activation <= 0 on every example of ``x``.

    For ReLU such a unit is dead on ``x``: it outputs 0 for every example and its gradient is 0
    for every example (TensorFlow takes ``relu'(0) = 0``), so no gradient-descent step computed
    on (any minibatch of) ``x`` changes its incoming weights and bias. A dead unit of the first
    hidden layer, whose inputs are the data themselves, therefore stays dead for good; a dead
    unit of a deeper layer can come back when the layers below it change its inputs. For leaky
    ReLU, PReLU and ELU the same test finds units that sit on the negative side for every
    example; they still receive a (smaller) gradient, so they are not dead in this sense.

    Args:
        model: a model from :func:`actbook.models.mlp` whose hidden layers are Dense + activation
            (not maxout, which has no pre-activation).
        x: real array ``(n, input_dim)``, finite, not empty: the data set the units are dead on.

    Returns:
        ``{"hidden_1": bool array (units_1,), ...}`` in layer order, ``True`` for a dead unit.

    Raises:
        TypeError, ValueError: as :func:`pre_activations` (wrong model type, bad ``x``, maxout).
    """
    return {name: np.all(z <= 0, axis=0) for name, z in pre_activations(model, x).items()}


def dead_fraction(model: keras.Model, x) -> dict[str, float]:
    """Per hidden layer, the fraction of units whose pre-activation is <= 0 on every example.

    The units counted are those :func:`dead_units` marks: for ReLU, units that output 0 and get
    no gradient on any example of ``x`` (the "dying ReLU" problem; Lu et al. 2020 study it at
    initialisation). For leaky ReLU, PReLU and ELU the same count measures units that sit on
    the negative side for every example; they still receive a (smaller) gradient, so they are
    not dead in this sense.

    Args:
        model: a model from :func:`actbook.models.mlp` whose hidden layers are Dense + activation
            (not maxout, which has no pre-activation).
        x: real array ``(n, input_dim)``, finite, not empty: the data set the units are dead on.

    Returns:
        ``{"hidden_1": f_1, ..., "hidden_L": f_L, "all": f}`` with Python floats in [0, 1]:
        ``f_i`` is the fraction of layer ``i``'s units that are dead, ``"all"`` the fraction of
        all hidden units of the network (layers weighted by their width). Empty for a model
        without hidden layers.

    Raises:
        TypeError, ValueError: as :func:`pre_activations` (wrong model type, bad ``x``, maxout).
    """
    return _with_total({name: (int(np.sum(dead)), dead.size)
                        for name, dead in dead_units(model, x).items()})


def zero_fraction(model: keras.Model, x) -> dict[str, float]:
    """Sparsity: per hidden layer, the fraction of activations that are exactly 0.

    Counts every (example, unit) pair, so it is the chance that a randomly chosen unit is
    silent on a randomly chosen example. Glorot, Bordes & Bengio (2011) report that about half
    of the hidden units of a ReLU network output a true zero after random initialisation.

    Args:
        model: a model from :func:`actbook.models.mlp` (any activation, maxout included).
        x: real array ``(n, input_dim)``, finite, not empty.

    Returns:
        ``{"hidden_1": s_1, ..., "all": s}``, Python floats in [0, 1]; ``"all"`` pools every
        activation of every hidden layer. Empty for a model without hidden layers.

    Raises:
        TypeError, ValueError: as :func:`hidden_activations`.
    """
    h = hidden_activations(model, x)
    return _with_total({name: (int(np.sum(v == 0)), v.size) for name, v in h.items()})


def _weight_stacks(weights, per_layer: int) -> list[np.ndarray]:
    if not isinstance(weights, (list, tuple)) or not weights:
        raise TypeError("weights must be a non-empty list of weight lists (one per network, "
                        "as models.initial_weights or Model.get_weights returns them)")
    lengths = set()
    for w in weights:
        if not isinstance(w, (list, tuple)):
            raise TypeError(f"weights must hold one list of arrays per network, got "
                            f"{type(w).__name__}")
        lengths.add(len(w))
    if len(lengths) != 1:
        raise ValueError(f"weights must come from one architecture: the networks hold "
                         f"{sorted(lengths)} arrays")
    n = lengths.pop()
    if n < 2 or (n - 2) % per_layer:
        raise ValueError(f"weights must hold {per_layer} arrays per hidden layer and 2 for the "
                         f"logits, got {n} arrays per network")
    try:
        stacks = [np.stack([np.asarray(w[i], dtype=np.float64) for w in weights])
                  for i in range(n)]
    except (ValueError, TypeError) as err:
        raise ValueError(f"weights must have the same shapes in every network ({err})") from None
    for i, s in enumerate(stacks):
        if not np.all(np.isfinite(s)):
            raise ValueError(f"weights must be finite (array {i} is not)")
    return stacks


def forward_many(weights, activation, x) -> tuple[list[np.ndarray], np.ndarray]:
    """The forward pass of ``S`` networks of one architecture at once, in NumPy float64.

    Evaluates networks from :func:`actbook.models.mlp` given their weights only (no Keras
    model), so many networks, e.g. the final weights of
    :func:`actbook.training.train_many`, are probed in one batched pass. float64 keeps a
    diverged network's huge weights from overflowing to NaN, which float32 would (and
    ``NaN <= 0`` is False, so a NaN unit would count as alive in :func:`dead_masks`).

    Args:
        weights: ``S`` weight lists, each as :func:`actbook.models.initial_weights` or
            ``model.get_weights()`` gives it: per hidden layer its kernel ``(fan_in, units)``
            (maxout: ``(fan_in, pieces * units)``) and bias, and for PReLU its slopes
            ``(units,)``; then the logits' kernel and bias. Finite, same shapes in every list.
        activation: a registry name or :class:`~actbook.activations.Activation` with an
            elementwise function, ``"prelu"`` or ``"maxout"``.
        x: real array ``(n, input_dim)``, finite, not empty.

    Returns:
        ``(zs, logits)``: ``zs`` a list with one float64 array ``(S, n, units)`` per hidden
        layer (the pre-activations; for maxout the unit's output, the winning piece), and the
        logits ``(S, n, classes)`` (may hold inf for a diverged network).

    Raises:
        TypeError, ValueError: for a bad activation, weights or ``x``, or shapes that do not
            chain.
    """
    act = activations.get(activation)
    if act.kind not in ("dense", "layer", "maxout") or (
            act.kind != "maxout" and act.name != "prelu" and act.function is None):
        raise ValueError(f"activation must be elementwise, 'prelu' or 'maxout', got "
                         f"{act.name!r}")
    per = 3 if act.name == "prelu" else 2
    stacks = _weight_stacks(weights, per)
    h = check_array("x", x, ndim=2).astype(np.float64)[None]
    if len(h[0]) == 0:
        raise ValueError("x must hold at least one example")
    zs = []
    for i in range(0, len(stacks) - 2, per):
        if stacks[i].shape[1] != h.shape[-1]:
            raise ValueError(f"weights: layer kernel {i} expects {stacks[i].shape[1]} inputs, "
                             f"gets {h.shape[-1]}")
        with np.errstate(all="ignore"):
            z = np.matmul(h, stacks[i]) + stacks[i + 1][:, None, :]
            if act.kind == "maxout":
                z = z.reshape(*z.shape[:2], act.params["pieces"], -1).max(axis=2)
                h = z
            elif act.name == "prelu":
                h = np.maximum(z, 0) + stacks[i + 2][:, None, :] * np.minimum(z, 0)
            else:
                h = act.function(z)
        zs.append(z)
    with np.errstate(all="ignore"):
        logits = np.matmul(h, stacks[-2]) + stacks[-1][:, None, :]
    return zs, logits


def dead_masks(weights, activation, x) -> np.ndarray:
    """Per network, which hidden units have a pre-activation <= 0 on every example of ``x``.

    The batched counterpart of :func:`dead_units` for ``S`` networks given by their weights
    (:func:`forward_many`, float64).

    Args:
        weights, activation, x: as :func:`forward_many` (not maxout, which has no
            pre-activation).

    Returns:
        bool array ``(S, total hidden units)``, layers in order, ``True`` for a dead unit.

    Raises:
        TypeError, ValueError: as :func:`forward_many`; ValueError for maxout, or when a
            pre-activation is not finite (it would be miscounted).
    """
    if activations.get(activation).kind == "maxout":
        raise ValueError("activation 'maxout' has no pre-activation: dead_masks needs one")
    zs, _ = forward_many(weights, activation, x)
    for i, z in enumerate(zs):
        if not np.all(np.isfinite(z)):
            raise ValueError(f"weights give non-finite pre-activations in hidden layer {i + 1}; "
                             f"NaN <= 0 is False and would count a unit as alive")
    return np.concatenate([np.all(z <= 0, axis=1) for z in zs], axis=1)


def zero_shares(weights, x) -> np.ndarray:
    """Per ReLU network, the fraction of hidden outputs that are exactly 0 on ``x``.

    The batched counterpart of :func:`zero_fraction` ``["all"]`` for ``S`` ReLU networks given
    by their weights (:func:`forward_many`): every (example, unit) pair of every hidden layer
    counts once.

    Args:
        weights, x: as :func:`forward_many`, for ReLU networks.

    Returns:
        float64 array ``(S,)`` of shares in [0, 1].

    Raises:
        TypeError, ValueError: as :func:`forward_many`.
    """
    zs, _ = forward_many(weights, "relu", x)
    zero = np.concatenate([(z <= 0).reshape(len(z), -1) for z in zs], axis=1)
    return zero.mean(axis=1)
