"""Tests of the dead-unit probes (chapter 4), the leaky-slope check and the maxout layer."""

import math

import numpy as np
import pytest

import actbook  # noqa: F401  (first: sets TensorFlow up quietly before it is imported)
from actbook import activations, keras, models, probes, simulate, tf

# Inputs with non-negative coordinates, so the signs below are easy to check by hand.
X = np.array([[1.0, 0.0], [0.0, 1.0], [2.0, 3.0]], dtype=np.float32)

# hidden_1 (5 units), pre-activations z = x @ K1 + b1 on the three rows of X:
#   unit 0: w=( 1, 0), b= 0   -> z = [1, 0, 2]          alive
#   unit 1: w=( 0, 0), b=-1   -> z = [-1, -1, -1]       dead (negative bias)
#   unit 2: w=( 0, 0), b= 0   -> z = [0, 0, 0]          dead (z <= 0 includes 0: relu'(0) = 0)
#   unit 3: w=(-1,-1), b=0.5  -> z = [-.5, -.5, -4.5]   dead (negative weights on this data)
#   unit 4: w=( 0, 1), b= 0   -> z = [0, 1, 3]          alive
K1 = np.array([[1, 0, 0, -1, 0], [0, 0, 0, -1, 1]], dtype=np.float32)
B1 = np.array([0, -1, 0, 0.5, 0], dtype=np.float32)
# hidden_1 activations (ReLU): [[1,0,0,0,0], [0,0,0,0,1], [2,0,0,0,3]]
# hidden_2 (2 units):
#   unit 0: w=(1,0,0,0,-1)  -> z = [1, -1, -1]   alive
#   unit 1: w=(-1,5,5,5,-1) -> z = [-1, -1, -5]  dead: its big weights come from dead units
K2 = np.array([[1, -1], [0, 5], [0, 5], [0, 5], [-1, -1]], dtype=np.float32)
B2 = np.zeros(2, dtype=np.float32)


def hand_set(activation="relu"):
    model = models.mlp(2, [5, 2], activation)
    model.get_layer("hidden_1_pre").set_weights([K1, B1])
    model.get_layer("hidden_2_pre").set_weights([K2, B2])
    return model


def test_dead_fraction_hand_set_network():
    assert probes.dead_fraction(hand_set(), X) == pytest.approx(
        {"hidden_1": 3 / 5, "hidden_2": 1 / 2, "all": 4 / 7})


def test_dead_units_masks_of_hand_set_network():
    dead = probes.dead_units(hand_set(), X)
    assert list(dead) == ["hidden_1", "hidden_2"]
    np.testing.assert_array_equal(dead["hidden_1"], [False, True, True, True, False])
    np.testing.assert_array_equal(dead["hidden_2"], [False, True])
    assert dead["hidden_1"].dtype == bool


def test_dead_fraction_keys_in_layer_order_and_python_floats():
    out = probes.dead_fraction(hand_set(), X)
    assert list(out) == ["hidden_1", "hidden_2", "all"]
    assert all(type(v) is float for v in out.values())


def test_dead_units_get_exactly_zero_gradient():
    model = hand_set()
    y = tf.constant([0, 1, 0])
    with tf.GradientTape() as tape:
        loss = tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(y, model(X)))
    kernel1, bias1 = model.get_layer("hidden_1_pre").trainable_variables
    kernel2, bias2 = model.get_layer("hidden_2_pre").trainable_variables
    g_k1, g_b1, g_k2, g_b2 = (g.numpy() for g in
                              tape.gradient(loss, [kernel1, bias1, kernel2, bias2]))
    dead1, alive1 = [1, 2, 3], [0, 4]
    assert np.all(g_k1[:, dead1] == 0) and np.all(g_b1[dead1] == 0)
    assert np.all(g_k2[:, 1] == 0) and g_b2[1] == 0
    assert np.any(g_k1[:, alive1] != 0) and np.any(g_b1[alive1] != 0)


def test_first_layer_dead_units_stay_dead_under_the_trainer():
    from actbook import training

    model = hand_set()
    training.train(model, X, np.array([0, 1, 0]), steps=20, batch_size=2, learning_rate=0.5,
                   record_every=10)
    kernel, bias = model.get_layer("hidden_1_pre").get_weights()
    dead = [1, 2, 3]
    np.testing.assert_array_equal(kernel[:, dead], K1[:, dead])
    np.testing.assert_array_equal(bias[dead], B1[dead])
    assert np.all(probes.dead_units(model, X)["hidden_1"][dead])
    assert not np.array_equal(kernel[:, [0, 4]], K1[:, [0, 4]])


def test_one_alive_example_is_enough_to_be_alive():
    x = np.concatenate([X, [[-1.0, -1.0]]]).astype(np.float32)  # unit 3: z = -(-2) + 0.5 > 0
    assert probes.dead_fraction(hand_set(), x)["hidden_1"] == pytest.approx(2 / 5)


