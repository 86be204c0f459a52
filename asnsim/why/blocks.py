"""Provisions that cannot be applied one without the other: finding the blocks a decomposition can separate.

Some hybrids of two policies are not policies at all.  PP 30/2019 scores with bands and PermenPAN-RB 6/2022
reads its predikat off a matrix: a hybrid taking the 2022 regime but keeping the 2019 predikat bands fails
validation, in every combination with the other provisions.  Shapley values need every coalition's value, so
such provisions must move together: they form one *block*, decomposed as one provision.

:func:`separable_blocks` finds the blocks from a validity oracle over coalitions.  Starting from one block per
provision, it merges, while some union of blocks is invalid, the two blocks whose merger leaves the fewest
invalid unions (ties: the earliest pair), until every union is valid.  Each provision's validity is asked of
the oracle at most once per coalition (at most ``2**k`` calls), and the invalid coalitions met on the way are
returned with the oracle's reason, so a caller can report them rather than drop them.
"""

from __future__ import annotations

from itertools import combinations
from typing import Callable

#: ``oracle(mask) -> None`` when the coalition is a valid policy, else the reason it is not
Oracle = Callable[[int], "str | None"]


def _unions(blocks: list[int]) -> list[int]:
    """Every union of the blocks (bit masks), the empty one first."""
    out = [0]
    for b in blocks:
        out += [m | b for m in out]
    return out


def separable_blocks(k: int, oracle: Oracle) -> tuple[list[int], dict[int, str]]:
    """Merge provisions into the finest blocks whose every union is a valid coalition.

    Parameters
    ----------
    k : int
        Number of provisions (bits ``0 .. k-1``).
    oracle : callable
        ``oracle(mask)`` returns None for a valid coalition, else a reason (str).

    Returns
    -------
    blocks : list of int
        Bit masks of the blocks, in the order of their lowest provision.
    invalid : dict
        Every invalid coalition the search met, ``{mask: reason}``.

    Raises
    ------
    ValueError
        When even the block of all provisions is invalid (B itself, or A, is not a valid policy).

    Examples
    --------
    Provisions 0 and 2 must agree (either both applied or neither):

    >>> blocks, invalid = separable_blocks(3, lambda m: None if (m & 1) == (m >> 2 & 1) else "0 without 2")
    >>> blocks, len(invalid)
    ([5, 2], 4)
    """
    invalid: dict[int, str] = {}
    known: dict[int, bool] = {}

    def valid(mask: int) -> bool:
        if mask not in known:
            reason = oracle(mask)
            known[mask] = reason is None
            if reason is not None:
                invalid[mask] = str(reason)
        return known[mask]

    full = (1 << k) - 1
    if not valid(0) or not valid(full):
        which = "the starting policy" if 0 in invalid else "the target policy"
        raise ValueError(f"{which} is not valid: {invalid.get(0) or invalid.get(full)}")
    blocks = [1 << i for i in range(k)]
    while True:
        bad = sum(not valid(m) for m in _unions(blocks))
        if bad == 0:
            return sorted(blocks, key=lambda b: (b & -b)), invalid
        best = None
        for i, j in combinations(range(len(blocks)), 2):  # over pairs of blocks (k <= 10 in practice)
            merged = [b for n, b in enumerate(blocks) if n not in (i, j)] + [blocks[i] | blocks[j]]
            count = sum(not valid(m) for m in _unions(merged))
            if best is None or count < best[0]:
                best = (count, merged)
        blocks = best[1]


__all__ = ["Oracle", "separable_blocks"]
