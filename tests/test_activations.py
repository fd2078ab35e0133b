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


@pytest.mark.parametrize("name, params", [
    ("linear", {}), ("sigmoid", {}), ("tanh", {}), ("relu", {}),
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.3}), ("prelu", {}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("gelu", {}), ("silu", {}),
])
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
