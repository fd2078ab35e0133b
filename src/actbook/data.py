"""Data sets used in the book: all generated or shipped with a package, none downloaded.

Every function is seeded and returns ``(x, y)`` with ``x`` a float32 array of shape ``(n, d)``
and ``y`` an int64 array of shape ``(n,)`` holding class indices ``0 .. k-1``.
"""

from __future__ import annotations

import numpy as np

from actbook._checks import check_array, check_float, check_int, check_same_length

#: The four corners of the unit square, in the order (0,0), (0,1), (1,0), (1,1).
XOR_CORNERS = np.array([[0, 0], [0, 1], [1, 0], [1, 1]], dtype=np.float32)
#: XOR of the corner bits: 1 when the two bits differ.
XOR_CORNER_LABELS = np.array([0, 1, 1, 0], dtype=np.int64)


def xor_data(n: int = 1000, noise: float = 0.05, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """The noisy XOR data set of the experiment the book grows from.

    Each point is a corner of the unit square chosen uniformly at random, plus independent
    uniform noise in ``[-noise, noise]`` on each coordinate. The label is the XOR of the corner's
    two bits: 1 when the bits *differ*, 0 when they are equal. (The original notebook labelled
    equal bits 1, which is XNOR; the geometry is the same, only the name changes.)

    Args:
        n: number of points, an int >= 1 (default 1000).
        noise: half-width of the uniform jitter per coordinate, a float in [0, 0.5)
            (default 0.05); at 0.5 or more the corners' squares would touch.
        seed: seed of the NumPy generator, an int >= 0 (default 0).

    Returns:
        ``(x, y)``: ``x`` float32 of shape ``(n, 2)``, ``y`` int64 of shape ``(n,)``.

    Raises:
        TypeError: if an argument has the wrong type.
        ValueError: if ``n < 1``, ``noise`` is negative or >= 0.5, or ``seed < 0``.
    """
    n = check_int("n", n, minimum=1)
    noise = check_float("noise", noise, minimum=0.0, maximum=0.5, max_inclusive=False)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    corner = rng.integers(0, 4, size=n)
    x = XOR_CORNERS[corner] + rng.uniform(-noise, noise, size=(n, 2)).astype(np.float32)
    return x.astype(np.float32), XOR_CORNER_LABELS[corner].copy()


def two_moons(n: int = 1000, noise: float = 0.1, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaving half circles (scikit-learn's ``make_moons``), standardised per feature.

    Args:
        n: number of points, an int >= 2 (default 1000).
        noise: standard deviation of Gaussian noise, a float >= 0 (default 0.1).
        seed: an int >= 0 (default 0).

    Returns:
        ``(x, y)``: float32 ``(n, 2)`` and int64 ``(n,)`` with classes 0 and 1.

    Raises:
        TypeError, ValueError: for arguments of the wrong type or out of range.
    """
    from sklearn.datasets import make_moons

    n = check_int("n", n, minimum=2)
    noise = check_float("noise", noise, minimum=0.0)
    seed = check_int("seed", seed, minimum=0)
    x, y = make_moons(n_samples=n, noise=noise, random_state=seed)
    return _standardise(x), y.astype(np.int64)


def circles(
    n: int = 1000, noise: float = 0.1, factor: float = 0.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two concentric circles (scikit-learn's ``make_circles``), standardised per feature.

    Args:
        n: number of points, an int >= 2 (default 1000).
        noise: standard deviation of Gaussian noise, a float >= 0 (default 0.1).
        factor: inner radius over outer radius, a float in (0, 1) (default 0.5).
        seed: an int >= 0 (default 0).

    Returns:
        ``(x, y)``: float32 ``(n, 2)`` and int64 ``(n,)``; class 1 is the inner circle.

    Raises:
        TypeError, ValueError: for arguments of the wrong type or out of range.
    """
    from sklearn.datasets import make_circles

    n = check_int("n", n, minimum=2)
    noise = check_float("noise", noise, minimum=0.0)
    factor = check_float("factor", factor, minimum=0.0, maximum=1.0,
                         min_inclusive=False, max_inclusive=False)
    seed = check_int("seed", seed, minimum=0)
    x, y = make_circles(n_samples=n, noise=noise, factor=factor, random_state=seed)
    return _standardise(x), y.astype(np.int64)


def spiral(
    n: int = 1000, noise: float = 0.2, turns: float = 1.5, seed: int = 0
) -> tuple[np.ndarray, np.ndarray]:
    """Two interleaved Archimedean spirals, a classic hard 2-D problem (Lang & Witbrock, 1988).

    Class ``c`` in {0, 1} has points at angle ``t`` in ``[0, 2 pi turns]`` and radius
    proportional to ``t``, rotated by ``c * pi``; Gaussian noise of standard deviation ``noise``
    is added to each coordinate before standardising.

    Args:
        n: number of points, an even int >= 2 (default 1000), half per class.
        noise: standard deviation of Gaussian noise, a float >= 0 (default 0.2).
        turns: number of turns of each arm, a float > 0 (default 1.5).
        seed: an int >= 0 (default 0).

    Returns:
        ``(x, y)``: float32 ``(n, 2)`` and int64 ``(n,)``.

    Raises:
        TypeError, ValueError: for arguments of the wrong type or out of range (odd ``n``).
    """
    n = check_int("n", n, minimum=2)
    if n % 2:
        raise ValueError(f"n must be even (half the points per arm), got {n}")
    noise = check_float("noise", noise, minimum=0.0)
    turns = check_float("turns", turns, minimum=0.0, min_inclusive=False)
    seed = check_int("seed", seed, minimum=0)
    rng = np.random.default_rng(seed)
    half = n // 2
    t = np.sqrt(rng.uniform(0.0, 1.0, size=half)) * 2 * np.pi * turns
    arms = []
    for c in (0, 1):
        angle = t + c * np.pi
        arms.append(np.stack([t * np.cos(angle), t * np.sin(angle)], axis=1))
    x = np.concatenate(arms) + rng.normal(0.0, noise, size=(n, 2))
    y = np.repeat(np.array([0, 1], dtype=np.int64), half)
    order = rng.permutation(n)
    return _standardise(x[order]), y[order]


def digits() -> tuple[np.ndarray, np.ndarray]:
    """scikit-learn's 8x8 handwritten digits (1797 images, shipped with the package, no download).

    Returns:
        ``(x, y)``: float32 ``(1797, 64)`` with pixel values scaled from 0..16 to [0, 1], and
        int64 ``(1797,)`` digit labels 0..9.
    """
    from sklearn.datasets import load_digits

    bunch = load_digits()
    return (bunch.data / 16.0).astype(np.float32), bunch.target.astype(np.int64)


def train_val_split(
    x, y, val_fraction: float = 0.2, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Shuffle ``(x, y)`` with a seed and split off a validation set.

    Args:
        x: array of shape ``(n, d)``.
        y: integer array of shape ``(n,)``.
        val_fraction: fraction of points for validation, a float in (0, 1) (default 0.2);
            the validation set gets ``round(n * val_fraction)`` points, at least 1, and the
            training set at least 1.
        seed: an int >= 0 (default 0).

    Returns:
        ``(x_train, y_train, x_val, y_val)``.

    Raises:
        TypeError, ValueError: for arrays of the wrong type, rank or length, or a fraction out
        of range.
    """
    x = check_array("x", x, ndim=2)
    y = check_array("y", y, ndim=1, kind="int")
    check_same_length("x", x, "y", y)
    val_fraction = check_float("val_fraction", val_fraction, minimum=0.0, maximum=1.0,
                               min_inclusive=False, max_inclusive=False)
    seed = check_int("seed", seed, minimum=0)
    n = len(x)
    if n < 2:
        raise ValueError(f"x must have at least 2 rows to split, got {n}")
    n_val = min(max(1, round(n * val_fraction)), n - 1)
    order = np.random.default_rng(seed).permutation(n)
    val, train = order[:n_val], order[n_val:]
    return x[train], y[train], x[val], y[val]


def three_way_split(
    x, y, test_fraction: float = 0.2, val_fraction: float = 0.25, seed: int = 0
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Split ``(x, y)`` into training, validation and test sets with fixed seeds.

    The test set is split off first (:func:`train_val_split` with ``test_fraction`` and
    ``seed``); the validation set is then ``val_fraction`` of the rest (with ``seed + 1``). The
    test set is for reporting final numbers only; every choice (learning rate, budget, which
    claim to make) is made on the validation set.

    Args:
        x: array of shape ``(n, d)``, ``n >= 3``.
        y: integer array of shape ``(n,)``.
        test_fraction: share of all points for the test set, in (0, 1) (default 0.2).
        val_fraction: share of the remaining points for validation, in (0, 1) (default 0.25:
            with the defaults, 60 % train, 20 % validation, 20 % test).
        seed: an int >= 0 (default 0).

    Returns:
        ``(x_train, y_train, x_val, y_val, x_test, y_test)``, disjoint and together all of
        ``(x, y)``.

    Raises:
        TypeError, ValueError: as :func:`train_val_split`, naming ``test_fraction`` or
        ``val_fraction``; ValueError for fewer than 3 points.
    """
    x = check_array("x", x, ndim=2)
    if len(x) < 3:
        raise ValueError(f"x must have at least 3 rows for three sets, got {len(x)}")
    test_fraction = check_float("test_fraction", test_fraction, minimum=0.0, maximum=1.0,
                                min_inclusive=False, max_inclusive=False)
    val_fraction = check_float("val_fraction", val_fraction, minimum=0.0, maximum=1.0,
                               min_inclusive=False, max_inclusive=False)
    seed = check_int("seed", seed, minimum=0)
    x_rest, y_rest, x_test, y_test = train_val_split(x, y, val_fraction=test_fraction,
                                                     seed=seed)
    x_train, y_train, x_val, y_val = train_val_split(x_rest, y_rest, val_fraction=val_fraction,
                                                     seed=seed + 1)
    return x_train, y_train, x_val, y_val, x_test, y_test


def _standardise(x: np.ndarray) -> np.ndarray:
    x = np.asarray(x, dtype=np.float64)
    return ((x - x.mean(axis=0)) / x.std(axis=0)).astype(np.float32)
