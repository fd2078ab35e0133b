"""Argument validation shared by every public function of the package.

Each checker raises ``TypeError`` for a value of the wrong kind and ``ValueError`` for a value of
the right kind but outside what is allowed; the message always names the argument and says what
is allowed, so a bad call never surfaces as an obscure TensorFlow error.
"""

from __future__ import annotations

import numbers
from collections.abc import Iterable

import numpy as np


def _check_bounds(name, value, minimum, maximum, min_inclusive=True, max_inclusive=True):
    """Raise ``ValueError`` naming ``name`` unless ``value`` lies within the given bounds."""
    for limit, inclusive, below in ((minimum, min_inclusive, True),
                                    (maximum, max_inclusive, False)):
        if limit is None:
            continue
        if below:
            bad, op = (value < limit, ">=") if inclusive else (value <= limit, ">")
        else:
            bad, op = (value > limit, "<=") if inclusive else (value >= limit, "<")
        if bad:
            raise ValueError(f"{name} must be {op} {limit}, got {value}")


def check_int(name: str, value, *, minimum: int | None = None, maximum: int | None = None) -> int:
    """Return ``value`` if it is an integer (not bool) within [minimum, maximum]."""
    if isinstance(value, bool) or not isinstance(value, numbers.Integral):
        raise TypeError(f"{name} must be an int, got {type(value).__name__} ({value!r})")
    value = int(value)
    _check_bounds(name, value, minimum, maximum)
    return value


def check_float(name: str, value, *, minimum: float | None = None, maximum: float | None = None,
                min_inclusive: bool = True, max_inclusive: bool = True) -> float:
    """Return ``value`` as a float if it is a finite real number (not bool) within the bounds."""
    if isinstance(value, bool) or not isinstance(value, numbers.Real):
        raise TypeError(f"{name} must be a real number, got {type(value).__name__} ({value!r})")
    value = float(value)
    if not np.isfinite(value):
        raise ValueError(f"{name} must be finite, got {value}")
    _check_bounds(name, value, minimum, maximum, min_inclusive, max_inclusive)
    return value


def check_choice(name: str, value, choices: Iterable[str]) -> str:
    """Return ``value`` if it is one of the strings in ``choices``."""
    choices = list(choices)
    if not isinstance(value, str):
        raise TypeError(f"{name} must be a str, one of {choices}; got {type(value).__name__}")
    if value not in choices:
        raise ValueError(f"unknown {name} {value!r}; known: {', '.join(choices)}")
    return value


def check_array(
    name: str,
    value,
    *,
    ndim: int | None = None,
    last_dim: int | None = None,
    kind: str = "float",
    allow_empty: bool = False,
    allow_nan: bool = False,
) -> np.ndarray:
    """Return ``value`` as a NumPy array after checking its type, rank, width and contents.

    ``kind`` is ``"float"`` (any real dtype; must be finite, or NaN with ``allow_nan``) or
    ``"int"`` (integer dtype only).
    """
    if isinstance(value, (str, bytes)) or value is None:
        raise TypeError(f"{name} must be an array, got {type(value).__name__}")
    if hasattr(value, "numpy") and not isinstance(value, np.ndarray):
        value = value.numpy()
    try:
        arr = np.asarray(value)
    except ValueError as err:   # ragged nested lists
        raise ValueError(f"{name} must be a rectangular array (every row the same length); "
                         f"NumPy says: {err}") from None
    if kind == "int":
        if not np.issubdtype(arr.dtype, np.integer):
            raise TypeError(f"{name} must hold integers, got dtype {arr.dtype}")
    elif kind == "float":
        if arr.dtype == bool or not (
            np.issubdtype(arr.dtype, np.floating) or np.issubdtype(arr.dtype, np.integer)
        ):
            raise TypeError(f"{name} must hold real numbers, got dtype {arr.dtype}")
    else:  # pragma: no cover - programming error inside the package
        raise AssertionError(kind)
    if ndim is not None and arr.ndim != ndim:
        raise ValueError(f"{name} must have {ndim} dimension(s), got shape {arr.shape}")
    if last_dim is not None and (arr.ndim == 0 or arr.shape[-1] != last_dim):
        raise ValueError(f"{name} must have shape (n, {last_dim}), got shape {arr.shape}")
    if not allow_empty and arr.size == 0:
        raise ValueError(f"{name} must not be empty, got shape {arr.shape}")
    if kind == "float":
        bad = ~np.isfinite(arr)
        if allow_nan:
            bad &= ~np.isnan(arr)
        if np.any(bad):
            allowed = "finite values or NaN (no inf)" if allow_nan else \
                "only finite values (no NaN or inf)"
            raise ValueError(f"{name} must contain {allowed}")
    return arr


