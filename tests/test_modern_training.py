"""Adam, gradient clipping, batch normalisation, residual connections and gated units in the
trainers (chapter 6): closed forms, hand-set weights, Keras as the oracle, train == train_many."""

from __future__ import annotations

import keras
import numpy as np
import pytest
import tensorflow as tf

from actbook import data, models, training

X, Y = data.xor_data(n=200, seed=3)
X_TR, Y_TR, X_VAL, Y_VAL = data.train_val_split(X, Y)
TRAINING = dict(steps=120, batch_size=16, record_every=40)
#: As tests/test_train_many.py: float32 round-off of the batched matmul, which Adam's
#: sign-like first steps can amplify where a gradient is near 0 (then m / sqrt(v) flips).
WEIGHT_TOL = 5e-4


def _linear_model(w, b):
    model = models.mlp(2, [], "linear", 2, seed=0)
    model.set_weights([np.asarray(w, np.float32), np.asarray(b, np.float32)])
    return model


def _mean_ce_grad(w, b, x, y):
    """Gradient of the mean softmax cross-entropy of logits x w + b, in float64 (by hand)."""
    z = x @ w + b
    p = np.exp(z - z.max(axis=1, keepdims=True))
    p /= p.sum(axis=1, keepdims=True)
    d = (p - np.eye(2)[y]) / len(x)
    return x.T @ d, d.sum(axis=0)


HAND_X = np.array([[1.0, -2.0], [0.5, 1.5], [-1.0, 0.25], [2.0, 1.0]], np.float32)
HAND_Y = np.array([0, 1, 1, 0])
HAND_W = np.array([[0.3, -0.2], [0.1, 0.4]])
HAND_B = np.array([0.05, -0.1])


def test_adams_first_step_is_the_closed_form():
    # After one step from zero moments: m = (1 - b1) g, v = (1 - b2) g^2, so Keras' update
    # lr sqrt(1 - b2) / (1 - b1) * m / (sqrt(v) + eps) = lr g / (|g| + eps / sqrt(1 - b2)):
    # a step of almost exactly lr against the sign of every gradient component
    # (Kingma & Ba 2015, section 2; eps is their epsilon-hat).
    lr = 0.01
    model = _linear_model(HAND_W, HAND_B)
    training.train(model, HAND_X, HAND_Y, steps=1, batch_size=4, record_every=1,
                   learning_rate=lr, optimizer="adam")
    gw, gb = _mean_ce_grad(HAND_W, HAND_B, HAND_X.astype(np.float64), HAND_Y)
    eps = 1e-7 / np.sqrt(1 - 0.999)
    for got, w0, g in zip(model.get_weights(), (HAND_W, HAND_B), (gw, gb)):
        np.testing.assert_allclose(got, w0 - lr * g / (np.abs(g) + eps), rtol=0, atol=1e-7)
        np.testing.assert_allclose(np.abs(got - w0), lr, rtol=1e-4)   # sign-like step


def test_adam_follows_keras_adam_step_for_step():
    lr = 0.05
    model = _linear_model(HAND_W, HAND_B)
    training.train(model, HAND_X, HAND_Y, steps=6, batch_size=4, record_every=1,
                   learning_rate=lr, optimizer="adam")
    oracle = _linear_model(HAND_W, HAND_B)
    adam = keras.optimizers.Adam(learning_rate=lr)
    onehot = tf.one_hot(HAND_Y, 2)
    for _ in range(6):   # full batch: every step sees all four examples, in any order
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.categorical_crossentropy(
                onehot, oracle(HAND_X), from_logits=True))
        adam.apply(tape.gradient(loss, oracle.trainable_variables), oracle.trainable_variables)
    for got, want in zip(model.get_weights(), oracle.get_weights()):
        np.testing.assert_allclose(got, want, rtol=0, atol=1e-6)


