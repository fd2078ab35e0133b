"""Probes: look inside a model on a data set without changing it.

Representations (this module): the output-space (logit) representation of any input set, the
hidden activations ``h`` and the hidden pre-activations ``z`` of an :func:`actbook.models.mlp`.
"""

from __future__ import annotations

import keras
import numpy as np
import tensorflow as tf

from actbook import activations
from actbook._checks import check_choice, check_float, check_inputs, check_int, check_xy
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


# --- Gradients and saturation (chapter 3) ---
#
# Per-layer gradient norms ("speed of learning", Nielsen 2015, ch. 5) and the saturation of
# hidden units (how many sit where their derivative f'(z) is almost 0), built on
# :func:`pre_activations`, the registry's NumPy derivatives and ``tf.GradientTape``.

#: Costs :func:`bias_gradient_norms` and :func:`weight_gradient_norms` can differentiate.
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


def _gradient_norms(model, x, y, cost, which: str) -> dict[str, float]:
    x, y = check_xy(model, x, y)
    n_out = int(model.outputs[0].shape[-1])
    cost = check_choice("cost", cost, GRADIENT_COSTS)
    layers = _hidden_dense_layers(model)
    variables = [getattr(layer, which) for layer in layers.values()]
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
    return _gradient_norms(model, x, y, cost, "bias")


def weight_gradient_norms(model: keras.Model, x, y, *, cost: str = "softmax"
                          ) -> dict[str, float]:
    """Frobenius norm of dC/d(kernel) of each hidden layer, ``C`` the mean cost over ``(x, y)``.

    The weight analogue of :func:`bias_gradient_norms` (same arguments, cost and errors). For a
    Dense layer ``dC/dW[i, j] = mean over examples of h_prev[i] * delta[j]``, where ``delta`` is
    dC/dz, the bias gradient of one example (Nielsen 2015, ch. 2, equation BP4).

    Returns:
        ``{"hidden_1": norm, ...}`` in layer order, Python floats >= 0.
    """
    return _gradient_norms(model, x, y, cost, "kernel")


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


# --- Dead units (chapter 4) ---
#
# A ReLU unit is *dead* on a data set when its pre-activation is <= 0 for every example: its
# output is then 0 everywhere and so is the gradient of its incoming weights (TensorFlow's
# relu'(0) = 0). :func:`dead_units` finds such units, :func:`dead_fraction` counts them,
# :func:`zero_fraction` measures sparsity (exact zeros in the activations), and
# :func:`born_dead_probability` estimates how often a deep, narrow ReLU network is dead before
# training starts (Lu, Shin, Su & Karniadakis 2020).


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


def born_dead_probability(
    depth: int,
    width: int,
    trials: int = 1000,
    seed: int = 0,
    *,
    input_dim: int = 1,
    n_points: int = 65,
    bias_std: float = 0.0,
) -> np.ndarray:
    """Monte-Carlo estimate of the probability that a random deep ReLU network is born dead.

    Lu, Shin, Su & Karniadakis ("Dying ReLU and Initialization", 2020) call a ReLU network
    *born dead* when at initialisation it is a constant function on its input domain, and prove
    that with weights (and biases) drawn from symmetric distributions this happens with
    probability tending to 1 as the depth grows at fixed width.

    Each trial draws a network ``input_dim -> width -> ... -> width`` (``depth`` ReLU layers)
    with He-normal weights, ``N(0, 2 / fan_in)`` (He et al. 2015), and biases
    ``N(0, bias_std**2)`` (default 0: zero biases, as Keras initialises them), evaluates it on
    ``n_points`` inputs of the domain ``[-1, 1]**input_dim`` and counts it as born dead when the
    last hidden layer gives exactly the same output on all of them (then so does any output
    layer on top). All trials run at once in NumPy, layer by layer, and every depth from 1 to
    ``depth`` is read off the same draws (a network constant after ``l`` layers stays constant).

    How exact it is: for ``input_dim == 1`` the points are ``n_points`` equally spaced values
    from -1 to 1, endpoints included. With zero biases a ReLU network is positively
    homogeneous, ``f(t x) = t f(x)`` for ``t >= 0``, so it is constant on [-1, 1] exactly when
    it is 0 at -1 and at 1: the estimate is then exact per trial (any ``n_points >= 2``).
    Otherwise (biases, or ``input_dim > 1`` where the points are drawn uniformly from the cube)
    a network constant on the points but not between them would be counted as dead, so the
    estimate can only err upwards, less so with more points. Width 1 with zero biases has the
    closed form ``1 - 2**-(depth - 1)``.

    Args:
        depth: number of hidden ReLU layers, an int >= 1.
        width: units per hidden layer, an int >= 1.
        trials: number of random networks, an int >= 1 (default 1000); the standard error of
            the estimate is at most ``0.5 / sqrt(trials)``.
        seed: seed of NumPy's generator, an int >= 0 (default 0).
        input_dim: input dimension, an int >= 1 (default 1).
        n_points: inputs each network is evaluated on, an int >= 2 (default 65).
        bias_std: standard deviation of the biases, a float >= 0 (default 0.0).

    Returns:
        float64 array of shape ``(depth,)``: element ``l - 1`` is the estimated probability
        for a network of depth ``l``, a multiple of ``1 / trials``; non-decreasing in ``l``.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if an argument is out of range.
    """
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1)
    trials = check_int("trials", trials, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    input_dim = check_int("input_dim", input_dim, minimum=1)
    n_points = check_int("n_points", n_points, minimum=2)
    bias_std = check_float("bias_std", bias_std, minimum=0.0)
    rng = np.random.default_rng(seed)
    if input_dim == 1:
        points = np.linspace(-1.0, 1.0, n_points)[:, None]
    else:
        points = rng.uniform(-1.0, 1.0, size=(n_points, input_dim))
    h = np.broadcast_to(points, (trials, n_points, input_dim))  # (trial, point, unit)
    dead = np.empty(depth)
    fan_in = input_dim
    for layer in range(depth):
        w = rng.standard_normal((trials, fan_in, width)) * np.sqrt(2.0 / fan_in)
        b = rng.standard_normal((trials, 1, width)) * bias_std
        h = np.maximum(h @ w + b, 0.0)
        dead[layer] = np.mean(np.all(h == h[:, :1, :], axis=(1, 2)))
        fan_in = width
    return dead
