"""The book's in-browser playground (``playground.md``), from the Python side.

The playground keeps a run's whole state in its URL's query string. This module reads and writes
those URLs with the same rules as the page's own ``_static/playground/state.mjs`` (the tests
check that the two agree), so that chapters can link to an experiment with a checked link, and it
builds the Keras model and the inputs that let the tests compare the browser's arithmetic with
:func:`actbook.training.train` on the same initial weights, data and minibatch order.

State parameters (the query string's keys; see :data:`SPEC`):

=========  ==========================================================  ===============
key        meaning                                                      default
=========  ==========================================================  ===============
data       ``xor``, ``circles``, ``moons`` or ``spiral``                ``xor``
noise      noise of the data set, [0, 0.45]                             the set's own
n          number of points, [50, 2000]; 20 % held out for validation   1000
depth      number of hidden layers, [0, 6]                              2
width      units per hidden layer, [1, 16]                              8
act        one activation, or one per hidden layer (comma-separated)    ``relu``
init       initialisation scheme (:data:`INITIALISATIONS`)              ``glorot_uniform``
lr         learning rate, (0, 10]                                       0.1
batch      batch size, [1, 256] and at most the training points         32
seed       seed of the data, initial weights and minibatch order        0
bias       starting value of every hidden bias, [-1, 1] (optional)      the scheme's
=========  ==========================================================  ===============

The playground draws its data, initial weights and minibatch order with its own seeded
generator, not TensorFlow's: a playground seed reproduces a playground run, not a chapter's.
"""

from __future__ import annotations

import math
import re
from urllib.parse import parse_qsl, quote, urlsplit

import keras
import numpy as np

from actbook import activations as _activations
from actbook import data as _data
from actbook import models, training
from actbook._checks import check_int

#: Activations the playground offers (registry names), in the page's order.
ACTIVATIONS = ("linear", "sigmoid", "tanh", "relu", "leaky_relu", "elu", "gelu", "silu",
               "maxout")
#: Initialisation schemes the playground offers (names of :data:`actbook.models.INITIALISATIONS`).
INITIALISATIONS = ("standard", "glorot_uniform", "he_normal", "original", "nielsen")
DATASETS = ("xor", "circles", "moons", "spiral")
#: Noise when the URL gives none: :mod:`actbook.data`'s default for each set.
NOISE_DEFAULT = {"xor": 0.05, "circles": 0.1, "moons": 0.1, "spiral": 0.2}
VAL_FRACTION = 0.2
MAX_LAYER_ACTS = 6

#: Every state parameter: kind, allowed range (inclusive unless ``min_exclusive``) or choices,
#: default. The page's ``SPEC`` (``state.mjs``) is the same table.
SPEC = {
    "data": {"kind": "choice", "choices": list(DATASETS), "default": "xor"},
    "noise": {"kind": "float", "min": 0, "max": 0.45, "default": None},
    "n": {"kind": "int", "min": 50, "max": 2000, "default": 1000},
    "depth": {"kind": "int", "min": 0, "max": 6, "default": 2},
    "width": {"kind": "int", "min": 1, "max": 16, "default": 8},
    "act": {"kind": "acts", "choices": list(ACTIVATIONS), "default": "relu"},
    "init": {"kind": "choice", "choices": list(INITIALISATIONS), "default": "glorot_uniform"},
    "lr": {"kind": "float", "min": 0, "max": 10, "min_exclusive": True, "default": 0.1},
    "batch": {"kind": "int", "min": 1, "max": 256, "default": 32},
    "seed": {"kind": "int", "min": 0, "max": 2_000_000, "default": 0},
    "bias": {"kind": "optional-float", "min": -1, "max": 1, "default": None},
}

_INT = re.compile(r"[0-9]{1,9}")
_FLOAT = re.compile(r"[-+]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][-+]?[0-9]{1,3})?")


def _describe(spec: dict) -> str:
    if spec["kind"] == "choice":
        return f"one of {', '.join(spec['choices'])}"
    if spec["kind"] == "acts":
        return (f"one of {', '.join(spec['choices'])}, or one per hidden layer separated by "
                "commas")
    what = "an integer" if spec["kind"] == "int" else "a number"
    bracket = "(" if spec.get("min_exclusive") else "["
    out = f"{what} in {bracket}{spec['min']:g}, {spec['max']:g}]"
    return out + (" or empty" if spec["kind"] == "optional-float" else "")


