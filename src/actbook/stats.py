"""Statistics for the book's comparisons: intervals, paired differences, censored times.

Every comparison in the book follows the same rules: runs of all arms share seeds (paired
design), every mean a claim rests on has a 95 % interval, every difference between two arms is
a paired difference with its own interval, a run that never reaches a target is *censored*, not
missing, and a claim is decided on one block of seeds and confirmed on another. This module
holds the few functions that do that arithmetic; all the statistics come from ``scipy.stats``
(Student-t intervals, ``ttest_rel``, ``wilcoxon``, ``ecdf``), and the run tables are pandas
DataFrames.

References: Student-t intervals and the paired t-test (e.g. Wasserman, *All of Statistics*,
2004, ch. 6 and 10); the Wilcoxon signed-rank test (Wilcoxon 1945); the Kaplan-Meier estimate
for right-censored times (Kaplan & Meier 1958), as computed by ``scipy.stats.ecdf``; Holm's
step-down adjustment for multiple comparisons (Holm 1979).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy import stats as _stats

from actbook._checks import check_array, check_float, check_int

#: Confidence level of every interval in the book.
CONFIDENCE = 0.95


@dataclass(frozen=True)
class Interval:
    """A mean (or median) with its interval: ``estimate`` in ``[low, high]`` from ``n`` values."""

    estimate: float
    low: float
    high: float
    n: int

    def excludes_zero(self) -> bool:
        """Whether the whole interval lies on one side of 0 (strictly)."""
        return self.low > 0 or self.high < 0

    def format(self, scale: float = 1.0, digits: int = 1) -> str:
        """``"12.3 [10.1, 14.5]"``: the estimate and interval multiplied by ``scale``."""
        f = f"{{:.{digits}f}}"
        return (f"{f.format(scale * self.estimate)} "
                f"[{f.format(scale * self.low)}, {f.format(scale * self.high)}]")


def _values(name, values) -> np.ndarray:
    arr = check_array(name, values, ndim=1).astype(np.float64)
    return arr


def mean_interval(values, confidence: float = CONFIDENCE) -> Interval:
    """The mean of ``values`` with its Student-t confidence interval.

    Args:
        values: real array ``(n,)``, finite, ``n >= 2`` (e.g. one accuracy per seed).
        confidence: a float in (0, 1) (default 0.95).

    Returns:
        An :class:`Interval`. When all values are equal the interval is that value.

    Raises:
        TypeError, ValueError: for non-numeric, non-finite or fewer than 2 values, or a
            confidence outside (0, 1).
    """
    x = _values("values", values)
    confidence = check_float("confidence", confidence, minimum=0.0, maximum=1.0,
                             min_inclusive=False, max_inclusive=False)
    if len(x) < 2:
        raise ValueError(f"values must hold at least 2 numbers for an interval, got {len(x)}")
    mean = float(x.mean())
    sem = float(_stats.sem(x))
    if sem == 0.0:
        return Interval(mean, mean, mean, len(x))
    low, high = _stats.t.interval(confidence, len(x) - 1, loc=mean, scale=sem)
    return Interval(mean, float(low), float(high), len(x))


@dataclass(frozen=True)
class PairedDifference:
    """``a - b`` over shared seeds: mean difference, its interval, and two tests' p-values."""

    difference: Interval
    p_t: float
    p_wilcoxon: float
    wins: int

    @property
    def n(self) -> int:
        return self.difference.n


def paired_difference(a, b, confidence: float = CONFIDENCE) -> PairedDifference:
    """Compare two arms measured on the same seeds (``a[i]`` and ``b[i]`` share seed ``i``).

    Args:
        a, b: real arrays ``(n,)`` of the same length ``n >= 2``, finite.
        confidence: a float in (0, 1) (default 0.95).

    Returns:
        A :class:`PairedDifference`: the mean of ``a - b`` with its Student-t interval (the
        interval of ``scipy.stats.ttest_rel``), the paired t-test's two-sided p-value, the
        Wilcoxon signed-rank test's two-sided p-value (1.0 when all differences are 0) and the
        number of seeds on which ``a > b``. Differences within 1e-12 of the data's scale
        count as 0 (round-off). When every difference is the same, the t-test is undefined and
        ``p_t`` is the exact sign test's ``2 / 2**n``.

    Raises:
        TypeError, ValueError: for bad arrays, different lengths or fewer than 2 pairs.
    """
    a, b = _values("a", a), _values("b", b)
    if len(a) != len(b):
        raise ValueError(f"a and b must have one value per shared seed (same length), got "
                         f"{len(a)} and {len(b)}")
    d = a - b
    tiny = 1e-12 * max(1.0, float(np.max(np.abs(np.concatenate([a, b])))))
    d = np.where(np.abs(d) <= tiny, 0.0, d)          # round-off is not a difference
    if np.allclose(d, d[0], rtol=1e-9, atol=tiny):
        # Equal differences: no spread, so the t-test is undefined. The interval is the
        # difference itself; the p-value is the exact two-sided sign test's, 2 / 2^n (1 when
        # all are 0): n seeds all agreeing is the only evidence there is.
        d = np.full_like(d, d.mean())
        interval = mean_interval(d, confidence)
        p_t = 1.0 if np.all(d == 0) else min(1.0, 2.0 * 0.5 ** len(d))
    else:
        interval = mean_interval(d, confidence)
        p_t = float(_stats.ttest_rel(a, b).pvalue)
    p_w = 1.0 if np.all(d == 0) else float(_stats.wilcoxon(d, zero_method="zsplit").pvalue)
    return PairedDifference(interval, p_t, p_w, int(np.sum(d > 0)))


