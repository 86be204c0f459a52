"""Writing a decomposition or a sensitivity analysis to a folder, all files at once (nothing half-written).

``asnsim decompose`` writes ``shapley.csv``, ``hybrids.csv``, ``provisions.csv``, one ``waterfall_*.png`` per
outcome, ``manifest.json`` and ``report.html``; ``asnsim sensitivity`` writes ``sobol.csv``, ``top.csv``,
``ranges.csv``, one ``sobol_*.png`` per policy and outcome (``compare_*.png`` heatmaps with several policies),
``manifest.json`` and ``report.html``.
"""

from __future__ import annotations

import platform
import re
from pathlib import Path

import numpy as np
import pandas as pd

from .. import __version__
from ..bounds import content_hash
from .policy_change import PolicyChange
from .runs import outcome_key
from .sensitivity import Sensitivity

DECOMPOSE_FILES = ("shapley.csv", "hybrids.csv", "provisions.csv", "waterfall_*.png", "manifest.json", "report.html")
SENSITIVITY_FILES = ("sobol.csv", "top.csv", "ranges.csv", "sobol_*.png", "compare_*.png", "manifest.json",
                     "report.html")


def slug(text: str) -> str:
    """A file-name-safe form of an outcome or policy name."""
    return re.sub(r"[^A-Za-z0-9]+", "_", text).strip("_").lower()


def _provenance() -> dict:
    from ..experiment.runner import code_hash

    return {"asnsim_version": __version__, "code_sha256": code_hash(), "python": platform.python_version(),
            "numpy": np.__version__, "pandas": pd.__version__}


def write_decomposition(change: PolicyChange, out: str | Path, lang: str = "en", report: bool = True) -> list[str]:
    """Write a decomposition's files into ``out``; returns their names."""
    from ..outdir import atomic_output_dir
    from ..output import write_json, write_table
    from .report import render_decomposition, waterfall_pngs

    with atomic_output_dir(out, owned=DECOMPOSE_FILES) as tmp:
        write_table(change.shapley(), tmp, "shapley")
        write_table(change.hybrids(), tmp, "hybrids")
        write_table(pd.DataFrame({"provision": [p.name for p in change.provisions],
                                  "keys": [", ".join(p.keys) for p in change.provisions],
                                  "decomposed_as": [next(pl.name for pl in change.players if p in pl.provisions)
                                                    for p in change.provisions]}), tmp, "provisions")
        figures = waterfall_pngs(change, lang)
        for i, png in figures.items():
            (tmp / f"waterfall_{slug(outcome_key(change.outcomes[i]))}.png").write_bytes(png)
        write_json({**_provenance(), "command": "decompose", "settings": change.settings,
                    "from": {"name": change.a.name, "sha256": content_hash(change.a)},
                    "to": {"name": change.b.name, "sha256": content_hash(change.b)},
                    "provisions": [{"name": p.name, "keys": list(p.keys)} for p in change.provisions],
                    "decomposed_as": [p.name for p in change.players], "invalid_hybrids": len(change.invalid),
                    "additivity_gap": change.result.additivity_gap(),
                    "outcomes": [outcome_key(o) for o in change.outcomes],
                    "streams": "numpy SeedSequence(seed, spawn_key=(0, replicate, stage)) for every hybrid of a "
                               "replicate (common random numbers)"}, tmp / "manifest.json")
        if report:
            (tmp / "report.html").write_text(render_decomposition(change, lang, figures), encoding="utf-8")
        names = sorted(p.name for p in tmp.iterdir())
    return names


def write_sensitivity(sens: Sensitivity, out: str | Path, lang: str = "en", report: bool = True) -> list[str]:
    """Write a sensitivity analysis's files into ``out``; returns their names."""
    from ..outdir import atomic_output_dir
    from ..output import write_json, write_table
    from .report import render_sensitivity, sensitivity_pngs

    with atomic_output_dir(out, owned=SENSITIVITY_FILES) as tmp:
        table = sens.table()
        write_table(table, tmp, "sobol")
        write_table(sens.top(lang), tmp, "top")
        write_table(pd.DataFrame({"parameter": [u.name for u in sens.uncertainties],
                                  "key": [u.key for u in sens.uncertainties],
                                  "low": [u.low for u in sens.uncertainties],
                                  "high": [u.high for u in sens.uncertainties]}), tmp, "ranges")
        several = len(sens.policies) > 1
        figures = sensitivity_pngs(sens, lang)
        for (policy, key), png in figures.items():
            name = (f"compare_{slug(key)}" if not policy else
                    f"sobol_{slug(policy) + '_' if several else ''}{slug(key)}")
            (tmp / f"{name}.png").write_bytes(png)
        write_json({**_provenance(), "command": "sensitivity", "settings": sens.settings,
                    "policies": [{"name": p.name, "sha256": content_hash(p)} for p in sens.policies],
                    "inactive": {p.name: list(r.inactive) for p, r in zip(sens.policies, sens.results)},
                    "undefined": {p.name: r.skipped for p, r in zip(sens.policies, sens.results)},
                    "outcomes": [outcome_key(o) for o in sens.outcomes],
                    "sampling": "SALib sobol.sample (scrambled Sobol' sequence, Saltelli scheme, no second order); "
                                "analysis SALib sobol.analyze with bootstrap intervals"}, tmp / "manifest.json")
        if report:
            (tmp / "report.html").write_text(render_sensitivity(sens, lang, figures), encoding="utf-8")
        names = sorted(p.name for p in tmp.iterdir())
    return names


__all__ = ["DECOMPOSE_FILES", "SENSITIVITY_FILES", "slug", "write_decomposition", "write_sensitivity"]
