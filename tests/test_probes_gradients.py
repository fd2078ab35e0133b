"""Tests of the gradient and saturation probes (chapter 3) on networks small enough to check by
hand: one-unit-per-layer sigmoid chains, whose bias gradients are products of sigma' factors and
weights (Nielsen 2015, ch. 5), and layers with hand-set biases."""

import math

import numpy as np
import pytest
import tensorflow as tf

import actbook  # noqa: F401  (first: sets TensorFlow up quietly before it is imported)
from actbook import activations, models, probes

LN3 = math.log(3.0)


def chain(weights, biases, out_kernel, out_bias, activation="sigmoid"):
    """A 1 -> 1 -> ... -> 1 -> 2 network with the given scalar weights and biases."""
    model = models.mlp(1, [1] * len(weights), activation, 2)
    for i, (w, b) in enumerate(zip(weights, biases), start=1):
        model.get_layer(f"hidden_{i}_pre").set_weights(
            [np.array([[w]], np.float32), np.array([b], np.float32)])
    model.get_layer("logits").set_weights(
        [np.array([out_kernel], np.float32), np.array(out_bias, np.float32)])
    return model


# The chain of the chapter, on x = 1: every hidden pre-activation is 0 (so every sigma' = 1/4 and
# every activation is 1/2), and the logits are (0.5 * 2 - 1, 0.5 * -2 + 1 + ln 3) = (0, ln 3).
#   z1 = 2 * 1 - 2 = 0,  z2 = 3 * 0.5 - 1.5 = 0,  z3 = -4 * 0.5 + 2 = 0.
X1 = np.array([[1.0]], np.float32)


def chapter_chain():
    return chain([2.0, 3.0, -4.0], [-2.0, -1.5, 2.0], [2.0, -2.0], [-1.0, 1.0 + LN3])


def test_chain_bias_gradients_are_products_of_sigma_prime_and_weights():
    # Softmax of (0, ln 3) is (1/4, 3/4); label 0, so dC/dlogits = (1/4 - 1, 3/4) = (-3/4, 3/4)
    # and dC/da3 = 2 * (-3/4) + (-2) * (3/4) = -3. Backwards, one sigma'(0) = 1/4 per layer:
    #   delta3 = 1/4 * -3 = -3/4;  delta2 = 1/4 * w3 * delta3 = 3/4;  delta1 = 1/4 * w2 * delta2
    #   = (1/4)**3 * w2 * w3 * (-3) = (1/64) * 3 * (-4) * (-3) = 9/16.
    got = probes.bias_gradient_norms(chapter_chain(), X1, np.array([0]))
    assert got == pytest.approx({"hidden_1": 9 / 16, "hidden_2": 3 / 4, "hidden_3": 3 / 4},
                                rel=1e-6)
    assert list(got) == ["hidden_1", "hidden_2", "hidden_3"]
    assert all(type(v) is float for v in got.values())


def test_chain_with_nielsens_sigmoid_cost():
    # Sigmoid output units: dC/dlogits = (sigma(0) - 1, sigma(ln 3) - 0) = (-1/2, 3/4), so
    # dC/da3 = 2 * (-1/2) - 2 * (3/4) = -5/2 and delta1 = (1/64) * 3 * (-4) * (-5/2) = 15/32.
    got = probes.bias_gradient_norms(chapter_chain(), X1, np.array([0]), cost="sigmoid")
    assert got == pytest.approx({"hidden_1": 15 / 32, "hidden_2": 5 / 8, "hidden_3": 5 / 8},
                                rel=1e-6)


def test_norm_of_the_mean_gradient_not_the_mean_of_norms():
    # The same input twice with labels 0 and 1. Label 1 gives dC/dlogits = (1/4, -1/4) and
    # dC/da3 = 2 * 1/4 + 2 * 1/4 = 1, so delta1 = (1/64) * (-12) * 1 = -3/16 against +9/16 for
    # label 0. Nielsen averages the gradients first: |(9/16 - 3/16) / 2| = 3/16 (the mean of
    # the two norms would be 6/16).
    x = np.array([[1.0], [1.0]], np.float32)
    got = probes.bias_gradient_norms(chapter_chain(), x, np.array([0, 1]))
    assert got["hidden_1"] == pytest.approx(3 / 16, rel=1e-6)


def test_each_sigmoid_layer_divides_the_gradient_by_four_at_z_zero():
    # Five layers, unit weights, biases that keep every z at 0 (x = 0, then z = a - 1/2 = 0):
    # delta_l = (1/4) ** (6 - l) * dC/da5, so consecutive layers differ by exactly 4.
    depth = 5
    model = chain([1.0] * depth, [0.0] + [-0.5] * (depth - 1), [1.0, -1.0], [-0.5, 0.5])
    got = list(probes.bias_gradient_norms(model, np.zeros((1, 1), np.float32),
                                          np.array([0])).values())
    # logits (0, 0): dC/dlogits = (-1/2, 1/2), dC/da5 = -1/2 - 1/2 = -1.
    assert got == pytest.approx([0.25 ** (depth - i) for i in range(depth)], rel=1e-5)


