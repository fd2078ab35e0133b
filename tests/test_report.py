"""actbook.report: numbers as the reader sees them (issue 16: rounded prose that disagreed
with its own tables)."""

import numpy as np
import pandas as pd
import pytest

from actbook import report, stats


@pytest.mark.parametrize("a, b, shown_as, scale, expected", [
    (0.9884, 0.9554, ".1f", 100, 3.3),     # 98.8 - 95.5; unrounded 3.30 would also give 3.3
    (0.98844, 0.95546, ".1f", 100, 3.3),   # unrounded difference 3.298 -> 3.3 (agrees)
    (0.96836, 0.96444, ".1f", 100, 0.4),   # 96.8 - 96.4: the unrounded 0.392 rounds to 0.4 too
    (0.9684, 0.9636, ".1f", 100, 0.4),     # shown 96.8 - 96.4 = 0.4; unrounded 0.48 -> 0.5
])
def test_difference_is_of_the_displayed_values(a, b, shown_as, scale, expected):
    shown_a, shown_b = report.shown(a, shown_as, scale), report.shown(b, shown_as, scale)
    assert report.difference(a, b, shown_as, scale) == pytest.approx(expected)
    assert report.difference(a, b, shown_as, scale) == pytest.approx(round(shown_a - shown_b, 1))


def test_difference_differs_from_the_rounded_unrounded_difference():
    # 95.46 and 98.84 are shown as 95.5 and 98.8; their unrounded gap 3.38 rounds to 3.4, the
    # reader subtracts 98.8 - 95.5 = 3.3.
    assert round(98.84 - 95.46, 1) == 3.4
    assert report.difference(98.84, 95.46) == 3.3


def test_ratio_is_of_the_displayed_values():
    # The example: 0.017 / 0.012 = 1.42 -> "a factor of 1.4", computed from what is shown.
    assert report.ratio(0.01666, 0.01209, ".2g", 1) == 1.4
    assert report.ratio(0.01666, 0.01209, ".2g", 2) == 1.42
    # Unrounded, 0.01666 / 0.01209 = 1.378 -> 1.4 as well, but to 2 decimals 1.38 != 1.42.
    assert round(0.01666 / 0.01209, 2) == 1.38


def test_difference_with_significant_digits_keeps_the_coarser_decimals():
    assert report.difference(0.0213, 0.0104, ".2g") == pytest.approx(0.011)
    assert report.difference(412, 38.4, ".2g") == 372        # 410 - 38 = 372


def test_shown_and_significant():
    assert report.shown(0.98765, ".1f", 100) == 98.8
    assert report.shown(0.01666, ".2g") == 0.017
    assert report.significant(412.0) == 410 and isinstance(report.significant(412.0), int)
    assert report.significant(0.0345) == 0.034 or report.significant(0.0345) == 0.035
    assert report.significant(4.16, 2) == 4.2


def test_interval_text_matches_stats_and_keeps_the_bracket_together():
    values = np.array([0.90, 0.92, 0.94, 0.96])
    iv = stats.mean_interval(values)
    text = report.interval_text(values)
    assert text == f"{100 * iv.estimate:.1f} [{100 * iv.low:.1f},\u00a0{100 * iv.high:.1f}]"
    assert text.split(" ")[0] == "93.0"
    signed = report.interval_text(stats.Interval(0.01, -0.005, 0.025, 5), signed=True)
    assert signed == "+1.0 [-0.5,\u00a0+2.5]"


def test_censored_text_counts_the_failures():
    # 3 of 5 reach the target at 100, 200, 300; two are censored at the budget 1000.
    assert report.censored_text([100, 200, 300, np.nan, np.nan], 1000) == "3/5:\u00a0300"
    assert report.censored_text([100, np.nan, np.nan, np.nan], 1000) == "1/4:\u00a0>\u00a01000"


def test_p_text_and_names_text():
    assert report.p_text(0.0004) == "< 0.001" and report.p_text(0.0312) == "0.031"
    assert report.names_text(["relu"]) == "relu"
    assert report.names_text(["a", "b"]) == "a and b"
    assert report.names_text(["a", "b", "c"]) == "a, b and c"


