"""Tests of actbook.linear: collapsing affine stacks and counting linear pieces of ReLU nets."""

import numpy as np
import pytest

import actbook  # noqa: F401  (sets TensorFlow up quietly before keras is used)
from actbook import linear, models

# Two hand-written 2x2 layers, Keras convention x -> x @ K + c.
K1 = np.array([[1.0, 2.0], [3.0, 4.0]])
C1 = np.array([1.0, -1.0])
K2 = np.array([[0.0, 1.0], [1.0, 0.0]])  # swaps the two coordinates
C2 = np.array([0.5, 0.5])

# The triangle map g(t) = 2 relu(t) - 4 relu(t - 1/2) on [0, 1], composed with itself:
# g(g(t)) has kinks at 1/4, 1/2, 3/4 (4 pieces), the construction of Montufar et al. (2014).
SAWTOOTH = [
    (np.array([[1.0, 1.0]]), np.array([0.0, -0.5])),
    (np.array([[2.0, 2.0], [-4.0, -4.0]]), np.array([0.0, -0.5])),
    (np.array([[2.0], [-4.0]]), np.array([0.0])),
]


def test_collapse_of_two_hand_written_layers_is_the_hand_product():
    weight, bias = linear.collapse([(K1, C1), (K2, C2)])
    # K1 @ K2 swaps K1's columns; c1 @ K2 + c2 = (-1, 1) + (0.5, 0.5).
    np.testing.assert_array_equal(weight, [[2.0, 1.0], [4.0, 3.0]])
    np.testing.assert_array_equal(bias, [-0.5, 1.5])


def test_collapse_of_one_layer_is_that_layer():
    weight, bias = linear.collapse([(K1, C1)])
    np.testing.assert_array_equal(weight, K1)
    np.testing.assert_array_equal(bias, C1)


def test_collapse_agrees_with_the_linear_forward_pass():
    rng = np.random.default_rng(0)
    widths = [3, 5, 2, 4]
    layers = [(rng.normal(size=(a, b)), rng.normal(size=b)) for a, b in zip(widths, widths[1:])]
    x = rng.normal(size=(7, 3))
    weight, bias = linear.collapse(layers)
    np.testing.assert_allclose(x @ weight + bias,
                               linear.forward(layers, x, hidden_activation="linear"), atol=1e-12)
    assert linear.rank_bound(layers) == 2
    assert np.linalg.matrix_rank(weight) == 2


def test_rank_bound_counts_input_and_output_widths():
    layers = [(np.ones((1, 4)), np.zeros(4)), (np.ones((4, 3)), np.zeros(3))]
    assert linear.rank_bound(layers) == 1
    assert linear.rank_bound([(K1, C1), (K2, C2)]) == 2


def test_collapse_of_a_keras_linear_mlp_reproduces_its_outputs():
    model = models.mlp(4, [6, 2, 6], activation="linear", output_units=3, init="nielsen", seed=1)
    layers = linear.dense_layers(model)
    assert [k.shape for k, _ in layers] == [(4, 6), (6, 2), (2, 6), (6, 3)]
    weight, bias = linear.collapse(layers)
    x = np.random.default_rng(2).normal(size=(20, 4)).astype(np.float32)
    np.testing.assert_allclose(x @ weight + bias, np.asarray(model(x)), atol=1e-4)
    assert np.linalg.matrix_rank(weight) == linear.rank_bound(layers) == 2


def test_forward_relu_by_hand():
    layers = [(np.array([[1.0, -1.0]]), np.array([0.0, 0.0])),
              (np.array([[1.0], [1.0]]), np.array([0.5]))]
    x = np.array([[-2.0], [0.0], [3.0]])
    np.testing.assert_array_equal(linear.forward(layers, x)[:, 0], [2.5, 0.5, 3.5])  # |x| + 0.5


def test_kinks_of_a_hand_set_one_hidden_layer_network():
    # Breakpoints -c/k: 0, 1, 0.5, -1. Unit 3 has outgoing weight 0 (no kink at 0.5);
    # -1 lies outside the interval.
    layers = [(np.array([[1.0, 1.0, -1.0, 2.0]]), np.array([0.0, -1.0, 0.5, 2.0])),
              (np.array([[1.0], [-2.0], [0.0], [3.0]]), np.array([0.0]))]
    np.testing.assert_allclose(linear.relu_kinks(layers, -0.5, 2.0), [0.0, 1.0])
    assert linear.count_pieces(layers, -0.5, 2.0) == 3
    assert linear.count_pieces(layers, -2.0, 2.0) == 4  # -1 is inside now
    assert linear.count_pieces(layers, 1.5, 2.0) == 1


def test_kinks_that_cancel_are_not_counted():
    first = (np.array([[1.0, -1.0]]), np.array([0.0, 0.0]))
    absolute = [first, (np.array([[1.0], [1.0]]), np.array([0.0]))]   # relu(t) + relu(-t) = |t|
    identity = [first, (np.array([[1.0], [-1.0]]), np.array([0.0]))]  # relu(t) - relu(-t) = t
    assert linear.count_pieces(absolute, -1.0, 1.0) == 2
    assert linear.count_pieces(identity, -1.0, 1.0) == 1
    zero = [first, (np.zeros((2, 1)), np.array([1.0]))]
    assert linear.count_pieces(zero, -1.0, 1.0) == 1


