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


def sweep_run(**override):
    kwargs = dict(activations=["relu"],
                  datasets={"xor": data.train_val_split(*data.xor_data(n=40))},
                  depths={"shallow": [4]}, seeds=[0], steps=50, record_every=50)
    kwargs.update(override)
    return sweep.run(**kwargs)


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
     ValueError, r"train_many needs linear Dense layers.*'softmax'"),
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
]


@pytest.mark.parametrize("name, call, error, match", CASES,
                         ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_bad_call_raises_a_named_error(name, call, error, match):
    with pytest.raises(error, match=match) as info:
        call()
    assert type(info.value).__module__ in ("builtins",), (
        f"{name} raised {type(info.value).__module__}.{type(info.value).__name__}")


def _public_callables():
    names = set()
    for module in (activations, data, linear, models, plotting, probes.dead, probes.gradients,
                   probes.representations, report, simulate, stats, sweep, training):
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
