"""Model builders: multi-layer perceptrons with named activations and named initialisations.

Every hidden layer ``i`` (1-based) is a pair of Keras layers, so probes can read both sides of
the nonlinearity: ``hidden_{i}_pre`` (a linear ``Dense``, output = pre-activations ``z``) and
``hidden_{i}`` (the activation, output = ``h = f(z)``). Maxout hidden layers are a single
:class:`Maxout` layer named ``hidden_{i}``. The output layer ``logits`` is linear: losses take
logits, never probabilities.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import keras
import numpy as np

from actbook import activations as _activations
from actbook._checks import check_choice, check_float, check_int, check_model, check_sequence

#: The largest network :func:`mlp` builds (weights and biases, before maxout's extra pieces).
MAX_WEIGHTS = 10**9

#: Initialisation schemes for :func:`mlp`: name -> description.
INITIALISATIONS = {
    "keras": "Keras' Dense default: Glorot-uniform kernels, zero biases",
    "original": "the source notebook: truncated normal kernels with stddev 0.1, biases 0.1",
    "standard": "Glorot & Bengio (2010) 'standard': U(+-1/sqrt(n_in)); zero biases",
    "glorot_uniform": "Glorot & Bengio (2010) normalised: U(+-sqrt(6/(n_in+n_out))), "
    "Var = 2/(n_in+n_out); zero biases",
    "he_normal": "He et al. (2015): normal with Var = 2/n_in (truncated, rescaled); zero biases",
    "nielsen": "Nielsen (2015) ch. 3-5: kernels N(0, 1/n_in), biases N(0, 1)",
}


class _AffineCopies(keras.layers.Layer):
    """``copies`` affine maps of the input side by side: kernel ``(n_in, copies * units)``, bias
    ``(copies * units,)``; the shared machinery of :class:`Maxout` and :class:`Gated`.

    The kernel is 2-D so that Keras' initialisers compute fan_in = n_in (and fan_out =
    copies * units). A 3-D kernel would be treated like a convolution kernel, whose fans are
    multiplied by its first dimension: 1/9 of the intended Glorot variance for a 16 -> 16 layer
    with two pieces.
    """

    def __init__(self, units, copies, kernel_initializer, bias_initializer, **kwargs):
        super().__init__(**kwargs)
        self.units = check_int("units", units, minimum=1)
        self.copies = copies
        self.kernel_initializer = keras.initializers.get(kernel_initializer)
        self.bias_initializer = keras.initializers.get(bias_initializer)

    def build(self, input_shape):
        width = self.copies * self.units
        self.kernel = self.add_weight(name="kernel", shape=(input_shape[-1], width),
                                      initializer=self.kernel_initializer)
        self.bias = self.add_weight(name="bias", shape=(width,),
                                    initializer=self.bias_initializer)

    def affine(self, x):
        """All ``copies * units`` affine outputs, shape ``(batch, copies * units)``."""
        return keras.ops.matmul(x, self.kernel) + self.bias

    def compute_output_shape(self, input_shape):
        return (input_shape[0], self.units)

    def get_config(self):
        return {**super().get_config(), "units": self.units,
                "kernel_initializer": keras.initializers.serialize(self.kernel_initializer),
                "bias_initializer": keras.initializers.serialize(self.bias_initializer)}


@keras.saving.register_keras_serializable(package="actbook")
class Maxout(_AffineCopies):
    """A maxout layer: each unit outputs the maximum of ``pieces`` affine functions of the input.

    ``h_u(x) = max_j (x @ W[:, j * units + u] + b[j * units + u])`` for ``j = 0 .. pieces-1``
    (Goodfellow, Warde-Farley, Mirza, Courville & Bengio, "Maxout Networks", ICML 2013).
    With two pieces it can represent ReLU (``max(w x + b, 0 x + 0)``), leaky ReLU and ``|x|``.

    Args:
        units: number of output units, an int >= 1.
        pieces: number of affine pieces per unit, an int >= 2 (default 2).
        kernel_initializer, bias_initializer: Keras initialisers (default Glorot-uniform, zeros).
            The kernel has shape ``(n_in, pieces * units)``: fan-in based schemes (He, LeCun)
            give each piece exactly a Dense layer's variance; Glorot's counts all
            ``pieces * units`` outputs as fan-out.

    Input shape ``(batch, n_in)``; output shape ``(batch, units)``.

    Raises:
        TypeError, ValueError: for a non-int or out-of-range ``units`` or ``pieces``.
    """

    def __init__(self, units, pieces=2, kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        self.pieces = check_int("pieces", pieces, minimum=2)
        super().__init__(units, self.pieces, kernel_initializer, bias_initializer, **kwargs)

    def pieces_output(self, x):
        """The affine pieces, shape ``(batch, pieces, units)``."""
        return keras.ops.reshape(self.affine(x), (-1, self.pieces, self.units))

    def call(self, x):
        return keras.ops.max(self.pieces_output(x), axis=1)

    def get_config(self):
        return {**super().get_config(), "pieces": self.pieces}


#: Gated hidden units for :func:`mlp`: name -> (gate function, description).
GATED = {
    "glu": ("sigmoid", "gated linear unit, sigmoid(x W + b) * (x V + c) (Dauphin et al. 2017)"),
    "swiglu": ("silu", "SwiGLU, SiLU(x W + b) * (x V + c) (Shazeer 2020)"),
}

#: Normalisations for :func:`mlp`'s ``norm``: name -> description.
NORMS = {"batch": "batch normalisation between each hidden Dense layer and its activation "
                  "(Ioffe & Szegedy 2015), keras.layers.BatchNormalization"}


@keras.saving.register_keras_serializable(package="actbook")
class Gated(_AffineCopies):
    """A gated layer: each unit multiplies one affine function of the input by a gate of another.

    ``h_u(x) = gate(x @ W[:, u] + b[u]) * (x @ W[:, units + u] + b[units + u])``, with
    ``gate = sigmoid`` for the gated linear unit, GLU (Dauphin, Fan, Auli & Grangier, "Language
    Modeling with Gated Convolutional Networks", ICML 2017), and ``gate = silu`` for SwiGLU
    (Shazeer, "GLU Variants Improve Transformer", 2020), whose feed-forward block is this layer
    followed by a linear one. Biases are kept (Shazeer's blocks have none) so that the layer
    fits the book's trainers, which need them.

    Args:
        units: number of output units, an int >= 1.
        gate: ``"sigmoid"`` (GLU) or ``"silu"`` (SwiGLU); default ``"sigmoid"``.
        kernel_initializer, bias_initializer: Keras initialisers (default Glorot-uniform,
            zeros). The kernel has shape ``(n_in, 2 * units)`` (gate half first), so Glorot
            counts ``2 * units`` outputs as fan-out.

    Input shape ``(batch, n_in)``; output shape ``(batch, units)``.

    Raises:
        TypeError, ValueError: for a non-int or out-of-range ``units`` or an unknown ``gate``.
    """

    def __init__(self, units, gate="sigmoid", kernel_initializer="glorot_uniform",
                 bias_initializer="zeros", **kwargs):
        self.gate = check_choice("gate", gate, ("sigmoid", "silu"))
        super().__init__(units, 2, kernel_initializer, bias_initializer, **kwargs)

    def call(self, x):
        z = self.affine(x)
        gate = getattr(keras.activations, self.gate)(z[..., :self.units])
        return gate * z[..., self.units:]

    def get_config(self):
        return {**super().get_config(), "gate": self.gate}


@dataclass(frozen=True)
class _GatedKind:
    """What :func:`mlp` needs to know about a gated activation name (not in the registry)."""

    name: str
    gate: str
    kind: str = "gated"


def _initialisers(init: str, seed: int, fan_in: int, bias: float | None):
    """Kernel and bias initialisers for one layer under scheme ``init``."""
    init_ = keras.initializers
    if init == "keras":
        kernel, bias_init = init_.GlorotUniform(seed=seed), init_.Zeros()
    elif init == "original":
        kernel, bias_init = init_.TruncatedNormal(stddev=0.1, seed=seed), init_.Constant(0.1)
    elif init == "standard":
        # U(-1/sqrt(n_in), 1/sqrt(n_in)): variance 1/(3 n_in), i.e. scale 1/3 with fan_in.
        kernel = init_.VarianceScaling(scale=1 / 3, mode="fan_in", distribution="uniform",
                                       seed=seed)
        bias_init = init_.Zeros()
    elif init == "glorot_uniform":
        kernel, bias_init = init_.GlorotUniform(seed=seed), init_.Zeros()
    elif init == "he_normal":
        kernel, bias_init = init_.HeNormal(seed=seed), init_.Zeros()
    elif init == "nielsen":
        kernel = init_.RandomNormal(stddev=fan_in ** -0.5, seed=seed)
        bias_init = init_.RandomNormal(stddev=1.0, seed=seed + 1)
    else:  # pragma: no cover - checked by the caller
        raise AssertionError(init)
    if bias is not None:
        bias_init = init_.Constant(bias)
    return kernel, bias_init


def mlp(
    input_dim: int,
    hidden_units: Sequence[int],
    activation="relu",
    output_units: int = 2,
    *,
    init: str = "keras",
    hidden_bias: float | None = None,
    seed: int = 0,
    regression: bool = False,
    norm: str | None = None,
    residual: bool = False,
) -> keras.Model:
    """A fully connected network ``input_dim -> hidden_units... -> output_units`` logits.

    Two calls with the same arguments and seed give identical initial weights, whatever the
    global random state; calls that differ only in ``activation`` share the same initial
    kernels (each layer's initialiser is seeded from ``seed`` and the layer index), so
    activations can be compared from the same starting point.

    Args:
        input_dim: number of input features, an int >= 1.
        hidden_units: widths of the hidden layers, a list or tuple of ints >= 1 (may be empty:
            a linear model).
        activation: a registry name (see :func:`actbook.activations.names`) or an
            :class:`~actbook.activations.Activation` from :func:`actbook.activations.get`;
            default ``"relu"``. Or a gated unit from :data:`GATED` (``"glu"``, ``"swiglu"``):
            each hidden layer is then one :class:`Gated` layer ``hidden_{i}`` with twice the
            kernel columns.
        output_units: number of logits, one per class, an int >= 2 (default 2).
        init: initialisation scheme, one of :data:`INITIALISATIONS` (default ``"keras"``).
            Output layer included. For maxout, ``fan_in`` is the input width.
        hidden_bias: if given, a float in [-1e6, 1e6] that every hidden bias starts at
            (overrides the scheme's hidden biases; used for the negative-bias experiments).
            Default ``None``.
        seed: an int in [0, 2 000 000] (default 0).
        regression: ``True`` for a real-valued output layer named ``"output"`` (any
            ``output_units >= 1``; for fitting functions, not for :func:`actbook.training.train`,
            which needs logits). Default ``False``: the output layer is ``"logits"``.
        norm: ``None`` (default) or ``"batch"``: a ``keras.layers.BatchNormalization``
            ``hidden_{i}_norm`` between each hidden ``Dense`` and its activation, where
            Ioffe & Szegedy (2015) put it (Keras defaults: learned scale and shift, epsilon
            1e-3). Not with maxout or gated units. Train such a network with
            :func:`actbook.training.train_many` (batch statistics in every pass).
        residual: ``True`` adds each hidden layer's input to its output, ``h_i = h_{i-1} +
            f(z_i)`` (a ``keras.layers.Add`` named ``hidden_{i}_res``; He, Zhang, Ren & Sun
            2016), wherever the layer's input and output widths are equal (so not the first
            layer when ``input_dim`` differs). Default ``False``. Adds no weights.

    Returns:
        A functional ``keras.Model`` named ``"mlp"`` mapping ``(batch, input_dim)`` float32 to
        ``(batch, output_units)`` logits.

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for non-positive sizes, fewer than 2 logits, an unknown activation or
            scheme.
    """
    input_dim, hidden_units, act, output_units, init, hidden_bias, seed = _check_mlp_args(
        input_dim, hidden_units, activation, output_units, init, hidden_bias, seed, regression)
    norm, residual = _check_block_args(norm, residual, act)
    inputs = keras.Input(shape=(input_dim,), name="x")
    h = inputs
    plan = _layer_plan(input_dim, hidden_units, act, output_units, init, hidden_bias, seed)
    for i, (units, kernel, bias) in enumerate(plan[:-1], start=1):
        block_input = h
        if act.kind == "maxout":
            h = Maxout(units, act.params["pieces"], kernel_initializer=kernel,
                       bias_initializer=bias, name=f"hidden_{i}")(h)
        elif act.kind == "gated":
            h = Gated(units, act.gate, kernel_initializer=kernel, bias_initializer=bias,
                      name=f"hidden_{i}")(h)
        else:
            z = keras.layers.Dense(units, kernel_initializer=kernel, bias_initializer=bias,
                                   name=f"hidden_{i}_pre")(h)
            if norm == "batch":
                z = keras.layers.BatchNormalization(name=f"hidden_{i}_norm")(z)
            if act.kind == "layer":
                h = act.make_layer(name=f"hidden_{i}")(z)
            else:
                h = keras.layers.Activation(act.keras_name, name=f"hidden_{i}")(z)
        if residual and block_input.shape[-1] == units:
            h = keras.layers.Add(name=f"hidden_{i}_res")([block_input, h])
    units, kernel, bias = plan[-1]
    logits = keras.layers.Dense(units, kernel_initializer=kernel, bias_initializer=bias,
                                name="output" if regression else "logits")(h)
    return keras.Model(inputs, logits, name="mlp")


def _check_mlp_args(input_dim, hidden_units, activation, output_units, init, hidden_bias, seed,
                    regression=False):
    """The arguments of :func:`mlp`, checked (shared with :func:`initial_weights`)."""
    input_dim = check_int("input_dim", input_dim, minimum=1)
    hidden_units = [check_int(f"hidden_units[{i}]", u, minimum=1) for i, u in
                    enumerate(check_sequence("hidden_units", hidden_units, what="ints",
                                             allow_empty=True))]
    if isinstance(activation, str) and activation in GATED:
        act = _GatedKind(activation, GATED[activation][0])
    else:
        act = _activations.get(activation)
    output_units = check_int("output_units", output_units)
    if not isinstance(regression, bool):
        raise TypeError(f"regression must be a bool, got {type(regression).__name__}")
    if output_units < (1 if regression else 2):
        raise ValueError(
            f"output_units must be >= 2 (one logit per class; softmax over a single logit is "
            f"constant, so the network could only ever predict class 0), got {output_units}; "
            f"for a real-valued output pass regression=True")
    init = check_choice("init", init, INITIALISATIONS)
    if hidden_bias is not None:
        hidden_bias = check_float("hidden_bias", hidden_bias, minimum=-1e6, maximum=1e6)
    # Layer seeds are seed * 1000 + small ints, passed to TensorFlow as int32 (stateless draws).
    seed = check_int("seed", seed, minimum=0, maximum=2_000_000)
    n_weights = sum((a + 1) * b for a, b in zip([input_dim, *hidden_units],
                                                  [*hidden_units, output_units]))
    if n_weights > MAX_WEIGHTS:
        raise ValueError(f"the network would have {n_weights:.3g} weights, more than "
                         f"{MAX_WEIGHTS:.0e} (about 4 GB in float32); use smaller layers")
    return input_dim, hidden_units, act, output_units, init, hidden_bias, seed


def _check_block_args(norm, residual, act):
    """:func:`mlp`'s ``norm`` and ``residual``, checked against the activation."""
    if norm is not None:
        norm = check_choice("norm", norm, NORMS)
        if act.kind in ("maxout", "gated"):
            raise ValueError(f"norm={norm!r} needs a Dense layer before the activation; "
                             f"{act.name} units have none (use norm=None)")
    if not isinstance(residual, bool):
        raise TypeError(f"residual must be a bool, got {type(residual).__name__}")
    return norm, residual


def _layer_plan(input_dim, hidden_units, act, output_units, init, hidden_bias, seed):
    """``(units, kernel_initializer, bias_initializer)`` for every weighted layer of an
    :func:`mlp`, hidden layers first and the logits last: the one place that decides how each
    layer is seeded (from ``seed`` and the layer index) and initialised."""
    plan, fan_in = [], input_dim
    for i, units in enumerate(hidden_units, start=1):
        plan.append((units, *_initialisers(init, seed * 1000 + 2 * i, fan_in, hidden_bias)))
        fan_in = units
    plan.append((output_units,
                 *_initialisers(init, seed * 1000 + 2 * (len(hidden_units) + 1), fan_in, None)))
    return plan


def initial_weights(input_dim: int, hidden_units: Sequence[int], activation="relu",
                    output_units: int = 2, **options) -> list[np.ndarray]:
    """The initial weights ``mlp(...same arguments...).get_weights()`` would have, without
    building a Keras model (about 10x cheaper; used to start many networks at once in
    :func:`actbook.training.train_many`).

    Args:
        input_dim, hidden_units, activation, output_units: as :func:`mlp` (same defaults).
        **options: :func:`mlp`'s keyword arguments ``init``, ``hidden_bias``, ``seed``,
            ``regression``, ``norm`` and ``residual`` (same defaults).

    Returns:
        A list of float32 arrays in ``model.get_weights()`` order: for each hidden layer its
        kernel ``(fan_in, units)`` (maxout: ``(fan_in, pieces * units)``; gated:
        ``(fan_in, 2 * units)``), its bias, with ``norm="batch"`` the normalisation's scale
        (ones), shift, moving mean (zeros) and moving variance (ones), and for PReLU its
        slopes ``(units,)``; then the logits' kernel and bias.

    Raises:
        TypeError, ValueError: as :func:`mlp`.
    """
    known = ("init", "hidden_bias", "seed", "regression", "norm", "residual")
    unknown = set(options) - set(known)
    if unknown:
        raise TypeError(f"initial_weights got unexpected keyword argument(s) {sorted(unknown)}; "
                        f"known: {', '.join(known)}")
    options = {"init": "keras", "hidden_bias": None, "seed": 0, "regression": False,
               "norm": None, "residual": False, **options}
    norm, residual = options.pop("norm"), options.pop("residual")
    input_dim, hidden_units, act, output_units, init, hidden_bias, seed = _check_mlp_args(
        input_dim, hidden_units, activation, output_units, **options)
    norm, residual = _check_block_args(norm, residual, act)
    plan = _layer_plan(input_dim, hidden_units, act, output_units, init, hidden_bias, seed)
    out, fan_in = [], input_dim
    for i, (units, kernel, bias) in enumerate(plan):
        hidden = i < len(plan) - 1
        width = units
        if hidden and act.kind == "maxout":
            width = units * act.params["pieces"]
        elif hidden and act.kind == "gated":
            width = 2 * units
        out.append(np.asarray(kernel((fan_in, width), dtype="float32")))
        out.append(np.asarray(bias((width,), dtype="float32")))
        if hidden and norm == "batch":   # gamma, beta, moving mean, moving variance
            out += [np.ones(units, np.float32), np.zeros(units, np.float32),
                    np.zeros(units, np.float32), np.ones(units, np.float32)]
        if hidden and act.name == "prelu":
            out.append(np.full((units,), act.params["initial_slope"], dtype=np.float32))
        fan_in = units
    return out


def hidden_layer_names(model: keras.Model) -> list[str]:
    """Names ``hidden_1, hidden_2, ...`` of the hidden activation layers of an :func:`mlp`."""
    check_model(model)
    out = []
    i = 1
    while True:
        try:
            model.get_layer(f"hidden_{i}")
        except ValueError:
            return out
        out.append(f"hidden_{i}")
        i += 1