def _parse_value(name: str, text: str):
    """``(value, None)`` or ``(None, message)`` for one query parameter."""
    spec = SPEC[name]
    bad = (None, f"{name}={text[:40]!r} is not allowed: {name} must be {_describe(spec)}")
    if spec["kind"] == "choice":
        return (text, None) if text in spec["choices"] else bad
    if spec["kind"] == "acts":
        parts = text.split(",")
        ok = len(parts) <= MAX_LAYER_ACTS and all(p in spec["choices"] for p in parts)
        return (parts, None) if ok else bad
    if spec["kind"] == "optional-float" and text == "":
        return None, None
    if not (_INT if spec["kind"] == "int" else _FLOAT).fullmatch(text):
        return bad
    value = int(text) if spec["kind"] == "int" else float(text)
    if not math.isfinite(value) or not spec["min"] <= value <= spec["max"] \
            or (spec.get("min_exclusive") and value == spec["min"]):
        return bad
    return value, None


def n_train(n: int) -> int:
    """Training points of a playground data set of ``n`` points (the rest is validation).

    Args:
        n: number of points, an int >= 2.

    Returns:
        ``n - max(1, round(0.2 n))`` (at least 1), an int, as :func:`actbook.data.train_val_split`
        splits with ``val_fraction=0.2``.

    Raises:
        TypeError, ValueError: for a non-int ``n`` or ``n < 2``.
    """
    n = check_int("n", n, minimum=2)
    return n - min(max(1, round(n * VAL_FRACTION)), n - 1)


def _describe_default(name: str) -> str:
    """The default of a parameter in words, as the page's ``describeDefault`` writes it."""
    if name == "noise":
        return ("the data set's own ("
                + ", ".join(f"{d} {v}" for d, v in NOISE_DEFAULT.items()) + ")")
    if name == "bias":
        return "none (the initialisation's own biases)"
    return str(SPEC[name]["default"])


def parse_query(query: str) -> tuple[dict, list[str]]:
    """The playground state a query string describes, as the page reads it.

    Args:
        query: a query string (``"data=xor&lr=0.5"``, with or without the leading ``?``) or a
            whole URL (only its query is read).

    Returns:
        ``(state, errors)``: ``state`` holds every key of :data:`SPEC` (``act`` as a list with
        one name per hidden layer, ``noise`` filled in from :data:`NOISE_DEFAULT`, ``bias``
        ``None`` when not given); ``errors`` lists a message for each unknown, repeated,
        malformed or out-of-range parameter, whose default was used instead (empty when the
        query is valid).

    Raises:
        TypeError: if ``query`` is not a str.
    """
    if not isinstance(query, str):
        raise TypeError(f"query must be a str, got {type(query).__name__}")
    if "?" in query or "://" in query:
        query = urlsplit(query).query
    errors, given = [], {}
    for key, text in parse_qsl(query, keep_blank_values=True):
        if key not in SPEC:
            errors.append(f"unknown parameter {key[:40]!r} ignored")
            continue
        if key in given:
            errors.append(f"{key} is given more than once; the first value is used")
            continue
        value, error = _parse_value(key, text)
        if error:
            errors.append(f"{error}; using the default, {_describe_default(key)}")
        else:
            given[key] = value
    state = {key: given.get(key, spec["default"]) for key, spec in SPEC.items()}
    if state["noise"] is None:
        state["noise"] = NOISE_DEFAULT[state["data"]]
    acts = state["act"] if isinstance(state["act"], list) else [state["act"]]
    if len(acts) == 1:
        state["act"] = acts * state["depth"]
    elif len(acts) == state["depth"]:
        state["act"] = acts
    else:
        errors.append(f"act gives {len(acts)} activations for {state['depth']} hidden layers; "
                      f"using {SPEC['act']['default']} in every layer")
        state["act"] = [SPEC["act"]["default"]] * state["depth"]
    limit = n_train(state["n"])
    if state["batch"] > limit:
        fallback = min(SPEC["batch"]["default"], limit)
        errors.append(f"batch={state['batch']} is larger than the {limit} training points; "
                      f"using {fallback}")
        state["batch"] = fallback
    return state, errors