def holm(p_values) -> np.ndarray:
    """Holm's step-down adjustment of p-values for multiple comparisons (Holm 1979).

    Sort the ``m`` p-values ascending, multiply the ``i``-th smallest (0-based) by ``m - i``,
    take the running maximum and cap at 1. A comparison is significant at level ``alpha``
    (family-wise) when its adjusted p-value is below ``alpha``.

    Args:
        p_values: real array ``(m,)`` with values in [0, 1].

    Returns:
        float array ``(m,)`` of adjusted p-values, in the input order.

    Raises:
        TypeError, ValueError: for a bad array or values outside [0, 1].
    """
    p = _values("p_values", p_values)
    if np.any((p < 0) | (p > 1)):
        raise ValueError("p_values must lie in [0, 1]")
    m = len(p)
    order = np.argsort(p, kind="stable")
    adjusted = np.minimum(1.0, np.maximum.accumulate(p[order] * (m - np.arange(m))))
    out = np.empty(m)
    out[order] = adjusted
    return out


@dataclass(frozen=True)
class CensoredTimes:
    """Steps to reach a target when some runs never reach it within the budget."""

    reached: int
    n: int
    median: float
    budget: int

    def format(self) -> str:
        """``"12 of 20 reach it, median 450"`` or ``"... median > 500"`` (not reached by half)."""
        med = f"{self.median:.0f}" if math.isfinite(self.median) else f"> {self.budget}"
        return f"{self.reached} of {self.n} reach it, median {med}"


def censored_median(steps, budget: int) -> CensoredTimes:
    """Median steps-to-target, treating runs that never reach it as right-censored.

    A run that stops at ``budget`` without reaching the target is known only to need more than
    ``budget`` steps. ``scipy.stats.ecdf`` gives the Kaplan-Meier estimate of the distribution
    from such data; the median is the first time its survival function falls to 0.5 or below.
    When fewer than half of the runs reach the target, the median is ``inf`` (more than the
    budget): a mean of the runs that did reach it would be biased towards the fast ones.

    Args:
        steps: array ``(n,)`` of steps at which each run first reached the target, NaN (or
            None) for a run that never did; ``n >= 1``.
        budget: the number of steps each run was given, an int >= 1; reached steps must be
            <= budget.

    Returns:
        A :class:`CensoredTimes` (``reached`` of ``n``, ``median`` in steps or ``inf``).

    Raises:
        TypeError, ValueError: for a bad array, a budget < 1, or steps outside [0, budget].
    """
    budget = check_int("budget", budget, minimum=1)
    if isinstance(steps, pd.Series):
        steps = steps.to_numpy()
    if isinstance(steps, (list, tuple)):
        steps = [np.nan if v is None else v for v in steps]
    # NaN marks a run that never reached the target; inf is refused.
    s = check_array("steps", steps, ndim=1, allow_nan=True).astype(np.float64)
    reached = ~np.isnan(s)
    if np.any(reached & ((s < 0) | (s > budget))):
        raise ValueError(f"steps must lie in [0, budget={budget}] (NaN: never reached)")
    k = int(reached.sum())
    if k == 0:
        return CensoredTimes(0, len(s), math.inf, budget)
    times = np.where(reached, s, budget)
    data = _stats.CensoredData(uncensored=times[reached], right=times[~reached])
    sf = _stats.ecdf(data).sf
    below = np.flatnonzero(sf.probabilities <= 0.5)
    median = float(sf.quantiles[below[0]]) if below.size else math.inf
    return CensoredTimes(k, len(s), median, budget)


