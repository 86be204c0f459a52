"""Validation of the simulated world against the observed record, and the fit of the ``default`` scenario.

- :mod:`asnsim.validation.reference`: the observed national predikat
  distribution (package data; canonical copy in ``data/reference/``);
- :mod:`asnsim.validation.simulated`: simulated distributions of the national
  regimes with Monte Carlo error, beside the observed ones;
- :mod:`asnsim.validation.fit`: the seeded search that fitted the practice
  parameters of ``default`` (``[[fitted]]`` in ``asnsim/scenarios/default.toml``);
- :mod:`asnsim.validation.figure`: observed vs simulated, one panel per regime.

``asnsim validate`` runs them; docs/validation.md shows the result.
"""

from __future__ import annotations

from .reference import (BAND_REGIME_BAIK_OR_BETTER, PREDIKAT, REGIMES, observed_percent, read_reference,
                        reference_path)
from .simulated import VALIDATION_COLUMNS, baik_or_better, replicate_percent, validation_table, worst_gap

__all__ = ["BAND_REGIME_BAIK_OR_BETTER", "PREDIKAT", "REGIMES", "VALIDATION_COLUMNS", "baik_or_better",
           "observed_percent", "read_reference", "reference_path", "replicate_percent", "validation_table",
           "worst_gap", "fit_default", "validation_figure"]


def __getattr__(name: str):
    # the fit (scipy.optimize) and the figure (matplotlib) load only when asked for
    if name == "fit_default":
        from .fit import fit_default
        return fit_default
    if name == "validation_figure":
        from .figure import validation_figure
        return validation_figure
    raise AttributeError(name)
