"""The activation registry: one source of truth for every activation the book uses.

Each :class:`Activation` pairs the Keras implementation used in models with a NumPy reference of
the function and of its derivative (used for plots, tests and the cheat sheet), plus the facts
the book tabulates (formula, range, zero-centred, saturation, cost, typical use, source).

The NumPy ``derivative`` is the mathematical derivative, computed in float64 without
cancellation (e.g. sigmoid'(100) = 3.7e-44, not 0). At kinks it follows TensorFlow's
gradients: ``relu'(0) = 0``, ``leaky_relu'(0) = negative_slope``, ``elu'(0) = 1``, and
``prelu'(0) = 0`` (Keras computes PReLU as ``relu(x) - a * relu(-x)``). It therefore agrees
with ``tf.GradientTape`` on a float32 Keras layer to within 1e-6 for any input (tested for
``|x| <= 100``), but not in relative terms in the float32 tails: there TensorFlow's gradient is
rounded, and from some point on it is exactly 0 while the derivative is not. TensorFlow
computes sigmoid' as ``y (1 - y)`` with ``y`` rounded to 1 from about ``x = 16.6`` (so 0 there,
where the derivative is 6e-8 or less; at ``x = 20`` it is 2.06e-9) and to 0 below about -87.3;
tanh' is 0 for ``|x|`` above about 7.9, ELU' below about -17.3, GELU' below about -13.2 and
SiLU' below about -87.3. The factor backpropagation really applies in a model is what
:func:`actbook.probes.hidden_derivatives` measures.

The registry is one table, ``_REGISTRY``: each entry carries an activation's kind, parameters
(default and check), NumPy references, facts, Keras layer factory and how to recognise its built
layer. :func:`get`, :meth:`Activation.make_layer`, :func:`from_layer` (used by the probes),
:func:`actbook.models.mlp` and the cheat sheet all read it, so adding an activation means adding
one entry.

Use :func:`get` to look an activation up by name (with parameters, e.g.
``get("leaky_relu", negative_slope=0.1)``) and :func:`names` for the list of names.
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np

from actbook._checks import check_array, check_choice, check_float, check_int

ArrayFn = Callable[[np.ndarray], np.ndarray]


@dataclass(frozen=True)
class Activation:
    """An activation function and what the book says about it.

    Attributes:
        name: registry name, e.g. ``"relu"``.
        kind: how a hidden layer applies it: ``"dense"`` (``Dense(activation=keras_name)``),
            ``"layer"`` (a linear ``Dense`` followed by the Keras layer ``make_layer()``, for
            activations with parameters such as ``LeakyReLU`` and ``PReLU``) or ``"maxout"``
            (the :class:`actbook.models.Maxout` layer replaces the ``Dense``).
        function: NumPy reference, elementwise, float64 in and out (``None`` for maxout, which
            is not an elementwise function).
        derivative: NumPy reference of the mathematical derivative, float64 (``None`` for
            maxout); see the module docstring for where TensorFlow's float32 gradient differs.
        keras_name: activation string for ``keras.layers.Dense`` when ``kind == "dense"``.
        params: the parameters this instance was built with (e.g. ``{"negative_slope": 0.01}``).
        formula, derivative_formula: LaTeX.
        output_range: the range as LaTeX.
        zero_centred: whether outputs are centred on 0 for inputs centred on 0.
        saturates: where the derivative tends to 0: ``"both sides"``, ``"negative side"``,
            ``"no"``.
        cost: relative cost to evaluate (``"lowest"``, ``"low"``, ``"medium"``).
        used_in: where it is typically used.
        cite: BibTeX key(s), comma-separated, of the paper(s) that introduced it or
            established its use in neural networks (in ``references.bib``).
    """

    name: str
    kind: str
    function: ArrayFn | None
    derivative: ArrayFn | None
    keras_name: str | None = None
    params: dict = field(default_factory=dict)
    formula: str = ""
    derivative_formula: str = ""
    output_range: str = ""
    zero_centred: bool = False
    saturates: str = "no"
    cost: str = "low"
    used_in: str = ""
    cite: str = ""

    def make_layer(self, name: str | None = None):
        """The Keras layer applied after a linear ``Dense`` (only for ``kind == "layer"``)."""
        entry = _REGISTRY[self.name]
        if entry.layer is None:
            raise ValueError(f"activation {self.name!r} is applied inside Dense, not as a layer")
        return entry.layer(self.params, name)


def _sigmoid(x):
    x = np.asarray(x, dtype=np.float64)
    # Split by sign so that exp never overflows.
    out = np.empty_like(x)
    pos = x >= 0
    out[pos] = 1.0 / (1.0 + np.exp(-x[pos]))
    e = np.exp(x[~pos])
    out[~pos] = e / (1.0 + e)
    return out


def _sigmoid_derivative(x):
    # sigma(x) (1 - sigma(x)) = e^{-|x|} / (1 + e^{-|x|})^2: no cancellation for large |x|.
    e = np.exp(-np.abs(np.asarray(x, dtype=np.float64)))
    return e / (1.0 + e) ** 2


def _tanh_derivative(x):
    # 1 - tanh^2 x = 4 e^{-2|x|} / (1 + e^{-2|x|})^2: no cancellation for large |x|
    # (1 - tanh^2 is exactly 0 in float64 from |x| = 19.1 on; the derivative is not).
    e = np.exp(-2.0 * np.abs(np.asarray(x, dtype=np.float64)))
    return 4.0 * e / (1.0 + e) ** 2


def _normal_cdf(x):
    # Phi(x) = erfc(-x / sqrt 2) / 2: accurate in the left tail, where 1 + erf(x / sqrt 2)
    # cancels to 0 (from x = -8.3 on) although Phi(x) is not 0 until x = -38.5.
    return 0.5 * np.vectorize(math.erfc, otypes=[np.float64])(-x / math.sqrt(2.0))


def _gelu(x):
    x = np.asarray(x, dtype=np.float64)
    return x * _normal_cdf(x)


def _gelu_derivative(x):
    x = np.asarray(x, dtype=np.float64)
    pdf = np.exp(-0.5 * x * x) / math.sqrt(2.0 * math.pi)
    return _normal_cdf(x) + x * pdf


def _silu(x):
    x = np.asarray(x, dtype=np.float64)
    return x * _sigmoid(x)


def _silu_derivative(x):
    s = _sigmoid(x)
    return s * (1.0 + np.asarray(x, dtype=np.float64) * (1.0 - s))


def _leaky(slope):
    def f(x):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x > 0, x, slope * x)

    def df(x):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x > 0, 1.0, slope)

    return f, df


def _elu(alpha):
    def f(x):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x > 0, x, alpha * np.expm1(np.minimum(x, 0.0)))

    def df(x):
        x = np.asarray(x, dtype=np.float64)
        return np.where(x > 0, 1.0, alpha * np.exp(np.minimum(x, 0.0)))

    return f, df


def _f64(fn):
    return lambda x: fn(np.asarray(x, dtype=np.float64))


def _keras():
    import keras

    return keras


def _prelu_derivative(slope):
    def df(x):
        # Keras' PReLU computes relu(x) - a * relu(-x), so its gradient at exactly 0 is 0.
        x = np.asarray(x, dtype=np.float64)
        return np.where(x > 0, 1.0, np.where(x < 0, slope, 0.0))

    return df


def _slope(name, default):
    return {name: (default, lambda n, v: check_float(n, v, minimum=0.0, maximum=1.0,
                                                        max_inclusive=False))}


@dataclass(frozen=True)
class _Entry:
    """One row of the registry: everything the package knows about one activation.

    ``params`` maps each parameter to ``(default, check)``; ``references(p)`` gives the NumPy
    ``(function, derivative)`` and ``facts(p)`` the tabulated facts for checked parameters
    ``p``; ``layer(p, name)`` builds the Keras layer (kind ``"layer"`` only); ``layer_type``
    and ``read_params`` recognise a built Keras layer as this activation (:func:`from_layer`).
    """

    kind: str
    references: Callable[[dict], tuple]
    facts: Callable[[dict], dict]
    params: dict = field(default_factory=dict)
    keras_name: str | None = None
    layer: Callable | None = None
    layer_type: str | None = None
    read_params: Callable | None = None


def _fixed(function, derivative):
    return lambda p: (function, derivative)


def _facts(**facts):
    return lambda p: facts


#: The registry, in the book's order: one entry per activation, read by :func:`get`,
#: :meth:`Activation.make_layer`, :func:`from_layer` (and so by models and probes) and by the
#: cheat sheet. Adding an activation means adding one entry here.
_REGISTRY: dict[str, _Entry] = {
    "linear": _Entry(
        "dense", _fixed(_f64(lambda x: x.copy()), _f64(np.ones_like)), _facts(
            formula=r"x", derivative_formula=r"1", output_range=r"(-\infty, \infty)",
            zero_centred=True, saturates="no", cost="lowest",
            used_in="regression outputs; stacked hidden layers with it collapse to one "
                    "affine map"),
        keras_name="linear"),
    "sigmoid": _Entry(
        "dense", _fixed(_sigmoid, _sigmoid_derivative), _facts(
            formula=r"\sigma(x) = \frac{1}{1 + e^{-x}}",
            derivative_formula=r"\sigma(x)\,(1 - \sigma(x))", output_range=r"(0, 1)",
            zero_centred=False, saturates="both sides", cost="medium",
            used_in="output unit for binary probabilities; gates in LSTMs",
            cite="rumelhart1986learning"),
        keras_name="sigmoid"),
    "tanh": _Entry(
        "dense", _fixed(_f64(np.tanh), _tanh_derivative), _facts(
            formula=r"\tanh x = \frac{e^{x} - e^{-x}}{e^{x} + e^{-x}}",
            derivative_formula=r"1 - \tanh^2 x", output_range=r"(-1, 1)",
            zero_centred=True, saturates="both sides", cost="medium",
            used_in="recurrent networks; hidden layers before 2010", cite="lecun2012efficient"),
        keras_name="tanh"),
    "relu": _Entry(
        "dense", _fixed(_f64(lambda x: np.maximum(x, 0.0)),
                        _f64(lambda x: (x > 0).astype(np.float64))), _facts(
            formula=r"\max(x, 0)", derivative_formula=r"[x > 0]",
            output_range=r"[0, \infty)", zero_centred=False, saturates="negative side",
            cost="lowest", used_in="the default for hidden layers of feed-forward and conv nets",
            cite="nair2010rectified"),
        keras_name="relu"),
    "leaky_relu": _Entry(
        "layer", lambda p: _leaky(p["negative_slope"]), lambda p: dict(
            formula=rf"\max(x, {p['negative_slope']:g}\,x)",
            derivative_formula=rf"1 \text{{ if }} x > 0\text{{ else }} {p['negative_slope']:g}",
            output_range=r"(-\infty, \infty)", zero_centred=False, saturates="no",
            cost="lowest", used_in="hidden layers where ReLU units die; GAN discriminators",
            cite="maas2013rectifier"),
        params=_slope("negative_slope", 0.01),
        layer=lambda p, name: _keras().layers.LeakyReLU(negative_slope=p["negative_slope"],
                                                        name=name),
        layer_type="LeakyReLU",
        read_params=lambda layer: {"negative_slope": float(layer.negative_slope)}),
    "prelu": _Entry(
        "layer", lambda p: (_leaky(p["initial_slope"])[0],
                            _prelu_derivative(p["initial_slope"])), _facts(
            formula=r"\max(x, a\,x)\text{, } a \text{ learned}",
            derivative_formula=r"1 \text{ if } x > 0,\ a \text{ if } x < 0,\ 0 \text{ at } 0"
            r"\text{ (Keras)}",
            output_range=r"(-\infty, \infty)", zero_centred=False, saturates="no",
            cost="low", used_in="image classifiers (He et al. 2015); learned slope per unit",
            cite="he2015delving"),
        params=_slope("initial_slope", 0.25),
        layer=lambda p, name: _keras().layers.PReLU(
            alpha_initializer=_keras().initializers.Constant(p["initial_slope"]), name=name),
        # A trained PReLU layer has one learned slope per unit, not one registry activation.
        layer_type="PReLU"),
    "elu": _Entry(
        "layer", lambda p: _elu(p["alpha"]), _facts(
            formula=r"x \text{ if } x > 0 \text{ else } \alpha (e^{x} - 1)",
            derivative_formula=r"1 \text{ if } x > 0 \text{ else } \alpha e^{x}",
            output_range=r"(-\alpha, \infty)", zero_centred=False, saturates="negative side",
            cost="medium", used_in="hidden layers; mean activations closer to zero than ReLU",
            cite="clevert2015fast"),
        params={"alpha": (1.0, lambda n, v: check_float(n, v, minimum=0.0,
                                                         min_inclusive=False))},
        layer=lambda p, name: _keras().layers.ELU(alpha=p["alpha"], name=name),
        layer_type="ELU",
        read_params=lambda layer: {"alpha": float(layer.alpha)}),
    "gelu": _Entry(
        "dense", _fixed(_gelu, _gelu_derivative), _facts(
            formula=r"x\,\Phi(x)", derivative_formula=r"\Phi(x) + x\,\varphi(x)",
            output_range=r"[\approx -0.17, \infty)", zero_centred=False,
            saturates="negative side", cost="medium",
            used_in="Transformers (BERT, GPT-2 and later)", cite="hendrycks2016gelu"),
        keras_name="gelu"),
    "silu": _Entry(
        "dense", _fixed(_silu, _silu_derivative), _facts(
            formula=r"x\,\sigma(x)",
            derivative_formula=r"\sigma(x)\,(1 + x\,(1 - \sigma(x)))",
            output_range=r"[\approx -0.28, \infty)", zero_centred=False,
            saturates="negative side", cost="medium",
            used_in="EfficientNet; SwiGLU feed-forward blocks of large language models",
            cite="hendrycks2016gelu,elfwing2018sigmoid,ramachandran2017searching"),
        keras_name="silu"),
    "maxout": _Entry(
        "maxout", lambda p: (None, None), lambda p: dict(
            formula=r"\max_{j \le k} (w_j^\top x + b_j)",
            derivative_formula=r"\text{slope of the arg-max piece (split equally at ties in "
            r"TensorFlow)}",
            output_range=r"(-\infty, \infty)", zero_centred=False, saturates="no",
            cost=f"{p['pieces']}x a Dense layer", used_in="with dropout (Goodfellow et al. 2013)",
            cite="goodfellow2013maxout"),
        params={"pieces": (2, lambda n, v: check_int(n, v, minimum=2))}),
}


def names() -> list[str]:
    """The names in the registry, in the book's order."""
    return list(_REGISTRY)


