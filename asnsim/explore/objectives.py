"""Objectives of an exploration: an outcome, a direction, and its loss for the search.

The search minimises a *loss* per objective: ``-x`` when higher is better,
``x`` when lower is better, ``|x|`` when closer to zero is better (a fairness
gap).  For the last, the loss of a design is the absolute value of its mean,
``|mean(x_i)|`` (the expected gap is what should be near zero, not each
replicate's), and its per-replicate contributions are ``sign(mean) * x_i``,
so that paired differences between designs keep the form of a mean over
common replicates (:func:`oriented`).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Callable, Iterable, Mapping, Sequence

import numpy as np

from ..errors import DesignError

#: direction codes, as in :data:`asnsim.outcomes.DIRECTIONS` (an outcome's ``direction``)
HIGHER, LOWER, ZERO = 1, -1, 0


@dataclass(frozen=True)
class Objective:
    """An outcome column to optimise and which way is better.

    Parameters
    ----------
    name : str
        The outcome's name (a column of the evaluator's table).
    direction : {1, -1, 0}
        Higher, lower, or closer to zero is better.
    label : str, optional
        For reports; defaults to ``name``.

    Examples
    --------
    >>> Objective("rater_hours", -1).loss(np.array([2.0, 4.0]))
    3.0
    >>> Objective("gap", 0).loss(np.array([-0.2, -0.4]))
    0.30000000000000004
    """

    name: str
    direction: int
    label: str | None = None

    def __post_init__(self) -> None:
        if self.direction not in (HIGHER, LOWER, ZERO):
            raise DesignError(f"--objectives {self.name}: direction must be 1, -1 or 0, got {self.direction!r}")

    @property
    def title(self) -> str:
        return self.label or self.name

    def loss(self, values: np.ndarray) -> float:
        """The loss of one design from its per-replicate values (NaN-free)."""
        m = float(np.mean(values))
        return {HIGHER: -m, LOWER: m, ZERO: abs(m)}[self.direction]


def parse_objectives(text: str | Sequence[str], directions: Mapping[str, int] | Callable[[str], int],
                     labels: Mapping[str, str] | None = None) -> tuple[Objective, ...]:
    """Objectives from ``"a,b,c"`` with their directions looked up; unknown names are errors.

    Parameters
    ----------
    text : str or sequence of str
        Comma-separated outcome names.
    directions : mapping or callable
        ``name -> direction``; a callable may raise its own error for an unknown name.
    labels : mapping, optional
        ``name -> label`` for reports.

    Examples
    --------
    >>> [o.direction for o in parse_objectives("a,b", {"a": 1, "b": 0})]
    [1, 0]
    """
    names = [n.strip() for n in (text.split(",") if isinstance(text, str) else text) if n and n.strip()]
    if len(names) < 2:
        raise DesignError(f"--objectives: name at least two outcomes (a trade-off), got {names}")
    dup = sorted({n for n in names if names.count(n) > 1})
    if dup:
        raise DesignError(f"--objectives {dup[0]}: listed more than once")
    out = []
    for n in names:
        if callable(directions):
            d = directions(n)
        elif n in directions:
            d = directions[n]
        else:
            raise DesignError(f"--objectives {n}: not a known outcome; known: {', '.join(sorted(directions))}")
        out.append(Objective(n, int(d), (labels or {}).get(n)))
    return tuple(out)


def directions_of(objectives: Iterable[Objective]) -> np.ndarray:
    return np.array([o.direction for o in objectives], dtype=int)


def oriented(values: np.ndarray, directions: np.ndarray) -> np.ndarray:
    """Per-replicate loss contributions: ``(reps, k)`` natural values to values whose mean is the loss.

    Higher-is-better columns change sign; closer-to-zero columns are multiplied by the sign of their mean
    (a zero mean counts as positive).  NaN rows (replicates not run) stay NaN.

    Examples
    --------
    >>> oriented(np.array([[1.0, 2.0, -1.0], [3.0, 4.0, -3.0]]), np.array([1, -1, 0]))
    array([[-1.,  2.,  1.],
           [-3.,  4.,  3.]])
    """
    values = np.asarray(values, float)
    sign = np.where(directions == HIGHER, -1.0, 1.0) * np.ones(values.shape[-1])
    if (directions == ZERO).any():
        finite = np.isfinite(values)
        count = finite.sum(axis=-2, keepdims=True)
        total = np.where(finite, values, 0.0).sum(axis=-2, keepdims=True)
        mean = np.divide(total, count, out=np.zeros_like(total), where=count > 0)
        sign = np.where(directions == ZERO, np.where(mean < 0, -1.0, 1.0), sign)
    return values * sign


__all__ = ["HIGHER", "LOWER", "Objective", "ZERO", "directions_of", "oriented",
           "parse_objectives"]