def test_tanh_chain_keeps_the_gradient_at_z_zero():
    # tanh'(0) = 1 and tanh(0) = 0: with unit weights and zero biases nothing shrinks.
    model = chain([1.0] * 4, [0.0] * 4, [1.0, -1.0], [0.0, 0.0], activation="tanh")
    got = list(probes.bias_gradient_norms(model, np.zeros((1, 1), np.float32),
                                          np.array([0])).values())
    assert got == pytest.approx([1.0] * 4, rel=1e-6)


def _numpy_backprop(model, x, y, cost):
    """Nielsen's equations BP1-BP4 in float64 NumPy: bias and kernel gradients of the mean cost."""
    kernels, biases = [], []
    names = [f"hidden_{i}_pre" for i in range(1, 3)] + ["logits"]
    for name in names:
        k, b = model.get_layer(name).get_weights()
        kernels.append(k.astype(np.float64))
        biases.append(b.astype(np.float64))
    a, zs, acts = x.astype(np.float64), [], [x.astype(np.float64)]
    for k, b in zip(kernels[:-1], biases[:-1]):
        z = a @ k + b
        a = 1.0 / (1.0 + np.exp(-z))
        zs.append(z)
        acts.append(a)
    out = a @ kernels[-1] + biases[-1]
    target = np.eye(out.shape[1])[y]
    if cost == "softmax":
        p = np.exp(out - out.max(axis=1, keepdims=True))
        delta = p / p.sum(axis=1, keepdims=True) - target
    else:
        delta = 1.0 / (1.0 + np.exp(-out)) - target
    grads_b, grads_w = [], []
    for layer in range(len(zs) - 1, -1, -1):
        s = 1.0 / (1.0 + np.exp(-zs[layer]))
        delta = (delta @ kernels[layer + 1].T) * s * (1.0 - s)
        grads_b.insert(0, delta.mean(axis=0))
        grads_w.insert(0, acts[layer].T @ delta / len(x))
    return ([float(np.linalg.norm(g)) for g in grads_b],
            [float(np.linalg.norm(g)) for g in grads_w])


@pytest.mark.parametrize("cost", ["softmax", "sigmoid"])
def test_matches_numpy_backpropagation_on_a_wider_network(cost):
    model = models.mlp(3, [5, 4], "sigmoid", 3, init="nielsen", seed=3)
    rng = np.random.default_rng(0)
    x = rng.uniform(-1.0, 1.0, size=(7, 3)).astype(np.float32)
    y = np.array([0, 1, 2, 2, 1, 0, 1])
    want_b, _ = _numpy_backprop(model, x, y, cost)
    got_b = probes.bias_gradient_norms(model, x, y, cost=cost)
    assert list(got_b.values()) == pytest.approx(want_b, rel=1e-4)


def test_gradient_probes_leave_the_model_unchanged():
    model = chapter_chain()
    before = [w.copy() for w in model.get_weights()]
    probes.bias_gradient_norms(model, X1, np.array([0]))
    probes.bias_gradient_norms(model, X1, np.array([1]), cost="sigmoid")
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_gradient_probes_on_maxout_and_linear_models():
    maxout = models.mlp(2, [3], "maxout", 2, seed=1)
    x = np.array([[0.5, -1.0], [1.0, 2.0]], np.float32)
    got = probes.bias_gradient_norms(maxout, x, np.array([0, 1]))
    assert list(got) == ["hidden_1"] and got["hidden_1"] > 0
    assert probes.bias_gradient_norms(models.mlp(2, [], "linear"), x, np.array([0, 1])) == {}


def one_layer(bias, kernel_row=None, activation="sigmoid"):
    """A 1 -> len(bias) -> 2 network: z_j = kernel_row[j] * x + bias[j]."""
    bias = np.asarray(bias, np.float32)
    kernel = np.zeros((1, len(bias)), np.float32) if kernel_row is None else \
        np.array([kernel_row], np.float32)
    model = models.mlp(1, [len(bias)], activation, 2)
    model.get_layer("hidden_1_pre").set_weights([kernel, bias])
    return model