def test_dead_fraction_counts_negative_side_for_leaky_relu_too():
    # Same pre-activations, so the same count; such units still get a gradient of slope 0.01.
    assert probes.dead_fraction(hand_set("leaky_relu"), X)["hidden_1"] == pytest.approx(3 / 5)


def test_zero_fraction_hand_set_network():
    # hidden_1: 4 + 4 + 3 zeros of 15; hidden_2 activations [[1,0],[0,0],[0,0]]: 5 of 6.
    assert probes.zero_fraction(hand_set(), X) == pytest.approx(
        {"hidden_1": 11 / 15, "hidden_2": 5 / 6, "all": 16 / 21})


def test_zero_fraction_leaky_relu_only_exact_zero_inputs():
    # leaky_relu(z) == 0 only where z == 0: unit 2 on all rows, unit 0 on row 1, unit 4 on row 0.
    assert probes.zero_fraction(hand_set("leaky_relu"), X)["hidden_1"] == pytest.approx(5 / 15)


def test_zero_fraction_works_for_maxout_and_dead_fraction_does_not():
    model = models.mlp(2, [4], "maxout")
    assert 0.0 <= probes.zero_fraction(model, X)["hidden_1"] <= 1.0
    with pytest.raises(ValueError, match="maxout"):
        probes.dead_fraction(model, X)


def test_linear_model_has_no_hidden_layers():
    model = models.mlp(2, [])
    assert probes.dead_fraction(model, X) == {}
    assert probes.zero_fraction(model, X) == {}


@pytest.mark.parametrize("probe", [probes.dead_units, probes.dead_fraction,
                                   probes.zero_fraction])
def test_probes_reject_bad_inputs(probe):
    model = hand_set()
    with pytest.raises(TypeError, match="model"):
        probe("not a model", X)
    with pytest.raises(ValueError, match=r"x must have shape \(n, 2\)"):
        probe(model, np.zeros((3, 3), dtype=np.float32))
    with pytest.raises(ValueError, match="finite"):
        probe(model, np.array([[np.nan, 0.0]]))
    with pytest.raises(ValueError, match="empty"):
        probe(model, np.zeros((0, 2), dtype=np.float32))
    with pytest.raises(TypeError, match="x"):
        probe(model, "x")


# --- born dead (Lu, Shin, Su & Karniadakis 2020) ---


def test_born_dead_width_one_closed_form():
    # Zero biases, one unit per layer: layer 1 is alive on one side of 0, and every later
    # layer passes it on with probability 1/2 (its weight must be positive).
    trials = 20_000
    p = simulate.born_dead_probability(8, 1, trials=trials, seed=1)
    expected = 1.0 - 0.5 ** (np.arange(1, 9) - 1)
    assert p[0] == 0.0
    assert np.all(np.abs(p - expected) <= 4 * 0.5 / math.sqrt(trials))


def test_born_dead_depth_one_never_dead_without_biases():
    for width in (1, 2, 5):
        assert simulate.born_dead_probability(1, width, trials=500)[0] == 0.0


def test_born_dead_endpoints_are_exact_without_biases():
    # Positive homogeneity: two points decide; the draws do not depend on n_points.
    a = simulate.born_dead_probability(30, 3, trials=400, seed=3, n_points=2)
    b = simulate.born_dead_probability(30, 3, trials=400, seed=3, n_points=65)
    np.testing.assert_array_equal(a, b)


def test_born_dead_one_layer_with_biases_closed_form():
    # relu(w x + b) is constant on [-1, 1] iff b <= -|w|; with w ~ N(0, 2), b ~ N(0, 2):
    # P = arctan(1) / pi = 1/4 per unit, (1/4)**width for a layer of independent units.
    trials = 20_000
    tol = 4 * 0.5 / math.sqrt(trials)
    p1 = simulate.born_dead_probability(1, 1, trials=trials, seed=4, bias_std=math.sqrt(2))
    p2 = simulate.born_dead_probability(1, 2, trials=trials, seed=5, bias_std=math.sqrt(2))
    assert abs(p1[0] - 0.25) <= tol
    assert abs(p2[0] - 0.0625) <= tol


def test_born_dead_rises_with_depth_and_falls_with_width():
    narrow = simulate.born_dead_probability(40, 2, trials=2000, seed=6)
    wide = simulate.born_dead_probability(40, 10, trials=2000, seed=6)
    assert np.all(np.diff(narrow) >= 0) and np.all(np.diff(wide) >= 0)
    assert narrow[-1] > 0.99 and wide[-1] < 0.1
    assert np.all(narrow >= wide)


def test_born_dead_below_single_input_bound():
    # Being dead needs the network to be 0 at x = 1, which has probability
    # 1 - (1 - 2**-width)**depth exactly (each layer kills it with probability 2**-width).
    trials = 5000
    for width in (2, 3, 4):
        p = simulate.born_dead_probability(25, width, trials=trials, seed=width)
        bound = 1.0 - (1.0 - 2.0 ** -width) ** np.arange(1, 26)
        assert np.all(p <= bound + 4 * 0.5 / math.sqrt(trials))


