"""Every public function and class of actbook, called with bad arguments (issue: reliability).

Each row is one bad call. It must raise ValueError or TypeError whose message names the
argument (the regex), never an obscure TensorFlow error, a hang or a silently wrong result.
`test_every_public_callable_is_covered` makes a new public function fail the suite until rows
for it are added here.
"""

from __future__ import annotations

import inspect

import keras
import numpy as np
import pandas as pd
import pytest

from actbook import (
    activations,
    data,
    linear,
    models,
    playground,
    plotting,
    probes,
    report,
    simulate,
    stats,
    sweep,
    training,
)

NAN = float("nan")
INF = float("inf")
X = np.zeros((4, 2), np.float32)
Y = np.array([0, 1, 0, 1])
LAYERS = [(np.eye(2), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))]
LAYERS_1D = [(np.ones((1, 2)), np.zeros(2)), (np.ones((2, 1)), np.zeros(1))]
_MODEL = {}


def model():
    if "m" not in _MODEL:
        _MODEL["m"] = models.mlp(2, [3], "relu", seed=0)
    return _MODEL["m"]


def two_input_model():
    a, b = keras.Input((2,)), keras.Input((2,))
    return keras.Model([a, b], keras.layers.Dense(2)(keras.layers.Concatenate()([a, b])))


def frozen_model(trainable_logits=False):
    """A 2-3-2 network whose hidden Dense layer is frozen (and its logits too, by default)."""
    inputs = keras.Input((2,))
    hidden = keras.layers.Dense(3, name="hidden")
    logits = keras.layers.Dense(2, name="logits")
    out = logits(keras.layers.Activation("relu")(hidden(inputs)))
    hidden.trainable, logits.trainable = False, trainable_logits
    return keras.Model(inputs, out)


def softmax_twice_model():
    """A layer applied twice, the second time making the output: a softmax, not logits."""
    inputs = keras.Input((2,))
    shared = keras.layers.Dense(2, activation="softmax", name="shared")
    return keras.Model(inputs, shared(keras.layers.Dense(2)(shared(inputs))))


def int_input_model():
    inputs = keras.Input((2,), dtype="int32")
    h = keras.layers.Activation("linear", dtype="float32")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2)(h))


def subclassed_dense_model():
    """A Dense subclass whose call differs: not the Dense train_many writes out."""

    class Dense(keras.layers.Dense):
        def call(self, inputs):
            return super().call(inputs) * 10.0

    inputs = keras.Input((2,))
    return keras.Model(inputs, Dense(2)(inputs))


def shared_layer_model():
    """One Dense layer applied twice."""
    inputs = keras.Input((2,))
    shared = keras.layers.Dense(2, name="shared")
    return keras.Model(inputs, keras.layers.Dense(2)(shared(shared(inputs))))


def no_kernel_model():
    """A layer named hidden_1 with no kernel of its own (not the layout of models.mlp)."""
    inputs = keras.Input((2,))
    h = keras.layers.Activation("relu", name="hidden_1")(inputs)
    return keras.Model(inputs, keras.layers.Dense(2, name="logits")(h))


def sweep_run(**override):
    kwargs = dict(activations=["relu"],
                  datasets={"xor": data.train_val_split(*data.xor_data(n=40))},
                  depths={"shallow": [4]}, seeds=[0], steps=50, record_every=50)
    kwargs.update(override)
    return sweep.run(**kwargs)


XY = data.train_val_split(*data.xor_data(n=40))


def sweep_small(**change):
    """sweep.run on a tiny valid setting, changed by ``change``."""
    kwargs = dict(activations=["relu"], datasets={"xor": XY}, depths={"d": (2,)}, seeds=[0],
                  steps=20, record_every=10, batch_size=8)
    return sweep.run(**{**kwargs, **change})


def train_small(**change):
    """training.train on a tiny valid setting, changed by ``change``."""
    kwargs = {"model": models.mlp(2, [4], "relu"), "x": np.zeros((10, 2), np.float32),
              "y": np.zeros(10, int), "steps": 100, "batch_size": 5, "record_every": 100}
    return training.train(**{**kwargs, **change})


def train_many_small(**change):
    """training.train_many on a tiny valid setting, changed by ``change``."""
    kwargs = dict(seeds=[0, 1], learning_rates=[0.1, 0.2], steps=40, batch_size=8,
                  record_every=20)
    x, y = data.xor_data(n=40)
    network = change.pop("model", None) or models.mlp(2, [3], "relu")
    return training.train_many(network, x, y, **{**kwargs, **change})


