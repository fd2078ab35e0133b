import math

import numpy as np
import pytest

from actbook import data, models, sweep, training


def _rows(values, activation="relu", dataset="a", depth="deep"):
    return [{"activation": activation, "dataset": dataset, "depth": depth, "seed": i, "v": v}
            for i, v in enumerate(values)]


# --- summarise: mean and sample standard deviation on numbers checked by hand ---

def test_summarise_mean_and_sample_std_by_hand():
    # 1, 2, 3, 4: mean 2.5; squared deviations 2.25 + 0.25 + 0.25 + 2.25 = 5; 5 / 3 -> std.
    (entry,) = sweep.summarise(_rows([1, 2, 3, 4]), "v")
    assert entry == {"activation": "relu", "dataset": "a", "depth": "deep",
                     "n": 4, "n_missing": 0, "mean": 2.5, "std": pytest.approx(math.sqrt(5 / 3))}


def test_summarise_groups_in_order_of_first_appearance():
    rows = (_rows([0.5, 0.7], activation="tanh") + _rows([0.9, 1.0], activation="relu")
            + _rows([0.3], activation="tanh", dataset="b"))
    out = sweep.summarise(rows, "v", by=("activation", "dataset"))
    assert [(e["activation"], e["dataset"], e["n"]) for e in out] == [
        ("tanh", "a", 2), ("relu", "a", 2), ("tanh", "b", 1)]
    assert out[0]["mean"] == pytest.approx(0.6)
    assert out[0]["std"] == pytest.approx(math.sqrt(0.02))    # (0.1^2 + 0.1^2) / 1
    assert out[1]["mean"] == pytest.approx(0.95)
    assert math.isnan(out[2]["std"])                          # one value: no sample std


def test_summarise_leaves_out_none_and_nan():
    (entry,) = sweep.summarise(_rows([None, 10, float("nan"), 20]), "v", by=("dataset",))
    assert entry == {"dataset": "a", "n": 2, "n_missing": 2, "mean": 15.0,
                     "std": pytest.approx(math.sqrt(50))}
    (empty,) = sweep.summarise(_rows([None, None]), "v", by=("dataset",))
    assert empty["n"] == 0 and empty["n_missing"] == 2
    assert math.isnan(empty["mean"]) and math.isnan(empty["std"])


@pytest.mark.parametrize("rows, value, by, error", [
    ([], "v", ("dataset",), ValueError),
    ("rows", "v", ("dataset",), TypeError),
    (_rows([1]), 3, ("dataset",), TypeError),
    (_rows([1]), "missing", ("dataset",), ValueError),
    (_rows([1]), "v", ("nope",), ValueError),
    (_rows([1]), "v", (), ValueError),
    (_rows([1]), "v", "dataset", TypeError),
    (_rows(["x"]), "v", ("dataset",), TypeError),
    (_rows([True]), "v", ("dataset",), TypeError),
    ([1, 2], "v", ("dataset",), TypeError),
])
def test_summarise_rejects_bad_input(rows, value, by, error):
    with pytest.raises(error):
        sweep.summarise(rows, value, by=by)


def test_select_and_markdown_table():
    summary = [
        {"activation": "relu", "dataset": "a", "mean": 0.5},
        {"activation": "relu", "dataset": "b", "mean": 0.25},
        {"activation": "tanh", "dataset": "a", "mean": 1.0},
    ]
    assert sweep.select(summary, activation="tanh") == [summary[2]]
    assert sweep.select(summary) == summary
    with pytest.raises(ValueError, match="column"):
        sweep.select(summary, depth="deep")
    text = sweep.markdown_table(summary, "activation", "dataset",
                                lambda e: f"{100 * e['mean']:.0f} %", corner="act.")
    assert text == ("| act. | a | b |\n"
                    "|---|---|---|\n"
                    "| relu | 50 % | 25 % |\n"
                    "| tanh | 100 % |  |")
    with pytest.raises(ValueError, match="more than one"):
        sweep.markdown_table(summary + [summary[0]], "activation", "dataset", str)
    with pytest.raises(TypeError, match="cell"):
        sweep.markdown_table(summary, "activation", "dataset", "not callable")
    with pytest.raises(ValueError, match="empty"):
        sweep.markdown_table([], "activation", "dataset", str)


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
    return sets, kwargs, rows


def test_run_rows_are_tidy_and_ordered(tiny):
    _, _, rows = tiny
    assert len(rows) == 2 * 2 * 2 * 2
    assert all(tuple(row) == sweep.COLUMNS for row in rows)
    keys = [(r["activation"], r["dataset"], r["depth"], r["seed"]) for r in rows]
    expected = [(a, d, h, s) for a in ("linear", "relu") for d in ("xor", "moons")
                for h in ("one", "two") for s in (3, 0)]
    assert keys == expected
    assert not any(r["diverged"] for r in rows)


