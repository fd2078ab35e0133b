import math

import numpy as np
import pytest
import tensorflow as tf

from actbook import activations, models

GRID = np.linspace(-6, 6, 241)  # includes 0 exactly


def test_sigmoid_derivative_at_zero_is_exactly_a_quarter():
    sig = activations.get("sigmoid")
    assert sig.derivative(np.array([0.0]))[0] == 0.25
    assert sig.function(np.array([0.0]))[0] == 0.5


def test_sigmoid_is_stable_for_huge_inputs():
    sig = activations.get("sigmoid")
    with np.errstate(over="raise"):
        out = sig.function(np.array([-1000.0, 1000.0]))
    np.testing.assert_array_equal(out, [0.0, 1.0])


def test_sigmoid_derivative_has_no_cancellation_in_the_tails():
    d = activations.get("sigmoid").derivative(np.array([100.0, -100.0, 5.0]))
    np.testing.assert_allclose(d[:2], np.exp(-100.0), rtol=1e-12)   # not 0
    s5 = 1 / (1 + np.exp(-5.0))
    assert d[2] == pytest.approx(s5 * (1 - s5), rel=1e-12)


def test_tanh_identity_with_sigmoid():
    sig, tanh = activations.get("sigmoid"), activations.get("tanh")
    np.testing.assert_allclose(tanh.function(GRID), 2 * sig.function(2 * GRID) - 1, atol=1e-12)
    assert tanh.derivative(np.array([0.0]))[0] == 1.0


def test_relu_and_linear_values():
    relu, lin = activations.get("relu"), activations.get("linear")
    np.testing.assert_array_equal(relu.function([-2.0, 0.0, 3.0]), [0.0, 0.0, 3.0])
    np.testing.assert_array_equal(relu.derivative([-2.0, 0.0, 3.0]), [0.0, 0.0, 1.0])
    np.testing.assert_array_equal(lin.derivative([-2.0, 0.0, 3.0]), [1.0, 1.0, 1.0])


def test_gelu_and_silu_known_values():
    gelu, silu = activations.get("gelu"), activations.get("silu")
    # GELU(1) = Phi(1) = 0.8413447460685429; SiLU(1) = sigmoid(1) = 0.7310585786300049
    assert gelu.function([1.0])[0] == pytest.approx(0.8413447460685429, abs=1e-12)
    assert silu.function([1.0])[0] == pytest.approx(0.7310585786300049, abs=1e-12)
    assert gelu.derivative([0.0])[0] == 0.5 and silu.derivative([0.0])[0] == 0.5


def _model_for(name, **params):
    """A 1-1 'network' whose single hidden unit applies the activation to its input."""
    model = models.mlp(1, [1], activations.get(name, **params), output_units=2)
    model.get_layer("hidden_1_pre").set_weights([np.ones((1, 1)), np.zeros(1)])
    return model


# Every elementwise activation of the registry, with non-default parameters where it has them.
ELEMENTWISE = [
    ("linear", {}), ("sigmoid", {}), ("tanh", {}), ("relu", {}),
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.3}), ("prelu", {}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("gelu", {}), ("silu", {}),
]


@pytest.mark.parametrize("name, params", ELEMENTWISE)
def test_numpy_reference_matches_keras_and_autodiff(name, params):
    act = activations.get(name, **params)
    model = _model_for(name, **params)
    hidden = model.get_layer("hidden_1")
    z = tf.constant(GRID.reshape(-1, 1), tf.float32)
    with tf.GradientTape() as tape:
        tape.watch(z)
        h = hidden(z)
    dh = tape.gradient(h, z).numpy().ravel()
    np.testing.assert_allclose(h.numpy().ravel(), act.function(GRID), atol=2e-6)
    np.testing.assert_allclose(dh, act.derivative(GRID), atol=2e-5)


#: |x| up to 100, both signs, in float32 (step 0.05), with the points the docstrings name.
TAILS = np.unique(np.concatenate([
    np.linspace(-100.0, 100.0, 4001), [-20.0, 20.0, 16.6, 16.7, -87.4, -17.4, -13.3, 7.9, -7.9],
]).astype(np.float32))

#: Where TensorFlow's float32 gradient is exactly 0 although the derivative is not, as the
#: registry's docstring states it: (below about lo, above about hi); None: no such tail.
FLOAT32_FLAT = {"sigmoid": (-87.3, 16.6), "tanh": (-7.9, 7.9), "elu": (-17.3, None),
                "gelu": (-13.2, None), "silu": (-87.3, None)}


