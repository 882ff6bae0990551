"""Whether two variants' rates differ by more than chance: the two-proportion z-test.

Written with the standard library (statistics.NormalDist): the test is a few lines of
arithmetic, and the normal distribution's CDF is all it needs.
"""

from __future__ import annotations

from dataclasses import dataclass
from math import sqrt
from statistics import NormalDist
from typing import Optional

METHOD = "two-proportion z-test (pooled, two-sided)"
# Below these the normal approximation is poor: each variant needs this many shoppers,
# and at least this many successes and failures.
MIN_TRIALS = 100
MIN_OUTCOMES = 5
ALPHA = 0.05


@dataclass(frozen=True)
class ZTest:
    """The test of variant B's rate against variant A's."""

    z: Optional[float]
    p_value: Optional[float]
    enough_data: bool
    reason: str  # why there is not enough data yet ("" when there is)
    alpha: float = ALPHA

    @property
    def significant(self) -> bool:
        """The difference is unlikely to be chance (p below alpha)."""
        return self.enough_data and self.p_value is not None and self.p_value < self.alpha

    def as_dict(self) -> dict:
        """For the API."""
        return {"method": METHOD, "z": None if self.z is None else round(self.z, 4),
                "p_value": None if self.p_value is None else round(self.p_value, 6),
                "alpha": self.alpha, "enough_data": self.enough_data,
                "significant": self.significant, "reason": self.reason or None}


def two_proportion_z_test(successes_a: int, trials_a: int, successes_b: int, trials_b: int,
                          *, alpha: float = ALPHA, min_trials: int = MIN_TRIALS,
                          min_outcomes: int = MIN_OUTCOMES) -> ZTest:
    """z = (p_b - p_a) / sqrt(p (1 - p) (1/n_a + 1/n_b)), p the pooled rate; the p-value
    is two-sided, 2 (1 - Phi(|z|)). "Not enough data yet" below the minimum sample."""
    for successes, trials, name in ((successes_a, trials_a, "A"), (successes_b, trials_b, "B")):
        if trials < min_trials:
            return ZTest(None, None, False, f"Not enough data yet: each variant needs "
                                            f"{min_trials} shoppers ({name} has {trials}).",
                         alpha)
        if min(successes, trials - successes) < min_outcomes:
            return ZTest(None, None, False, f"Not enough data yet: each variant needs at "
                                            f"least {min_outcomes} shoppers who did and "
                                            f"{min_outcomes} who did not.", alpha)
    pooled = (successes_a + successes_b) / (trials_a + trials_b)
    error = sqrt(pooled * (1 - pooled) * (1 / trials_a + 1 / trials_b))
    z = (successes_b / trials_b - successes_a / trials_a) / error
    p_value = 2 * (1 - NormalDist().cdf(abs(z)))
    return ZTest(z, p_value, True, "", alpha)