def test_born_dead_reproducible_and_multidimensional():
    a = simulate.born_dead_probability(10, 3, trials=300, seed=7, input_dim=3, bias_std=0.5)
    b = simulate.born_dead_probability(10, 3, trials=300, seed=7, input_dim=3, bias_std=0.5)
    np.testing.assert_array_equal(a, b)
    assert a.shape == (10,) and a.dtype == np.float64
    assert np.all((a >= 0) & (a <= 1)) and np.all(np.diff(a) >= 0)
    assert np.all(np.round(a * 300) == a * 300)  # multiples of 1 / trials


@pytest.mark.parametrize("kwargs, error, name", [
    ({"depth": 0}, ValueError, "depth"),
    ({"width": 0}, ValueError, "width"),
    ({"width": 2.0}, TypeError, "width"),
    ({"trials": 0}, ValueError, "trials"),
    ({"seed": -1}, ValueError, "seed"),
    ({"input_dim": 0}, ValueError, "input_dim"),
    ({"n_points": 1}, ValueError, "n_points"),
    ({"bias_std": -1.0}, ValueError, "bias_std"),
    ({"bias_std": float("nan")}, ValueError, "bias_std"),
    ({"depth": True}, TypeError, "depth"),
])
def test_born_dead_rejects_bad_arguments(kwargs, error, name):
    args = {"depth": 3, "width": 2, "trials": 10} | kwargs
    with pytest.raises(error, match=name):
        simulate.born_dead_probability(**args)


# --- the fixes' building blocks ---


def test_negative_leaky_slope_rejected_naming_the_argument():
    with pytest.raises(ValueError, match="negative_slope"):
        activations.get("leaky_relu", negative_slope=-0.1)


def test_maxout_equals_max_of_its_pieces():
    layer = models.Maxout(3, pieces=4, kernel_initializer=keras.initializers.RandomNormal(
        seed=0), bias_initializer=keras.initializers.RandomNormal(seed=1))
    x = np.random.default_rng(0).normal(size=(16, 5)).astype(np.float32)
    out = np.asarray(layer(x))
    pieces = np.asarray(layer.pieces_output(x))
    assert pieces.shape == (16, 4, 3)
    np.testing.assert_array_equal(out, pieces.max(axis=1))
    kernel, bias = (np.asarray(v) for v in layer.weights)
    # Kernel columns j * units + u hold piece j of unit u.
    by_hand = (x.astype(np.float64) @ kernel + bias).reshape(16, 4, 3)
    np.testing.assert_allclose(out, by_hand.max(axis=1), rtol=1e-5, atol=1e-5)


def test_maxout_with_a_zero_piece_is_relu():
    layer = models.Maxout(2, pieces=2)
    layer.build((None, 2))
    w = np.array([[1.0, -2.0], [0.5, 1.0]], dtype=np.float32)
    b = np.array([0.1, -0.3], dtype=np.float32)
    # Piece 0 is the affine map (w, b), piece 1 is identically zero.
    layer.set_weights([np.concatenate([w, np.zeros_like(w)], axis=1),
                       np.concatenate([b, np.zeros_like(b)])])
    x = np.array([[1.0, 1.0], [-1.0, 0.0], [0.0, 2.0]], dtype=np.float32)
    np.testing.assert_allclose(np.asarray(layer(x)), np.maximum(x @ w + b, 0.0), atol=1e-6)


def test_forward_many_matches_the_keras_models():
    # Batched float64 pass of several networks == each Keras model's own logits and probes.
    x = np.random.default_rng(0).normal(size=(50, 2)).astype(np.float32)
    for act in ("relu", "leaky_relu", "prelu", "elu", "maxout"):
        nets = [models.mlp(2, [8, 8], act, hidden_bias=-0.1, seed=s) for s in (0, 1, 2)]
        weights = [m.get_weights() for m in nets]
        zs, logits = probes.forward_many(weights, act, x)
        assert len(zs) == 2 and zs[0].shape == (3, 50, 8) and logits.shape == (3, 50, 2)
        for k, m in enumerate(nets):
            np.testing.assert_allclose(logits[k], m(x).numpy(), rtol=1e-4, atol=1e-5)
            if act != "maxout":
                ref = np.concatenate(list(probes.dead_units(m, x).values()))
                np.testing.assert_array_equal(probes.dead_masks(weights, act, x)[k], ref)
        if act == "relu":
            np.testing.assert_allclose(probes.zero_shares(weights, x),
                                       [probes.zero_fraction(m, x)["all"] for m in nets])


def test_dead_masks_of_the_hand_set_network_and_a_huge_one():
    weights = hand_set().get_weights()
    np.testing.assert_array_equal(probes.dead_masks([weights], "relu", X)[0],
                                  [False, True, True, True, False, False, True])
    # Kernels of 1e30 overflow float32 (NaN, which would count as alive) but not float64.
    huge = [w * 1e30 if w.ndim == 2 else w for w in weights]
    assert probes.dead_masks([huge], "relu", X)[0].tolist() == [False, True, True, True,
                                                                False, False, True]