def test_clipping_scales_a_long_gradient_to_the_norm_and_keeps_a_short_one():
    g = _mean_ce_grad(HAND_W, HAND_B, HAND_X.astype(np.float64), HAND_Y)
    norm = float(np.sqrt(sum(np.sum(v ** 2) for v in g)))
    for clip in (norm / 4, norm * 4):
        model = _linear_model(HAND_W, HAND_B)
        training.train(model, HAND_X, HAND_Y, steps=1, batch_size=4, record_every=1,
                       learning_rate=1.0, clip_norm=clip)
        scale = min(1.0, clip / norm)
        for got, w0, gi in zip(model.get_weights(), (HAND_W, HAND_B), g):
            np.testing.assert_allclose(got, w0 - scale * gi, rtol=0, atol=1e-6)


def test_clipping_a_gradient_whose_squared_norm_overflows_float32():
    # Every example misclassified with logits ~ 1e20: ||g|| ~ 1e20, the float32 sum of
    # squares is inf, and c / inf would make the step 0.
    x, y = HAND_X * np.float32(1e20), 1 - HAND_Y
    for many in (False, True):
        model = _linear_model(HAND_W, HAND_B)
        if many:
            runs = training.train_many(model, x, y, seeds=[0], steps=1, batch_size=4,
                                       record_every=1, learning_rates=[0.1], clip_norm=1.0)
            after = runs.weights[0]
        else:
            training.train(model, x, y, steps=1, batch_size=4, record_every=1,
                           learning_rate=0.1, clip_norm=1.0)
            after = model.get_weights()
        step = np.sqrt(sum(np.sum((a.astype(np.float64) - b) ** 2)
                           for a, b in zip(after, (HAND_W, HAND_B))))
        assert step == pytest.approx(0.1, rel=1e-4), many


@pytest.mark.parametrize("activation, options", [
    ("relu", {}), ("tanh", {"residual": True}), ("swiglu", {}), ("glu", {}),
    ("sigmoid", {"residual": True})])
@pytest.mark.parametrize("optimizer, rates, clip", [
    ("adam", [0.01, 0.003, 0.03], None), ("sgd", [0.1, 0.5, 0.05], 0.5)])
def test_each_network_matches_train(activation, options, optimizer, rates, clip):
    seeds, hidden = [0, 5, 2], [6, 6]
    template = models.mlp(2, hidden, activation, 2, seed=0, **options)
    start = [models.initial_weights(2, hidden, activation, 2, seed=s, **options) for s in seeds]
    runs = training.train_many(template, X_TR, Y_TR, x_val=X_VAL, y_val=Y_VAL, seeds=seeds,
                               learning_rates=rates, initial_weights=start,
                               optimizer=optimizer, clip_norm=clip, **TRAINING)
    assert not runs.diverged.any()
    for k, (seed, rate) in enumerate(zip(seeds, rates)):
        model = models.mlp(2, hidden, activation, 2, seed=seed, **options)
        history = training.train(model, X_TR, Y_TR, x_val=X_VAL, y_val=Y_VAL, seed=seed,
                                 learning_rate=rate, optimizer=optimizer, clip_norm=clip,
                                 **TRAINING)
        for direct, batched in zip(model.get_weights(), runs.weights[k]):
            np.testing.assert_allclose(batched, direct, rtol=0, atol=WEIGHT_TOL)
        np.testing.assert_allclose(runs.histories[k].loss, history.loss, atol=1e-4)


