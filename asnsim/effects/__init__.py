"""Rater effects as ordered plug-ins (:mod:`asnsim.effects.registry`).

Each module of this package is one rater effect: its ``[rater]`` parameters, its disposition draw and its
term, registered with :func:`register_rater_effect`.  The built-ins are loaded in :data:`BUILTIN` order (the
order of the ``fx_`` columns and of the disposition draws, which keeps every seed's outputs); any other module
of the package is loaded after them, in name order, so adding an effect is one new module here (plus its
defaults in ``asnsim/scenarios/default.toml`` and its test), with nothing else to edit: the scenario model,
its validation, the ratings stage, the controls' labels, the sensitivity analysis' behaviours
(:mod:`asnsim.why.behaviour`) and the tables of docs/model.md and docs/why.md read the registry (``python -m
asnsim.effects`` rewrites those two tables; a test says when they are out of date).

The order in which the stage applies the terms is each effect's ``order`` (:func:`applied`)::

    halo 10, leniency 20, favouritism 30, ingroup 40, drift 50, self_inflation 60, recency 70   impression
    scale_use 80, fatigue 90                                    pull toward the middle of the scale
    noise 100, reciprocity 110, conformity 120                  noise, then what other raters said

See :mod:`asnsim.raters` for the stage and docs/model.md for every formula.
"""

from __future__ import annotations

import importlib
import pkgutil

from .registry import (PANEL_PARAMS, RATER_EFFECTS, RaterEffect, RatingBlock, RatingRound, applied, dispositions,
                       effect_names, fx_columns, listed, markdown_table, param_fields, param_labels, rater_effect,
                       register_rater_effect, unregister_rater_effect)

#: The built-in effects, in registration order.
BUILTIN = ("leniency", "scale_use", "halo", "favouritism", "ingroup", "fatigue", "drift", "reciprocity",
           "conformity", "self_inflation", "recency", "noise")


def _load() -> None:
    """Import the built-in effect modules in order, then every other module of the package."""
    others = sorted(m.name for m in pkgutil.iter_modules(__path__)
                    if m.name not in BUILTIN and m.name != "registry" and not m.name.startswith("_"))
    for name in (*BUILTIN, *others):
        importlib.import_module(f"{__name__}.{name}")


_load()

__all__ = ["BUILTIN", "PANEL_PARAMS", "RATER_EFFECTS", "RaterEffect", "RatingBlock", "RatingRound", "applied",
           "dispositions", "effect_names", "fx_columns", "listed", "markdown_table", "param_fields", "param_labels",
           "rater_effect", "register_rater_effect", "unregister_rater_effect"]