def test_saturation_fraction_sigmoid_hand_set_biases():
    # sigma'(z) / (1/4) at z = 0, 1, 8, -8: 1, 0.79, 0.0013, 0.0013.
    model = one_layer([0.0, 1.0, 8.0, -8.0])
    x = np.array([[0.0], [1.0], [-3.0]], np.float32)  # kernel 0: every row sees the same z
    assert probes.saturation_fraction(model, x) == {"hidden_1": 0.5}
    assert probes.saturation_fraction(model, x, threshold=0.9) == {"hidden_1": 0.75}
    # sigma'(0) is the peak itself, not below it.
    assert probes.saturation_fraction(model, x, threshold=1.0) == {"hidden_1": 0.75}


def test_saturation_fraction_counts_example_unit_pairs():
    # Unit 0 has z = x: saturated on x = 10 only. Units 2 and 3 are saturated on both rows.
    model = one_layer([0.0, 1.0, 8.0, -8.0], kernel_row=[1.0, 0.0, 0.0, 0.0])
    x = np.array([[0.0], [10.0]], np.float32)
    assert probes.saturation_fraction(model, x)["hidden_1"] == pytest.approx(5 / 8)


def test_saturation_thresholds_of_sigmoid_and_tanh():
    # 1 % of the peak: |z| > 5.99 for sigmoid, |z| > 2.99 for tanh (tanh'(x) = 4 sigma'(2x)).
    x = np.zeros((1, 1), np.float32)
    assert probes.saturation_fraction(one_layer([5.9, 6.1]), x) == {"hidden_1": 0.5}
    assert probes.saturation_fraction(one_layer([-2.9, -3.1], activation="tanh"), x) == \
        {"hidden_1": 0.5}


def test_saturation_fraction_relu_counts_the_flat_side():
    # relu'(z) = 0 for z <= 0 (TensorFlow's relu'(0) = 0), 1 above.
    model = one_layer([-1.0, 0.0, 1.0, 2.0], activation="relu")
    assert probes.saturation_fraction(model, np.zeros((2, 1), np.float32)) == \
        {"hidden_1": 0.5}


def test_saturation_fraction_per_layer_in_order():
    model = models.mlp(1, [2, 2], "sigmoid", 2)
    model.get_layer("hidden_1_pre").set_weights(
        [np.zeros((1, 2), np.float32), np.array([0.0, 9.0], np.float32)])
    # hidden_1 outputs (0.5, ~1); hidden_2 z = 0.5 * 0 + ~1 * 20 - 30 = -10: both saturated.
    model.get_layer("hidden_2_pre").set_weights(
        [np.array([[0.0, 0.0], [20.0, 20.0]], np.float32), np.array([-30.0, -30.0],
                                                                     np.float32)])
    got = probes.saturation_fraction(model, np.zeros((3, 1), np.float32))
    assert got == {"hidden_1": 0.5, "hidden_2": 1.0}
    assert list(got) == ["hidden_1", "hidden_2"]


def test_hidden_derivatives_and_mean_activations():
    model = one_layer([0.0, LN3])  # sigma = 1/2 and 3/4; sigma' = 1/4 and 3/16
    x = np.zeros((2, 1), np.float32)
    d = probes.hidden_derivatives(model, x)
    assert list(d) == ["hidden_1"] and d["hidden_1"].shape == (2, 2)
    np.testing.assert_allclose(d["hidden_1"], [[0.25, 3 / 16]] * 2, rtol=1e-6)
    assert probes.mean_activations(model, x) == pytest.approx({"hidden_1": 0.625}, rel=1e-6)


def test_leaky_relu_derivative_uses_its_slope():
    model = one_layer([-1.0, 1.0], activation="leaky_relu")
    d = probes.hidden_derivatives(model, np.zeros((1, 1), np.float32))["hidden_1"]
    np.testing.assert_allclose(d, [[0.01, 1.0]])


def test_derivative_peak():
    assert probes.derivative_peak("sigmoid") == 0.25
    assert probes.derivative_peak("tanh") == 1.0
    assert probes.derivative_peak("relu") == 1.0
    assert probes.derivative_peak("silu") == pytest.approx(1.0998, abs=1e-4)
    with pytest.raises(ValueError, match="maxout"):
        probes.derivative_peak("maxout")
    with pytest.raises(ValueError, match="unknown activation"):
        probes.derivative_peak("swish")


