"""Why a reform works: order-free decomposition by provision, and global sensitivity to behaviour.

The machinery, independent of the simulator:

- :mod:`asnsim.why.shapley`: Shapley values, exact over all coalitions or by antithetic permutation sampling;
- :mod:`asnsim.why.decomposition`: a game of provisions evaluated replicate by replicate (common random
  numbers), its Shapley values per replicate and their Monte Carlo summary;
- :mod:`asnsim.why.blocks`: provisions that cannot be applied one without the other, merged into blocks, with
  the invalid hybrids reported;
- :mod:`asnsim.why.sobol`: Sobol' first-order and total indices with bootstrap intervals, through SALib, with a
  screen for parameters that change nothing;
- :mod:`asnsim.why.figures`: waterfalls, Sobol' bars and the comparison heatmap.

On the simulator (``asnsim decompose`` and ``asnsim sensitivity``):

- :mod:`asnsim.why.provisions`: the provisions of a change from policy A to B and the hybrids between them;
- :mod:`asnsim.why.policy_change`: :func:`decompose_change`, the decomposition of every outcome's change;
- :mod:`asnsim.why.behaviour`: the documented rater and indicator behaviours and their default ranges;
- :mod:`asnsim.why.sensitivity`: :func:`behaviour_sensitivity`, Sobol' indices of outcomes to behaviours;
- :mod:`asnsim.why.runs`: the simulations behind both, on one or many workers;
- :mod:`asnsim.why.report`, :mod:`asnsim.why.files`: the HTML reports (English or Indonesian) and the files.
"""

from __future__ import annotations

from .decomposition import Decomposition, Game, decompose
from .shapley import exact_shapley
from .sobol import SobolResult, Uncertainty, run_sobol

__all__ = ["Decomposition", "Game", "SobolResult", "Uncertainty", "decompose", "exact_shapley", "run_sobol"]
