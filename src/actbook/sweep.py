"""Sweeps: train the same small networks over a grid and tabulate every run.

:func:`run` trains one :func:`actbook.models.mlp` per cell of the grid
``activation x dataset x depth x seed x learning rate`` and returns a pandas DataFrame with one
row per run. Summaries, pivots and statistics are then ordinary pandas (``groupby``,
``pivot_table``) and :mod:`actbook.stats` (intervals, paired differences, censored times).

How it trains: all the seeds and learning rates of one architecture and data set are trained
side by side in one compiled graph by :func:`actbook.training.train_many` (each network with its
own initial weights, minibatch order and rate). The initial weights of seed ``s`` are those of
``models.mlp(..., seed=s)`` (:func:`actbook.models.initial_weights`), the same for every
activation of the same shape and for every learning rate, so arms are compared from the same
starting point (a paired design).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence

import numpy as np
import pandas as pd

from actbook import activations as _activations
from actbook import models, training
from actbook._checks import (
    check_array,
    check_choice,
    check_float,
    check_int,
    check_same_length,
    check_sequence,
)

#: The columns of the DataFrame returned by :func:`run`, in order.
COLUMNS = (
    "activation", "dataset", "depth", "seed", "learning_rate",
    "val_accuracy", "val_loss", "train_accuracy", "test_accuracy", "steps_to_target",
    "diverged", "diverged_step", "history",
)


def _check_names(name: str, value) -> list[str]:
    value = check_sequence(name, value, what="str")
    for i, v in enumerate(value):
        if not isinstance(v, str):
            raise TypeError(f"{name}[{i}] must be a str, got {type(v).__name__}")
    if len(set(value)) != len(value):
        raise ValueError(f"{name} must not repeat a name, got {list(value)}")
    return list(value)


def _check_mapping(name: str, value) -> dict:
    if not isinstance(value, Mapping):
        raise TypeError(f"{name} must be a dict, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
    for key in value:
        if not isinstance(key, str):
            raise TypeError(f"the keys of {name} must be str, got {type(key).__name__}")
    return dict(value)


def _check_dataset(name: str, value):
    if not isinstance(value, (tuple, list)) or len(value) not in (4, 6):
        raise TypeError(
            f"datasets[{name!r}] must be a tuple (x_train, y_train, x_val, y_val) or "
            f"(x_train, y_train, x_val, y_val, x_test, y_test), e.g. from "
            f"actbook.data.train_val_split"
        )
    x, y, xv, yv = value[:4]
    x = check_array(f"datasets[{name!r}] x_train", x, ndim=2)
    y = check_array(f"datasets[{name!r}] y_train", y, ndim=1, kind="int")
    xv = check_array(f"datasets[{name!r}] x_val", xv, ndim=2, last_dim=x.shape[1])
    yv = check_array(f"datasets[{name!r}] y_val", yv, ndim=1, kind="int")
    check_same_length(f"datasets[{name!r}] x_train", x, "y_train", y)
    check_same_length(f"datasets[{name!r}] x_val", xv, "y_val", yv)
    if min(y.min(), yv.min()) < 0:
        raise ValueError(f"datasets[{name!r}] labels must be class indices >= 0")
    n_classes = int(max(y.max(), yv.max())) + 1
    if n_classes < 2:
        raise ValueError(f"datasets[{name!r}] must have at least 2 classes")
    test = None
    if len(value) == 6:
        xt = check_array(f"datasets[{name!r}] x_test", value[4], ndim=2, last_dim=x.shape[1])
        yt = check_array(f"datasets[{name!r}] y_test", value[5], ndim=1, kind="int")
        check_same_length(f"datasets[{name!r}] x_test", xt, "y_test", yt)
        if yt.min() < 0 or yt.max() >= n_classes:
            raise ValueError(f"datasets[{name!r}] y_test must hold class indices in "
                             f"0..{n_classes - 1}")
        test = (xt, yt)
    return x, y, xv, yv, n_classes, test


def run(
    activations: Sequence[str],
    datasets: Mapping[str, tuple],
    depths: Mapping[str, Sequence[int]],
    seeds: Sequence[int],
    *,
    steps: int = 1000,
    batch_size: int = 32,
    learning_rate: float | Sequence[float] = 0.1,
    record_every: int = 50,
    target: float | Mapping[str, float] = 0.9,
    init: str = "keras",
) -> pd.DataFrame:
    """Train every cell of ``activations x datasets x depths x seeds x learning rates``.

    Each run starts from ``models.mlp(d, depths[depth], activation, k, init=init, seed=seed)``
    (``d`` the data set's input width, ``k`` its number of classes) and is trained with plain
    minibatch SGD for ``steps`` steps with minibatch order ``seed``
    (:func:`actbook.training.train_many`, which follows :func:`actbook.training.train`'s
    arithmetic exactly). The same seed gives the same initial kernels for every activation
    and every learning rate.

    Args:
        activations: registry names (see :func:`actbook.activations.names`), no repeats,
            e.g. ``["relu", "tanh"]``; each takes its registry defaults.
        datasets: ``{name: (x_train, y_train, x_val, y_val)}`` or, to also measure accuracy on
            a test split that plays no part in any choice, ``{name: (x_train, y_train, x_val,
            y_val, x_test, y_test)}``; real ``x`` arrays ``(n, d)`` and integer labels ``(n,)``
            in ``0 .. k-1`` (``k >= 2``), e.g. from :func:`actbook.data.train_val_split`.
        depths: ``{name: hidden_units}``, e.g. ``{"shallow": (32,), "deep": (16,) * 6}``.
        seeds: distinct ints >= 0 (at least one).
        steps: SGD steps per run, an int >= 1 and a multiple of ``record_every`` (default 1000).
        batch_size: examples per step, an int >= 1, at most the smallest training set
            (default 32).
        learning_rate: SGD step size, a float > 0, or a list of distinct floats (a grid: every
            cell is trained at each) (default 0.1).
        record_every: evaluate every this many steps, an int >= 1 (default 50); sets the
            resolution of ``steps_to_target`` and of the learning curves.
        target: validation accuracy (fraction in (0, 1]) whose first crossing is recorded as
            ``steps_to_target``: one float for every data set (default 0.9) or a dict with a
            float for each data set name.
        init: initialisation scheme of :func:`actbook.models.mlp` (default ``"keras"``:
            Glorot-uniform kernels, zero biases).

    Returns:
        A DataFrame with one row per run, ordered by activation, data set, depth, seed and
        learning rate as given, and the columns :data:`COLUMNS`: ``activation``, ``dataset``,
        ``depth`` (str), ``seed`` (int), ``learning_rate`` (float), ``val_accuracy``,
        ``train_accuracy`` and ``test_accuracy`` (fractions after the last step; NaN without a
        test split), ``val_loss`` (mean cross-entropy in nats), ``steps_to_target`` (first
        recorded step with validation accuracy >= target, NaN if never reached: censored at
        ``steps``), ``diverged`` (bool), ``diverged_step`` (int, -1 if not diverged) and
        ``history`` (the run's :class:`~actbook.training.History`, for learning curves). A run
        whose loss became NaN or infinite has ``diverged=True`` and NaN accuracies and loss.

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for empty or repeated names, unknown activations or init, bad arrays,
            widths < 1, negative or repeated seeds or rates, a target outside (0, 1], a target
            dict missing a data set, or sizes the trainer rejects.
    """
    activations = _check_names("activations", activations)
    for i, name in enumerate(activations):
        check_choice(f"activations[{i}]", name, _activations.names())
    datasets = _check_mapping("datasets", datasets)
    data = {name: _check_dataset(name, value) for name, value in datasets.items()}
    depths = _check_mapping("depths", depths)
    for name, units in depths.items():
        units = check_sequence(f"depths[{name!r}]", units, what="ints")
        depths[name] = tuple(check_int(f"depths[{name!r}][{i}]", u, minimum=1)
                             for i, u in enumerate(units))
    seeds = _check_distinct("seeds", seeds, lambda n, v: check_int(n, v, minimum=0))
    if isinstance(learning_rate, np.ndarray) or (isinstance(learning_rate, Sequence)
                                                 and not isinstance(learning_rate, (str, bytes))):
        rates = _check_distinct("learning_rate", learning_rate, lambda n, v: check_float(
            n, v, minimum=0.0, maximum=1e6, min_inclusive=False))
    else:
        rates = [check_float("learning_rate", learning_rate, minimum=0.0, maximum=1e6,
                             min_inclusive=False)]
    steps = check_int("steps", steps, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    if steps % record_every:
        raise ValueError(f"steps must be a multiple of record_every ({record_every}), "
                         f"got {steps}")
    smallest = min(len(d[0]) for d in data.values())
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=smallest)
    init = check_choice("init", init, models.INITIALISATIONS)
    if isinstance(target, Mapping):
        missing = [name for name in data if name not in target]
        if missing:
            raise ValueError(f"target has no value for data set(s) {missing}")
        targets = {name: check_float(f"target[{name!r}]", target[name], minimum=0.0,
                                     maximum=1.0, min_inclusive=False) for name in data}
    else:
        t = check_float("target", target, minimum=0.0, maximum=1.0, min_inclusive=False)
        targets = {name: t for name in data}

    grid = [(s, r) for s in seeds for r in rates]      # one network per (seed, rate)
    records = []
    for act in activations:
        for name, (x, y, xv, yv, k, test) in data.items():
            for depth, units in depths.items():
                template = models.mlp(x.shape[1], units, act, k, init=init, seed=0)
                start = {s: models.initial_weights(x.shape[1], units, act, k, init=init,
                                                   seed=s) for s in seeds}
                runs = training.train_many(
                    template, x, y, x_val=xv, y_val=yv, seeds=[s for s, _ in grid],
                    learning_rates=[r for _, r in grid],
                    initial_weights=[start[s] for s, _ in grid], steps=steps,
                    batch_size=batch_size, record_every=record_every)
                test_acc = np.full(len(grid), np.nan)
                if test is not None:
                    ok = [i for i, h in enumerate(runs.histories) if h.diverged_step is None]
                    if ok:
                        _, acc = training.evaluate_many(
                            template, [runs.weights[i] for i in ok], *test)
                        test_acc[ok] = acc
                for (seed, rate), history, t_acc in zip(grid, runs.histories, test_acc):
                    records.append(_row(act, name, depth, seed, rate, history, t_acc,
                                        targets[name]))
    return pd.DataFrame.from_records(records, columns=list(COLUMNS))


def _check_distinct(name: str, values, check) -> list:
    out = [check(f"{name}[{i}]", v) for i, v in enumerate(check_sequence(name, values))]
    if len(set(out)) != len(out):
        raise ValueError(f"{name} must not repeat a value, got {out}")
    return out


def _row(act, dataset, depth, seed, rate, history, test_accuracy, target) -> dict:
    row = {"activation": act, "dataset": dataset, "depth": depth, "seed": seed,
           "learning_rate": rate, "history": history}
    if history.diverged_step is not None:
        nan = float("nan")
        row.update(val_accuracy=nan, val_loss=nan, train_accuracy=nan, test_accuracy=nan,
                   steps_to_target=nan, diverged=True, diverged_step=history.diverged_step)
        return row
    reached = history.steps_to(target)
    row.update(val_accuracy=float(history.val_accuracy[-1]),
               val_loss=float(history.val_loss[-1]),
               train_accuracy=float(history.accuracy[-1]), test_accuracy=float(test_accuracy),
               steps_to_target=float("nan") if reached is None else float(reached),
               diverged=False, diverged_step=-1)
    return row