def check_same_length(name_a: str, a: np.ndarray, name_b: str, b: np.ndarray) -> None:
    """Raise ``ValueError`` unless ``a`` and ``b`` have the same first dimension."""
    if len(a) != len(b):
        raise ValueError(
            f"{name_a} and {name_b} must have the same length, got {len(a)} and {len(b)}"
        )


def check_sequence(name: str, value, *, what: str = "values", allow_empty: bool = False) -> list:
    """Return ``value`` as a list if it is a list, tuple, range or 1-D array (never a string).

    ``what`` names the expected items in the message (e.g. ``"ints"``); the items themselves are
    checked by the caller.
    """
    if isinstance(value, np.ndarray) and value.ndim == 1:
        value = value.tolist()
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, range)):
        raise TypeError(f"{name} must be a list or tuple of {what}, got {type(value).__name__}")
    if not allow_empty and len(value) == 0:
        raise ValueError(f"{name} must not be empty")
    return list(value)


def check_model(model) -> None:
    """Raise unless ``model`` is a built ``keras.Model`` with one float32 input ``(batch, d)``
    and one float32 output ``(batch, k)`` (``TypeError`` for a non-model, ``ValueError``
    otherwise)."""
    import keras

    if not isinstance(model, keras.Model):
        raise TypeError(f"model must be a keras.Model, got {type(model).__name__}")
    try:
        inputs, outputs = model.inputs, model.outputs
    except (AttributeError, ValueError):
        inputs = outputs = None
    if not inputs or not outputs:
        raise ValueError("model must be built from a keras.Input (e.g. keras.Input(shape=(d,))) "
                         "so that its input width is known")
    if len(inputs) != 1 or len(outputs) != 1:
        raise ValueError(f"model must have one input and one output, got {len(inputs)} and "
                         f"{len(outputs)}")
    if inputs[0].dtype != "float32":
        raise ValueError(f"model's input must be float32 (the package's dtype), got "
                         f"{inputs[0].dtype}")
    for what, tensor, letter in (("input", inputs[0], "d"), ("output", outputs[0], "k")):
        shape = tuple(tensor.shape)
        if len(shape) != 2 or shape[1] is None:
            raise ValueError(f"model's {what} must have shape (batch, {letter}) with {letter} "
                             f"known, got {shape}")
    for layer in model.layers:
        if layer.compute_dtype != "float32" or any(
                w.dtype != "float32" for w in layer.weights):
            raise ValueError(f"model must compute in float32 (the package's dtype); layer "
                             f"{layer.name!r} uses {layer.compute_dtype}")


def check_inputs(model, x, name: str = "x") -> np.ndarray:
    """``model`` checked, and ``x`` as float32 ``(n, d)`` with ``d`` the model's input width."""
    check_model(model)
    n_in = int(model.inputs[0].shape[-1])
    x = check_float32(name, check_array(name, x, ndim=2))
    if x.shape[1] != n_in:
        raise ValueError(f"{name} must have shape (n, {n_in}) to match the model, "
                         f"got {x.shape}")
    return x


def check_logits(model) -> None:
    """Raise ``ValueError`` unless the layer that makes ``model``'s output gives logits: no
    activation after its affine map (softmax cross-entropy applies the softmax itself), no
    Lambda (whose function cannot be inspected), and not the real-valued ``"output"`` layer of
    ``actbook.models.mlp(regression=True)``."""
    import keras

    last = model.outputs[0]._keras_history.operation    # the layer that makes the output
    activation = getattr(last, "activation", None)
    if isinstance(last, keras.layers.Softmax):
        applied = "softmax"
    elif isinstance(last, keras.layers.Lambda):
        applied = "a Lambda function"
    elif activation is None or activation is keras.activations.linear:
        applied = "linear"
    else:
        applied = getattr(activation, "__name__", type(activation).__name__)
        applied = "linear" if applied in ("linear", "identity") else applied
    if applied != "linear":
        raise ValueError(f"model must output logits (its last layer with no activation: the "
                         f"loss applies the softmax itself); its last layer {last.name!r} "
                         f"applies {applied!r}")
    if model.name == "mlp" and last.name == "output":
        raise ValueError("model is an actbook.models.mlp(regression=True) network, whose "
                         "output is a real value, not logits: build it with regression=False")


