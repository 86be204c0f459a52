"""The randomness convention.

One integer seed reproduces a whole experiment.  ``numpy.random.SeedSequence``
derives an independent stream for every (scenario, replicate, stage) from its
spawn key, so a stream depends only on *what* it is for, never on the order in
which work is scheduled or on the number of workers.  Every policy in a
comparison sees the same population and the same rater dispositions (common
random numbers), because none of the stages below depends on the policy.

No code in asnsim touches numpy's global random state.
"""

from __future__ import annotations

import numpy as np

#: Stage numbers: fixed forever, since they are part of every stream's identity.
STAGES: dict[str, int] = {
    "population": 0,
    "truth": 1,
    "indicators": 2,
    "dispositions": 3,
    "ratings": 4,
    "scoring": 5,
    "unit_predikat": 6,
    "growth": 7,
    "bootstrap": 8,
    "quota_compliance": 9,
}


def stage_rng(seed: int, stage: str, replicate: int = 0, scenario: int = 0) -> np.random.Generator:
    """Return the Generator for one stage of one replicate of one scenario.

    Parameters
    ----------
    seed : int
        The experiment's seed (a non-negative integer).
    stage : str
        One of :data:`STAGES`.
    replicate, scenario : int
        Position in the experiment design.

    Examples
    --------
    >>> a = stage_rng(1, "population").normal(size=3)
    >>> b = stage_rng(1, "population").normal(size=3)
    >>> bool((a == b).all())
    True
    """
    if stage not in STAGES:
        raise KeyError(f"unknown random stage {stage!r}; known: {', '.join(STAGES)}")
    ss = np.random.SeedSequence(int(seed), spawn_key=(int(scenario), int(replicate), STAGES[stage]))
    return np.random.Generator(np.random.PCG64(ss))