def get(name, **params) -> Activation:
    """Look up an activation by name, optionally with parameters.

    Args:
        name: one of :func:`names`, or an :class:`Activation` (returned unchanged when no
            parameters are given).
        **params: ``negative_slope`` for ``leaky_relu`` (float in [0, 1), default 0.01 as in
            Maas et al. 2013, not Keras' 0.3 or 0.2), ``initial_slope`` for ``prelu`` (float in
            [0, 1), default 0.25 as in He et al. 2015, not Keras' 0), ``alpha`` for ``elu``
            (float > 0, default 1), ``pieces`` for ``maxout`` (int >= 2, default 2).

    Returns:
        An :class:`Activation`.

    Raises:
        TypeError: if ``name`` is not a str or a parameter has the wrong type.
        ValueError: for an unknown name (the message lists the known ones), a parameter the
            activation does not take, or a parameter out of range (e.g. a negative slope).
    """
    if isinstance(name, Activation):
        if params:
            raise ValueError("parameters can only be given with an activation name")
        return name
    name = check_choice("activation", name, _REGISTRY)
    entry = _REGISTRY[name]
    unknown = set(params) - set(entry.params)
    if unknown:
        raise ValueError(
            f"activation {name!r} takes no parameter(s) {sorted(unknown)}; "
            f"allowed: {sorted(entry.params) or 'none'}"
        )
    checked = {p: check(p, params.get(p, default)) for p, (default, check) in
               entry.params.items()}
    function, derivative = entry.references(checked)
    return Activation(name, entry.kind, _checked(function, f"{name} function"),
                      _checked(derivative, f"{name} derivative"), keras_name=entry.keras_name,
                      params=checked, **entry.facts(checked))