def check_xy(model, x, y, name_x: str = "x", name_y: str = "y"):
    """:func:`check_inputs` plus labels: int32 ``(n,)`` class indices of the model's logits."""
    x = check_inputs(model, x, name_x)
    check_logits(model)
    n_out = int(model.outputs[0].shape[-1])
    if n_out < 2:
        raise ValueError(f"model must output at least 2 logits (one per class) to be trained "
                         f"or evaluated with softmax cross-entropy; it outputs {n_out}")
    y = check_array(name_y, y, ndim=1, kind="int")
    check_same_length(name_x, x, name_y, y)
    if y.min() < 0 or y.max() >= n_out:
        raise ValueError(f"{name_y} must hold class indices in 0..{n_out - 1} "
                         f"(the model has {n_out} logits), got range {y.min()}..{y.max()}")
    return x, y.astype(np.int32)


def check_float32(name: str, arr: np.ndarray) -> np.ndarray:
    """``arr`` (real, finite) as float32, refusing values that overflow float32 to inf."""
    with np.errstate(over="ignore"):
        out = arr.astype(np.float32)
    if not np.all(np.isfinite(out)):
        raise ValueError(f"{name} must hold values that fit in float32 (|value| < 3.4e38); "
                         f"the largest is {np.max(np.abs(arr)):.3g}")
    return out


def check_weight_lists(name: str, value, model) -> list:
    """``value`` checked as a non-empty list of weight lists, each with ``model``'s shapes in
    ``model.get_weights()`` order, holding finite real numbers that fit in float32; returned as
    float32 arrays."""
    lists = check_sequence(name, value, what="weight lists (one per network)")
    shapes = [tuple(v.shape) for v in model.weights]
    out = []
    for k, ws in enumerate(lists):
        arrays = ([check_array(f"{name}[{k}][{i}]", w, allow_empty=True)
                   for i, w in enumerate(ws)] if isinstance(ws, (list, tuple)) else None)
        got = None if arrays is None else [a.shape for a in arrays]
        if got != shapes:
            raise ValueError(f"{name}[{k}] must be arrays of shapes {shapes} "
                             f"(model.get_weights() order), got {got}")
        out.append([check_float32(f"{name}[{k}][{i}]", a) for i, a in enumerate(arrays)])
    return out


#: Step numbers are int32 inside the compiled trainers.
MAX_STEP = 2**31 - 1


def check_steps(steps, start_step, record_every) -> tuple[int, int, int]:
    """``steps``, ``start_step`` and ``record_every`` of a trainer: ints, ``steps`` a multiple
    of ``record_every``, and ``start_step + steps`` within the int32 step counter."""
    steps = check_int("steps", steps, minimum=1, maximum=MAX_STEP - 1)
    record_every = check_int("record_every", record_every, minimum=1)
    start_step = check_int("start_step", start_step, minimum=0, maximum=MAX_STEP - steps)
    if steps % record_every:
        raise ValueError(f"steps must be a multiple of record_every ({record_every}), "
                         f"got {steps}")
    return steps, start_step, record_every


#: Memory a computation may plan to use, as a fraction of the memory available when it starts.
MEMORY_FRACTION = 0.5


def check_memory(need: int, what: str, advice: str) -> None:
    """Raise ``ValueError`` if ``need`` bytes exceed :data:`MEMORY_FRACTION` of the memory
    available now (``psutil``); the message gives the estimate, ``what`` needs it, and
    ``advice``."""
    import psutil

    available = psutil.virtual_memory().available
    if need > MEMORY_FRACTION * available:
        raise ValueError(f"{what} needs about {need / 2**30:.1f} GiB, more than half of the "
                         f"{available / 2**30:.1f} GiB available: {advice}")