def playground_state(url: str) -> dict:
    """The state of a playground link, refusing any parameter the page would not use.

    Args:
        url: a playground URL or query string (see :func:`parse_query`).

    Returns:
        The state dict of :func:`parse_query`.

    Raises:
        TypeError: if ``url`` is not a str.
        ValueError: naming every unknown, repeated, malformed or out-of-range parameter.
    """
    state, errors = parse_query(url)
    if errors:
        raise ValueError("invalid playground link: " + "; ".join(errors))
    return state


def _format(value) -> str:
    if isinstance(value, float):
        return f"{value:g}" if float(f"{value:g}") == value else repr(value)
    return str(value)


def playground_url(base: str = "../playground.html", **params) -> str:
    """A checked deep link to the playground with every state parameter written out.

    Args:
        base: the playground page relative to the page that links to it (default
            ``"../playground.html"``, right for a chapter in ``chapters/``).
        **params: state parameters (keys of :data:`SPEC`); ``act`` may be a str or a list of
            one name per hidden layer. Missing ones take their defaults.

    Returns:
        ``base + "?" + query``, e.g.
        ``"../playground.html?data=xor&noise=0.05&n=1000&depth=1&width=16&act=sigmoid&..."``.

    Raises:
        TypeError: if ``base`` is not a str.
        ValueError: naming the parameter, for an unknown key or a value the page would reject.
    """
    if not isinstance(base, str):
        raise TypeError(f"base must be a str, got {type(base).__name__}")
    unknown = sorted(set(params) - set(SPEC))
    if unknown:
        raise ValueError(f"unknown playground parameter(s) {unknown}; known: {', '.join(SPEC)}")
    parts = []
    for key in SPEC:
        value = params.get(key, SPEC[key]["default"])
        if key == "noise" and value is None:
            value = NOISE_DEFAULT.get(params.get("data", SPEC["data"]["default"]))
        if value is None:
            continue
        if key == "act" and isinstance(value, (list, tuple)):
            value = value[0] if value and all(v == value[0] for v in value) else ",".join(value)
        parts.append(f"{key}={quote(_format(value), safe=',')}")
    query = "&".join(parts)
    state = playground_state(query)          # the page would accept it
    for key, value in params.items():
        want = [value] * state["depth"] if key == "act" and isinstance(value, str) else value
        if key == "act" and isinstance(want, tuple):
            want = list(want)
        if state[key] != want:
            raise ValueError(f"{key}={value!r} does not survive the link (the page reads "
                             f"{state[key]!r})")
    return f"{base}?{query}"


# --- The same run in Python: for the tests that compare the browser with actbook ------------

def build_model(state: dict) -> keras.Model:
    """The Keras model of a playground state (one activation per hidden layer), with the layer
    names of :func:`actbook.models.mlp` (``hidden_i_pre``, ``hidden_i``, ``logits``) so that
    :mod:`actbook.probes` and :func:`actbook.training.train` work on it.

    Args:
        state: a state from :func:`parse_query` or :func:`playground_state`.

    Returns:
        A ``keras.Model`` mapping ``(batch, 2)`` to ``(batch, 2)`` logits. Its weights are
        Keras defaults: set them with ``model.set_weights(initial_weights(state))`` or from a
        browser run.

    Raises:
        TypeError, ValueError: for a state that is not a valid playground state.
    """
    state = playground_state(_query_of(state))
    inputs = keras.Input(shape=(2,), name="x")
    h = inputs
    for i, name in enumerate(state["act"], start=1):
        act = _activations.get(name)
        if act.kind == "maxout":
            h = models.Maxout(state["width"], act.params["pieces"], name=f"hidden_{i}")(h)
            continue
        z = keras.layers.Dense(state["width"], name=f"hidden_{i}_pre")(h)
        if act.kind == "layer":
            h = act.make_layer(name=f"hidden_{i}")(z)
        else:
            h = keras.layers.Activation(act.keras_name, name=f"hidden_{i}")(z)
    logits = keras.layers.Dense(2, name="logits")(h)
    return keras.Model(inputs, logits, name="playground")


