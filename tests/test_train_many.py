"""train_many: network k of a multi-network run is the single-model run on its own seed and rate."""

from __future__ import annotations

import os
import re

import numpy as np
import pytest

from actbook import activations, data, models, training

X, Y = data.xor_data(n=200, seed=3)
X_TR, Y_TR, X_VAL, Y_VAL = data.train_val_split(X, Y)
TRAINING = dict(steps=120, batch_size=16, record_every=40)

#: float32 round-off: the batched matmul adds in another order than Dense's matmul. Measured
#: after 120 steps: at most 5e-7 for every activation except where a ReLU pre-activation sits
#: within round-off of 0 and takes the other side of the kink (then up to ~1e-4).
WEIGHT_TOL = 5e-4


@pytest.mark.parametrize("name", activations.names())
def test_each_network_matches_train_on_its_seed_and_rate(name):
    seeds, rates = [0, 5, 2], [0.1, 0.5, 0.05]
    template = models.mlp(2, [6, 5], name, 2, seed=0)
    start = [models.initial_weights(2, [6, 5], name, 2, seed=s) for s in seeds]
    runs = training.train_many(template, X_TR, Y_TR, x_val=X_VAL, y_val=Y_VAL, seeds=seeds,
                               learning_rates=rates, initial_weights=start, **TRAINING)
    assert not runs.diverged.any()
    for k, (seed, rate) in enumerate(zip(seeds, rates)):
        model = models.mlp(2, [6, 5], name, 2, seed=seed)
        history = training.train(model, X_TR, Y_TR, x_val=X_VAL, y_val=Y_VAL, seed=seed,
                                 learning_rate=rate, **TRAINING)
        for direct, batched in zip(model.get_weights(), runs.weights[k]):
            np.testing.assert_allclose(batched, direct, rtol=0, atol=WEIGHT_TOL)
        got = runs.histories[k]
        np.testing.assert_array_equal(got.step, history.step)
        np.testing.assert_allclose(got.loss, history.loss, atol=1e-5)
        np.testing.assert_allclose(got.val_accuracy, history.val_accuracy, atol=1 / len(Y_VAL))
    # the template is not trained
    np.testing.assert_array_equal(template.get_weights()[0],
                                  models.initial_weights(2, [6, 5], name, 2, seed=0)[0])


def test_initial_weights_equal_the_models_own():
    for name in activations.names():
        for init in models.INITIALISATIONS:
            built = models.mlp(3, [4, 2], name, 3, init=init, hidden_bias=-0.25, seed=9)
            drawn = models.initial_weights(3, [4, 2], name, 3, init=init, hidden_bias=-0.25,
                                           seed=9)
            assert [w.shape for w in built.get_weights()] == [w.shape for w in drawn]
            for a, b in zip(built.get_weights(), drawn):
                np.testing.assert_array_equal(a, b)


def test_one_diverging_rate_does_not_stop_or_poison_the_others():
    x = np.array([[3.0, -2.0], [-1.0, 4.0], [2.0, 2.0], [-3.0, -1.0]] * 8, dtype=np.float32)
    y = np.array([0, 1, 0, 1] * 8)
    template = models.mlp(2, [4], "linear", 2, seed=0)
    rates = [0.05, 1e5, 0.2]
    runs = training.train_many(template, x, y, seeds=[0, 0, 0], learning_rates=rates,
                               steps=40, batch_size=8, record_every=10)
    assert runs.diverged.tolist() == [False, True, False]
    bad = runs.histories[1]
    assert bad.diverged_step is not None and 0 < bad.diverged_step < 40
    assert not np.isfinite(bad.diverged_loss)
    assert np.all(bad.step < bad.diverged_step) and np.all(np.isfinite(bad.loss))
    assert all(np.all(np.isfinite(w)) for w in runs.weights[1])    # frozen before the blow-up
    with pytest.raises(training.TrainingDivergedError):
        training.train(models.mlp(2, [4], "linear", 2, seed=0), x, y, steps=40, batch_size=8,
                       learning_rate=1e5, record_every=10)
    for k in (0, 2):    # the others ran all 40 steps, as alone
        alone = models.mlp(2, [4], "linear", 2, seed=0)
        h = training.train(alone, x, y, steps=40, batch_size=8, learning_rate=rates[k],
                           record_every=10)
        assert runs.histories[k].diverged_step is None
        np.testing.assert_array_equal(runs.histories[k].step, h.step)
        np.testing.assert_allclose(runs.histories[k].loss, h.loss, atol=1e-5)


