"""How much of a measured difference is noise: the statistics behind the verdict. Pure functions.

Intervals are two-sided at `confidence` (95% unless said otherwise):

- several seeds: Student's t interval on their mean. The t quantile is the root of the exact
  t distribution function (through the regularized incomplete beta function), so it holds
  for any degrees of freedom, Welch's fractional ones too, without scipy;
- one value of a proportion measured on `n` examples: the Wilson score interval (Wilson
  1927), which stays inside [0, 1] and is not symmetric around the value;
- the difference of two results: Welch's interval when both come from seeds (Welch 1947,
  Satterthwaite's degrees of freedom); otherwise the MOVER limits (Zou & Donner 2008,
  "Construction of confidence limits about effect measures", Stat Med 27:1693), which
  combine each side's distance to its own interval and for two Wilson intervals are
  Newcombe's method 10 (Newcombe 1998, Stat Med 17:873). A result whose noise is unknown
  adds none.
"""

from __future__ import annotations

import math
from functools import lru_cache
from statistics import NormalDist

CONFIDENCE = 0.95
# Past this many degrees of freedom the Cornish-Fisher series is exact to float precision.
CORNISH_FISHER_FROM = 1000.0


def z_critical(confidence: float = CONFIDENCE) -> float:
    """The normal quantile a two-sided interval at `confidence` reaches (1.96 at 95%)."""
    return NormalDist().inv_cdf((1 + confidence) / 2)


@lru_cache(maxsize=4096)
def t_critical(df: float, confidence: float = CONFIDENCE) -> float:
    """Student's t quantile for a two-sided interval at `confidence` (12.706 at df 1, 95%)."""
    if df <= 0:
        raise ValueError(f"degrees of freedom must be positive, not {df}")
    z = z_critical(confidence)
    guess = _cornish_fisher(z, df)
    if math.isinf(df) or df >= CORNISH_FISHER_FROM:
        return guess
    # The coverage P(|T| <= t) is concave in t > 0 and t's quantile lies beyond z, so
    # Newton's steps, kept at or past z, close in on the root from below.
    t = max(z, guess)
    for _ in range(100):
        step = (confidence - _coverage(t, df)) / (2 * _density(t, df))
        t = max(z, t + step)
        if abs(step) <= 1e-12 * t:
            break
    return t


def _cornish_fisher(z: float, df: float) -> float:
    """Abramowitz & Stegun 26.7.5: t's quantile as a series in 1/df around the normal's."""
    if math.isinf(df):
        return z
    z2 = z * z
    g1 = (z2 + 1) * z / 4
    g2 = ((5 * z2 + 16) * z2 + 3) * z / 96
    g3 = (((3 * z2 + 19) * z2 + 17) * z2 - 15) * z / 384
    g4 = ((((79 * z2 + 776) * z2 + 1482) * z2 - 1920) * z2 - 945) * z / 92160
    return z + (g1 + (g2 + (g3 + g4 / df) / df) / df) / df


def _coverage(t: float, df: float) -> float:
    """P(|T| <= t) for Student's t with `df` degrees of freedom (A&S 26.7.1 via 26.5.27)."""
    return 1 - _incomplete_beta(df / 2, 0.5, df / (df + t * t))


def _density(t: float, df: float) -> float:
    log_scale = math.lgamma((df + 1) / 2) - math.lgamma(df / 2) - 0.5 * math.log(df * math.pi)
    return math.exp(log_scale - (df + 1) / 2 * math.log1p(t * t / df))


def _incomplete_beta(a: float, b: float, x: float) -> float:
    """The regularized incomplete beta function I_x(a, b) (Numerical Recipes 6.4)."""
    if x <= 0:
        return 0.0
    if x >= 1:
        return 1.0
    front = math.exp(
        math.lgamma(a + b) - math.lgamma(a) - math.lgamma(b) + a * math.log(x) + b * math.log1p(-x)
    )
    if x < (a + 1) / (a + b + 2):
        return front * _beta_fraction(a, b, x) / a
    return 1 - front * _beta_fraction(b, a, 1 - x) / b


def _beta_fraction(a: float, b: float, x: float) -> float:
    """The continued fraction of I_x(a, b), by Lentz's method."""
    tiny = 1e-300
    c, d = 1.0, 1 - (a + b) * x / (a + 1)
    d = 1 / (d if abs(d) > tiny else tiny)
    fraction = d
    for m in range(1, 500):
        for term in (
            m * (b - m) * x / ((a + 2 * m - 1) * (a + 2 * m)),
            -(a + m) * (a + b + m) * x / ((a + 2 * m) * (a + 2 * m + 1)),
        ):
            d = 1 + term * d
            d = 1 / (d if abs(d) > tiny else tiny)
            c = 1 + term / c
            c = c if abs(c) > tiny else tiny
            fraction *= c * d
        if abs(c * d - 1) < 1e-15:
            break
    return fraction


