"""train_many: network k of a multi-network run is the single-model run on its own seed and rate."""

from __future__ import annotations

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


def test_memory_estimate_counts_weights_and_activations():
    model = models.mlp(2, [10], "relu", 2)          # 2*10+10 + 10*2+2 = 52 weights
    # 4 bytes x S x (3 x 52 + 4 x rows x (10 pre + 10 post + 2 logits))
    assert training.estimate_memory(model, 3, 100, 10) == 4 * 3 * (3 * 52 + 4 * 100 * 22)


def test_a_model_the_trainer_does_not_know_is_rejected():
    import keras

    inputs = keras.Input(shape=(2,))
    h = keras.layers.Dense(4)(inputs)
    h = keras.layers.Dropout(0.5)(h)
    model = keras.Model(inputs, keras.layers.Dense(2)(h))
    with pytest.raises(ValueError, match="Dropout"):
        training.train_many(model, X_TR, Y_TR, seeds=[0], steps=10, record_every=10,
                            batch_size=8)


def test_evaluate_many_reports_a_blown_up_network_without_warnings():
    good = models.initial_weights(2, [3], "relu", 2, seed=0)
    bad = [w * 1e30 for w in good]           # float32 logits overflow to inf
    loss, acc = training.evaluate_many(models.mlp(2, [3], "relu"), [good, bad], X_VAL, Y_VAL)
    assert np.isfinite(loss[0]) and not np.isfinite(loss[1])
    assert 0.0 <= acc[1] <= 1.0


def test_long_chaotic_runs_differ_one_by_one_but_not_in_distribution():
    # Deep ReLU networks escaping a plateau amplify float32 round-off: single runs of train and
    # train_many part ways after ~100 steps (see train_many's docstring). What the book's claims
    # rest on, the distribution over seeds, must not change: the paired mean difference in
    # validation accuracy over 20 seeds has a 95 % interval containing 0 and is small.
    from actbook import stats

    x, y = data.digits()
    x, y, xv, yv = data.train_val_split(x, y)
    seeds = list(range(20))
    units = [16] * 4
    kwargs = dict(steps=300, batch_size=32, record_every=300)
    runs = training.train_many(
        models.mlp(64, units, "relu", 10), x, y, x_val=xv, y_val=yv, seeds=seeds,
        initial_weights=[models.initial_weights(64, units, "relu", 10, seed=s) for s in seeds],
        **kwargs)
    single = [training.train(models.mlp(64, units, "relu", 10, seed=s), x, y, x_val=xv,
                             y_val=yv, seed=s, **kwargs).val_accuracy[-1] for s in seeds]
    many = [h.val_accuracy[-1] for h in runs.histories]
    diff = stats.paired_difference(many, single).difference
    assert diff.low <= 0 <= diff.high and abs(diff.estimate) < 0.05, diff


def test_nan_weights_give_no_accuracy():
    good = models.initial_weights(2, [3], "relu", 2, seed=0)
    template = models.mlp(2, [3], "relu")
    runs_like = [good, [w * np.nan for w in good]]
    # evaluate_many checks its weights: NaN weights are refused by name...
    with pytest.raises(ValueError, match=r"weights\[1\]\[0\] must contain only finite"):
        training.evaluate_many(template, runs_like, X_VAL, Y_VAL)
    # ...and weights that overflow in the forward pass give an infinite or NaN loss.
    loss, _ = training.evaluate_many(template, [good, [w * 1e30 for w in good]], X_VAL, Y_VAL)
    assert np.isfinite(loss[0]) and not np.isfinite(loss[1])