def test_evaluate_many_matches_evaluate():
    start = [models.initial_weights(2, [5], "tanh", 2, seed=s) for s in (1, 2)]
    template = models.mlp(2, [5], "tanh", 2)
    loss, acc = training.evaluate_many(template, start, X_VAL, Y_VAL)
    for k, s in enumerate((1, 2)):
        l1, a1 = training.evaluate(models.mlp(2, [5], "tanh", 2, seed=s), X_VAL, Y_VAL)
        assert loss[k] == pytest.approx(l1, abs=1e-5) and acc[k] == pytest.approx(a1)


def test_memory_estimate_counts_weights_activations_and_records():
    model = models.mlp(2, [10], "relu", 2)          # 2*10+10 + 10*2+2 = 52 weights
    # units per row: input 2, hidden_1_pre 10 + its kernel's 10 columns, hidden_1 10,
    # logits 2 + 2 columns = 36; S x (4 bytes x (5 x 52 + 5 x rows x 36) + 128 x records)
    assert training.estimate_memory(model, 3, 100, 10, records=7) == \
        3 * (4 * (5 * 52 + 5 * 100 * 36) + 128 * 7)
    maxout = models.mlp(2, [10], "maxout", 2)       # 2 pieces: the kernel has 20 columns
    assert training.estimate_memory(maxout, 1, 1, 1) == 4 * (5 * (2 * 20 + 20 + 10 * 2 + 2)
                                                             + 5 * (2 + 10 + 20 + 2 + 2))


_PEAK = """
import sys, numpy as np, actbook
from actbook import models, training
kind, S = sys.argv[1], int(sys.argv[2])
d, hidden, act = {"wide input": (784, [2], "relu"), "maxout": (8, [256], "maxout")}[kind]
rng = np.random.default_rng(0)
x = rng.normal(size=(2000, d)).astype(np.float32); y = rng.integers(0, 10, 2000)
template = models.mlp(d, hidden, act, 10)
training.train_many(template, x, y, seeds=list(range(S)), steps=2, batch_size=2000,
                    record_every=1)
# VmHWM, the peak resident memory of this process's memory map (ru_maxrss would carry the
# parent's peak across fork and exec)
hwm = next(int(line.split()[1]) for line in open("/proc/self/status") if line.startswith("VmHWM"))
print(hwm * 1024, training.estimate_memory(template, S, 2000, 2000, records=3))
"""


@pytest.mark.skipif(not os.path.exists("/proc/self/status"), reason="reads Linux's VmHWM")
@pytest.mark.parametrize("kind", ["wide input", "maxout"])
def test_memory_estimate_is_above_the_measured_peak(kind):
    # Two fresh processes, one training 1 network and one 48 (batch = the whole set, where the
    # gathered input is largest): the difference of their peak resident memory against the
    # estimate for 48 networks. Before the estimate counted the input and maxout's pieces, it
    # was 30x too low for the wide input.
    import subprocess
    import sys

    def peak(n_models):
        out = subprocess.run([sys.executable, "-c", _PEAK, kind, str(n_models)],
                             capture_output=True, text=True, check=True).stdout.split()
        return int(out[-2]), int(out[-1])

    (one, _), (many, estimate) = peak(1), peak(48)
    growth = many - one
    assert growth > 50 * 2**20, ("the run should need memory worth estimating", one, many)
    assert estimate >= growth, (kind, growth / 2**20, estimate / 2**20)


def test_a_sequential_model_trains_as_its_functional_twin():
    import keras

    seq = keras.Sequential([keras.Input((2,)), keras.layers.Dense(5),
                            keras.layers.Activation("tanh"), keras.layers.Dense(2)])
    start = seq.get_weights()
    runs = training.train_many(seq, X_TR, Y_TR, seeds=[4], **TRAINING)
    alone = keras.models.clone_model(seq)
    alone.set_weights(start)
    training.train(alone, X_TR, Y_TR, seed=4, **TRAINING)
    for a, b in zip(runs.weights[0], alone.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=WEIGHT_TOL)


