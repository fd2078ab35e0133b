"""Sweeps: train the same small networks over a grid and summarise the results.

:func:`run` trains one :func:`actbook.models.mlp` per cell of the grid
``activation x dataset x depth x seed`` with :func:`actbook.training.train` and returns a tidy
table: a list of dicts, one row per run. :func:`summarise` groups the rows and gives the mean and
the sample standard deviation of one column per group, and :func:`markdown_table` lays a
summary out as a Markdown table for a notebook. No pandas: rows are plain dicts.

Why the loops are ordered the way they are: the trainer compiles one graph per *architecture*
(activation, layer widths, input width, number of classes) and reuses it for every seed and every
data set of the same input width, so :func:`run` loops over architectures on the outside and
over seeds and data sets inside; tracing happens once per architecture. The initial weights of a
seed are built once and restored before each data set, so every data set of the same shape starts
from the same network.
"""

from __future__ import annotations

import math
import numbers
from collections.abc import Callable, Mapping, Sequence

import numpy as np

from actbook import activations as _activations
from actbook import models, training
from actbook._checks import check_array, check_choice, check_float, check_int, check_same_length

#: The columns of every row returned by :func:`run`, in order.
COLUMNS = (
    "activation", "dataset", "depth", "seed",
    "val_accuracy", "val_loss", "train_accuracy", "steps_to_target", "diverged",
)


def _check_names(name: str, value) -> list[str]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise TypeError(f"{name} must be a list or tuple of str, got {type(value).__name__}")
    if not value:
        raise ValueError(f"{name} must not be empty")
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
    if not isinstance(value, (tuple, list)) or len(value) != 4:
        raise TypeError(
            f"datasets[{name!r}] must be a tuple (x_train, y_train, x_val, y_val), "
            f"e.g. from actbook.data.train_val_split"
        )
    x, y, xv, yv = value
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
    return x, y, xv, yv, n_classes


