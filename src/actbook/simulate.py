"""Simulations of random networks (NumPy only; no model is built or probed).

:func:`born_dead_probability` estimates how often a deep, narrow ReLU network is dead before
training starts (Lu, Shin, Su & Karniadakis 2020).
"""

from __future__ import annotations

import numpy as np

from actbook._checks import check_float, check_int, check_memory


def born_dead_probability(
    depth: int,
    width: int,
    trials: int = 1000,
    seed: int = 0,
    *,
    input_dim: int = 1,
    n_points: int = 65,
    bias_std: float = 0.0,
) -> np.ndarray:
    """Monte-Carlo estimate of the probability that a random deep ReLU network is born dead.

    Lu, Shin, Su & Karniadakis ("Dying ReLU and Initialization", 2020) call a ReLU network
    *born dead* when at initialisation it is a constant function on its input domain, and prove
    that with weights (and biases) drawn from symmetric distributions this happens with
    probability tending to 1 as the depth grows at fixed width.

    Each trial draws a network ``input_dim -> width -> ... -> width`` (``depth`` ReLU layers)
    with He-normal weights, ``N(0, 2 / fan_in)`` (He et al. 2015), and biases
    ``N(0, bias_std**2)`` (default 0: zero biases, as Keras initialises them), evaluates it on
    ``n_points`` inputs of the domain ``[-1, 1]**input_dim`` and counts it as born dead when the
    last hidden layer gives exactly the same output on all of them (then so does any output
    layer on top). All trials run at once in NumPy, layer by layer, and every depth from 1 to
    ``depth`` is read off the same draws (a network constant after ``l`` layers stays constant).

    How exact it is: for ``input_dim == 1`` the points are ``n_points`` equally spaced values
    from -1 to 1, endpoints included. With zero biases a ReLU network is positively
    homogeneous, ``f(t x) = t f(x)`` for ``t >= 0``, so it is constant on [-1, 1] exactly when
    it is 0 at -1 and at 1: the estimate is then exact per trial (any ``n_points >= 2``).
    Otherwise (biases, or ``input_dim > 1`` where the points are drawn uniformly from the cube)
    a network constant on the points but not between them would be counted as dead, so the
    estimate can only err upwards, less so with more points. Width 1 with zero biases has the
    closed form ``1 - 2**-(depth - 1)``.

    Args:
        depth: number of hidden ReLU layers, an int >= 1.
        width: units per hidden layer, an int >= 1.
        trials: number of random networks, an int >= 1 (default 1000); the standard error of
            the estimate is at most ``0.5 / sqrt(trials)``.
        seed: seed of NumPy's generator, an int >= 0 (default 0).
        input_dim: input dimension, an int >= 1 (default 1).
        n_points: inputs each network is evaluated on, an int >= 2 (default 65).
        bias_std: standard deviation of the biases, a float >= 0 (default 0.0).

    Returns:
        float64 array of shape ``(depth,)``: element ``l - 1`` is the estimated probability
        for a network of depth ``l``, a multiple of ``1 / trials``; non-decreasing in ``l``.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if an argument is out of range, or the simulation would need more than half
            the memory available (the message gives the estimate).
    """
    depth = check_int("depth", depth, minimum=1)
    width = check_int("width", width, minimum=1)
    trials = check_int("trials", trials, minimum=1)
    seed = check_int("seed", seed, minimum=0)
    input_dim = check_int("input_dim", input_dim, minimum=1)
    n_points = check_int("n_points", n_points, minimum=2)
    bias_std = check_float("bias_std", bias_std, minimum=0.0)
    # float64 weights (trial, fan_in, width) and activations (trial, point, width), a few
    # copies of each at a time.
    need = 8 * 3 * trials * width * (max(width, input_dim) + n_points + 1)
    check_memory(need, f"born_dead_probability with trials={trials}, width={width}",
                 "use fewer trials")
    rng = np.random.default_rng(seed)
    if input_dim == 1:
        points = np.linspace(-1.0, 1.0, n_points)[:, None]
    else:
        points = rng.uniform(-1.0, 1.0, size=(n_points, input_dim))
    h = np.broadcast_to(points, (trials, n_points, input_dim))  # (trial, point, unit)
    dead = np.empty(depth)
    fan_in = input_dim
    for layer in range(depth):
        w = rng.standard_normal((trials, fan_in, width)) * np.sqrt(2.0 / fan_in)
        b = rng.standard_normal((trials, 1, width)) * bias_std
        h = np.maximum(h @ w + b, 0.0)
        dead[layer] = np.mean(np.all(h == h[:, :1, :], axis=(1, 2)))
        fan_in = width
    return dead
