"""How the chapters show numbers: rounded as the reader sees them, intervals as text, tables.

One place for the formatting and ``glue`` plumbing the chapters used to write cell by cell.

**Shown values.** The prose compares numbers the reader sees rounded. A difference or ratio the
prose states must agree with the values it is compared with *as displayed*: a table showing 98.8
and 95.5 must be followed by "3.3 points", even when the unrounded difference rounds to 3.2.
:func:`difference` and :func:`ratio` therefore round their inputs with the same format
specification the prose uses (``shown_as``, e.g. ``".1f"`` for ``{glue:text}`acc:.1f```) before
they subtract or divide. :func:`glue_difference` and :func:`glue_ratio` glue the result; the
notebook lint (``tests/notebook_lint.py``) requires every glued number the prose uses as a
difference or ratio ("... points from", "within ...", "a factor of ...", "... times as") to come
from them, unless the sentence says the figure is of unrounded values.

**Intervals and tables.** :func:`interval_text` writes ``"12.3 [10.1, 14.5]"`` with no-break
spaces so a table cell wraps only before the bracket; :func:`censored_text` writes "k/n: median"
for steps-to-target with censored runs (:func:`actbook.stats.censored_median`);
:func:`markdown_table` turns a DataFrame into Markdown for ``glue`` (optionally a numbered MyST
table with a caption).

``glue`` is myst-nb's (:func:`myst_nb.glue`); it is imported when first used, so the package
itself does not need myst-nb.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence

import numpy as np

from actbook import stats
from actbook._checks import check_float, check_int, check_sequence

NBSP = "\u00a0"          # no-break space
_SPEC = re.compile(r"^\.(\d)([fg])$")


def _spec(shown_as) -> tuple[int, str]:
    if not isinstance(shown_as, str):
        raise TypeError(f"shown_as must be a format specification string such as '.1f' or "
                        f"'.2g', got {type(shown_as).__name__}")
    match = _SPEC.match(shown_as)
    if match is None:
        raise ValueError(f"shown_as must be '.Nf' (N decimals) or '.Ng' (N significant digits), "
                         f"N in 0-9, got {shown_as!r}")
    return int(match.group(1)), match.group(2)


def shown(value, shown_as: str = ".1f", scale: float = 1.0) -> float:
    """``scale * value`` rounded the way ``format(scale * value, shown_as)`` displays it.

    Args:
        value: a finite real number.
        shown_as: ``".Nf"`` (N decimals) or ``".Ng"`` (N significant digits), the format the
            prose or table uses (default ``".1f"``).
        scale: multiplier applied first, e.g. 100 to show a fraction as a percentage.

    Returns:
        The displayed value as a float (``shown(0.01666, ".2g") == 0.017``).

    Raises:
        TypeError, ValueError: for a non-finite value or scale, or another ``shown_as``.
    """
    _spec(shown_as)
    v = check_float("value", value) * check_float("scale", scale)
    return float(format(v, shown_as))


def significant(value, digits: int = 2) -> float | int:
    """``value`` rounded to ``digits`` significant digits, as an ``int`` when that is whole
    and at least 10 (410, not 4.1e+02), else a float.

    Raises:
        TypeError, ValueError: for a non-finite value or ``digits`` outside 1-9.
    """
    digits = check_int("digits", digits, minimum=1, maximum=9)
    v = shown(value, f".{digits}g")
    return int(v) if abs(v) >= 10 and v == int(v) else v


def difference(a, b, shown_as: str = ".1f", scale: float = 1.0) -> float:
    """``a - b`` of the values as displayed (each ``scale * x`` rounded by ``shown_as``), in
    the same format: 98.84 and 95.54 shown as 98.8 and 95.5 give 3.3, not round(3.30) -> 3.3
    by luck or round(3.25) -> 3.2 by arithmetic on unrounded values.

    Raises:
        TypeError, ValueError: as :func:`shown`.
    """
    digits, kind = _spec(shown_as)
    d = shown(a, shown_as, scale) - shown(b, shown_as, scale)
    if kind == "f":
        return round(d, digits)
    # Significant digits: the exact difference of the displayed numbers has as many decimals as
    # the finer of them (0.021 - 0.01 = 0.011).
    decimals = max(0, max(_decimals(shown(a, shown_as, scale)),
                          _decimals(shown(b, shown_as, scale))))
    return round(d, decimals)


def _decimals(v: float) -> int:
    text = repr(float(v))
    return len(text.split(".")[1].rstrip("0")) if "." in text and "e" not in text else 0


def ratio(a, b, shown_as: str = ".2g", digits: int = 1, scale: float = 1.0) -> float:
    """``a / b`` of the values as displayed (each rounded by ``shown_as``), rounded to
    ``digits`` decimals: 0.01666 and 0.01209 shown as 0.017 and 0.012 give 1.4.

    Raises:
        TypeError, ValueError: as :func:`shown`; ValueError when ``b`` is displayed as 0.
    """
    digits = check_int("digits", digits, minimum=0, maximum=9)
    below = shown(b, shown_as, scale)
    if below == 0:
        raise ValueError(f"b is displayed as 0 with shown_as={shown_as!r}: no ratio to show")
    return round(shown(a, shown_as, scale) / below, digits)


def _glue(name: str, value) -> None:
    from myst_nb import glue

    if not isinstance(name, str) or not re.fullmatch(r"[A-Za-z_]\w*", name):
        raise ValueError(f"name must be an identifier-like string, got {name!r}")
    glue(name, value, display=False)


def glue_difference(name: str, a, b, shown_as: str = ".1f", scale: float = 1.0) -> float:
    """Glue :func:`difference` ``(a, b, shown_as, scale)`` as ``name`` and return it."""
    d = difference(a, b, shown_as, scale)
    _glue(name, d)
    return d


def glue_ratio(name: str, a, b, shown_as: str = ".2g", digits: int = 1,
               scale: float = 1.0) -> float:
    """Glue :func:`ratio` ``(a, b, shown_as, digits, scale)`` as ``name`` and return it."""
    r = ratio(a, b, shown_as, digits, scale)
    _glue(name, r)
    return r


def _interval(values_or_interval) -> stats.Interval:
    if isinstance(values_or_interval, stats.Interval):
        return values_or_interval
    return stats.mean_interval(np.asarray(values_or_interval, dtype=float))


def interval_text(values_or_interval, scale: float = 100, digits: int = 1,
                  signed: bool = False) -> str:
    """``"mean [low, high]"``: the mean over seeds and its 95 % interval, as table text.

    Args:
        values_or_interval: values ``(n,)`` (one per seed; the interval is Student-t, from
            :func:`actbook.stats.mean_interval`) or an :class:`actbook.stats.Interval`.
        scale: multiplier (default 100: fractions shown as percentages).
        digits: decimals shown (default 1).
        signed: show a sign on every number (for differences), default False.

    Returns:
        Text whose only breakable space is before the bracket.

    Raises:
        TypeError, ValueError: as :func:`actbook.stats.mean_interval`, or bad ``digits``.
    """
    digits = check_int("digits", digits, minimum=0, maximum=9)
    iv = _interval(values_or_interval)
    low, high = (_fixed(scale * iv.low, digits, signed), _fixed(scale * iv.high, digits, signed))
    return f"{_fixed(scale * iv.estimate, digits, signed)} [{low},{NBSP}{high}]"


def _fixed(value: float, digits: int, signed: bool = False) -> str:
    """``value`` with ``digits`` decimals (a sign on every non-zero number when ``signed``);
    a value that rounds to zero is written ``0.0``, never ``-0.0`` or ``+0.0``."""
    text = f"{value:{'+' if signed else ''}.{digits}f}"
    return text.lstrip("+-") if float(text) == 0 else text


def glue_interval(name: str, values_or_interval, scale: float = 100,
                  digits: int = 1) -> stats.Interval:
    """Glue a mean and its 95 % interval as ``name``, ``name_lo``, ``name_hi``, each
    ``scale * x`` rounded to ``digits`` decimals; return the interval (unscaled)."""
    digits = check_int("digits", digits, minimum=0, maximum=9)
    iv = _interval(values_or_interval)
    for suffix, v in (("", iv.estimate), ("_lo", iv.low), ("_hi", iv.high)):
        _glue(name + suffix, round(scale * float(v), digits))
    return iv


def censored_text(steps, budget: int) -> str:
    """``"k/n: median"`` steps to a target, counting runs that never reached it
    (:func:`actbook.stats.censored_median`); ``"k/n: > budget"`` when fewer than half did."""
    c = stats.censored_median(steps, budget)
    median = f"{c.median:.0f}" if math.isfinite(c.median) else f">{NBSP}{budget}"
    return f"{c.reached}/{c.n}:{NBSP}{median}"


def p_text(p) -> str:
    """A p-value as shown in tables: three decimals, or ``"< 0.001"``."""
    p = check_float("p", p, minimum=0.0, maximum=1.0)
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def names_text(names: Sequence[str]) -> str:
    """``"a"``, ``"a and b"``, ``"a, b and c"``.

    Raises:
        TypeError, ValueError: unless ``names`` is a non-empty sequence of strings.
    """
    names = check_sequence("names", names, what="strings")
    for n in names:
        if not isinstance(n, str):
            raise TypeError(f"names must hold strings, got {type(n).__name__}")
    return names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]


def markdown_table(frame, caption: str | None = None, name: str | None = None,
                   index: bool = False):
    """A pandas DataFrame as Markdown for ``glue`` (cells shown exactly as written).

    Args:
        frame: a ``pandas.DataFrame`` whose cells are already text or numbers to show.
        caption: with a caption, a numbered MyST ``{table}`` directive is returned.
        name: the table's label for ``{numref}`` (only with ``caption``).
        index: include the index as the first column (default False).

    Returns:
        An ``IPython.display.Markdown`` object.

    Raises:
        TypeError: for something other than a DataFrame; ValueError: ``name`` without caption.
    """
    import pandas as pd
    from IPython.display import Markdown

    if not isinstance(frame, pd.DataFrame):
        raise TypeError(f"frame must be a pandas DataFrame, got {type(frame).__name__}")
    if not isinstance(index, bool):
        raise TypeError(f"index must be True or False, got {index!r}")
    text = frame.to_markdown(index=index, disable_numparse=True)
    if caption is None:
        if name is not None:
            raise ValueError("name labels a captioned table: give caption as well")
        return Markdown(text)
    label = f":name: {name}\n" if name else ""
    return Markdown(f"```{{table}} {caption}\n{label}\n{text}\n```")


def decide_confirm_table(result, labels: Sequence[str] = ("seeds 0-19", "seeds 100-119"),
                         scale: float = 100, digits: int = 1):
    """The table a reader sees for :func:`actbook.stats.decide_confirm`: per arm, each block's
    difference from the baseline as ``"+1.2 [-0.3, +2.7]"`` (signed, with no-break spaces as
    :func:`interval_text`), its Holm-adjusted p-value (:func:`p_text`) and the verdict.

    Args:
        result: the DataFrame :func:`actbook.stats.decide_confirm` returns.
        labels: names of the decide and confirm blocks, two strings (default
            ``("seeds 0-19", "seeds 100-119")``).
        scale: multiplier of the differences (default 100: fractions shown as points).
        digits: decimals shown (default 1).

    Returns:
        A pandas DataFrame of text, indexed like ``result``, with the columns
        ``"<decide>: difference"``, ``"Holm p (<decide>)"``, the same two for the confirm
        block, and ``"verdict"``; pass it to :func:`markdown_table` (``index=True``).

    Raises:
        TypeError: for something other than a DataFrame, or bad labels.
        ValueError: for a DataFrame without decide_confirm's columns, or bad ``digits``.
    """
    import pandas as pd

    if not isinstance(result, pd.DataFrame):
        raise TypeError(f"result must be the DataFrame of stats.decide_confirm, got "
                        f"{type(result).__name__}")
    labels = check_sequence("labels", labels, what="strings")
    if len(labels) != 2 or not all(isinstance(v, str) for v in labels):
        raise TypeError(f"labels must be two strings (decide, confirm), got {labels!r}")
    digits = check_int("digits", digits, minimum=0, maximum=9)
    scale = check_float("scale", scale)
    need = [f"{b}_{c}" for b in ("decide", "confirm")
            for c in ("difference", "low", "high", "p_holm", "n")] + ["verdict"]
    missing = [c for c in need if c not in result.columns]
    if missing:
        raise ValueError(f"result must come from stats.decide_confirm; it lacks {missing}")
    out = {}
    for block, label in zip(("decide", "confirm"), labels):
        out[f"{label}: difference"] = [
            interval_text(stats.Interval(float(r[f"{block}_difference"]), float(r[f"{block}_low"]),
                                         float(r[f"{block}_high"]), int(r[f"{block}_n"])),
                          scale=scale, digits=digits, signed=True)
            for _, r in result.iterrows()]
        out[f"Holm p ({label})"] = [p_text(p) for p in result[f"{block}_p_holm"]]
    out["verdict"] = list(result["verdict"])
    return pd.DataFrame(out, index=result.index)


def significant_interval_text(values_or_interval, digits: int = 2, scale: float = 1.0) -> str:
    """``"mean [low, high]"`` with each number rounded to ``digits`` *significant* digits
    (:func:`significant`) and written without an exponent, keeping significant trailing zeros:
    ``"0.00045 [0.00040, 0.00050]"``, ``"120 [110, 140]"``. For quantities spanning several
    orders of magnitude (gradient norms), where :func:`interval_text`'s fixed decimals would
    show 0.0 or too many digits.

    Args:
        values_or_interval: values ``(n,)`` (one per seed; Student-t interval from
            :func:`actbook.stats.mean_interval`) or an :class:`actbook.stats.Interval`.
        digits: significant digits shown, 1-9 (default 2).
        scale: multiplier applied first (default 1).

    Returns:
        Text whose only breakable space is before the bracket (no-break space after the comma).

    Raises:
        TypeError, ValueError: as :func:`actbook.stats.mean_interval`, for ``digits`` outside
            1-9 or a non-finite ``scale``.
    """
    digits = check_int("digits", digits, minimum=1, maximum=9)
    scale = check_float("scale", scale)
    iv = _interval(values_or_interval)

    def text(v):
        # trailing zeros kept as significant digits (0.30), no exponent, no bare "120."
        v = float(significant(scale * float(v), digits))
        decimals = 0 if v == 0 else max(0, digits - 1 - math.floor(math.log10(abs(v))))
        return f"{v:.{decimals}f}"

    return f"{text(iv.estimate)} [{text(iv.low)},{NBSP}{text(iv.high)}]"


def difference_text(a, b, low, high, scale: float = 100, digits: int = 1) -> str:
    """``"+d [low, high]"``: a difference of two means *as displayed*, with its interval.

    ``d`` is :func:`difference` of ``a`` and ``b`` (each ``scale * x`` rounded to ``digits``
    decimals first), so a reader who subtracts the two means shown in a table gets ``d``
    exactly: means 0.98849 and 0.95551 shown as 98.8 and 95.6 give ``+3.2``, although the
    unrounded difference rounds to 3.3. The bracket is the 95 % interval of the (paired)
    difference, e.g. from :func:`actbook.stats.paired_difference` or
    :func:`actbook.stats.compare_arms`, computed from unrounded values; it is not re-centred,
    so ``d`` can sit up to one unit of the last digit off its middle.

    Args:
        a, b: the two means (finite reals, unscaled, e.g. accuracies as fractions).
        low, high: the interval of ``a - b`` (finite reals, unscaled), ``low <= high``.
        scale: multiplier (default 100: fractions shown as percentage points).
        digits: decimals shown, 0-9 (default 1).

    Returns:
        Signed text whose only breakable space is before the bracket.

    Raises:
        TypeError, ValueError: for non-finite or non-real numbers, ``low > high`` or ``digits``
            outside 0-9.
    """
    digits = check_int("digits", digits, minimum=0, maximum=9)
    a, b = check_float("a", a), check_float("b", b)
    low, high = check_float("low", low), check_float("high", high)
    if low > high:
        raise ValueError(f"low must be <= high, got {low} and {high}")
    d = difference(a, b, f".{digits}f", scale)
    return (f"{_fixed(d, digits, True)} [{_fixed(scale * low, digits, True)},"
            f"{NBSP}{_fixed(scale * high, digits, True)}]")