def run(
    activations: Sequence[str],
    datasets: Mapping[str, tuple],
    depths: Mapping[str, Sequence[int]],
    seeds: Sequence[int],
    *,
    steps: int = 1000,
    batch_size: int = 32,
    learning_rate: float = 0.1,
    record_every: int = 50,
    target: float | Mapping[str, float] = 0.9,
    init: str = "keras",
) -> list[dict]:
    """Train every cell of ``activations x datasets x depths x seeds`` and tabulate the results.

    Each run builds ``models.mlp(d, depths[depth], activation, k, init=init, seed=seed)`` (``d``
    the data set's input width, ``k`` its number of classes) and trains it with
    :func:`actbook.training.train` for ``steps`` plain-SGD steps with minibatch order ``seed``.
    The same seed gives the same initial kernels for every activation (see
    :func:`actbook.models.mlp`), so activations are compared from the same starting point.

    Args:
        activations: registry names (see :func:`actbook.activations.names`), no repeats,
            e.g. ``["relu", "tanh"]``; each takes its registry defaults.
        datasets: ``{name: (x_train, y_train, x_val, y_val)}`` with real ``x`` arrays ``(n, d)``
            and integer labels ``(n,)`` in ``0 .. k-1`` (``k >= 2``), e.g. from
            :func:`actbook.data.train_val_split`.
        depths: ``{name: hidden_units}``, e.g. ``{"shallow": (32,), "deep": (16,) * 6}``.
        seeds: distinct ints >= 0 (at least one).
        steps: SGD steps per run, an int >= 1 and a multiple of ``record_every`` (default 1000).
        batch_size: examples per step, an int >= 1, at most the smallest training set
            (default 32).
        learning_rate: SGD step size, a float > 0 (default 0.1).
        record_every: evaluate every this many steps, an int >= 1 (default 50); sets the
            resolution of ``steps_to_target``.
        target: validation accuracy (fraction in (0, 1]) whose first crossing is recorded as
            ``steps_to_target``: one float for every data set (default 0.9) or a dict with a
            float for each data set name.
        init: initialisation scheme of :func:`actbook.models.mlp` (default ``"keras"``:
            Glorot-uniform kernels, zero biases).

    Returns:
        A list of dicts, one per run, ordered by activation, data set, depth and seed as given,
        with the keys :data:`COLUMNS`: ``activation``, ``dataset``, ``depth`` (str), ``seed``
        (int), ``val_accuracy`` and ``train_accuracy`` (fractions after the last step),
        ``val_loss`` (mean cross-entropy in nats), ``steps_to_target`` (first recorded step with
        validation accuracy >= target, an int, or ``None`` if never reached) and ``diverged``
        (bool). A run whose loss became NaN or infinite (:class:`~actbook.training.
        TrainingDivergedError`) has ``diverged=True``, NaN accuracies and loss and
        ``steps_to_target=None``.

    Raises:
        TypeError: for arguments of the wrong type.
        ValueError: for empty or repeated names, unknown activations or init, bad arrays,
            widths < 1, negative or repeated seeds, a target outside (0, 1], a target dict
            missing a data set, or sizes the trainer rejects.
    """
    activations = _check_names("activations", activations)
    for i, name in enumerate(activations):
        check_choice(f"activations[{i}]", name, _activations.names())
    datasets = _check_mapping("datasets", datasets)
    data = {name: _check_dataset(name, value) for name, value in datasets.items()}
    depths = _check_mapping("depths", depths)
    for name, units in depths.items():
        if isinstance(units, (str, bytes)) or not isinstance(units, Sequence):
            raise TypeError(f"depths[{name!r}] must be a non-empty list or tuple of ints")
        if not units:
            raise ValueError(f"depths[{name!r}] must not be empty")
        depths[name] = tuple(check_int(f"depths[{name!r}][{i}]", u, minimum=1)
                             for i, u in enumerate(units))
    if isinstance(seeds, (str, bytes)) or not isinstance(seeds, Sequence):
        raise TypeError("seeds must be a non-empty list or tuple of ints")
    if not seeds:
        raise ValueError("seeds must not be empty")
    seeds = [check_int(f"seeds[{i}]", s, minimum=0) for i, s in enumerate(seeds)]
    if len(set(seeds)) != len(seeds):
        raise ValueError(f"seeds must not repeat, got {seeds}")
    steps = check_int("steps", steps, minimum=1)
    record_every = check_int("record_every", record_every, minimum=1)
    if steps % record_every:
        raise ValueError(f"steps must be a multiple of record_every ({record_every}), "
                         f"got {steps}")
    smallest = min(len(d[0]) for d in data.values())
    batch_size = check_int("batch_size", batch_size, minimum=1, maximum=smallest)
    learning_rate = check_float("learning_rate", learning_rate, minimum=0.0,
                                min_inclusive=False)
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

    # Data sets sharing input width and class count share one compiled graph per architecture.
    groups: dict[tuple[int, int], list[str]] = {}
    for name, (x, _, _, _, k) in data.items():
        groups.setdefault((x.shape[1], k), []).append(name)

    results = {}
    for act in activations:
        for depth, units in depths.items():
            for (width, k), names in groups.items():
                for seed in seeds:
                    model = models.mlp(width, units, act, k, init=init, seed=seed)
                    initial = model.get_weights()
                    for name in names:
                        model.set_weights(initial)
                        x, y, xv, yv, _ = data[name]
                        results[act, name, depth, seed] = _one_run(
                            model, x, y, xv, yv, targets[name], steps=steps,
                            batch_size=batch_size, learning_rate=learning_rate,
                            record_every=record_every, seed=seed)
    rows = []
    for act in activations:
        for name in data:
            for depth in depths:
                for seed in seeds:
                    row = {"activation": act, "dataset": name, "depth": depth, "seed": seed}
                    row.update(results[act, name, depth, seed])
                    rows.append(row)
    return rows


def _one_run(model, x, y, xv, yv, target, **kwargs) -> dict:
    try:
        history = training.train(model, x, y, x_val=xv, y_val=yv, **kwargs)
    except training.TrainingDivergedError:
        nan = float("nan")
        return {"val_accuracy": nan, "val_loss": nan, "train_accuracy": nan,
                "steps_to_target": None, "diverged": True}
    return {
        "val_accuracy": float(history.val_accuracy[-1]),
        "val_loss": float(history.val_loss[-1]),
        "train_accuracy": float(history.accuracy[-1]),
        "steps_to_target": history.steps_to(target),
        "diverged": False,
    }