def test_markdown_table_with_and_without_caption():
    frame = pd.DataFrame({"activation": ["relu", "tanh"], "accuracy": ["97.1", "96.0"]})
    plain = report.markdown_table(frame).data
    assert plain.splitlines()[0].split("|")[1].strip() == "activation"
    assert "| relu" in plain and "| 96.0" in plain
    captioned = report.markdown_table(frame, caption="Accuracy.", name="tbl-acc").data
    assert captioned.startswith("```{table} Accuracy.\n:name: tbl-acc\n")
    assert captioned.endswith("```") and plain in captioned


def test_decide_confirm_table_shows_both_blocks_and_the_verdict():
    def block(seeds, shift):
        base = np.linspace(0.5, 0.8, 6)
        wobble = np.array([0.002, -0.002, 0.001, -0.001, 0.0, 0.0])
        return pd.DataFrame({"arm": ["a"] * 6 + ["b"] * 6, "seed": list(seeds) * 2,
                             "acc": np.concatenate([base, base + shift + wobble])})

    result = stats.decide_confirm(block(range(6), 0.1), block(range(10, 16), 0.1),
                                  "acc", "arm", "a")
    table = report.decide_confirm_table(result, labels=("0-5", "10-15"))
    assert list(table.columns) == ["0-5: difference", "Holm p (0-5)", "10-15: difference",
                                   "Holm p (10-15)", "verdict"]
    # mean difference 0.1 exactly (the wobble sums to 0), shown as +10.0 points
    assert table.loc["b", "0-5: difference"].startswith("+10.0 [+9.")
    assert report.NBSP in table.loc["b", "0-5: difference"]
    assert table.loc["b", "Holm p (0-5)"] == "< 0.001"
    assert table.loc["b", "verdict"] == "higher, confirmed"


def test_significant_interval_text_rounds_each_number_to_significant_digits():
    # Speeds of learning from chapter 3: a mean of 0.00045123 over ten seeds.
    iv = stats.Interval(0.00045123, 0.00040127, 0.00050119, 10)
    assert report.significant_interval_text(iv) == "0.00045 [0.00040,\u00a00.00050]"
    assert report.significant_interval_text(stats.Interval(124.3, 105.2, 142.0, 10)) == \
        "120 [110,\u00a0140]"
    # values: the Student-t interval of [1, 2, 3] is 2 +- 2.484 -> [-0.484, 4.484]
    assert report.significant_interval_text([1.0, 2.0, 3.0], digits=3) == \
        "2.00 [-0.484,\u00a04.48]"
    assert report.significant_interval_text([0.01, 0.02, 0.03], scale=100) == \
        "2.0 [-0.48,\u00a04.5]"
    assert report.significant_interval_text(stats.Interval(0.31, 0.30, 0.32, 5)) == \
        "0.31 [0.30,\u00a00.32]"


def test_difference_text_subtracts_the_means_as_shown():
    # 98.849 and 95.551 are shown as 98.8 and 95.6: the reader's subtraction gives 3.2, while
    # the unrounded difference (3.298) would round to 3.3.
    assert report.difference_text(0.98849, 0.95551, 0.01, 0.055) == "+3.2 [+1.0,\u00a0+5.5]"
    # From a real paired comparison: the bracket is stats.paired_difference's interval.
    a, b = [0.95, 0.97, 0.99], [0.90, 0.93, 0.96]
    iv = stats.paired_difference(a, b).difference          # 0.04 +- 4.303 * 0.01 / sqrt(3)
    assert report.difference_text(0.97, 0.93, iv.low, iv.high) == "+4.0 [+1.5,\u00a0+6.5]"
    assert report.difference_text(0.25, 0.5, -0.3, -0.2, digits=0) == "-25 [-30,\u00a0-20]"


def test_a_value_that_rounds_to_zero_has_no_sign():
    # issue 16: a table showed "-1.0 [-2.0, -0.0]"
    assert report.interval_text(stats.Interval(-0.01, -0.02, -0.0004, 20), signed=True) == \
        "-1.0 [-2.0,\u00a00.0]"
    assert report.interval_text(stats.Interval(0.0, 0.0, 0.0, 20), signed=True) == \
        "0.0 [0.0,\u00a00.0]"
    assert report.difference_text(0.5, 0.5, -0.0004, 0.02) == "0.0 [0.0,\u00a0+2.0]"
