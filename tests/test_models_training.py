import numpy as np
import pytest
from numpy_reference import train_numpy

from actbook import data, models, probes, training


def test_mlp_shapes_names_and_original_initialisation():
    model = models.mlp(2, [300], "sigmoid", init="original", seed=0)
    assert [w.shape for w in model.weights] == [(2, 300), (300,), (300, 2), (2,)]
    kernel, bias = model.get_layer("hidden_1_pre").get_weights()
    np.testing.assert_allclose(bias, 0.1)
    assert np.abs(kernel).max() <= 0.2 + 1e-6          # truncated at 2 standard deviations
    assert models.hidden_layer_names(model) == ["hidden_1"]


def test_same_seed_same_weights_across_activations():
    a = models.mlp(2, [8, 8], "relu", seed=5, init="he_normal")
    b = models.mlp(2, [8, 8], "tanh", seed=5, init="he_normal")
    for wa, wb in zip(a.get_weights(), b.get_weights()):
        np.testing.assert_array_equal(wa, wb)


def test_he_and_nielsen_variances():
    he = models.mlp(400, [400], "relu", init="he_normal", seed=1)
    kernel = he.get_layer("hidden_1_pre").get_weights()[0]
    assert kernel.var() == pytest.approx(2 / 400, rel=0.05)
    ni = models.mlp(400, [400], "sigmoid", init="nielsen", seed=1)
    kernel, bias = ni.get_layer("hidden_1_pre").get_weights()
    assert kernel.var() == pytest.approx(1 / 400, rel=0.05)
    assert bias.var() == pytest.approx(1.0, rel=0.2)


def test_standard_initialisation_is_uniform_within_one_over_sqrt_fan_in():
    kernel = models.mlp(100, [400], "sigmoid", init="standard", seed=1).get_weights()[0]
    assert np.abs(kernel).max() <= 0.1 + 1e-7
    assert np.abs(kernel).max() > 0.099
    assert kernel.var() == pytest.approx(1 / 300, rel=0.05)


def test_hidden_bias_override():
    model = models.mlp(2, [4], "relu", hidden_bias=-1.5)
    np.testing.assert_array_equal(model.get_layer("hidden_1_pre").get_weights()[1], -1.5)


def test_hand_set_network_probes():
    model = models.mlp(2, [2], "relu", output_units=2)
    model.get_layer("hidden_1_pre").set_weights([np.array([[1.0, -1.0], [0.0, 0.0]]),
                                                 np.zeros(2)])
    model.get_layer("logits").set_weights([np.eye(2), np.zeros(2)])
    x = np.array([[2.0, 5.0], [-3.0, 1.0]], np.float32)
    np.testing.assert_allclose(probes.pre_activations(model, x)["hidden_1"], [[2, -2], [-3, 3]])
    np.testing.assert_allclose(probes.hidden_activations(model, x)["hidden_1"], [[2, 0], [0, 3]])
    np.testing.assert_allclose(probes.logits(model, x), [[2, 0], [0, 3]])


def test_maxout_kernel_gets_dense_like_fans():
    # He initialisation depends on fan_in only: each maxout piece must get Var = 2 / n_in,
    # not the convolution-style fans Keras computes for a 3-D kernel.
    model = models.mlp(64, [64], "maxout", init="he_normal", seed=0)
    kernel = model.get_layer("hidden_1").get_weights()[0]
    assert kernel.shape == (64, 128)
    assert kernel.var() == pytest.approx(2 / 64, rel=0.05)


def test_maxout_is_the_max_of_its_pieces():
    # Hand-set weights, one input, 2 units x 2 pieces; kernel columns are piece-major
    # (column j * units + u is piece j of unit u): unit 0 = max(x, -x) = |x|,
    # unit 1 = max(2x + 1, 0.5x) (a leaky-ReLU-like unit with its kink at x = -2/3).
    layer = models.Maxout(2, pieces=2)
    layer.build((None, 1))
    layer.kernel.assign(np.array([[1.0, 2.0, -1.0, 0.5]], np.float32))
    layer.bias.assign(np.array([0.0, 1.0, 0.0, 0.0], np.float32))
    x = np.array([[-3.0], [-1.0], [0.0], [2.0]], np.float32)
    expected = np.array([[3.0, -1.5], [1.0, -0.5], [0.0, 1.0], [2.0, 5.0]], np.float32)
    np.testing.assert_array_equal(np.asarray(layer(x)), expected)


def _xor():
    x, y = data.xor_data(n=400, seed=0)
    return data.train_val_split(x, y)


