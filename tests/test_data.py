import numpy as np
import pytest

from actbook import data


def test_xor_without_noise_lies_on_corners_with_xor_labels():
    x, y = data.xor_data(n=500, noise=0.0, seed=3)
    assert x.dtype == np.float32 and x.shape == (500, 2)
    assert y.dtype == np.int64 and y.shape == (500,)
    assert set(map(tuple, x.tolist())) <= {(0.0, 0.0), (0.0, 1.0), (1.0, 0.0), (1.0, 1.0)}
    np.testing.assert_array_equal(y, x[:, 0].astype(int) ^ x[:, 1].astype(int))


def test_xor_noise_stays_within_bounds_and_labels_follow_the_corner():
    x, y = data.xor_data(n=2000, noise=0.05, seed=0)
    corner = np.rint(x)
    assert np.abs(x - corner).max() <= 0.05 + 1e-7
    np.testing.assert_array_equal(y, corner[:, 0].astype(int) ^ corner[:, 1].astype(int))


def test_xor_is_seeded():
    a, b = data.xor_data(seed=7), data.xor_data(seed=7)
    np.testing.assert_array_equal(a[0], b[0])
    assert not np.array_equal(a[0], data.xor_data(seed=8)[0])


def test_split_is_80_20_disjoint_and_complete():
    x, y = data.xor_data(n=1000)
    xt, yt, xv, yv = data.train_val_split(x, y)
    assert (len(xt), len(xv)) == (800, 200)
    whole = np.concatenate([xt, xv])
    assert sorted(map(tuple, whole.tolist())) == sorted(map(tuple, x.tolist()))
    np.testing.assert_array_equal(np.sort(np.concatenate([yt, yv])), np.sort(y))


def test_three_way_split_is_60_20_20_disjoint_and_complete():
    x, y = data.xor_data(n=1000)
    xt, yt, xv, yv, xs, ys = data.three_way_split(x, y)
    assert (len(xt), len(xv), len(xs)) == (600, 200, 200)
    whole = np.concatenate([xt, xv, xs])
    assert sorted(map(tuple, whole.tolist())) == sorted(map(tuple, x.tolist()))
    np.testing.assert_array_equal(np.sort(np.concatenate([yt, yv, ys])), np.sort(y))
    # The same sets as two train_val_splits with seeds seed and seed + 1.
    rest_x, rest_y, test_x, _ = data.train_val_split(x, y, val_fraction=0.2, seed=4)
    expect = data.train_val_split(rest_x, rest_y, val_fraction=0.25, seed=5)
    got = data.three_way_split(x, y, seed=4)
    np.testing.assert_array_equal(got[4], test_x)
    for a, b in zip(got[:4], expect):
        np.testing.assert_array_equal(a, b)
    digits = data.three_way_split(*data.digits())
    assert [len(part) for part in digits[::2]] == [1078, 360, 359]


def test_digits_are_scaled_to_unit_interval():
    x, y = data.digits()
    assert x.shape == (1797, 64) and x.dtype == np.float32
    assert x.min() == 0.0 and x.max() == 1.0
    assert set(np.unique(y)) == set(range(10))


@pytest.mark.parametrize("fn", [data.two_moons, data.circles, data.spiral])
def test_2d_sets_are_standardised_and_balanced(fn):
    x, y = fn(n=400, seed=1)
    np.testing.assert_allclose(x.mean(axis=0), 0.0, atol=1e-5)
    np.testing.assert_allclose(x.std(axis=0), 1.0, atol=1e-4)
    assert y.sum() == 200