def _tf_gradient(name, params, x32):
    """TensorFlow's gradient (float32) of the activation layer an mlp uses, at ``x32``."""
    hidden = _model_for(name, **params).get_layer("hidden_1")
    z = tf.constant(x32.reshape(-1, 1))
    with tf.GradientTape() as tape:
        tape.watch(z)
        h = hidden(z)
    return tape.gradient(h, z).numpy().ravel().astype(np.float64)


@pytest.mark.parametrize("name, params", ELEMENTWISE)
def test_reference_derivative_in_the_float32_tails(name, params):
    act = activations.get(name, **params)
    x = TAILS.astype(np.float64)
    tf_slope, reference = _tf_gradient(name, params, TAILS), act.derivative(x)
    # within 1e-6 of TensorFlow's float32 gradient everywhere, as the docstring says
    np.testing.assert_allclose(tf_slope, reference, rtol=0, atol=1e-6)
    # the reference is the mathematical derivative: 0 only where f' is 0 (ReLU's left side,
    # the kink conventions) or below float64's range (GELU' is about x phi(x) < 1e-308 there)
    assert np.all(np.isfinite(reference))
    zero_allowed = {"relu": x <= 0, "prelu": x == 0, "gelu": x < -38.5}.get(
        name, np.zeros_like(x, dtype=bool))
    assert np.all(reference[~zero_allowed] != 0), x[~zero_allowed & (reference == 0)]
    # TensorFlow's gradient is exactly 0 where f' is not in the documented tails, and only there
    flat = (tf_slope == 0) & (reference != 0)
    lo, hi = FLOAT32_FLAT.get(name, (None, None))
    inside = np.zeros_like(flat)
    outside = np.ones_like(flat)
    if lo is not None:
        inside |= x <= lo - 0.1
        outside &= x > lo + 0.1
    if hi is not None:
        inside |= x >= hi + 0.1
        outside &= x < hi - 0.1
    inside &= reference != 0
    assert np.all(flat[inside]), x[inside & ~flat]
    assert not np.any(flat[outside]), x[outside & flat]


def test_reference_derivatives_are_accurate_in_the_tails():
    # Closed forms evaluated without cancellation (scipy's expit and ndtr are accurate in the
    # tails): the references must match them to float64 precision for |x| <= 100.
    from scipy.special import expit, ndtr

    x = TAILS.astype(np.float64)
    phi = np.exp(-0.5 * x * x) / math.sqrt(2 * math.pi)
    exact = {
        "sigmoid": expit(x) * expit(-x),
        "tanh": 1.0 / np.cosh(x) ** 2,
        "gelu": ndtr(x) + x * phi,
        "silu": expit(x) * (1.0 + x * expit(-x)),
        "elu": np.where(x > 0, 1.0, np.exp(np.minimum(x, 0.0))),
    }
    for name, values in exact.items():
        got = activations.get(name).derivative(x)
        # atol: subnormal values are less precise
        np.testing.assert_allclose(got, values, rtol=1e-9, atol=1e-300, err_msg=name)
    assert activations.get("tanh").derivative([20.0])[0] == pytest.approx(4 * math.exp(-40),
                                                                         rel=1e-12)
    assert activations.get("gelu").function([-10.0])[0] == pytest.approx(-10 * ndtr(-10.0),
                                                                         rel=1e-12)


def test_sigmoid_derivative_at_20_is_the_mathematical_one_not_tensorflows():
    # Issue 12.4: TensorFlow's y (1 - y) in float32 is exactly 0 at z = 20 (y rounds to 1);
    # the registry's derivative is sigma'(20) = e^-20 / (1 + e^-20)^2 = 2.06e-9, as documented.
    x = np.array([20.0, -20.0], np.float32)
    tf_slope = _tf_gradient("sigmoid", {}, x)
    reference = activations.get("sigmoid").derivative(x.astype(np.float64))
    assert tf_slope[0] == 0.0
    assert reference[0] == pytest.approx(math.exp(-20) / (1 + math.exp(-20)) ** 2, rel=1e-12)
    assert reference[0] == pytest.approx(2.0611536e-9, rel=1e-7)
    assert tf_slope[1] == pytest.approx(reference[1], rel=1e-6)   # the other side agrees


def test_kink_conventions_match_tensorflow():
    assert activations.get("relu").derivative([0.0])[0] == 0.0
    assert activations.get("leaky_relu", negative_slope=0.1).derivative([0.0])[0] == 0.1
    assert activations.get("elu").derivative([0.0])[0] == 1.0
    assert activations.get("prelu").derivative([0.0])[0] == 0.0