CASES = [
    # activations
    ("activations.names", lambda: activations.names("all"), TypeError, "argument"),
    ("activations.get", lambda: activations.get("swish2"), ValueError, "known: linear"),
    ("activations.from_layer", lambda: activations.from_layer(model().get_layer("logits")),
     ValueError, r"layer 'logits' \(Dense\) has no elementwise derivative"),
    ("activations.get", lambda: activations.get("relu").function("abc"), TypeError,
     "x must hold real numbers"),
    ("activations.get", lambda: activations.get("gelu").derivative([True]), TypeError,
     "x must hold real numbers"),
    ("activations.get", lambda: activations.get(None), TypeError, "activation"),
    ("activations.get", lambda: activations.get("leaky_relu", negative_slope=-0.01),
     ValueError, "negative_slope"),
    ("activations.get", lambda: activations.get("leaky_relu", negative_slope=NAN),
     ValueError, "negative_slope"),
    ("activations.get", lambda: activations.get("prelu", initial_slope=1.5), ValueError,
     "initial_slope"),
    ("activations.get", lambda: activations.get("elu", alpha=-1.0), ValueError, "alpha"),
    ("activations.get", lambda: activations.get("maxout", pieces=0), ValueError, "pieces"),
    ("activations.get", lambda: activations.get("tanh", alpha=1.0), ValueError, "alpha"),
    ("activations.Activation.make_layer",
     lambda: activations.get("relu").make_layer(), ValueError, "relu"),
    ("activations.keras_function", lambda: activations.keras_function("maxout"), ValueError,
     "not elementwise"),
    ("activations.tf_derivative", lambda: activations.tf_derivative("relu", ["a"]), TypeError,
     "x must hold real numbers"),
    ("activations.tf_derivative", lambda: activations.tf_derivative("relu", [NAN]), ValueError,
     "x must contain only finite"),
    ("activations.kink_slopes", lambda: activations.kink_slopes("relu", offset=0.0), ValueError,
     "offset must be > 0"),
    ("activations.kink_slopes", lambda: activations.kink_slopes("relu", at="0"), TypeError,
     "at must be a real number"),
    # data
    ("data.xor_data", lambda: data.xor_data(n=-5), ValueError, "n must be >= 1"),
    ("data.xor_data", lambda: data.xor_data(n="10"), TypeError, "n must be an int"),
    ("data.xor_data", lambda: data.xor_data(noise=INF), ValueError, "noise"),
    ("data.xor_data", lambda: data.xor_data(seed=1.5), TypeError, "seed"),
    ("data.two_moons", lambda: data.two_moons(noise=-1.0), ValueError, "noise"),
    ("data.two_moons", lambda: data.two_moons(n=0), ValueError, "n must be >= 2"),
    ("data.circles", lambda: data.circles(factor=0.0), ValueError, "factor"),
    ("data.circles", lambda: data.circles(noise=NAN), ValueError, "noise"),
    ("data.spiral", lambda: data.spiral(n=7), ValueError, "even"),
    ("data.spiral", lambda: data.spiral(turns=-1.0), ValueError, "turns"),
    ("data.digits", lambda: data.digits(1), TypeError, "argument"),
    ("data.train_val_split", lambda: data.train_val_split(X, Y[:3]), ValueError, "same length"),
    ("data.three_way_split", lambda: data.three_way_split(X, Y, test_fraction=1.0),
     ValueError, "test_fraction must be < 1"),
    ("data.three_way_split", lambda: data.three_way_split(X, Y, val_fraction="0.2"),
     TypeError, "val_fraction must be a real number"),
    ("data.three_way_split", lambda: data.three_way_split(X[:2], Y[:2]), ValueError,
     "at least 3 rows"),
    ("data.train_val_split", lambda: data.train_val_split(X, Y, val_fraction=0), ValueError,
     "val_fraction"),
    ("data.train_val_split", lambda: data.train_val_split(X, Y.astype(float)), TypeError,
     "y must hold integers"),
    ("data.train_val_split", lambda: data.train_val_split(X[:, 0], Y), ValueError,
     r"x must have 2 dimension\(s\)"),
    # models
    ("models.mlp", lambda: models.mlp(2, [0]), ValueError, r"hidden_units\[0\]"),
    ("models.mlp", lambda: models.mlp(2, [4.0]), TypeError, r"hidden_units\[0\]"),
    ("models.mlp", lambda: models.mlp(2, None), TypeError, "hidden_units"),
    ("models.mlp", lambda: models.mlp(-1, [4]), ValueError, "input_dim"),
    ("models.mlp", lambda: models.mlp(2, [4], "RELU"), ValueError, "known"),
    ("models.mlp", lambda: models.mlp(2, [4], init="xavier"), ValueError, "init"),
    ("models.mlp", lambda: models.mlp(2, [4], output_units=-2), ValueError, "output_units"),
    # one logit: softmax over it is constant, the model could only ever predict class 0
    ("models.mlp", lambda: models.mlp(2, [4], "sigmoid", output_units=1), ValueError,
     r"output_units must be >= 2.*got 1"),
    ("models.mlp", lambda: models.mlp(2, [4], hidden_bias="0"), TypeError, "hidden_bias"),
    ("models.Maxout", lambda: models.Maxout(0), ValueError, "units"),
    ("models.Maxout", lambda: models.Maxout(4, pieces=1), ValueError, "pieces"),
    ("models.Maxout", lambda: models.Maxout(4, pieces=2.5), TypeError, "pieces"),
    ("models.hidden_layer_names", lambda: models.hidden_layer_names("mlp"), TypeError,
     "model"),
    # training
    ("training.train", lambda: training.train(model(), X, Y, steps=-1), ValueError, "steps"),
    ("training.train", lambda: training.train(model(), X, Y, learning_rate=NAN, steps=1,
                                              batch_size=2, record_every=1),
     ValueError, "learning_rate"),
    ("training.train", lambda: training.train(model(), X, Y, learning_rate=-0.1, steps=1,
                                              batch_size=2, record_every=1),
     ValueError, "learning_rate"),
    ("training.train", lambda: training.train(model(), X, Y, batch_size=0), ValueError,
     "batch_size"),
    ("training.train", lambda: training.train(model(), X[:0], Y[:0]), ValueError,
     "x must not be empty"),
    ("training.train", lambda: training.train(model(), X, Y, x_val=X, y_val=Y[:2], steps=1,
                                              batch_size=2, record_every=1),
     ValueError, "same length"),
    ("training.train", lambda: training.train(model(), X, -Y, steps=1, batch_size=2,
                                              record_every=1), ValueError, "class indices"),
    ("training.train", lambda: training.train(model(), X, Y, seed=2**40, steps=1,
                                              batch_size=2, record_every=1), ValueError, "seed"),
    ("training.train", lambda: training.train(model(), X, Y, start_step=-3, steps=1,
                                              batch_size=2, record_every=1),
     ValueError, "start_step"),
    ("training.train",
     lambda: training.train(model(), X, Y, batch_size=2, record_every=0), ValueError,
     "record_every"),
    ("training.evaluate", lambda: training.evaluate(model(), X, Y[:1]), ValueError,
     "same length"),
    ("training.evaluate", lambda: training.evaluate(model(), np.full((4, 2), NAN), Y),
     ValueError, "finite"),
    ("training.evaluate", lambda: training.evaluate(None, X, Y), TypeError, "model"),
    ("training.minibatch_indices", lambda: training.minibatch_indices(0, 1, 1), ValueError,
     "n must be >= 1"),
    ("training.minibatch_indices", lambda: training.minibatch_indices(10, 2, 0), ValueError,
     "steps"),
    ("training.History.steps_to",
     lambda: training.History(np.arange(2), np.zeros(2), np.zeros(2), None, None).steps_to(0.5),
     ValueError, "validation"),
    ("training.History.steps_to",
     lambda: training.History(np.arange(2), np.zeros(2), np.zeros(2), np.zeros(2),
                              np.zeros(2)).steps_to(1.5), ValueError, "val_accuracy"),
    # probes
    ("probes.output_spread", lambda: probes.representations.output_spread(model(), X[:1]),
     ValueError, "at least 2 examples"),
    ("probes.output_spread", lambda: probes.representations.output_spread(model(), [["a"]]),
     TypeError, "x must hold real numbers"),
    ("probes.logits", lambda: probes.logits(model(), np.zeros((4, 3))), ValueError,
     r"x must have shape \(n, 2\) to match the model"),
    ("probes.logits", lambda: probes.logits(model(), [["a", "b"]]), TypeError,
     "x must hold real numbers"),
    ("probes.hidden_activations", lambda: probes.hidden_activations(model(), X[:0]),
     ValueError, "empty"),
    ("probes.pre_activations", lambda: probes.pre_activations(model(), np.full((2, 2), INF)),
     ValueError, "finite"),
    ("probes.bias_gradient_norms", lambda: probes.bias_gradient_norms(model(), X, Y[:2]),
     ValueError, "same length"),
    ("probes.bias_gradient_norms",
     lambda: probes.bias_gradient_norms(model(), X, Y, cost="mse"), ValueError, "cost"),
    ("probes.bias_gradient_norms",
     lambda: probes.bias_gradient_norms(model(), X, Y + 5), ValueError,
     r"y must hold class indices in 0\.\.1"),
    ("probes.hidden_derivatives", lambda: probes.hidden_derivatives(model(), X[:, :1]),
     ValueError, r"x must have shape \(n, 2\) to match the model"),
    ("probes.mean_activations", lambda: probes.mean_activations("model", X), TypeError,
     "model"),
    ("probes.derivative_peak", lambda: probes.derivative_peak("nope"), ValueError, "known"),
    ("probes.saturation_fraction",
     lambda: probes.saturation_fraction(model(), X, threshold=1.5), ValueError, "threshold"),
    ("probes.saturation_fraction",
     lambda: probes.saturation_fraction(model(), X, threshold=-0.1), ValueError, "threshold"),
    ("probes.dead_units", lambda: probes.dead_units(model(), X[0]), ValueError,
     r"x must have 2 dimension\(s\)"),
    ("probes.dead_fraction", lambda: probes.dead_fraction(model(), X[:0]), ValueError,
     "x must not be empty"),
    ("probes.zero_fraction", lambda: probes.zero_fraction(model(), np.full((2, 2), NAN)),
     ValueError, "finite"),
    ("simulate.born_dead_probability", lambda: simulate.born_dead_probability(0, 3), ValueError,
     "depth"),
    ("simulate.born_dead_probability", lambda: simulate.born_dead_probability(5, 0), ValueError,
     "width"),
    ("simulate.born_dead_probability", lambda: simulate.born_dead_probability(5, 3, trials=0),
     ValueError, "trials"),
    ("simulate.born_dead_probability",
     lambda: simulate.born_dead_probability(5, 3, bias_std=-1.0), ValueError, "bias_std"),
    # linear
    ("linear.collapse", lambda: linear.collapse([]), ValueError, "layers"),
    ("linear.collapse", lambda: linear.collapse([(np.eye(2), np.zeros(3))]), ValueError,
     "layers"),
    ("linear.collapse", lambda: linear.collapse([(np.eye(2), np.zeros(2)),
                                                 (np.ones((3, 1)), np.zeros(1))]),
     ValueError, "layers"),
    ("linear.collapse", lambda: linear.collapse("W"), TypeError, "layers"),
    ("linear.rank_bound", lambda: linear.rank_bound([(np.full((2, 2), NAN), np.zeros(2))]),
     ValueError, "layers"),
    ("linear.forward", lambda: linear.forward(LAYERS, np.zeros((3, 5))), ValueError,
     r"x must have shape \(n, 2\)"),
    ("linear.forward", lambda: linear.forward(LAYERS, np.zeros((3, 2)), "softsign"),
     ValueError, "hidden_activation"),
    ("linear.relu_kinks", lambda: linear.relu_kinks(LAYERS_1D, 1.0, 0.0), ValueError,
     "lo must be < hi"),
    ("linear.relu_kinks", lambda: linear.relu_kinks(LAYERS, 0.0, 1.0), ValueError, "input"),
    ("linear.count_pieces", lambda: linear.count_pieces(LAYERS_1D, 0.0, INF), ValueError,
     "hi must be finite"),
    ("linear.sawtooth", lambda: linear.sawtooth(0), ValueError, "depth"),
    ("linear.sawtooth", lambda: linear.sawtooth(2.0), TypeError, "depth"),
    ("linear.dense_layers", lambda: linear.dense_layers(object()), TypeError, "model"),
    ("linear.dense_layers", lambda: linear.dense_layers(model(), "linear"), ValueError,
     "hidden_activation"),
    # plotting
    ("plotting.series_style", lambda: plotting.series_style(-1), ValueError, "i must be >= 0"),
    ("plotting.series_style", lambda: plotting.series_style("0"), TypeError, "i must be an int"),
    ("plotting.class_scatter", lambda: plotting.class_scatter(None, np.zeros((3, 3)), Y[:3]),
     ValueError, r"x must have shape \(n, 2\)"),
    ("plotting.class_scatter", lambda: plotting.class_scatter(None, X, Y[:3]), ValueError,
     "same length"),
    ("plotting.decision_regions",
     lambda: plotting.decision_regions(None, model(), X, Y, resolution=1), ValueError,
     "resolution"),
    ("plotting.line_style", lambda: plotting.line_style(-1), ValueError, "i must be >= 0"),
    ("plotting.line_style", lambda: plotting.line_style(1.0), TypeError, "i must be an int"),
    ("plotting.use_book_style", lambda: plotting.use_book_style("dark"), TypeError,
     "argument"),
    # sweep
    ("sweep.run", lambda: sweep_run(activations=["relu", "nope"]), ValueError, "known"),
    ("sweep.run", lambda: sweep_run(seeds=[]), ValueError, "seeds"),
    ("sweep.run", lambda: sweep_run(depths={"deep": [0]}), ValueError, "depths"),
    ("sweep.run", lambda: sweep_run(steps=0), ValueError, "steps"),
    ("sweep.run", lambda: sweep_run(target=1.5), ValueError, "target"),
    ("sweep.run", lambda: sweep_run(datasets={"xor": (X, Y[:2], X, Y)}), ValueError,
     "datasets"),
    ("sweep.run", lambda: sweep_run(datasets={"xor": (X, Y)}), TypeError, "datasets"),
    ("sweep.run", lambda: sweep_run(learning_rate=[0.1, 0.1]), ValueError,
     "learning_rate must not repeat"),
    # many networks at once
    ("training.train_many", lambda: training.train_many(model(), X, Y, seeds=[0, 1],
                                                        learning_rates=[0.1]),
     ValueError, "learning_rates must have one rate per seed"),
    ("training.train_many", lambda: training.train_many(model(), X, Y, seeds=[]), ValueError,
     "seeds must not be empty"),
    ("training.evaluate_many", lambda: training.evaluate_many(model(), [], X, Y), ValueError,
     "weights must not be empty"),
    ("training.evaluate_many", lambda: training.evaluate_many(model(), "w", X, Y), TypeError,
     "weights must be a list or tuple of weight lists"),
    ("training.estimate_memory", lambda: training.estimate_memory(model(), 0, 10, 2),
     ValueError, "n_models must be >= 1"),
    ("models.initial_weights", lambda: models.initial_weights(2, [3], "relu", 1), ValueError,
     "output_units must be >= 2"),
    # inputs that overflow float32, step counters, seeds, sizes (issue: newcomer review)
    ("training.train_many", lambda: training.train_many(model(), np.full((4, 2), 1e39), Y,
                                                        seeds=[0], steps=2, record_every=1,
                                                        batch_size=2),
     ValueError, r"x must hold values that fit in float32"),
    ("training.train_many",
     lambda: training.train_many(model(), X, Y, seeds=[0], steps=2, record_every=1,
                                 batch_size=2,
                                 initial_weights=[[w + np.nan for w in model().get_weights()]]),
     ValueError, r"initial_weights\[0\]\[0\] must contain only finite values"),
    ("training.train", lambda: training.train(model(), X, Y, steps=20, record_every=10,
                                              batch_size=2, start_step=2**31 - 15),
     ValueError, r"start_step must be <= 2147483627"),
    ("training.train_many",
     lambda: training.train_many(keras.Sequential([keras.Input((2,)), keras.layers.Dense(2, activation="softmax")]), X, Y, seeds=[0]),  # noqa: E501
     ValueError, r"must output logits .*'softmax'"),
    ("training.train_many",
     lambda: training.train_many(keras.Sequential([keras.Input((2,)), keras.layers.Dense(3, activation="relu"), keras.layers.Dense(2)]), X, Y, seeds=[0]),  # noqa: E501
     ValueError, r"train_many needs linear Dense layers.*'relu'"),
    # optimisers, clipping, normalisation, residual connections, gated units (chapter 6)
    ("training.train", lambda: training.train(model(), X, Y, steps=2, record_every=1,
                                              batch_size=2, optimizer="rmsprop"),
     ValueError, "unknown optimizer 'rmsprop'; known: sgd, adam"),
    ("training.train", lambda: training.train(model(), X, Y, steps=2, record_every=1,
                                              batch_size=2, optimizer="adam", start_step=2),
     ValueError, "optimizer='adam' .* start_step must be 0"),
    ("training.train", lambda: training.train(model(), X, Y, steps=2, record_every=1,
                                              batch_size=2, clip_norm=-1.0),
     ValueError, "clip_norm must be > 0"),
    ("training.train", lambda: training.train(models.mlp(2, [3], norm="batch"), X, Y, steps=2,
                                              record_every=1, batch_size=2),
     ValueError, "BatchNormalization layers with train_many"),
    ("training.train_many", lambda: training.train_many(model(), X, Y, seeds=[0], steps=2,
                                                        record_every=1, batch_size=2,
                                                        optimizer=None),
     TypeError, "optimizer must be"),
    ("training.train_many", lambda: training.train_many(model(), X, Y, seeds=[0], steps=2,
                                                        record_every=1, batch_size=2,
                                                        clip_norm="1"),
     TypeError, "clip_norm must be"),
    ("training.layer_stats_many", lambda: training.layer_stats_many(model(), [], X, Y),
     ValueError, "weights must not be empty"),
    ("training.layer_stats_many",
     lambda: training.layer_stats_many(models.mlp(2, []), [models.mlp(2, []).get_weights()],
                                       X, Y),
     ValueError, "model has no hidden layers"),
    ("models.mlp", lambda: models.mlp(2, [3], norm="layer"), ValueError,
     "unknown norm 'layer'; known: batch"),
    ("models.mlp", lambda: models.mlp(2, [3], "maxout", norm="batch"), ValueError,
     "norm='batch' needs a Dense layer"),
    ("models.mlp", lambda: models.mlp(2, [3], residual=1), TypeError, "residual must be a bool"),
    ("models.initial_weights", lambda: models.initial_weights(2, [3], "glu", norm="batch"),
     ValueError, "norm='batch' needs a Dense layer"),
    ("models.Gated", lambda: models.Gated(3, gate="tanh"), ValueError,
     "unknown gate 'tanh'; known: sigmoid, silu"),
    ("models.Gated", lambda: models.Gated(0), ValueError, "units must be >= 1"),
    ("models.mlp", lambda: models.mlp(2, [3], seed=2**62), ValueError,
     "seed must be <= 2000000"),
    ("models.mlp", lambda: models.mlp(2, [3], hidden_bias=1e39), ValueError,
     r"hidden_bias must be <= 1000000.0"),
    ("models.initial_weights", lambda: models.initial_weights(2, [10**12]), ValueError,
     "the network would have .* weights, more than 1e\\+09"),
    ("simulate.born_dead_probability",
     lambda: simulate.born_dead_probability(2, 10**6, trials=10**6), ValueError,
     "needs about .* GiB"),
    ("sweep.run", lambda: sweep_run(learning_rate=np.array([0.1, 0.1])), ValueError,
     "learning_rate must not repeat"),
    # --- moved here from test_data, test_models_training, test_sweep, test_train_many (one table)
    ("data.xor_data", lambda: data.xor_data(n=0), ValueError, r"n must be >= 1, got 0"),
    ("data.xor_data", lambda: data.xor_data(n=2.5), TypeError, r"n must be an int, got float"),
    ("data.xor_data", lambda: data.xor_data(n=True), TypeError, r"n must be an int, got bool"),
    ("data.xor_data", lambda: data.xor_data(noise=-0.1), ValueError, r"noise must be >= 0\.0"),
    ("data.xor_data", lambda: data.xor_data(noise=0.5), ValueError, r"noise must be < 0\.5"),
    ("data.xor_data", lambda: data.xor_data(noise=NAN), ValueError, r"noise must be finite"),
    ("data.xor_data", lambda: data.xor_data(noise="big"), TypeError,
     r"noise must be a real number"),
    ("data.xor_data", lambda: data.xor_data(seed=-1), ValueError, r"seed must be >= 0"),
    ("data.two_moons", lambda: data.two_moons(n=1), ValueError, r"n must be >= 2, got 1"),
    ("data.circles", lambda: data.circles(factor=1.0), ValueError, r"factor must be < 1\.0"),
    ("data.spiral", lambda: data.spiral(n=3), ValueError, r"n must be even \(half the points"),
    ("data.spiral", lambda: data.spiral(turns=0), ValueError, r"turns must be > 0\.0"),
    ("data.train_val_split", lambda: data.train_val_split(np.zeros(4), Y), ValueError,
     r"x must have 2 dimension\(s\)"),
    ("data.train_val_split", lambda: data.train_val_split(X[:0], Y[:0]), ValueError,
     r"x must not be empty"),
    ("data.train_val_split", lambda: data.train_val_split(np.full((4, 2), NAN), Y), ValueError,
     r"x must contain only finite"),
    ("data.train_val_split", lambda: data.train_val_split(X, Y, val_fraction=1.0), ValueError,
     r"val_fraction must be < 1"),
    ("data.train_val_split", lambda: data.train_val_split(X[:1], Y[:1]), ValueError,
     r"at least 2"),
    ("data.train_val_split", lambda: data.train_val_split("abc", Y), TypeError,
     r"x must be an array"),
    ("models.mlp", lambda: models.mlp(0, [2]), ValueError, r"input_dim must be >= 1"),
    ("models.mlp", lambda: models.mlp(2, 3), TypeError, r"hidden_units must be a list"),
    ("models.mlp", lambda: models.mlp(2, "3"), TypeError, r"hidden_units must be a list"),
    ("models.mlp", lambda: models.mlp(2, [3, 0]), ValueError, r"hidden_units\[1\] must be >= 1"),
    ("models.mlp", lambda: models.mlp(2, [3], "swishy"), ValueError,
     r"unknown activation 'swishy'; known: linear"),
    ("models.mlp", lambda: models.mlp(2, [3], init="zeros"), ValueError,
     r"unknown init 'zeros'; known: keras"),
    ("models.mlp", lambda: models.mlp(2, [3], output_units=0), ValueError,
     r"output_units must be >= 2"),
    ("models.mlp", lambda: models.mlp(2, [3], hidden_bias=INF), ValueError,
     r"hidden_bias must be finite"),
    ("models.mlp", lambda: models.mlp(2, [3], seed=-2), ValueError, r"seed must be >= 0"),
    ("models.mlp", lambda: models.mlp(1, [3], "relu", regression="yes"), TypeError,
     r"regression must be a bool"),
    ("training.train", lambda: train_small(x=np.zeros((10, 3), np.float32)), ValueError,
     r"x must have shape \(n, 2\)"),
    ("training.train", lambda: train_small(y=np.full(10, 2)), ValueError,
     r"y must hold class indices in 0\.\.1"),
    ("training.train", lambda: train_small(y=np.zeros(10, np.float32)), TypeError,
     r"y must hold integers"),
    ("training.train", lambda: train_small(y=np.zeros(9, int)), ValueError,
     r"x and y must have the same length"),
    ("training.train", lambda: train_small(x=np.full((10, 2), INF, np.float32)), ValueError,
     r"x must contain only finite"),
    ("training.train", lambda: train_small(steps=0), ValueError, r"steps must be >= 1"),
    ("training.train", lambda: train_small(steps=150), ValueError,
     r"steps must be a multiple of record_every"),
    ("training.train", lambda: train_small(batch_size=11), ValueError,
     r"batch_size \(default 256; at most the number of training examples\) must be <= 10"),
    ("training.train", lambda: train_small(learning_rate=0.0), ValueError,
     r"learning_rate must be > 0"),
    ("training.train", lambda: train_small(learning_rate="0.1"), TypeError,
     r"learning_rate must be a real number"),
    ("training.train", lambda: train_small(x_val=np.zeros((2, 2), np.float32)), ValueError,
     r"x_val and y_val"),
    ("training.train", lambda: train_small(model="mlp"), TypeError, r"model must be a keras"),
    ("training.train", lambda: training.train(
        models.mlp(1, [3], "relu", output_units=1, regression=True, seed=0), np.zeros((4, 1)),
        np.zeros(4, int), steps=1, batch_size=2, record_every=1), ValueError,
     r"regression=True"),
    ("training.train", lambda: train_small(model=keras.Sequential([keras.Input((2,)), keras.layers.Dense(1)])),  # noqa: E501
     ValueError, r"at least 2 logits"),
    ("training.minibatch_indices", lambda: training.minibatch_indices(10, 11, 5), ValueError,
     r"batch_size must be <= 10"),
    ("training.minibatch_indices", lambda: training.minibatch_indices(10, 2, 5.0), TypeError,
     r"steps must be an int"),
    ("probes.logits", lambda: probes.logits(models.mlp(2, [4], "maxout"), np.zeros((3, 5))),
     ValueError, r"x must have shape \(n, 2\)"),
    ("probes.pre_activations",
     lambda: probes.pre_activations(models.mlp(2, [4], "maxout"), np.zeros((3, 2))), ValueError,
     r"maxout"),
    ("probes.logits", lambda: probes.logits(keras, np.zeros((3, 2))), TypeError,
     r"model must be a keras"),
    ("training.train_many", lambda: train_many_small(seeds=[]), ValueError,
     r"seeds must not be empty"),
    ("training.train_many", lambda: train_many_small(seeds=3), TypeError,
     r"seeds must be a list"),
    ("training.train_many", lambda: train_many_small(seeds=[0, -1]), ValueError,
     r"seeds\[1\] must be >= 0"),
    ("training.train_many", lambda: train_many_small(learning_rates=[0.1]), ValueError,
     r"one rate per seed"),
    ("training.train_many", lambda: train_many_small(learning_rates=[0.1, 0.0]), ValueError,
     r"learning_rates\[1\] must be > 0"),
    ("training.train_many", lambda: train_many_small(initial_weights=[[np.zeros(2)]] * 2),
     ValueError, r"initial_weights\[0\] must be"),
    ("training.train_many", lambda: train_many_small(initial_weights=[None]), ValueError,
     r"one weight list per seed"),
    ("training.train_many", lambda: train_many_small(steps=50), ValueError,
     r"steps must be a multiple of record_every"),
    ("training.train_many", lambda: train_many_small(batch_size=0), ValueError,
     r"batch_size must be >= 1"),
    ("training.train_many",   # 2000 networks of 10**6 hidden units: about 380 GB
     lambda: training.train_many(models.mlp(2, [10**6], "relu"), X, Y, seeds=list(range(2000)),
                                 steps=1, batch_size=2, record_every=1), ValueError,
     r"training 2000 networks at once needs about .* GiB"),
    ("sweep.run", lambda: sweep_small(activations="relu"), TypeError,
     r"activations must be a list or tuple of str"),
    ("sweep.run", lambda: sweep_small(activations=[]), ValueError,
     r"activations must not be empty"),
    ("sweep.run", lambda: sweep_small(activations=["relu", "relu"]), ValueError,
     r"activations must not repeat a name"),
    ("sweep.run", lambda: sweep_small(activations=["swish"]), ValueError,
     r"unknown activations\[0\] 'swish'; known: linear"),
    ("sweep.run", lambda: sweep_small(datasets=[XY]), TypeError, r"datasets must be a dict"),
    ("sweep.run", lambda: sweep_small(datasets={}), ValueError, r"datasets must not be empty"),
    ("sweep.run", lambda: sweep_small(datasets={"xor": XY[:2]}), TypeError,
     r"datasets\['xor'\] must be a tuple \(x_train, y_train, x_val, y_val\)"),
    ("sweep.run", lambda: sweep_small(datasets={"xor": (*XY, XY[2])}), TypeError,
     r"datasets\['xor'\] must be a tuple \(x_train, y_train, x_val, y_val\)"),
    ("sweep.run", lambda: sweep_small(datasets={"xor": (*XY, XY[2], XY[3] + 5)}), ValueError,
     r"datasets\['xor'\] y_test must hold class indices in 0\.\.1"),
    ("sweep.run", lambda: sweep_small(datasets={"xor": (XY[0], XY[1], XY[2][:, :1], XY[3])}),
     ValueError, r"datasets\['xor'\] x_val must have shape \(n, 2\)"),
    ("sweep.run", lambda: sweep_small(datasets={"xor": (XY[0], XY[1].astype(float), *XY[2:])}),
     TypeError, r"datasets\['xor'\] y_train must hold integers"),
    ("sweep.run", lambda: sweep_small(datasets={"xor": (XY[0], XY[1][:-1], *XY[2:])}),
     ValueError, r"datasets\['xor'\] x_train and y_train must have the same length"),
    ("sweep.run", lambda: sweep_small(datasets={"xor": (XY[0], 0 * XY[1], XY[2], 0 * XY[3])}),
     ValueError, r"datasets\['xor'\] must have at least 2 classes"),
    ("sweep.run", lambda: sweep_small(depths={"d": ()}), ValueError,
     r"depths\['d'\] must not be empty"),
    ("sweep.run", lambda: sweep_small(depths={"d": (0,)}), ValueError,
     r"depths\['d'\]\[0\] must be >= 1"),
    ("sweep.run", lambda: sweep_small(depths={"d": (2.5,)}), TypeError,
     r"depths\['d'\]\[0\] must be an int"),
    ("sweep.run", lambda: sweep_small(seeds=[]), ValueError, r"seeds must not be empty"),
    ("sweep.run", lambda: sweep_small(seeds=[1, 1]), ValueError, r"seeds must not repeat"),
    ("sweep.run", lambda: sweep_small(seeds=[-1]), ValueError, r"seeds\[0\] must be >= 0"),
    ("sweep.run", lambda: sweep_small(steps=25), ValueError,
     r"steps must be a multiple of record_every \(10\)"),
    ("sweep.run", lambda: sweep_small(batch_size=1000), ValueError, r"batch_size must be <= 32"),
    ("sweep.run", lambda: sweep_small(learning_rate=0.0), ValueError,
     r"learning_rate must be > 0\.0"),
    ("sweep.run", lambda: sweep_small(learning_rate=[0.1, 0.1]), ValueError,
     r"learning_rate must not repeat"),
    ("sweep.run", lambda: sweep_small(learning_rate=[]), ValueError,
     r"learning_rate must not be empty"),
    ("sweep.run", lambda: sweep_small(target=0.0), ValueError, r"target must be > 0\.0"),
    ("sweep.run", lambda: sweep_small(target=1.5), ValueError, r"target must be <= 1\.0"),
    ("sweep.run", lambda: sweep_small(target={"other": 0.9}), ValueError,
     r"target has no value for data set\(s\) \['xor'\]"),
    ("sweep.run", lambda: sweep_small(init="lecun"), ValueError,
     r"unknown init 'lecun'; known: keras"),
    ("playground.playground_url", lambda: playground.playground_url(lr=0), ValueError,
     r"lr='0' is not allowed: lr must be a number in \(0, 10\]"),
    ("playground.playground_url", lambda: playground.playground_url(colour="red"), ValueError,
     r"unknown playground parameter\(s\) \['colour'\]; known: data"),
    ("playground.playground_url", lambda: playground.playground_url(act=["relu"] * 3),
     ValueError, r"act=\['relu', 'relu', 'relu'\] does not survive the link"),
    ("playground.playground_url",
     lambda: playground.playground_url(depth=2, act="relu,tanh,relu"), ValueError,
     r"act gives 3 activations for 2 hidden layers"),
    ("playground.playground_url", lambda: playground.playground_url(lr="fast"), ValueError,
     r"lr='fast' is not allowed: lr must be a number"),
    ("playground.playground_url", lambda: playground.playground_url(base=3), TypeError,
     r"base must be a str, got int"),
    ("playground.parse_query", lambda: playground.parse_query(None), TypeError,
     r"query must be a str, got NoneType"),
    ("playground.playground_state", lambda: playground.playground_state(b"lr=1"), TypeError,
     r"query must be a str, got bytes"),
    ("playground.build_model", lambda: playground.build_model("relu"), TypeError,
     r"state must be a dict from parse_query"),
    ("playground.initial_weights", lambda: playground.initial_weights({"lr": -1}), ValueError,
     r"lr='-1' is not allowed: lr must be a number in \(0, 10\]"),
    ("playground.dataset", lambda: playground.dataset({"data": "mnist"}), ValueError,
     r"data='mnist' is not allowed: data must be one of xor, circles, moons, spiral"),
    ("playground.export_run", lambda: playground.export_run(playground.parse_query("")[0], 0),
     ValueError, r"steps must be >= 1, got 0"),
    ("playground.export_run", lambda: playground.export_run(playground.parse_query("")[0], 1.5),
     TypeError, r"steps must be an int, got float"),
    ("playground.n_train", lambda: playground.n_train(1), ValueError, r"n must be >= 2, got 1"),
    # statistics
    ("report.shown", lambda: report.shown(NAN), ValueError, r"value must be finite"),
    ("report.shown", lambda: report.shown(1.0, "1f"), ValueError, r"shown_as must be '\.Nf'"),
    ("report.shown", lambda: report.shown(1.0, 2), TypeError, r"shown_as must be a format"),
    ("report.significant", lambda: report.significant(3.0, 0), ValueError,
     r"digits must be >= 1"),
    ("report.difference", lambda: report.difference(1.0, "2"), TypeError,
     r"value must be a real number"),
    ("report.ratio", lambda: report.ratio(1.0, 0.001, ".1f"), ValueError,
     r"b is displayed as 0"),
    ("report.glue_difference", lambda: report.glue_difference("a b", 1.0, 2.0), ValueError,
     r"name must be an identifier"),
    ("report.glue_ratio", lambda: report.glue_ratio("r", 1.0, 2.0, digits=-1), ValueError,
     r"digits must be >= 0"),
    ("report.interval_text", lambda: report.interval_text([0.5]), ValueError,
     r"at least 2|values"),
    ("report.glue_interval", lambda: report.glue_interval("x", [0.5, 0.6], digits=1.5),
     TypeError, r"digits must be an int"),
    ("report.censored_text", lambda: report.censored_text([10, 20], 0), ValueError,
     r"budget must be"),
    ("report.p_text", lambda: report.p_text(1.5), ValueError, r"p must be <= 1"),
    ("report.names_text", lambda: report.names_text([]), ValueError, r"names must"),
    ("report.names_text", lambda: report.names_text(["a", 2]), TypeError,
     r"names must hold strings"),
    ("report.difference_text", lambda: report.difference_text(0.9, 0.8, 0.2, 0.1), ValueError,
     r"low must be <= high"),
    ("report.difference_text", lambda: report.difference_text(0.9, NAN, 0.0, 0.1), ValueError,
     r"b must be finite"),
    ("report.difference_text", lambda: report.difference_text(0.9, 0.8, "0", 0.1), TypeError,
     r"low must be a real number"),
    ("report.markdown_table", lambda: report.markdown_table([[1]]), TypeError,
     r"frame must be a pandas DataFrame"),
    ("report.markdown_table", lambda: report.markdown_table(pd.DataFrame({"a": [1]}), name="x"),
     ValueError, r"name labels a captioned table"),
    ("report.significant_interval_text",
     lambda: report.significant_interval_text([0.5, 0.6], digits=0), ValueError, r"digits"),
    ("report.significant_interval_text",
     lambda: report.significant_interval_text([0.5, 0.6], scale=INF), ValueError, r"scale"),
    ("report.significant_interval_text", lambda: report.significant_interval_text([0.5]),
     ValueError, r"at least 2 numbers"),
    ("stats.mean_interval", lambda: stats.mean_interval([1.0]), ValueError,
     "at least 2 numbers"),
    ("stats.mean_interval", lambda: stats.mean_interval([1.0, 2.0], confidence=1.0),
     ValueError, "confidence must be < 1"),
    ("stats.paired_difference", lambda: stats.paired_difference([1, 2], [1, 2, 3]),
     ValueError, "same length"),
    ("stats.holm", lambda: stats.holm([0.2, -0.1]), ValueError, r"p_values must lie in"),
    ("stats.censored_median", lambda: stats.censored_median([10, 20], budget=0), ValueError,
     "budget must be >= 1"),
    ("stats.censored_median", lambda: stats.censored_median([10, -np.inf], 100), ValueError,
     r"steps must contain finite values or NaN \(no inf\)"),
    ("stats.censored_median", lambda: stats.censored_median(["10", "20"], 100), TypeError,
     "steps must hold real numbers"),
    ("stats.censored_median", lambda: stats.censored_median([True, False], 100), TypeError,
     "steps must hold real numbers"),
    ("stats.censored_median", lambda: stats.censored_median([[10, 20]], 100), ValueError,
     r"steps must have 1 dimension\(s\)"),
    ("stats.compare_arms", lambda: stats.compare_arms([], "acc", "activation", "relu"),
     TypeError, "table must be a pandas DataFrame"),
    ("stats.compare_arms",
     lambda: stats.compare_arms(pd.DataFrame({"a": ["relu", "elu"], "seed": [0, 0],
                                              "v": [0.5, np.nan]}), "v", "a", "relu"),
     ValueError, r"table\['v'\] has NaN for 1 row\(s\)"),
    ("stats.compare_arms",
     lambda: stats.compare_arms(pd.DataFrame({"a": ["relu"], "seed": [0], "v": [0.5]}), "v",
                                "a", "relu"),
     ValueError, "at least one a besides the baseline"),
    ("probes.forward_many", lambda: probes.forward_many([], "relu", X), TypeError,
     "weights must be a non-empty list"),
    ("probes.forward_many",
     lambda: probes.forward_many([model().get_weights()[:3]], "relu", X), ValueError,
     "weights must hold 2 arrays per hidden layer"),
    ("probes.forward_many", lambda: probes.forward_many([model().get_weights()], "swish2", X),
     ValueError, "known: linear"),
    ("probes.forward_many",
     lambda: probes.forward_many([model().get_weights()], "relu", np.zeros((4, 3))),
     ValueError, "expects 2 inputs"),
    ("probes.dead_masks", lambda: probes.dead_masks([model().get_weights()], "maxout", X),
     ValueError, "maxout"),
    ("probes.dead_masks",
     lambda: probes.dead_masks([[w * NAN for w in model().get_weights()]], "relu", X),
     ValueError, "weights must be finite"),
    ("probes.zero_shares", lambda: probes.zero_shares([model().get_weights()], [[NAN, 0.0]]),
     ValueError, "x"),
    ("report.decide_confirm_table", lambda: report.decide_confirm_table([]), TypeError,
     "result must be the DataFrame of stats.decide_confirm"),
    ("report.decide_confirm_table",
     lambda: report.decide_confirm_table(pd.DataFrame({"verdict": ["x"]})), ValueError,
     "result must come from stats.decide_confirm"),
    ("report.decide_confirm_table",
     lambda: report.decide_confirm_table(pd.DataFrame(), labels=("a",)), TypeError,
     "labels must be two strings"),
    ("stats.decide_confirm",
     lambda: stats.decide_confirm([], pd.DataFrame(), "v", "a", "relu"), TypeError,
     "decide must be a pandas DataFrame"),
    ("stats.decide_confirm",
     lambda: stats.decide_confirm(pd.DataFrame(), pd.DataFrame(), "v", "a", "relu", alpha=1.5),
     ValueError, "alpha must be"),
    ("stats.decide_confirm",
     lambda: stats.decide_confirm(
         pd.DataFrame({"a": ["relu", "elu"] * 2, "seed": [0, 0, 1, 1], "v": [.5, .6, .5, .7]}),
         pd.DataFrame({"a": ["relu", "elu"] * 2, "seed": [0, 0, 1, 1], "v": [.5, .6, .5, .7]}),
         "v", "a", "relu"), ValueError, "disjoint"),
    ("stats.bootstrap_mean_interval", lambda: stats.bootstrap_mean_interval([0.5]), ValueError,
     "values must hold at least 2"),
    ("stats.bootstrap_mean_interval",
     lambda: stats.bootstrap_mean_interval([0.5, 0.6], n_resamples=10), ValueError,
     "n_resamples"),
    ("stats.bootstrap_mean_interval", lambda: stats.bootstrap_mean_interval([0.5, NAN]),
     ValueError, "values"),
    # --- the trainers, after a review that tried to break them (issue: multi-model trainer)
    ("training.train", lambda: training.train(model(), [[1.0, 2.0], [1.0]], [0, 1]),
     ValueError, r"x must be a rectangular array"),
    ("training.train_many", lambda: train_many_small(
        initial_weights=[[[[1.0, 2.0, 3.0], [1.0]]] + model().get_weights()[1:]] * 2),
     ValueError, r"initial_weights\[0\]\[0\] must be a rectangular array"),
    ("training.train", lambda: train_small(steps=2**31 - 1, record_every=1), ValueError,
     r"steps must be <= 2147483646"),
    ("training.train_many", lambda: train_many_small(steps=2**31, record_every=1), ValueError,
     r"steps must be <= 2147483646"),
    ("training.minibatch_indices", lambda: training.minibatch_indices(60, 60, 2**31 - 2),
     ValueError, r"the indices of 2147483646 steps of 60 from 60 examples needs about .* GiB"),
    ("training.minibatch_indices", lambda: training.minibatch_indices(2**40, 1, 1),
     ValueError, r"from 1099511627776 examples needs about .* GiB"),
    ("training.train_many",   # 1000 networks x 2**31 - 1 records of 16 bytes: 32 TiB
     lambda: training.train_many(model(), X, Y, seeds=list(range(1000)), batch_size=2,
                                 steps=2**31 - 2, record_every=1), ValueError,
     r"training 1000 networks at once needs about .* GiB"),
    ("training.train", lambda: train_small(learning_rate=1e-46), ValueError,
     r"learning_rate must be at least 1.18e-38"),
    ("training.train_many", lambda: train_many_small(learning_rates=[0.1, 1e-40]), ValueError,
     r"learning_rates\[1\] must be at least"),
    ("training.train", lambda: train_small(clip_norm=1e-50), ValueError,
     r"clip_norm must be at least"),
    ("training.train", lambda: train_small(model=keras.Sequential([keras.layers.Dense(2)])),
     ValueError, r"model must be built from a keras.Input"),
    ("training.train", lambda: train_small(model=two_input_model()), ValueError,
     r"model must have one input and one output, got 2 and 1"),
    ("training.train", lambda: train_small(model=keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, dtype="float64")])), ValueError,
     r"model must compute in float32.*float64"),
    ("training.evaluate", lambda: training.evaluate(keras.Sequential(
        [keras.Input((None,)), keras.layers.Activation("linear")]), X, Y), ValueError,
     r"model's input must have shape \(batch, d\) with d known"),
    ("training.train", lambda: train_small(model=keras.Sequential(
        [keras.Input((3, 2)), keras.layers.Conv1D(2, 3), keras.layers.Flatten()])), ValueError,
     r"model's input must have shape \(batch, d\)"),
    ("training.train", lambda: train_small(model=frozen_model()), ValueError,
     r"model has no trainable weights"),
    ("training.train", lambda: train_small(model=keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(4), keras.layers.Dropout(0.5),
         keras.layers.Dense(2)])), ValueError, r"where Dropout does nothing"),
    ("training.train", lambda: train_small(model=keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, kernel_regularizer="l2")])), ValueError,
     r"has a weight penalty on '.*kernel', which would be ignored"),
    # --- a second review of the trainers
    ("training.train", lambda: train_small(model=keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2, kernel_constraint=keras.constraints.MaxNorm(0.01))])),  # noqa: E501
     ValueError, r"has a constraint on '.*kernel'"),
    ("training.train_many", lambda: train_many_small(model=keras.Sequential(
        [keras.Input((2,)), keras.layers.BatchNormalization(gamma_regularizer="l2"),
         keras.layers.Dense(2)])), ValueError, r"a weight penalty on '.*gamma'"),
    ("training.train", lambda: train_small(model=keras.Sequential(
        [keras.Input((2,)), keras.Sequential([keras.Input((2,)), keras.layers.Dense(4)]),
         keras.layers.Dense(2)])), ValueError, r"is itself a model"),
    ("training.train", lambda: train_small(model=keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(2), keras.layers.Lambda(lambda z: z * 2.0)])),
     ValueError, r"must output logits .*a Lambda function"),
    ("training.train", lambda: train_small(model=softmax_twice_model()), ValueError,
     r"its last layer 'shared' applies 'softmax'"),
    ("training.train", lambda: train_small(model=int_input_model()), ValueError,
     r"model's input must be float32 \(the package's dtype\), got int32"),
    ("training.train_many", lambda: train_many_small(model=subclassed_dense_model()),
     ValueError, r"train_many trains networks built by actbook.models.mlp .*Dense layer"),
    ("training.train_many", lambda: train_many_small(model=keras.Sequential(
        [keras.Input((2,)), keras.layers.Dense(3), keras.layers.Activation(lambda z: z * 2.0),
         keras.layers.Dense(2)])), ValueError, r"applies another function"),
    ("training.evaluate",   # 10**6 examples x a 10**5-wide layer: about 1.9 TiB
     lambda: training.evaluate(models.mlp(2, [10**5], "relu"),
                               np.zeros((10**6, 2), np.float32), np.zeros(10**6, int)),
     ValueError, r"evaluating on 1000000 examples needs about .* GiB"),
    ("training.train_many", lambda: train_many_small(model=shared_layer_model()), ValueError,
     r"train_many needs every layer used once; 'shared' is called 2 times"),
    ("training.evaluate_many", lambda: training.evaluate_many(
        frozen_model(trainable_logits=True), [frozen_model().get_weights()], X, Y), ValueError,
     r"layer 'hidden' is frozen"),
    ("training.evaluate_many",   # 2000 networks of 10**6 hidden units: refused before checking
     lambda: training.evaluate_many(models.mlp(2, [10**6], "relu"),
                                    [[np.zeros(1)]] * 2000, X, Y), ValueError,
     r"a pass of 2000 networks over 4 examples needs about .* GiB"),
    ("training.estimate_memory", lambda: training.estimate_memory("mlp", 2, 10, 10), TypeError,
     r"model must be a keras.Model"),
    ("training.estimate_memory", lambda: training.estimate_memory(model(), 2, 10, 10,
                                                                  records=-1), ValueError,
     r"records must be >= 0"),
    ("training.layer_stats_many", lambda: training.layer_stats_many(
        no_kernel_model(), [no_kernel_model().get_weights()], X, Y), ValueError,
     r"hidden layer 'hidden_1' has no kernel and no 'hidden_1_pre' layer"),
]