def _query_of(state: dict) -> str:
    if not isinstance(state, dict):
        raise TypeError(f"state must be a dict from parse_query, got {type(state).__name__}")
    return playground_url(base="", **state)[1:]


def initial_weights(state: dict) -> list[np.ndarray]:
    """Initial weights for :func:`build_model` drawn by :func:`actbook.models.initial_weights`
    (TensorFlow's generator, so not the browser's own draw): layer ``i`` gets the kernel and
    bias that ``models.mlp(..., activation=state["act"][i], init=state["init"],
    hidden_bias=state["bias"], seed=state["seed"])`` would give it.

    Args:
        state: a playground state (see :func:`build_model`).

    Returns:
        float32 arrays in ``build_model(state).get_weights()`` order.

    Raises:
        TypeError, ValueError: for an invalid state.
    """
    state = playground_state(_query_of(state))
    widths = [state["width"]] * state["depth"]
    out = []
    acts = state["act"] or ["linear"]
    per_act = {a: models.initial_weights(2, widths, a, 2, init=state["init"],
                                         hidden_bias=state["bias"], seed=state["seed"])
               for a in set(acts)}
    for i in range(state["depth"] + 1):   # the logits layer does not depend on activations
        source = per_act[acts[i] if i < state["depth"] else acts[0]]
        out += source[2 * i:2 * i + 2]
    return out


def dataset(state: dict) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """The book's data for a state (:mod:`actbook.data`, not the browser's own draw), split by
    :func:`actbook.data.train_val_split` with 20 % validation, both seeded by ``state["seed"]``.

    Args:
        state: a playground state (see :func:`build_model`).

    Returns:
        ``(x_train, y_train, x_val, y_val)``: float32 ``(n_train, 2)``, int64, float32, int64.

    Raises:
        TypeError, ValueError: for an invalid state.
    """
    state = playground_state(_query_of(state))
    n, noise, seed = state["n"], state["noise"], state["seed"]
    if state["data"] == "xor":
        x, y = _data.xor_data(n=n, noise=noise, seed=seed)
    elif state["data"] == "circles":
        x, y = _data.circles(n=n, noise=noise, seed=seed)
    elif state["data"] == "moons":
        x, y = _data.two_moons(n=n, noise=noise, seed=seed)
    else:
        x, y = _data.spiral(n=n - n % 2, noise=noise, seed=seed)
    return _data.train_val_split(x, y, val_fraction=VAL_FRACTION, seed=seed)


def export_run(state: dict, steps: int) -> dict:
    """Everything the browser needs to repeat ``steps`` steps of :func:`actbook.training.train`
    on a state: the book's initial weights, data and minibatch order, as JSON-ready lists.

    Args:
        state: a playground state (see :func:`build_model`).
        steps: number of SGD steps, an int in [1, 100 000].

    Returns:
        A dict with ``widths`` (``[2, width, ..., 2]``), ``acts``, ``lr``, ``weights`` (nested
        lists, ``get_weights()`` order), ``x``/``y`` (training set), ``x_val``/``y_val``, and
        ``order`` (``steps`` lists of ``batch`` training-row indices, from
        :func:`actbook.training.minibatch_indices`).

    Raises:
        TypeError, ValueError: for an invalid state or ``steps``.
    """
    state = playground_state(_query_of(state))
    steps = check_int("steps", steps, minimum=1, maximum=100_000)
    x, y, xv, yv = dataset(state)
    order = training.minibatch_indices(len(x), state["batch"], steps, seed=state["seed"])
    return {
        "widths": [2] + [state["width"]] * state["depth"] + [2],
        "acts": state["act"],
        "lr": state["lr"],
        "weights": [w.tolist() for w in initial_weights(state)],
        "x": x.ravel().tolist(), "y": y.tolist(),
        "x_val": xv.ravel().tolist(), "y_val": yv.tolist(),
        "order": order.tolist(),
    }