def from_layer(layer) -> Activation:
    """The registry activation a built Keras hidden activation layer applies, elementwise.

    Args:
        layer: a ``keras.layers.Activation`` of a registry function, or a ``LeakyReLU`` or
            ``ELU`` layer (its parameters are read from the layer).

    Returns:
        An :class:`Activation`.

    Raises:
        ValueError: for any other layer, including PReLU (a trained PReLU layer has a learned
            slope per unit, not one registry activation) and maxout (not elementwise).
    """
    kind = type(layer).__name__
    for name, entry in _REGISTRY.items():
        if entry.layer_type == kind and entry.read_params is not None:
            return get(name, **entry.read_params(layer))
    config = layer.get_config() if hasattr(layer, "get_config") else {}
    activation = config.get("activation")
    if kind == "Activation" and isinstance(activation, str) and activation in _REGISTRY \
            and _REGISTRY[activation].kind == "dense":
        return get(activation)
    raise ValueError(f"layer {getattr(layer, 'name', layer)!r} ({kind}) has no elementwise "
                     "derivative in the activation registry; supported: Activation layers of "
                     "the registry's functions, LeakyReLU and ELU (not PReLU or maxout)")


def _checked(fn: ArrayFn | None, what: str) -> ArrayFn | None:
    """Wrap a NumPy reference so that non-numeric input raises a TypeError naming ``x``."""
    if fn is None:
        return None

    def reference(x):
        arr = np.asarray(x)
        if arr.dtype == bool or not np.issubdtype(arr.dtype, np.number) \
                or np.iscomplexobj(arr):
            raise TypeError(f"x must hold real numbers, got dtype {arr.dtype} ({what})")
        return fn(arr)

    return reference