def test_registry_names_and_parameters():
    assert activations.names()[:4] == ["linear", "sigmoid", "tanh", "relu"]
    assert activations.get("leaky_relu").params == {"negative_slope": 0.01}
    assert activations.get("prelu").params == {"initial_slope": 0.25}
    for name in activations.names():
        act = activations.get(name)
        assert act.formula and act.output_range and act.used_in


@pytest.mark.parametrize("name, params, error, match", [
    ("softsign", {}, ValueError, "known: linear, sigmoid"),
    (3, {}, TypeError, "activation"),
    ("relu", {"negative_slope": 0.1}, ValueError, "negative_slope"),
    ("leaky_relu", {"negative_slope": -0.1}, ValueError, "negative_slope"),
    ("leaky_relu", {"negative_slope": 1.0}, ValueError, "negative_slope"),
    ("leaky_relu", {"negative_slope": "0.1"}, TypeError, "negative_slope"),
    ("prelu", {"initial_slope": -1.0}, ValueError, "initial_slope"),
    ("elu", {"alpha": 0.0}, ValueError, "alpha"),
    ("maxout", {"pieces": 1}, ValueError, "pieces"),
    ("maxout", {"pieces": 2.0}, TypeError, "pieces"),
])
def test_bad_lookups_are_named(name, params, error, match):
    with pytest.raises(error, match=match):
        activations.get(name, **params)


def test_from_layer_recognises_the_models_layers():
    # Every elementwise hidden layer mlp builds maps back to its registry activation, with its
    # parameters; PReLU (learned slopes) and maxout (not elementwise) are refused by name.
    for name in activations.names():
        model = models.mlp(2, [3], name, 2)
        layer = model.get_layer("hidden_1")
        if name in ("prelu", "maxout"):
            with pytest.raises(ValueError, match="not PReLU or maxout"):
                activations.from_layer(layer)
            continue
        assert activations.from_layer(layer).name == name
    slope = models.mlp(2, [3], activations.get("leaky_relu", negative_slope=0.2), 2)
    assert activations.from_layer(slope.get_layer("hidden_1")).params == {"negative_slope": 0.2}


def test_tf_derivative_and_kink_slopes_are_tensorflows_conventions():
    # Hand-known values: TensorFlow's gradients of the Keras functions mlp applies.
    assert activations.kink_slopes("relu") == (0.0, 0.0, 1.0)
    left, at, right = activations.kink_slopes("leaky_relu")
    assert at == pytest.approx(0.01, abs=1e-7) and left == at and right == 1.0
    assert activations.kink_slopes("prelu") == (pytest.approx(0.25), 0.0, 1.0)
    assert activations.kink_slopes("elu") == pytest.approx((1.0, 1.0, 1.0), abs=1e-5)
    assert activations.tf_derivative("sigmoid", 0.0) == 0.25      # scalar in, 0-d out
    slopes = activations.tf_derivative("tanh", [[0.0, 1.0]])
    assert slopes.shape == (1, 2) and slopes.dtype == np.float64
    assert slopes[0, 1] == pytest.approx(1 - math.tanh(1.0) ** 2, rel=1e-6)
    # With parameters, and the same callable mlp applies.
    assert activations.kink_slopes(activations.get("leaky_relu", negative_slope=0.2))[0] == \
        pytest.approx(0.2)
    assert activations.keras_function("gelu") is activations.keras_function("gelu")
    assert type(activations.keras_function("elu")).__name__ == "ELU"
    with pytest.raises(ValueError, match="not elementwise"):
        activations.keras_function("maxout")


def test_tf_derivative_on_both_sides_of_the_kink():
    # TensorFlow's conventions at 0: relu 0, leaky ReLU its slope from the left, PReLU 0
    # (relu(z) - a relu(-z): both ReLUs have slope 0 at 0), ELU (alpha = 1) 1, no kink.
    z = [-1.0, 0.0, 1.0]
    np.testing.assert_array_equal(activations.tf_derivative("relu", z), [0.0, 0.0, 1.0])
    np.testing.assert_allclose(activations.tf_derivative("leaky_relu", z), [0.01, 0.01, 1.0],
                               rtol=1e-6)
    np.testing.assert_allclose(activations.tf_derivative("prelu", z), [0.25, 0.0, 1.0], rtol=1e-6)
    np.testing.assert_allclose(activations.tf_derivative("elu", z), [np.exp(-1.0), 1.0, 1.0],
                               rtol=1e-6)
    np.testing.assert_allclose(activations.tf_derivative("sigmoid", [0.0]), [0.25], rtol=1e-6)