def compare_arms(
    table: pd.DataFrame,
    value: str,
    arm: str,
    baseline: str,
    *,
    pair_on: Sequence[str] = ("seed",),
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Every arm of ``table[arm]`` against ``baseline``, paired on ``pair_on``, Holm-adjusted.

    Args:
        table: a run table with the columns ``value``, ``arm`` and ``pair_on``; each arm must
            have exactly one row per ``pair_on`` value, and all arms the same values.
        value: the column compared (e.g. ``"test_accuracy"``).
        arm: the column naming the arms (e.g. ``"activation"``).
        baseline: the arm every other arm is compared with.
        pair_on: the columns that pair rows across arms (default ``("seed",)``).
        confidence: interval level (default 0.95).

    Returns:
        A DataFrame indexed by arm (baseline excluded) with ``mean_difference``, ``low``,
        ``high`` (the interval of ``arm - baseline``), ``p_t``, ``p_wilcoxon``, ``wins``,
        ``n`` and ``p_holm`` (paired-t p-values adjusted over all arms with :func:`holm`).

    Raises:
        TypeError: if ``table`` is not a DataFrame.
        ValueError: for missing columns, an unknown baseline, or arms that are not paired.
    """
    if not isinstance(table, pd.DataFrame):
        raise TypeError(f"table must be a pandas DataFrame, got {type(table).__name__}")
    if isinstance(pair_on, str):
        pair_on = [pair_on]
    pair_on = list(pair_on)
    for column in (value, arm, *pair_on):
        if column not in table.columns:
            raise ValueError(f"table has no column {column!r}; it has {list(table.columns)}")
    missing = table[table[value].isna()]
    if len(missing):
        arms = sorted(map(str, missing[arm].unique()))
        raise ValueError(f"table[{value!r}] has NaN for {len(missing)} row(s) (arms {arms}; "
                         f"e.g. diverged runs): decide how to count them (drop the seed from "
                         f"every arm, or fill a value) before comparing")
    wide = table.pivot_table(index=pair_on, columns=arm, values=value, aggfunc="count")
    if (wide != 1).to_numpy().any():
        raise ValueError(f"each {arm} must have exactly one {value} per {pair_on} value "
                         f"(a paired design)")
    wide = table.pivot(index=pair_on, columns=arm, values=value)
    if baseline not in wide.columns:
        raise ValueError(f"unknown baseline {baseline!r}; the {arm}s are {list(wide.columns)}")
    if len(wide.columns) < 2:
        raise ValueError(f"table must hold at least one {arm} besides the baseline "
                         f"{baseline!r}")
    rows = {}
    for other in wide.columns:
        if other == baseline:
            continue
        c = paired_difference(wide[other].to_numpy(), wide[baseline].to_numpy(), confidence)
        rows[other] = {"mean_difference": c.difference.estimate, "low": c.difference.low,
                       "high": c.difference.high, "p_t": c.p_t, "p_wilcoxon": c.p_wilcoxon,
                       "wins": c.wins, "n": c.n}
    out = pd.DataFrame.from_dict(rows, orient="index")
    out.index.name = arm
    out["p_holm"] = holm(out["p_t"].to_numpy()) if len(out) else []
    return out


#: Verdicts of :func:`decide_confirm`, one per arm.
VERDICTS = ("higher, confirmed", "lower, confirmed", "not confirmed: indistinguishable here",
            "indistinguishable here")


def decide_confirm(
    decide: pd.DataFrame,
    confirm: pd.DataFrame,
    value: str,
    arm: str,
    baseline: str,
    *,
    pair_on: Sequence[str] = ("seed",),
    alpha: float = 0.05,
    confidence: float = CONFIDENCE,
) -> pd.DataFrame:
    """Decide, then confirm: every arm against ``baseline`` on one block of seeds, checked on
    a disjoint block.

    Both blocks go through :func:`compare_arms` (paired on ``pair_on``, Holm-adjusted over the
    arms of the block). An arm's *claim* is the sign of its mean difference from the baseline
    when its Holm-adjusted paired-t p-value on the ``decide`` block is below ``alpha``, else 0.
    A claim is *confirmed* when the ``confirm`` block gives a Holm-adjusted p-value below
    ``alpha`` with the same sign. A claim that does not confirm is reported as
    "indistinguishable here", never rescued.

    Args:
        decide: run table of the block the claims are chosen on (columns ``value``, ``arm`` and
            ``pair_on``; one row per arm and pairing value, as :func:`compare_arms` needs).
        confirm: run table of a disjoint block of seeds with the same arms.
        value: the column compared (e.g. ``"accuracy"``).
        arm: the column naming the arms.
        baseline: the arm every other arm is compared with.
        pair_on: the columns that pair rows across arms (default ``("seed",)``).
        alpha: family-wise level of each block's decision, in (0, 1) (default 0.05).
        confidence: interval level (default 0.95).

    Returns:
        A DataFrame indexed by arm (baseline excluded, in the order of the decide block's
        :func:`compare_arms`) with, for each block ``b`` in ``("decide", "confirm")``, the
        columns ``b_difference``, ``b_low``, ``b_high`` (mean of ``arm - baseline`` and its
        interval), ``b_p_holm`` and ``b_n``; then ``claim`` (int: +1, -1 or 0), ``confirmed``
        (bool; False when there is no claim) and ``verdict`` (one of :data:`VERDICTS`).

    Raises:
        TypeError: if ``decide`` or ``confirm`` is not a DataFrame.
        ValueError: as :func:`compare_arms`; an ``alpha`` outside (0, 1); blocks with
            different arms; blocks that share a pairing value (not disjoint).
    """
    alpha = check_float("alpha", alpha, minimum=0.0, maximum=1.0, min_inclusive=False,
                        max_inclusive=False)
    for name, t in (("decide", decide), ("confirm", confirm)):
        if not isinstance(t, pd.DataFrame):
            raise TypeError(f"{name} must be a pandas DataFrame, got {type(t).__name__}")
    keys = [pair_on] if isinstance(pair_on, str) else list(pair_on)
    d = compare_arms(decide, value, arm, baseline, pair_on=keys, confidence=confidence)
    c = compare_arms(confirm, value, arm, baseline, pair_on=keys, confidence=confidence)
    if set(d.index) != set(c.index):
        raise ValueError(f"decide and confirm must hold the same {arm}s, got "
                         f"{sorted(map(str, d.index))} and {sorted(map(str, c.index))}")
    shared = (set(decide[keys].itertuples(index=False, name=None))
              & set(confirm[keys].itertuples(index=False, name=None)))
    if shared:
        raise ValueError(f"decide and confirm must be disjoint blocks of {keys}, both hold "
                         f"{sorted(shared)[:3]}")
    c = c.loc[d.index]
    out = pd.DataFrame(index=d.index)
    for name, t in (("decide", d), ("confirm", c)):
        for column, new in (("mean_difference", "difference"), ("low", "low"),
                            ("high", "high"), ("p_holm", "p_holm"), ("n", "n")):
            out[f"{name}_{new}"] = t[column].to_numpy()
    claim = np.where(d["p_holm"] < alpha, np.sign(d["mean_difference"]), 0).astype(int)
    confirmed = ((claim != 0) & (c["p_holm"].to_numpy() < alpha)
                 & (np.sign(c["mean_difference"].to_numpy()) == claim))
    out["claim"] = claim
    out["confirmed"] = confirmed
    out["verdict"] = np.where(claim == 0, VERDICTS[3],
                              np.where(confirmed, np.where(claim > 0, VERDICTS[0], VERDICTS[1]),
                                       VERDICTS[2]))
    return out


def bootstrap_mean_interval(values, confidence: float = CONFIDENCE, n_resamples: int = 9999,
                            seed: int = 0) -> Interval:
    """The mean of ``values`` with a bootstrap *percentile* interval (Efron & Tibshirani 1993).

    ``scipy.stats.bootstrap`` resamples the values with replacement ``n_resamples`` times and
    keeps the middle ``confidence`` share of the resampled means. The interval never leaves the
    range of the values, so for shares in [0, 1] it stays in [0, 1] (a Student-t interval of a
    few values can reach below 0); for the same reason it understates the uncertainty of very
    few values.

    Args:
        values: real array ``(n,)``, finite, ``n >= 2``.
        confidence: a float in (0, 1) (default 0.95).
        n_resamples: number of bootstrap resamples, an int >= 100 (default 9999).
        seed: seed of the resampling, an int >= 0 (default 0): the same values give the same
            interval.

    Returns:
        An :class:`Interval`; when all values are equal, that value as estimate and both ends.

    Raises:
        TypeError, ValueError: for non-numeric, non-finite or fewer than 2 values, or a bad
            ``confidence``, ``n_resamples`` or ``seed``.
    """
    x = _values("values", values)
    confidence = check_float("confidence", confidence, minimum=0.0, maximum=1.0,
                             min_inclusive=False, max_inclusive=False)
    n_resamples = check_int("n_resamples", n_resamples, minimum=100)
    seed = check_int("seed", seed, minimum=0)
    if len(x) < 2:
        raise ValueError(f"values must hold at least 2 numbers for an interval, got {len(x)}")
    mean = float(x.mean())
    if np.ptp(x) == 0:
        return Interval(mean, mean, mean, len(x))
    boot = _stats.bootstrap((x,), np.mean, confidence_level=confidence, method="percentile",
                            n_resamples=n_resamples, random_state=np.random.default_rng(seed))
    low, high = boot.confidence_interval
    return Interval(mean, float(low), float(high), len(x))
