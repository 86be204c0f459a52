"""Why a reform works: order-free decomposition by provision, and global sensitivity to behaviour.

- :mod:`asnsim.why.shapley`: Shapley values, exact over all coalitions or by antithetic permutation sampling;
- :mod:`asnsim.why.decomposition`: a game of provisions evaluated replicate by replicate (common random
  numbers), its Shapley values per replicate and their Monte Carlo summary (``shapley.csv``, ``hybrids.csv``);
- :mod:`asnsim.why.blocks`: provisions that cannot be applied one without the other, merged into blocks, with
  the invalid hybrids reported;
- :mod:`asnsim.why.behaviour`: the documented rater and indicator behaviours and their default ranges;
- :mod:`asnsim.why.sobol`: Sobol' first-order and total indices with bootstrap intervals, through SALib;
- :mod:`asnsim.why.figures`: the waterfall of a decomposition and the bars of a sensitivity analysis.
"""

from __future__ import annotations

from .decomposition import Decomposition, Game, decompose
from .shapley import exact_shapley
from .sobol import SobolResult, Uncertainty, run_sobol

__all__ = ["Decomposition", "Game", "SobolResult", "Uncertainty", "decompose", "exact_shapley", "run_sobol"]