def test_sgd_default_is_unchanged_by_the_new_options():
    model_a = models.mlp(2, [5], "tanh", 2, seed=1)
    model_b = models.mlp(2, [5], "tanh", 2, seed=1)
    training.train(model_a, X_TR, Y_TR, **TRAINING)
    training.train(model_b, X_TR, Y_TR, optimizer="sgd", clip_norm=None, **TRAINING)
    for a, b in zip(model_a.get_weights(), model_b.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_batch_norm_in_train_many_is_kerass_training_mode_per_network():
    x = np.random.default_rng(0).normal(size=(32, 3)).astype(np.float32) * 3 + 1
    template = models.mlp(3, [4], "relu", 2, norm="batch", seed=0)
    weights = [models.initial_weights(3, [4], "relu", 2, norm="batch", seed=s)
               for s in (0, 1)]
    weights[1][2] = np.array([2.0, 0.5, 1.0, 3.0], np.float32)    # gamma of network 1
    weights[1][3] = np.array([0.1, -0.2, 0.0, 1.0], np.float32)   # beta
    forward = training._stacked_forward(template)
    stacked = training._stack(weights, training._trainable_order(template))
    taps = {}
    forward(stacked, tf.constant(x), taps)
    normed = taps["hidden_1_norm"].numpy()
    # network 0 (gamma 1, beta 0): mean 0 and variance var / (var + eps) ~ 1 per unit
    np.testing.assert_allclose(normed[0].mean(axis=0), 0, atol=1e-5)
    np.testing.assert_allclose(normed[0].var(axis=0), 1, atol=2e-3)
    for k in (0, 1):   # each network equals Keras' layer in training mode with its weights
        model = models.mlp(3, [4], "relu", 2, norm="batch", seed=0)
        model.set_weights(weights[k])
        pre = model.get_layer("hidden_1_pre")(x)
        want = model.get_layer("hidden_1_norm")(pre, training=True)
        np.testing.assert_allclose(normed[k], want, rtol=0, atol=1e-5)


def test_residual_block_with_zero_weights_is_the_identity():
    template = models.mlp(3, [4, 4, 4], "tanh", 2, residual=True, seed=0)
    w = models.initial_weights(3, [4, 4, 4], "tanh", 2, residual=True, seed=0)
    for i in (2, 3, 4, 5):        # kernels and biases of hidden layers 2 and 3
        w[i] = np.zeros_like(w[i])
    x = np.random.default_rng(1).normal(size=(10, 3)).astype(np.float32)
    taps = {}
    training._stacked_forward(template)(training._stack([w], training._trainable_order(
        template)), tf.constant(x), taps)
    np.testing.assert_array_equal(taps["hidden_3_res"].numpy(), taps["hidden_1"].numpy())
    template.set_weights(w)
    np.testing.assert_allclose(template(x), taps["logits"].numpy()[0], atol=1e-6)


@pytest.mark.parametrize("name, gate", [("glu", lambda z: 1 / (1 + np.exp(-z))),
                                        ("swiglu", lambda z: z / (1 + np.exp(-z)))])
def test_gated_layer_is_the_closed_form(name, gate):
    model = models.mlp(3, [4], name, 2, seed=2)
    kernel, bias = model.get_weights()[:2]
    bias = np.linspace(-1, 1, 8).astype(np.float32)
    model.set_weights([kernel, bias, *model.get_weights()[2:]])
    x = np.random.default_rng(2).normal(size=(5, 3)).astype(np.float64)
    z = x @ kernel + bias
    want = gate(z[:, :4]) * z[:, 4:]
    got = keras.Model(model.input, model.get_layer("hidden_1").output)(x.astype(np.float32))
    np.testing.assert_allclose(got, want, atol=1e-5)


def test_layer_stats_match_a_gradient_tape_on_the_keras_model():
    x, y = X_TR[:50], Y_TR[:50]
    for options in ({}, {"residual": True}):
        model = models.mlp(2, [5, 5], "relu", 2, seed=3, hidden_bias=-0.3, **options)
        got = training.layer_stats_many(model, [model.get_weights()], x, y)
        with tf.GradientTape() as tape:
            loss = tf.reduce_mean(keras.losses.sparse_categorical_crossentropy(
                y, model(x), from_logits=True))
        grads = tape.gradient(loss, [model.get_layer(f"hidden_{i}_pre").kernel
                                     for i in (1, 2)])
        np.testing.assert_allclose(got["gradient_norm"][0],
                                   [np.linalg.norm(g.numpy()) for g in grads], rtol=1e-4)
        outs = keras.Model(model.input, [model.get_layer(n).output for n in
                                         ("hidden_1", "hidden_2")])(x)
        h1, h2 = (o.numpy() for o in outs)
        last = h1 + h2 if options else h2
        np.testing.assert_allclose(got["spread"][0], [h1.std(0).mean(), last.std(0).mean()],
                                   rtol=1e-4)
        dead = (np.all(h1 == 0, axis=0).sum() + np.all(h2 == 0, axis=0).sum()) / 10
        assert got["dead"][0] == dead