def t_interval(values: tuple[float, ...], confidence: float = CONFIDENCE) -> float | None:
    """The half-width of the t interval on the mean of `values`; None when they cannot show
    a spread (fewer than two, or all the same)."""
    if min(values) == max(values):
        return None
    half = t_critical(len(values) - 1, confidence) * _standard_deviation(values)
    return half / math.sqrt(len(values)) or None  # None too when the spread underflows


def _standard_deviation(values: tuple[float, ...]) -> float:
    mean = math.fsum(values) / len(values)
    return math.sqrt(math.fsum((v - mean) ** 2 for v in values) / (len(values) - 1))


def wilson(p: float, n: int, confidence: float = CONFIDENCE) -> tuple[float, float]:
    """The Wilson score interval around a proportion `p` observed on `n` examples."""
    if n < 1 or not 0 <= p <= 1:
        raise ValueError(f"a proportion is from 0 to 1 on at least 1 example, not {p} on {n}")
    z2 = z_critical(confidence) ** 2
    centre = (p + z2 / (2 * n)) / (1 + z2 / n)
    half = math.sqrt(z2 * p * (1 - p) / n + z2 * z2 / (4 * n * n)) / (1 + z2 / n)
    # In exact arithmetic the interval holds p; the min and max undo rounding at 0 and 1.
    return max(0.0, min(p, centre - half)), min(1.0, max(p, centre + half))


def welch(
    a: tuple[float, ...], b: tuple[float, ...], confidence: float = CONFIDENCE
) -> tuple[float, float]:
    """Welch's interval on mean(a) - mean(b), for two sets of seeds that each show a spread."""
    va = _standard_deviation(a) ** 2 / len(a)
    vb = _standard_deviation(b) ** 2 / len(b)
    difference = math.fsum(a) / len(a) - math.fsum(b) / len(b)
    if va + vb == 0:  # spreads too small for a float's square
        return difference, difference
    # Satterthwaite's (va + vb)^2 / (va^2 / (na - 1) + vb^2 / (nb - 1)), as shares of va + vb
    # so that tiny spreads do not underflow.
    share = va / (va + vb)
    df = 1 / (share * share / (len(a) - 1) + (1 - share) ** 2 / (len(b) - 1))
    half = t_critical(df, confidence) * math.sqrt(va + vb)
    return difference - half, difference + half


def mover(
    a: float, a_bounds: tuple[float, float], b: float, b_bounds: tuple[float, float]
) -> tuple[float, float]:
    """The MOVER interval on a - b from each one's own interval (Zou & Donner 2008, eq. 6)."""
    difference = a - b
    low = difference - math.hypot(a - a_bounds[0], b_bounds[1] - b)
    high = difference + math.hypot(a_bounds[1] - a, b - b_bounds[0])
    return low, high


def detectable_change(n: int, p: float, confidence: float = CONFIDENCE) -> float:
    """The smallest change in a proportion near `p`, each side measured on `n` examples, whose
    interval excludes no change: smaller changes are noise at `confidence`.

    z * sqrt(2 p (1 - p) / n), with Agresti & Coull's adjusted p and n (1998) so that a rate
    of 0 or 1 still has noise. It is a threshold of significance, not of power: a change of
    exactly this size is seen half the time; 80% power takes about 1.43 times it.
    """
    if n < 1 or not 0 <= p <= 1:
        raise ValueError(f"a proportion is from 0 to 1 on at least 1 example, not {p} on {n}")
    z = z_critical(confidence)
    size = n + z * z
    rate = (p * n + z * z / 2) / size
    return z * math.sqrt(2 * rate * (1 - rate) / size)


def examples_needed(change: float, p: float, confidence: float = CONFIDENCE) -> int:
    """The fewest examples on which `change` in a proportion near `p` is no longer noise
    (`detectable_change` inverted)."""
    if change <= 0:
        raise ValueError(f"a change to detect must be positive, not {change}")
    z = z_critical(confidence)
    # p (1 - p) is at most 1/4, so this many examples always suffice.
    low, high = 1, math.ceil(z * z / (2 * change * change)) + 1
    while low < high:
        middle = (low + high) // 2
        if detectable_change(middle, p, confidence) <= change:
            high = middle
        else:
            low = middle + 1
    return low