def test_training_is_deterministic_and_learns_xor():
    xt, yt, xv, yv = _xor()
    runs = []
    for _ in range(2):
        model = models.mlp(2, [16], "tanh", init="original", seed=0)
        runs.append(training.train(model, xt, yt, x_val=xv, y_val=yv, steps=1000,
                                   batch_size=64, learning_rate=0.5, record_every=100))
    np.testing.assert_array_equal(runs[0].loss, runs[1].loss)
    assert runs[0].val_accuracy[-1] == 1.0
    assert runs[0].step.tolist() == list(range(0, 1001, 100))


def test_chunked_training_equals_one_run():
    xt, yt, _, _ = _xor()
    one = models.mlp(2, [8], "relu", seed=1)
    training.train(one, xt, yt, steps=300, batch_size=32, record_every=100)
    two = models.mlp(2, [8], "relu", seed=1)
    training.train(two, xt, yt, steps=100, batch_size=32, record_every=100)
    training.train(two, xt, yt, steps=200, batch_size=32, record_every=100, start_step=100)
    for a, b in zip(one.get_weights(), two.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=1e-6)


def test_one_sgd_step_matches_the_hand_computed_update():
    # Linear model, batch = whole set: one step is w <- w - lr * X^T (softmax - onehot) / n.
    x = np.array([[1.0, 0.0], [0.0, 2.0]], np.float32)
    y = np.array([0, 1])
    model = models.mlp(2, [], "linear", output_units=2)
    w0, b0 = [np.array(v) for v in model.get_weights()]
    training.train(model, x, y, steps=1, batch_size=2, learning_rate=0.5, record_every=1)
    logits = x @ w0 + b0
    p = np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True)
    d = (p - np.eye(2)[y]) / 2
    np.testing.assert_allclose(model.get_weights()[0], w0 - 0.5 * x.T @ d, atol=1e-6)
    np.testing.assert_allclose(model.get_weights()[1], b0 - 0.5 * d.sum(axis=0), atol=1e-6)


def test_divergence_names_step_and_loss_and_keeps_weights():
    xt, yt, _, _ = _xor()
    model = models.mlp(2, [16], "relu", seed=0)
    before = model.get_weights()
    with pytest.raises(training.TrainingDivergedError, match=r"diverged at step \d+: .*loss"):
        training.train(model, xt * 1e3, yt, steps=500, learning_rate=1e6, record_every=100)
    for a, b in zip(before, model.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_evaluate_and_steps_to():
    xt, yt, xv, yv = _xor()
    model = models.mlp(2, [16], "relu", seed=0)
    h = training.train(model, xt, yt, x_val=xv, y_val=yv, steps=500, batch_size=64,
                       learning_rate=0.5, record_every=50)
    loss, acc = training.evaluate(model, xv, yv)
    assert acc == pytest.approx(h.val_accuracy[-1])
    assert loss == pytest.approx(h.val_loss[-1], rel=1e-4)
    # steps_to: the first recorded step at or above the target, on a history set by hand.
    hand = training.History(step=np.array([0, 50, 100, 150]), loss=np.zeros(4),
                            accuracy=np.zeros(4), val_loss=np.zeros(4),
                            val_accuracy=np.array([0.5, 0.8, 0.75, 0.95]))
    assert hand.steps_to(0.0) == 0 and hand.steps_to(0.75) == 50
    assert hand.steps_to(0.9) == 150 and hand.steps_to(0.96) is None


def test_trainer_matches_hand_written_numpy_sgd():
    # Same initial weights, same minibatches: the compiled trainer and a hand-written NumPy
    # forward/backward pass must give the same weights after 60 steps (3 epochs of 20 steps).
    x, y = data.xor_data(n=200, seed=4)
    model = models.mlp(2, [6], "sigmoid", init="original", seed=3)
    start = [np.array(w) for w in model.get_weights()]
    training.train(model, x, y, steps=60, batch_size=10, learning_rate=0.5, seed=9,
                   record_every=60)
    batches = training.minibatch_indices(200, 10, 60, seed=9)
    assert batches.shape == (60, 10)
    assert sorted(batches[:20].ravel().tolist()) == list(range(200))   # one epoch = a permutation
    expected, _ = train_numpy(start, x, y, batches, 0.5)
    for got, want in zip(model.get_weights(), expected):
        np.testing.assert_allclose(got, want, atol=2e-5)


def test_one_output_only_for_regression_and_never_trained_with_softmax():
    # A softmax over one logit is constant (probability 1 for class 0), so a classifier needs
    # at least 2 logits; a real-valued output (chapter 1's function fits) says so explicitly.
    net = models.mlp(1, [3], "relu", output_units=1, regression=True, seed=0)
    assert net.get_layer("output").units == 1
    # (a one-logit classifier and mlp's output_units/regression checks: test_bad_inputs)
