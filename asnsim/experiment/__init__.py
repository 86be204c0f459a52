"""Monte Carlo experiments: policies x scenarios x replicates with common random numbers.

:func:`make_design` builds and validates a design (with sweeps over dotted
policy or scenario keys); :func:`run_experiment` runs it serially, on local
processes or on a Dask cluster, persisting as it goes; :func:`load_results`
reads the results back.  Summaries follow Morris, White & Crowther (2019):
estimate, empirical SE, Monte Carlo SE and interval, paired policy
differences, and rankings with their uncertainty.
"""

from __future__ import annotations

from .design import Design, Sweep, make_design
from .runner import run_experiment
from .store import Results, load_results
from .summary import headline, paired_differences, predikat_table, rank_policies, summarize

__all__ = ["Design", "Results", "Sweep", "headline", "load_results", "make_design",
           "paired_differences", "predikat_table", "rank_policies", "run_experiment", "summarize"]
