"""actbook.stats: intervals, paired differences, Holm and censored medians on known values."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from actbook import stats


def test_mean_interval_by_hand():
    # 1, 2, 3, 4: mean 2.5, s = sqrt(5/3), sem = s/2; t_{0.975, 3} = 3.182446305284263.
    ci = stats.mean_interval([1, 2, 3, 4])
    half = 3.182446305284263 * math.sqrt(5 / 3) / 2
    assert ci.estimate == 2.5 and ci.n == 4
    assert ci.low == pytest.approx(2.5 - half, rel=1e-12)
    assert ci.high == pytest.approx(2.5 + half, rel=1e-12)
    assert ci.format() == "2.5 [0.4, 4.6]"
    assert stats.mean_interval([0.7, 0.7, 0.7]).format(scale=100) == "70.0 [70.0, 70.0]"


def test_paired_difference_uses_the_pairs():
    # b = a - 1 + tiny noise: unpaired, the spread of a hides the shift; paired, it is clear.
    a = np.array([10.0, 20.0, 30.0, 40.0, 50.0, 60.0])
    b = a - 1 + np.array([0.1, -0.1, 0.05, -0.05, 0.0, 0.02])
    c = stats.paired_difference(a, b)
    assert c.difference.estimate == pytest.approx(1 - 0.02 / 6)
    assert c.difference.excludes_zero() and c.p_t < 1e-6 and c.wins == 6
    assert c.p_wilcoxon == pytest.approx(0.03125)        # 2 / 2^6: all six signs agree
    same = stats.paired_difference([1, 2, 3], [1, 2, 3])
    assert same.p_t == 1.0 and same.p_wilcoxon == 1.0 and not same.difference.excludes_zero()
    with pytest.raises(ValueError, match="same length"):
        stats.paired_difference([1, 2, 3], [1, 2])


def test_holm_by_hand():
    # p = 0.01, 0.04, 0.03, 0.20 (m = 4): sorted 0.01 x4 = 0.04, 0.03 x3 = 0.09,
    # 0.04 x2 = 0.08 -> running max 0.09, 0.20 x1 = 0.20.
    np.testing.assert_allclose(stats.holm([0.01, 0.04, 0.03, 0.20]), [0.04, 0.09, 0.09, 0.20])
    assert stats.holm([0.6, 0.9]).tolist() == [1.0, 1.0]
    with pytest.raises(ValueError, match=r"\[0, 1\]"):
        stats.holm([0.5, 1.5])


def test_censored_median_counts_failures():
    # 3 of 5 reach the target at 100, 200, 300; 2 never do within 500. Kaplan-Meier: S drops to
    # 4/5, 3/5, 2/5 at 100, 200, 300: the median is 300 (a mean of the survivors would say 200).
    out = stats.censored_median([100, np.nan, 200, None, 300], budget=500)
    assert (out.reached, out.n, out.median) == (3, 5, 300.0)
    assert out.format() == "3 of 5 reach it, median 300"
    few = stats.censored_median([100, np.nan, np.nan], budget=500)
    assert few.median == math.inf and few.format() == "1 of 3 reach it, median > 500"
    assert stats.censored_median([np.nan] * 4, 500).reached == 0
    with pytest.raises(ValueError, match="budget"):
        stats.censored_median([600], budget=500)


def test_compare_arms_pairs_on_seed_and_adjusts():
    table = pd.DataFrame({
        "activation": ["relu"] * 4 + ["tanh"] * 4 + ["elu"] * 4,
        "seed": [0, 1, 2, 3] * 3,
        "acc": [0.5, 0.6, 0.7, 0.8, 0.6, 0.7, 0.8, 0.9, 0.5, 0.6, 0.7, 0.8],
    })
    out = stats.compare_arms(table, "acc", "activation", "relu")
    assert list(out.index) == ["elu", "tanh"]
    assert out.loc["tanh", "mean_difference"] == pytest.approx(0.1)
    assert out.loc["tanh", "wins"] == 4 and out.loc["elu", "wins"] == 0
    assert out.loc["elu", "p_t"] == 1.0
    with pytest.raises(ValueError, match="paired"):
        stats.compare_arms(table.iloc[:-1], "acc", "activation", "relu")
    with pytest.raises(ValueError, match="baseline"):
        stats.compare_arms(table, "acc", "activation", "gelu")
    with pytest.raises(TypeError, match="DataFrame"):
        stats.compare_arms(table.to_dict(), "acc", "activation", "relu")


def test_round_off_is_not_a_win_and_equal_differences_get_the_sign_test():
    # 0.1 + 0.2 != 0.3 in floating point: a difference of 5.6e-17 is not a win.
    c = stats.paired_difference([0.1 + 0.2, 0.6, 0.9], [0.3, 0.6, 0.9])
    assert c.wins == 0 and c.p_t == 1.0 and c.difference.estimate == 0.0
    # Two seeds that both differ by exactly 1: the t-test is undefined; the exact two-sided
    # sign test gives 2 / 2^2 = 0.5, which no multiple-comparison rule turns into evidence.
    two = stats.paired_difference([1, 2], [0, 1])
    assert two.p_t == 0.5 and two.wins == 2
    assert stats.paired_difference([1] * 10, [0] * 10).p_t == pytest.approx(2 / 2**10)


def test_censored_median_takes_a_series_with_nan_and_a_list_with_none():
    series = pd.Series([100.0, np.nan, 300.0])
    assert stats.censored_median(series, 500).reached == 2
    assert stats.censored_median([100, None, 300], 500).reached == 2


def test_compare_arms_takes_one_pairing_column_as_a_string():
    table = pd.DataFrame({"a": ["relu", "relu", "elu", "elu"], "seed": [0, 1, 0, 1],
                          "v": [0.5, 0.6, 0.7, 0.9]})
    out = stats.compare_arms(table, "v", "a", "relu", pair_on="seed")
    assert out.loc["elu", "mean_difference"] == pytest.approx(0.25)


def _block(seeds, shift_b, shift_c):
    # Baseline a; arm b = a + shift_b, arm c = a + shift_c, each with a small fixed wobble.
    base = np.linspace(0.5, 0.8, len(seeds))
    wobble = np.array([0.002, -0.002, 0.001, -0.001, 0.0015, -0.0015, 0.0005, -0.0005])
    return pd.DataFrame({"arm": ["a"] * 8 + ["b"] * 8 + ["c"] * 8, "seed": list(seeds) * 3,
                         "acc": np.concatenate([base, base + shift_b + wobble,
                                                base + shift_c - wobble])})


def test_decide_confirm_verdicts():
    # b is 0.1 higher on both blocks (confirmed); c is 0.05 lower on the decide block but
    # 0.05 higher on the confirm block (a claim that does not confirm).
    decide, confirm = _block(range(8), 0.1, -0.05), _block(range(100, 108), 0.1, 0.05)
    out = stats.decide_confirm(decide, confirm, "acc", "arm", "a")
    assert list(out.index) == ["b", "c"]
    assert out.loc["b", "decide_difference"] == pytest.approx(0.1)
    assert out.loc["c", "confirm_difference"] == pytest.approx(0.05)
    assert out.loc["b", "decide_n"] == 8
    assert out["claim"].tolist() == [1, -1]
    assert out["confirmed"].tolist() == [True, False]
    assert out["verdict"].tolist() == ["higher, confirmed",
                                       "not confirmed: indistinguishable here"]
    # Holm over two arms: the larger p is at least the raw one; both far below 0.05 here.
    assert (out["decide_p_holm"] < 1e-6).all()
    # No difference at all: no claim, "indistinguishable here", not confirmed.
    flat = stats.decide_confirm(_block(range(8), 0.0, 0.0), _block(range(100, 108), 0.0, 0.1),
                                "acc", "arm", "a")
    assert flat.loc["b", "claim"] == 0 and not flat.loc["b", "confirmed"]
    assert flat.loc["b", "verdict"] == "indistinguishable here"
    with pytest.raises(ValueError, match="disjoint"):
        stats.decide_confirm(decide, decide, "acc", "arm", "a")


def test_bootstrap_mean_interval_is_scipys_percentile_interval():
    from scipy import stats as scipy_stats

    v = np.array([0.0, 0.0, 0.125, 0.25, 0.0, 0.5, 0.125, 0.0])
    iv = stats.bootstrap_mean_interval(v)
    ref = scipy_stats.bootstrap((v,), np.mean, method="percentile", n_resamples=9999,
                                random_state=np.random.default_rng(0)).confidence_interval
    assert iv.estimate == pytest.approx(0.125) and iv.n == 8
    assert (iv.low, iv.high) == (pytest.approx(ref.low), pytest.approx(ref.high))
    # Within the range of the values (a t interval of these values reaches below 0.0) ...
    assert 0.0 <= iv.low < 0.125 < iv.high <= 0.5
    assert stats.mean_interval([0.0, 0.0, 0.5]).low < 0
    assert stats.bootstrap_mean_interval([0.0, 0.0, 0.5]).low >= 0
    # ... and all-equal values give that value.
    assert stats.bootstrap_mean_interval([0.3, 0.3]) == stats.Interval(0.3, 0.3, 0.3, 2)