def test_residual_from_the_input_itself_trains_in_train_many():
    # With the first hidden width equal to input_dim, the first shortcut adds the shared,
    # unbatched input to a batched layer output.
    template = models.mlp(2, [2, 2], "tanh", 2, residual=True, seed=1)
    assert "hidden_1_res" in [layer.name for layer in template.layers]
    runs = training.train_many(template, X_TR, Y_TR, seeds=[1], **TRAINING)
    alone = models.mlp(2, [2, 2], "tanh", 2, residual=True, seed=1)
    training.train(alone, X_TR, Y_TR, seed=1, **TRAINING)
    for a, b in zip(runs.weights[0], alone.get_weights()):
        np.testing.assert_allclose(a, b, rtol=0, atol=WEIGHT_TOL)
    loss, _ = training.evaluate_many(template, runs.weights, X_VAL, Y_VAL)
    assert loss[0] == pytest.approx(training.evaluate(alone, X_VAL, Y_VAL)[0], abs=1e-5)
    stats = training.layer_stats_many(template, runs.weights, X_VAL, Y_VAL)
    assert stats["gradient_norm"].shape == (1, 2)


def test_the_graph_cache_tells_apart_what_changes_the_computation():
    import keras

    def network(activation):
        inputs = keras.Input((2,))
        h = keras.layers.Activation(activation)(keras.layers.Dense(4)(inputs))
        out = keras.Model(inputs, keras.layers.Dense(2)(h))
        out.set_weights(models.initial_weights(2, [4], "relu", 2, seed=0))
        return out

    def scaled(k):
        return lambda z: keras.activations.relu(z) * k     # two functions, one __name__

    first, second = network(scaled(1.0)), network(scaled(-5.0))
    h1 = training.train(first, X_TR, Y_TR, **TRAINING)
    h2 = training.train(second, X_TR, Y_TR, **TRAINING)
    fresh = network(scaled(-5.0))
    training._CACHE.clear()
    h3 = training.train(fresh, X_TR, Y_TR, **TRAINING)
    assert not np.allclose(h1.loss, h2.loss)
    np.testing.assert_array_equal(h2.loss, h3.loss)
    # freezing a layer changes which weights are trained: a new graph, not an error
    frozen = models.mlp(2, [4], "relu", 2, seed=0)
    frozen.get_layer("hidden_1_pre").trainable = False
    training.train(models.mlp(2, [4], "relu", 2, seed=0), X_TR, Y_TR, **TRAINING)
    training.train(frozen, X_TR, Y_TR, **TRAINING)
    np.testing.assert_array_equal(frozen.get_layer("hidden_1_pre").get_weights()[0],
                                  models.initial_weights(2, [4], "relu", 2, seed=0)[0])


def test_a_run_that_ends_on_the_step_of_its_divergence_reports_it():
    # Found by a review: a run whose last update made the weights overflow on some examples
    # (the next minibatch loss, never computed, would be NaN) returned normally.
    x = np.random.default_rng(0).normal(size=(60, 4)).astype(np.float32)
    y = (x[:, 0] + x[:, 1] > 0).astype(int) + (x[:, 2] > 1)
    setting = dict(batch_size=10, learning_rate=300.0, record_every=1)
    with pytest.raises(training.TrainingDivergedError, match=r"at step (\d+)") as info:
        training.train(models.mlp(4, [5], "relu", 3), x, y, steps=40, **setting)
    t = int(re.search(r"at step (\d+)", str(info.value)).group(1))
    model = models.mlp(4, [5], "relu", 3)
    start = model.get_weights()
    with pytest.raises(training.TrainingDivergedError,
                       match=rf"at step {t}: the loss on the whole training set is nan"):
        training.train(model, x, y, steps=t, **setting)
    for a, b in zip(model.get_weights(), start):      # the model is left as it was
        np.testing.assert_array_equal(a, b)
    # train_many reports the same step and freezes the same weights, whether it runs past
    # the divergence or stops on its step
    runs = {steps: training.train_many(models.mlp(4, [5], "relu", 3), x, y, seeds=[0, 0],
                                       learning_rates=[300.0, 0.1], steps=steps,
                                       batch_size=10, record_every=1) for steps in (t, 40)}
    assert runs[t].histories[0].diverged_step == runs[40].histories[0].diverged_step == t
    for a, b in zip(runs[t].weights[0], runs[40].weights[0]):
        np.testing.assert_array_equal(a, b)
    assert runs[t].histories[1].diverged_step is None