@pytest.mark.parametrize("index", [0, 7, 13])
def test_run_matches_a_direct_training_run(tiny, index):
    # Each row must be exactly what training a fresh mlp with the same seed gives: the sweep's
    # reuse of one model across data sets (weights restored) must not change any number.
    sets, kwargs, rows = tiny
    row = rows[index]
    x, y, xv, yv = sets[row["dataset"]]
    units = {"one": (6,), "two": (4, 4)}[row["depth"]]
    model = models.mlp(2, units, row["activation"], 2, seed=row["seed"])
    history = training.train(model, x, y, x_val=xv, y_val=yv, seed=row["seed"], **kwargs)
    target = {"xor": 0.75, "moons": 0.8}[row["dataset"]]
    assert row["val_accuracy"] == float(history.val_accuracy[-1])
    assert row["val_loss"] == float(history.val_loss[-1])
    assert row["train_accuracy"] == float(history.accuracy[-1])
    assert row["steps_to_target"] == history.steps_to(target)


def test_run_summary_of_a_linear_model_on_xor_is_at_most_three_corners(tiny):
    # A linear classifier separates at most 3 of the 4 XOR corners (each corner ~1/4 of points).
    _, _, rows = tiny
    linear = sweep.select(rows, activation="linear", dataset="xor")
    assert all(r["val_accuracy"] <= 0.75 + 0.15 for r in linear)
    summary = sweep.summarise(linear, "val_accuracy", by=("activation", "dataset"))
    assert summary[0]["n"] == 4
    assert summary[0]["mean"] == pytest.approx(np.mean([r["val_accuracy"] for r in linear]))


def test_run_records_divergence_as_missing():
    x = np.array([[1e4, -1e4], [-1e4, 1e4], [2e4, 1e4], [-1e4, -2e4]] * 4, dtype=np.float32)
    y = np.array([0, 1, 0, 1] * 4)
    rows = sweep.run(["linear"], {"huge": (x, y, x, y)}, {"one": (3,)}, [0], steps=10,
                     batch_size=4, learning_rate=1e5, record_every=5)
    (row,) = rows
    assert row["diverged"] is True
    assert math.isnan(row["val_accuracy"]) and row["steps_to_target"] is None
    (entry,) = sweep.summarise(rows, "val_accuracy")
    assert entry["n"] == 0 and entry["n_missing"] == 1


def _bad_run_cases():
    xy = data.train_val_split(*data.xor_data(n=40))
    ok = dict(activations=["relu"], datasets={"xor": xy}, depths={"d": (2,)}, seeds=[0])
    x, y, xv, yv = xy
    cases = [
        (dict(activations="relu"), TypeError),
        (dict(activations=[]), ValueError),
        (dict(activations=["relu", "relu"]), ValueError),
        (dict(activations=["swish"]), ValueError),
        (dict(datasets=[xy]), TypeError),
        (dict(datasets={}), ValueError),
        (dict(datasets={"xor": (x, y)}), TypeError),
        (dict(datasets={"xor": (x, y, xv[:, :1], yv)}), ValueError),
        (dict(datasets={"xor": (x, y.astype(float), xv, yv)}), TypeError),
        (dict(datasets={"xor": (x, y[:-1], xv, yv)}), ValueError),
        (dict(datasets={"xor": (x, np.zeros_like(y), xv, np.zeros_like(yv))}), ValueError),
        (dict(depths={"d": ()}), ValueError),
        (dict(depths={"d": (0,)}), ValueError),
        (dict(depths={"d": (2.5,)}), TypeError),
        (dict(seeds=[]), ValueError),
        (dict(seeds=[1, 1]), ValueError),
        (dict(seeds=[-1]), ValueError),
        (dict(steps=25), ValueError),          # not a multiple of record_every=10
        (dict(batch_size=1000), ValueError),   # larger than the training set
        (dict(learning_rate=0.0), ValueError),
        (dict(target=0.0), ValueError),
        (dict(target=1.5), ValueError),
        (dict(target={"other": 0.9}), ValueError),
        (dict(init="lecun"), ValueError),
    ]
    return ok, cases


@pytest.mark.parametrize("case", range(len(_bad_run_cases()[1])))
def test_run_rejects_bad_input_before_training(case):
    ok, cases = _bad_run_cases()
    change, error = cases[case]
    kwargs = {**ok, "steps": 20, "record_every": 10, "batch_size": 8, **change}
    with pytest.raises(error):
        sweep.run(**kwargs)