@pytest.mark.parametrize("name, call, error, match", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bad_call_raises_a_named_error(name, call, error, match, monkeypatch):
    if name == "sweep.run":
        # A bad sweep is refused before any network is trained (it can take minutes).
        def no_training(*args, **kwargs):
            raise AssertionError("sweep.run started training before rejecting its arguments")

        monkeypatch.setattr(training, "train_many", no_training)
    with pytest.raises(error, match=match) as info:
        call()
    assert type(info.value).__module__ in ("builtins",), (
        f"{name} raised {type(info.value).__module__}.{type(info.value).__name__}")


def _public_callables():
    names = set()
    for module in (activations, data, linear, models, playground, plotting, probes.dead,
                   probes.gradients, probes.representations, report, simulate, stats, sweep,
                   training):
        # the probes are called as probes.NAME, whichever submodule holds them
        prefix = module.__name__.split(".")[1]
        for attr, obj in vars(module).items():
            if attr.startswith("_") or getattr(obj, "__module__", None) != module.__name__:
                continue
            if inspect.isfunction(obj) or (inspect.isclass(obj)
                                           and not issubclass(obj, Exception)):
                names.add(f"{prefix}.{attr}")
    return names


# Classes whose bad inputs are those of the functions that build them.
BUILT_ELSEWHERE = {"activations.Activation": "activations.get / Activation.make_layer",
                   "training.History": "training.train / History.steps_to",
                   "training.ManyRuns": "training.train_many",
                   "stats.Interval": "stats.mean_interval",
                   "stats.PairedDifference": "stats.paired_difference",
                   "stats.CensoredTimes": "stats.censored_median"}


def test_every_public_callable_is_covered():
    covered = {c[0] for c in CASES} | set(BUILT_ELSEWHERE)
    missing = sorted(_public_callables() - covered)
    assert not missing, f"public functions without bad-input rows: {missing}"
