import numpy as np

from actbook import models
from actbook.probes import representations


def test_output_spread_of_a_hand_set_network():
    # One ReLU layer of two units: h = (relu(x0), relu(-x0)), logits = h (identity kernel).
    model = models.mlp(2, [2], "relu", output_units=2)
    model.get_layer("hidden_1_pre").set_weights([np.array([[1.0, -1.0], [0.0, 0.0]]),
                                                 np.zeros(2)])
    model.get_layer("logits").set_weights([np.eye(2), np.zeros(2)])
    x = np.array([[2.0, 5.0], [-4.0, 1.0], [0.0, 0.0]], np.float32)
    spread = representations.output_spread(model, x)
    # unit 1 outputs (2, 0, 0), unit 2 (0, 4, 0): population standard deviations
    expect = (np.std([2.0, 0.0, 0.0]) + np.std([0.0, 4.0, 0.0])) / 2
    assert list(spread) == ["hidden_1", "logits"]
    np.testing.assert_allclose(spread["hidden_1"], expect, rtol=1e-6)
    np.testing.assert_allclose(spread["logits"], expect, rtol=1e-6)
    assert all(isinstance(v, float) for v in spread.values())


def test_output_spread_is_zero_for_identical_examples():
    model = models.mlp(3, [4, 4], "tanh", output_units=2, seed=1)
    spread = representations.output_spread(model, np.ones((5, 3), np.float32))
    assert list(spread) == ["hidden_1", "hidden_2", "logits"]
    assert max(spread.values()) < 1e-6