def test_weights_that_overflow_behind_batch_norm_count_as_divergence():
    # Batch normalisation keeps the loss finite while the kernel below it grows past float32:
    # the network is caught by its weights, at a step whose minibatch loss is finite.
    template = models.mlp(2, [5], "relu", 2, norm="batch", seed=0)
    runs = training.train_many(template, X_TR, Y_TR, seeds=[0, 0], learning_rates=[1e5, 0.1],
                               steps=40, batch_size=16, record_every=1)
    assert runs.diverged.tolist() == [True, False]
    assert np.isfinite(runs.histories[0].diverged_loss)
    assert all(np.all(np.isfinite(w)) for ws in runs.weights for w in ws)
    loss, _ = training.evaluate_many(template, runs.weights, X_VAL, Y_VAL)   # accepts them
    assert np.isfinite(loss[1])


def test_records_that_would_not_fit_are_refused_before_training(monkeypatch):
    import psutil

    class Small:
        available = 2**30

    monkeypatch.setattr(psutil, "virtual_memory", lambda: Small())
    with pytest.raises(ValueError, match=r"recording 100000000 steps every 1 needs about 11.9 "
                                         r"GiB.*a larger record_every"):
        training.train(models.mlp(2, [3], "relu"), X_TR, Y_TR, steps=10**8, record_every=1,
                       batch_size=8)


def test_large_finite_weights_are_not_divergence():
    # A second review: the check once summed the weights, which overflows for weights near
    # float32's largest value although each is finite. Both logits are h * 3e38: equal, so the
    # loss is ln 2.
    model = models.mlp(2, [1], "sigmoid", 2, seed=0)
    w = model.get_weights()
    w[2] = np.float32([[3e38, 3e38]])
    runs = training.train_many(model, X_TR, Y_TR, seeds=[0], initial_weights=[w],
                               learning_rates=[1e-3], steps=2, batch_size=16, record_every=1)
    assert not runs.diverged.any()
    np.testing.assert_allclose(runs.histories[0].loss, np.log(2), rtol=1e-6)


def test_a_large_finite_loss_is_recorded_as_finite():
    # Per-example losses of about 1e37 overflow a float32 sum over the set; the record's mean
    # is taken without overflow, as evaluate_many's float64 one.
    model = models.mlp(2, [4], "sigmoid", 2, seed=0)
    w = model.get_weights()
    w[2] = np.tile(np.float32([[1e37, -1e37]]), (4, 1))
    model.set_weights(w)
    expected, _ = training.evaluate_many(model, [w], X_TR, Y_TR)
    history = training.train(model, X_TR, Y_TR, steps=1, batch_size=16, record_every=1,
                             learning_rate=1e-30)
    assert np.isfinite(expected[0]) and expected[0] > 1e36
    assert history.loss[0] == pytest.approx(expected[0], rel=1e-5)


def test_batch_norm_on_the_input_uses_the_batch_statistics_in_every_pass():
    import keras

    inputs = keras.Input((2,))
    h = keras.layers.BatchNormalization()(inputs)
    h = keras.layers.Activation("relu")(keras.layers.Dense(4)(h))
    model = keras.Model(inputs, keras.layers.Dense(2)(h))
    x = X_VAL * np.float32([1.0, 30.0]) + np.float32([5.0, -2.0])
    z = (x - x.mean(0)) / np.sqrt(x.var(0) + 1e-3)          # over the batch, per feature
    w = model.get_weights()           # gamma, beta, moving mean, moving variance, then Dense
    h = np.maximum(z @ w[4] + w[5], 0)
    logits = h @ w[6] + w[7]
    logp = logits - np.log(np.exp(logits).sum(1, keepdims=True))
    expected = -logp[np.arange(len(Y_VAL)), Y_VAL].mean()
    loss, _ = training.evaluate_many(model, [w], x, Y_VAL)
    assert loss[0] == pytest.approx(expected, rel=1e-5)