def summarise(
    rows: Sequence[Mapping],
    value: str,
    by: Sequence[str] = ("activation", "dataset", "depth"),
) -> list[dict]:
    """Group ``rows`` by the columns ``by`` and give the mean and spread of column ``value``.

    Missing values (``None``, e.g. a target never reached) and NaN (e.g. a diverged run) are
    left out of the mean and counted in ``n_missing``.

    Args:
        rows: a tidy table, e.g. from :func:`run`: a non-empty list of dicts that all have the
            keys ``by`` and ``value``.
        value: the column to summarise; its entries must be real numbers, ``None`` or NaN.
        by: the grouping columns, a non-empty list or tuple of str
            (default ``("activation", "dataset", "depth")``).

    Returns:
        A list of dicts, one per group in order of first appearance, with the ``by`` columns
        and ``n`` (number of values used), ``n_missing``, ``mean`` (NaN if ``n == 0``) and
        ``std``: the sample standard deviation (divisor ``n - 1``), NaN if ``n < 2``.

    Raises:
        TypeError: if ``rows`` is not a list of dicts, ``value`` is not a str, or an entry of
            ``value`` is not a number or ``None``.
        ValueError: if ``rows`` or ``by`` is empty, or a row lacks ``value`` or a ``by`` column.
    """
    if isinstance(rows, (str, bytes)) or not isinstance(rows, Sequence):
        raise TypeError(f"rows must be a list of dicts, got {type(rows).__name__}")
    if not rows:
        raise ValueError("rows must not be empty")
    if not isinstance(value, str):
        raise TypeError(f"value must be a str (a column name), got {type(value).__name__}")
    by = _check_names("by", by)
    groups: dict[tuple, list[float]] = {}
    missing: dict[tuple, int] = {}
    for i, row in enumerate(rows):
        if not isinstance(row, Mapping):
            raise TypeError(f"rows[{i}] must be a dict, got {type(row).__name__}")
        for column in (*by, value):
            if column not in row:
                raise ValueError(f"rows[{i}] has no column {column!r}; it has {sorted(row)}")
        key = tuple(row[c] for c in by)
        groups.setdefault(key, [])
        missing.setdefault(key, 0)
        v = row[value]
        if v is None:
            missing[key] += 1
            continue
        if isinstance(v, bool) or not isinstance(v, numbers.Real):
            raise TypeError(f"rows[{i}][{value!r}] must be a number or None, "
                            f"got {type(v).__name__}")
        if math.isnan(v):
            missing[key] += 1
        else:
            groups[key].append(float(v))
    out = []
    for key, values in groups.items():
        arr = np.asarray(values, dtype=np.float64)
        n = len(arr)
        out.append({
            **dict(zip(by, key)),
            "n": n,
            "n_missing": missing[key],
            "mean": float(arr.mean()) if n else float("nan"),
            "std": float(arr.std(ddof=1)) if n >= 2 else float("nan"),
        })
    return out


def select(rows: Sequence[Mapping], **where) -> list[dict]:
    """The rows whose columns equal every ``column=value`` given (all rows if none given).

    Raises:
        ValueError: if a named column is missing from a row.
    """
    out = []
    for i, row in enumerate(rows):
        for column in where:
            if column not in row:
                raise ValueError(f"rows[{i}] has no column {column!r}; it has {sorted(row)}")
        if all(row[c] == v for c, v in where.items()):
            out.append(dict(row))
    return out


def markdown_table(
    summary: Sequence[Mapping],
    rows: str,
    columns: str,
    cell: Callable[[Mapping], str],
    *,
    corner: str = "",
) -> str:
    """Lay ``summary`` out as a Markdown table: one line per value of ``rows``, one column per
    value of ``columns`` (both in order of first appearance), cell text ``cell(entry)``.

    Args:
        summary: list of dicts (e.g. from :func:`summarise`, filtered with :func:`select`) in
            which each ``(rows, columns)`` pair occurs at most once.
        rows, columns: column names whose values label the table's lines and columns.
        cell: function from one summary entry to the text of its cell; absent pairs get "".
        corner: text of the top-left header cell (default empty).

    Returns:
        The table as a str, lines separated by ``"\\n"``.

    Raises:
        TypeError: if ``cell`` is not callable.
        ValueError: if ``summary`` is empty or a ``(rows, columns)`` pair repeats.
    """
    if not callable(cell):
        raise TypeError(f"cell must be callable, got {type(cell).__name__}")
    if not summary:
        raise ValueError("summary must not be empty")
    line_keys, col_keys, cells = [], [], {}
    for entry in summary:
        r, c = entry[rows], entry[columns]
        if (r, c) in cells:
            raise ValueError(f"summary has more than one entry for {rows}={r!r}, {columns}={c!r}")
        if r not in line_keys:
            line_keys.append(r)
        if c not in col_keys:
            col_keys.append(c)
        cells[r, c] = cell(entry)
    lines = ["| " + " | ".join([corner, *map(str, col_keys)]) + " |",
             "|" + "---|" * (len(col_keys) + 1)]
    for r in line_keys:
        texts = [str(r)] + [cells.get((r, c), "") for c in col_keys]
        lines.append("| " + " | ".join(texts) + " |")
    return "\n".join(lines)
