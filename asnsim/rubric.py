"""The rubric designer (notebook 02): change a policy's weights, rater panel, periods and kurva distribusi live.

:func:`rubric_controls` describes the controls as data (:class:`asnsim.widgets.Control`);
:func:`rubric_designer` runs the base policy and the design side by side in a
:class:`asnsim.widgets.LiveView`; :func:`describe_changes` says in words what a design changed.
"""

from __future__ import annotations

import textwrap
from collections.abc import Mapping
from typing import Any

import pandas as pd

from . import columns as C
from . import labels as L
from . import plots
from .policy import Policy, load_policy
from .scenario import Scenario, load_scenario
from .widgets import Control, Lang, LiveView, Rendered, _simulate, apply_controls, key_figures

__all__ = ["describe_changes", "rubric_controls", "rubric_designer"]


def rubric_controls(policy: Policy | str = "permenpan-6-2022", scenario: Scenario | str = "default"
                    ) -> tuple[Control, ...]:
    """Controls of the rubric designer: component weights, rater panel, periods and kurva distribusi.

    The kurva distribusi has a rule side (the policy has one, and which unit
    predikat) and a practice side (the share of units that enforce it and whom
    they move, from the scenario): in the ``default`` world no unit enforces
    it, so switching the rule on changes nothing until the share is raised.
    """
    pol = load_policy(policy) if not isinstance(policy, Policy) else policy
    practice = load_scenario(scenario).quota.compliance
    out = [Control(f"policy.components.{name}.weight", "float", comp.weight, L.label("weight", name=comp.label or name),
                   0.0, 1.0, 0.05, help=L.label("weight_help"))
           for name, comp in pol.components.items()]
    out.append(Control("policy.panel", "choice", "atasan", L.label("panel"), options=tuple(
        (p, L.label(f"panel.{p}")) for p in ("atasan", "atasan_self", "atasan_rekan", "360"))))
    out.append(Control("policy.periods.frequency", "choice", pol.periods.frequency, L.label("frequency"),
                       options=tuple((f, L.label(f"frequency.{f}"))
                                     for f in ("monthly", "quarterly", "semiannual", "annual"))))
    out.append(Control("policy.quota.enabled", "bool", pol.quota.enabled, L.label("quota_enabled")))
    units = tuple(dict.fromkeys(("draw",) + tuple(C.UNIT_PREDIKAT_ORDER)))
    out.append(Control("policy.quota.unit_predikat", "choice", pol.quota.unit_predikat, L.label("unit_predikat"),
                       options=tuple((u, L.label("unit_predikat.draw") if u == "draw" else {"en": u, "id": u})
                                     for u in units)))
    out.append(Control("scenario.quota.compliance.share", "float", practice.share, L.label("compliance_share"),
                       0.0, 1.0, 0.05, help=L.label("compliance_share_help")))
    out.append(Control("scenario.quota.compliance.mode", "choice", practice.mode, L.label("compliance_mode"),
                       options=tuple((m, L.label(f"compliance_mode.{m}"))
                                     for m in ("down-first", "up-first", "nearest"))))
    return tuple(out)


def rubric_designer(n: int = 2000, seed: int = 1, policy: str = "permenpan-6-2022",
                    scenario: str = "default", lang: Lang = "en") -> LiveView:
    """Notebook 02: change weights and panel; see predikat, objectivity and fairness move.

    The designed policy is compared with the unchanged base policy on the same
    population and raters (common random numbers).  A panel whose rater roles
    the simulation does not model yet shows the engine's message instead.
    """
    base_sim = _simulate(policy, scenario, n, seed)
    base_label, new_label = L.text("base_policy", lang), L.text("your_design", lang)
    controls = rubric_controls(policy, scenario)

    def render(values: dict) -> Rendered:
        pol, scen, _ = apply_controls(values, policy, scenario)
        sim = _simulate(pol, scen, n, seed)
        table = pd.DataFrame({base_label: key_figures(base_sim, lang), new_label: key_figures(sim, lang)})
        title = L.text("design_title", lang, base=policy, changes=describe_changes(values, controls, lang))
        return {"predikat": plots.predikat_bars({base_label: base_sim.scores, new_label: sim.scores}, lang,
                                                title="\n".join(textwrap.wrap(title, 70))),
                "truth": plots.score_vs_truth(sim.scores, sim.employees, lang),
                "table": table}

    return LiveView(controls, render, lang, title=L.text("rubric_title", lang))


def describe_changes(values: Mapping[str, Any], controls: tuple[Control, ...], lang: Lang = "en") -> str:
    """What a design changed from the base policy, in words: ``Raters: Superior 60% + peers 40%; ...``.

    One ``label: value`` per control whose value differs from its default
    (numbers in the language's format); ``no change`` when none does.
    """
    parts = []
    for c in controls:
        value = values.get(c.key, c.default)
        if value == c.default:
            continue
        if c.kind in ("choice", "level"):
            shown = dict(c.options).get(value, {}).get(lang, str(value))
        elif c.kind == "bool":
            shown = L.text("yes" if value else "no", lang)
        else:
            shown = L.number(value, 2, lang)
        parts.append(f"{c.text(lang)}: {shown}")
    return "; ".join(parts) if parts else L.text("no_change", lang)