def test_bad_inputs():
    model = chapter_chain()
    y = np.array([0])
    with pytest.raises(TypeError, match="model"):
        probes.bias_gradient_norms("not a model", X1, y)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 1\)"):
        probes.bias_gradient_norms(model, np.zeros((1, 2), np.float32), y)
    with pytest.raises(ValueError, match="class indices"):
        probes.bias_gradient_norms(model, X1, np.array([2]))
    with pytest.raises(TypeError, match="y must hold integers"):
        probes.bias_gradient_norms(model, X1, np.array([0.0]))
    with pytest.raises(ValueError, match="same length"):
        probes.bias_gradient_norms(model, X1, np.array([0, 1]))
    with pytest.raises(ValueError, match="finite"):
        probes.bias_gradient_norms(model, np.array([[np.nan]], np.float32), y)
    with pytest.raises(ValueError, match="unknown cost 'mse'"):
        probes.bias_gradient_norms(model, X1, y, cost="mse")
    with pytest.raises(TypeError, match="cost must be a str"):
        probes.bias_gradient_norms(model, X1, y, cost=None)
    for bad in (0.0, -0.1, 1.5):
        with pytest.raises(ValueError, match="threshold"):
            probes.saturation_fraction(model, X1, threshold=bad)
    with pytest.raises(TypeError, match="threshold"):
        probes.saturation_fraction(model, X1, threshold="1%")
    with pytest.raises(ValueError, match="x must have shape"):
        probes.saturation_fraction(model, np.zeros((2, 3), np.float32))
    with pytest.raises(ValueError):
        probes.saturation_fraction(models.mlp(1, [2], "maxout"), X1)
    with pytest.raises(ValueError, match="PReLU"):
        probes.saturation_fraction(models.mlp(1, [2], "prelu"), X1)


def test_saturation_fraction_reads_elu_alpha_from_the_layer():
    # ELU hidden layers are keras.layers.ELU; the probe must use the layer's own alpha.
    import numpy as np

    from actbook import activations, models, probes

    model = models.mlp(1, [1], activations.get("elu", alpha=0.5), output_units=2)
    model.get_layer("hidden_1_pre").set_weights([np.ones((1, 1)), np.zeros(1)])
    x = np.array([[-3.0], [1.0]], np.float32)
    d = probes.hidden_derivatives(model, x)["hidden_1"].ravel()
    np.testing.assert_allclose(d, [0.5 * np.exp(-3.0), 1.0], rtol=1e-6)


#: |z| up to 100, both signs, in float32.
TAILS = np.unique(np.concatenate([np.linspace(-100.0, 100.0, 4001),
                                  [-20.0, 20.0, 16.7]]).astype(np.float32))


@pytest.mark.parametrize("name, params", [
    ("linear", {}), ("sigmoid", {}), ("tanh", {}), ("relu", {}),
    ("leaky_relu", {}), ("leaky_relu", {"negative_slope": 0.3}),
    ("elu", {}), ("elu", {"alpha": 0.5}), ("gelu", {}), ("silu", {}),
])
def test_hidden_derivatives_are_the_factor_backpropagation_applies(name, params):
    # One hidden unit with z = x and a logit equal to its output: backpropagating from that
    # logit to the input multiplies 1 by f'(z) and by 1, so d logit / dx is the factor itself.
    model = models.mlp(1, [1], activations.get(name, **params), output_units=2)
    model.get_layer("hidden_1_pre").set_weights([np.ones((1, 1)), np.zeros(1)])
    model.get_layer("logits").set_weights([np.array([[1.0, 0.0]]), np.zeros(2)])
    x = tf.constant(TAILS[:, None])
    with tf.GradientTape() as tape:
        tape.watch(x)
        logit = model(x, training=False)[:, 0]
    backprop = tape.gradient(logit, x).numpy().ravel()
    probe = probes.hidden_derivatives(model, TAILS[:, None])["hidden_1"].ravel()
    assert probe.dtype == np.float64
    np.testing.assert_array_equal(probe, backprop)
    reference = activations.get(name, **params).derivative(TAILS.astype(np.float64))
    np.testing.assert_allclose(probe, reference, rtol=0, atol=1e-6)


def test_a_sigmoid_unit_at_z_20_gets_no_gradient_and_the_probe_says_so():
    # Issue 12.4: TensorFlow's sigmoid gradient is exactly 0 from about z = 16.6 up.
    model = one_layer([20.0, -20.0])          # z = 20 and z = -20 on x = 0
    x = np.zeros((1, 1), np.float32)
    d = probes.hidden_derivatives(model, x)["hidden_1"][0]
    assert d[0] == 0.0                                            # what backprop applies
    assert d[1] == pytest.approx(2.0611536e-9, rel=1e-6)
    assert activations.get("sigmoid").derivative(np.array([20.0]))[0] > 2e-9   # the math
    assert probes.saturation_fraction(model, x) == {"hidden_1": 1.0}
    model.get_layer("logits").set_weights([np.array([[1.0, -1.0], [0.0, 0.0]], np.float32),
                                           np.zeros(2, np.float32)])
    # the bias of the z = 20 unit really gets a zero gradient in training
    layer = model.get_layer("hidden_1_pre")
    with tf.GradientTape() as tape:
        cost = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(
            np.array([1]), model(tf.constant(x), training=False)))
    assert tape.gradient(cost, layer.bias).numpy()[0] == 0.0