def keras_function(activation) -> Callable:
    """The Keras callable a hidden layer of :func:`actbook.models.mlp` applies to its
    pre-activations ``z``: ``keras.activations.get(keras_name)`` for kind ``"dense"``, the layer
    :meth:`Activation.make_layer` builds for kind ``"layer"`` (a new layer each call).

    Args:
        activation: a registry name or an :class:`Activation` (with its parameters).

    Returns:
        A callable from a float32 tensor ``(n, units)`` to one of the same shape.

    Raises:
        TypeError, ValueError: as :func:`get`; ValueError for maxout, which is not elementwise.
    """
    act = get(activation)
    if act.kind == "dense":
        return _keras().activations.get(act.keras_name)
    if act.kind == "layer":
        return act.make_layer()
    raise ValueError(f"activation {act.name!r} is not elementwise: it has no Keras function "
                     "of z alone (maxout takes the maximum over learned affine pieces)")


def tf_derivative(activation, x) -> np.ndarray:
    """TensorFlow's derivative of :func:`keras_function` at the points ``x``, read off
    ``tf.GradientTape`` on float32 inputs: at a kink this is TensorFlow's convention (e.g.
    ``relu``: 0 at 0; ``prelu``: 0 at 0, since Keras computes ``relu(x) - a relu(-x)``).

    Args:
        activation: a registry name or an :class:`Activation` (not maxout).
        x: real array-like, any shape (scalars allowed), finite; cast to float32.

    Returns:
        float64 array of ``x``'s shape.

    Raises:
        TypeError: for non-numeric ``x``; ValueError: for an empty or non-finite ``x`` or
        maxout (as :func:`keras_function`).
    """
    import tensorflow as tf

    function = keras_function(activation)
    arr = check_array("x", x).astype(np.float32)
    shape = arr.shape
    variable = tf.Variable(arr.reshape(-1, 1))
    with tf.GradientTape() as tape:
        y = function(variable)
    return tape.gradient(y, variable).numpy().astype(np.float64).reshape(shape)


