"""The rater bias lab (notebook 03): plant rater effects with sliders and see what a correction restores.

:func:`bias_lab` starts from the effect-free ``neutral`` world; the corrections it offers are the methods
of :data:`asnsim.methods.CORRECTION_METHODS` marked ``widget`` (:func:`available_corrections`), and
:func:`correction_recovery` measures how much of the ratees' ordering each restores.
"""

from __future__ import annotations

import pandas as pd

from . import columns as C
from . import labels as L
from . import plots
from .scenario import RaterParams, load_scenario
from .widgets import (PARAM_LABELS, Control, Lang, LiveView, Rendered, _simulate, apply_controls, key_figures,
                      scenario_controls)

__all__ = ["available_corrections", "bias_lab", "correction_recovery"]


def available_corrections() -> list[str]:
    """The correction methods the bias lab offers (``widget=True`` in :data:`asnsim.methods.CORRECTION_METHODS`)."""
    from .methods import widget_methods

    return widget_methods()


def correction_recovery(sim, method: str) -> tuple[float, float]:
    """Spearman's rho with true performance of each ratee's raw mean rating and of the corrected score.

    Runs the correction ``method`` (its runner in :data:`asnsim.methods.CORRECTION_METHODS`) on all of
    the round's ratings (ratee, rater, score) and compares ``ratee_scores.raw_mean`` and
    ``ratee_scores.adjusted`` with ``true_performance``: how much of the ordering a correction recovers.
    """
    from scipy import stats

    from .methods import correction_method, resolve

    run = resolve(correction_method(method).run)
    rs = run(sim.ratings[[C.RATEE_ID, C.RATER_ID, C.SCORE]], C.RATEE_ID, C.RATER_ID, C.SCORE, None, "ratings",
             {}).ratee_scores.set_index(C.RATEE_ID)
    truth = sim.employees.set_index(C.EMPLOYEE_ID)[C.TRUE_PERFORMANCE].reindex(rs.index).to_numpy()
    return (float(stats.spearmanr(rs["raw_mean"], truth).statistic),
            float(stats.spearmanr(rs["adjusted"], truth).statistic))


def bias_lab(n: int = 2000, seed: int = 1, policy: str = "permenpan-6-2022", lang: Lang = "en") -> LiveView:
    """Notebook 03: a slider per rater effect, against the effect-free ``neutral`` world.

    Start from ``neutral`` (only rating noise); every slider plants one effect
    of :class:`~asnsim.scenario.RaterParams`.  Outputs: predikat bars (neutral
    vs planted), score against truth, Sangat Baik by closeness, key figures;
    with a correction chosen, how far it restores the ratees' ordering
    (:func:`correction_recovery`).
    """
    neutral = _simulate(policy, "neutral", n, seed)
    lab0, lab1 = L.label("no_effects")[lang], L.label("with_effects")[lang]
    controls = scenario_controls("rater", RaterParams, "neutral") + (
        Control("scenario.population.share_close", "float", load_scenario("neutral").population.share_close,
                PARAM_LABELS["share_close"], 0.0, 1.0, 0.05),)
    from .methods import correction_method

    methods = available_corrections()
    if methods:
        controls += (Control("run.correction", "choice", "none", L.label("correction"),
                             options=(("none", L.label("correction.none")),)
                             + tuple((m, correction_method(m).label) for m in methods)),)
    neutral_recovery: dict[str, tuple[float, float]] = {}
    rows = {"raw": L.label("rank_raw"), "adj": L.label("rank_adjusted")}

    def render(values: dict) -> Rendered:
        pol, scen, run = apply_controls(values, policy, "neutral")
        sim = _simulate(pol, scen, n, seed)
        table = pd.DataFrame({lab0: key_figures(neutral, lang), lab1: key_figures(sim, lang)})
        method = run.get("correction", "none")
        if method != "none":
            if method not in neutral_recovery:
                neutral_recovery[method] = correction_recovery(neutral, method)
            now = correction_recovery(sim, method)
            table.loc[rows["raw"][lang]] = [neutral_recovery[method][0], now[0]]
            table.loc[rows["adj"][lang]] = [neutral_recovery[method][1], now[1]]
        return {"predikat": plots.predikat_bars({lab0: neutral.scores, lab1: sim.scores}, lang),
                "truth": plots.score_vs_truth(sim.scores, sim.employees, lang),
                "fairness": plots.fairness_by_group(sim.scores, sim.employees, C.CLOSENESS, lang),
                "table": table}

    return LiveView(controls, render, lang, title=L.label("bias_lab")[lang])
