"""Dead units (chapter 4): a ReLU unit is *dead* on a data set when its pre-activation is <= 0
for every example, so its output is 0 everywhere and so is the gradient of its incoming
weights (TensorFlow's ``relu'(0) = 0``). :func:`dead_units` finds such units,
:func:`dead_fraction` counts them and :func:`zero_fraction` measures sparsity (exact zeros in
the activations).
"""

from __future__ import annotations

import keras
import numpy as np

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
