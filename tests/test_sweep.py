"""sweep.run: a tidy DataFrame of runs, each exactly what a direct training run gives."""

import math

import numpy as np
import pandas as pd
import pytest

from actbook import data, models, sweep, training

# --- run: a tiny grid whose every row can be checked against a direct training run ---

@pytest.fixture(scope="module")
def tiny():
    sets = {
        "xor": data.train_val_split(*data.xor_data(n=80, seed=1)),
        "moons": data.train_val_split(*data.two_moons(n=80, seed=1)),
    }
    kwargs = dict(steps=40, batch_size=16, learning_rate=0.5, record_every=10)
    rows = sweep.run(["linear", "relu"], sets, {"one": (6,), "two": (4, 4)}, [3, 0],
                     target={"xor": 0.75, "moons": 0.8}, **kwargs)
    assert isinstance(rows, pd.DataFrame)
    return sets, kwargs, rows


def test_run_rows_are_tidy_and_ordered(tiny):
    _, _, rows = tiny
    assert len(rows) == 2 * 2 * 2 * 2
    assert tuple(rows.columns) == sweep.COLUMNS
    keys = list(zip(rows.activation, rows.dataset, rows.depth, rows.seed))
    expected = [(a, d, h, s) for a in ("linear", "relu") for d in ("xor", "moons")
                for h in ("one", "two") for s in (3, 0)]
    assert keys == expected
    assert not rows.diverged.any()
    assert (rows.learning_rate == 0.5).all() and rows.test_accuracy.isna().all()


@pytest.mark.parametrize("index", [0, 7, 13])
def test_run_matches_a_direct_training_run(tiny, index):
    # Each row must be exactly what training a fresh mlp with the same seed gives: the sweep's
    # reuse of one model across data sets (weights restored) must not change any number.
    sets, kwargs, rows = tiny
    row = rows.iloc[index]
    x, y, xv, yv = sets[row["dataset"]]
    units = {"one": (6,), "two": (4, 4)}[row["depth"]]
    model = models.mlp(2, units, row["activation"], 2, seed=row["seed"])
    history = training.train(model, x, y, x_val=xv, y_val=yv, seed=row["seed"], **kwargs)
    target = {"xor": 0.75, "moons": 0.8}[row["dataset"]]
    # The sweep trains all seeds side by side (training.train_many): the same arithmetic,
    # batched, so equal to float32 round-off (one example's worth of accuracy at most when a
    # prediction sits on the decision boundary).
    assert row["val_accuracy"] == pytest.approx(float(history.val_accuracy[-1]), abs=1 / len(yv))
    assert row["val_loss"] == pytest.approx(float(history.val_loss[-1]), abs=1e-5)
    assert row["train_accuracy"] == pytest.approx(float(history.accuracy[-1]), abs=1 / len(y))
    reached = history.steps_to(target)
    assert (math.isnan(row["steps_to_target"]) if reached is None
            else row["steps_to_target"] == reached)
    np.testing.assert_allclose(row["history"].val_loss, history.val_loss, atol=1e-5)


def test_run_summary_of_a_linear_model_on_xor_is_at_most_three_corners(tiny):
    # A linear classifier separates at most 3 of the 4 XOR corners (each corner ~1/4 of points).
    _, _, rows = tiny
    linear = rows[(rows.activation == "linear") & (rows.dataset == "xor")]
    assert len(linear) == 4 and (linear.val_accuracy <= 0.75 + 0.15).all()


def test_learning_rate_grid_and_test_split():
    x, y = data.xor_data(n=200, seed=2)
    x_tr, y_tr, x_rest, y_rest = data.train_val_split(x, y, val_fraction=0.4)
    sets = {"xor": (x_tr, y_tr, x_rest[:40], y_rest[:40], x_rest[40:], y_rest[40:])}
    rows = sweep.run(["relu"], sets, {"one": (8,)}, [0, 1], steps=60, batch_size=20,
                     learning_rate=[0.05, 0.5], record_every=20)
    assert list(zip(rows.seed, rows.learning_rate)) == [(0, 0.05), (0, 0.5), (1, 0.05),
                                                        (1, 0.5)]
    # Each network of the grid is the direct run at its own seed and rate, and its test
    # accuracy is that network evaluated on the test split.
    for _, row in rows.iterrows():
        model = models.mlp(2, (8,), "relu", 2, seed=row["seed"])
        training.train(model, x_tr, y_tr, steps=60, batch_size=20,
                       learning_rate=row["learning_rate"], seed=row["seed"], record_every=20)
        _, acc = training.evaluate(model, x_rest[40:], y_rest[40:])
        assert row["test_accuracy"] == pytest.approx(acc, abs=1 / 40)





def test_run_records_divergence_as_missing():
    x = np.array([[1e4, -1e4], [-1e4, 1e4], [2e4, 1e4], [-1e4, -2e4]] * 4, dtype=np.float32)
    y = np.array([0, 1, 0, 1] * 4)
    rows = sweep.run(["linear"], {"huge": (x, y, x, y)}, {"one": (3,)}, [0], steps=10,
                     batch_size=4, learning_rate=1e5, record_every=5)
    (row,) = rows.to_dict("records")
    assert row["diverged"] is True and row["diverged_step"] >= 0
    assert math.isnan(row["val_accuracy"]) and math.isnan(row["steps_to_target"])