def test_kinks_of_a_two_hidden_layer_sawtooth():
    np.testing.assert_allclose(linear.relu_kinks(SAWTOOTH, 0.0, 1.0), [0.25, 0.5, 0.75])
    assert linear.count_pieces(SAWTOOTH, 0.0, 1.0) == 4
    t = np.array([[0.0], [0.25], [0.5], [0.75], [1.0]])
    np.testing.assert_allclose(linear.forward(SAWTOOTH, t)[:, 0], [0.0, 1.0, 0.0, 1.0, 0.0])


def test_kinks_of_a_keras_relu_mlp_match_slope_changes_on_a_fine_grid():
    model = models.mlp(1, [6, 6], activation="relu", output_units=2, init="nielsen", seed=3)
    layers = linear.dense_layers(model, hidden_activation="relu")
    kinks = linear.relu_kinks(layers, -3.0, 3.0)
    t = np.linspace(-3.0, 3.0, 60001)
    f = linear.forward(layers, t[:, None])[:, 0]
    slope = np.diff(f) / np.diff(t)
    changed = np.abs(np.diff(slope)) > 1e-6
    # each kink between grid points shows up as a slope change at one or two grid points
    grid_kinks = t[1:-1][changed]
    assert len(kinks) >= 1
    for kink in kinks:
        assert np.min(np.abs(grid_kinks - kink)) <= 2e-4
    for g in grid_kinks:
        assert np.min(np.abs(kinks - g)) <= 2e-4


def test_dense_layers_checks_the_activations():
    relu = models.mlp(1, [3], activation="relu", output_units=2)
    assert len(linear.dense_layers(relu, hidden_activation="relu")) == 2
    with pytest.raises(ValueError, match="hidden Dense layer 1"):
        linear.dense_layers(relu)  # expects no activation
    tanh = models.mlp(1, [3], activation="tanh", output_units=2)
    with pytest.raises(ValueError, match="tanh"):
        linear.dense_layers(tanh, hidden_activation="relu")
    with pytest.raises(TypeError, match="model"):
        linear.dense_layers("not a model")
    with pytest.raises(ValueError, match="hidden_activation"):
        linear.dense_layers(relu, hidden_activation="sigmoid")


@pytest.mark.parametrize("layers, error, name", [
    ([], ValueError, "layers"),
    ("K1", TypeError, "layers"),
    (K1, TypeError, "layers must be a list"),
    ([(K1, C1, C1)], TypeError, r"layers\[0\]"),
    ([(K1, C1), (np.ones((3, 2)), C2)], ValueError, r"layers\[1\] kernel"),
    ([(K1, np.ones(3))], ValueError, r"layers\[0\] bias"),
    ([(np.ones(2), C1)], ValueError, r"layers\[0\] kernel"),
    ([(K1, np.array([np.nan, 0.0]))], ValueError, r"layers\[0\] bias"),
    ([(K1.astype(str), C1)], TypeError, r"layers\[0\] kernel"),
])
def test_bad_layers_raise_and_name_the_argument(layers, error, name):
    with pytest.raises(error, match=name):
        linear.collapse(layers)
    with pytest.raises(error, match=name):
        linear.rank_bound(layers)


def test_bad_arguments_of_forward_and_relu_kinks():
    with pytest.raises(ValueError, match="hidden_activation"):
        linear.forward([(K1, C1)], np.ones((1, 2)), hidden_activation="tanh")
    with pytest.raises(ValueError, match="x"):
        linear.forward([(K1, C1)], np.ones((1, 3)))
    with pytest.raises(ValueError, match=r"layers\[0\] kernel"):
        linear.relu_kinks([(K1, C1)], 0.0, 1.0)  # two inputs
    with pytest.raises(ValueError, match="lo"):
        linear.relu_kinks(SAWTOOTH, 1.0, 1.0)
    with pytest.raises(TypeError, match="hi"):
        linear.relu_kinks(SAWTOOTH, 0.0, "1")
    with pytest.raises(ValueError, match="rtol"):
        linear.count_pieces(SAWTOOTH, 0.0, 1.0, rtol=-1.0)


def test_sawtooth_is_the_hand_set_network_and_doubles_its_pieces_per_layer():
    for (k, c), (k2, c2) in zip(linear.sawtooth(2), SAWTOOTH):
        np.testing.assert_array_equal(k, k2)
        np.testing.assert_array_equal(c, c2)
    for depth in range(1, 6):
        kinks = linear.relu_kinks(linear.sawtooth(depth), 0.0, 1.0)
        np.testing.assert_allclose(kinks, np.arange(1, 2**depth) / 2**depth, atol=1e-12)
    assert linear.count_pieces(linear.sawtooth(3), 0.0, 1.0) == 8
    with pytest.raises(ValueError, match="depth"):
        linear.sawtooth(0)
    with pytest.raises(TypeError, match="depth"):
        linear.sawtooth(2.0)