def kink_slopes(activation, at: float = 0.0, offset: float = 1e-6) -> tuple[float, float, float]:
    """TensorFlow's slopes just left of, at, and just right of ``at`` (:func:`tf_derivative`).

    Where left and right differ, ``at`` is a kink and the middle value is a convention: ReLU
    gives ``(0, 0, 1)`` at 0, leaky ReLU ``(0.01, 0.01, 1)``, PReLU ``(a, 0, 1)`` (0 lies
    outside ``[a, 1]``), ELU with alpha = 1 ``(1, 1, 1)`` up to float32 rounding (no kink).

    Args:
        activation: a registry name or an :class:`Activation` (not maxout).
        at: the point, a finite float (default 0).
        offset: distance of the one-sided points, a float in (0, 1] (default 1e-6; values
            are float32, so it must stay well above ``at``'s rounding step).

    Returns:
        ``(left, at, right)`` as Python floats (unrounded float32 gradients).

    Raises:
        TypeError, ValueError: for a bad ``at`` or ``offset``, or as :func:`tf_derivative`.
    """
    at = check_float("at", at)
    offset = check_float("offset", offset, minimum=0.0, maximum=1.0, min_inclusive=False)
    left, middle, right = tf_derivative(activation, [at - offset, at, at + offset])
    return float(left), float(middle), float(right)
