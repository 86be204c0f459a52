"""The rater-effect registry: what one effect is, and the tables the rest of asnsim reads from it.

A :class:`RaterEffect` is one unit: its scenario parameters (the ``[rater]`` keys, with their bounds and
labels), its disposition (a per-rater value drawn once from the ``dispositions`` stream, if it has one) and
its term (the ``fx_<name>`` column of the ratings, added to the latent rating).  :data:`RATER_EFFECTS`
holds them in registration order, which is the order of the ``fx_`` columns and of the disposition draws;
``order`` is the place of the term in the ratings stage (:func:`applied`).

Read from the registry: the ``[rater]`` section of a scenario (:class:`asnsim.scenario.RaterParams` is built
from :func:`param_fields`, so its validation is the effects'), the ratings stage
(:func:`asnsim.raters.simulate_ratings`), the dispositions (:func:`asnsim.raters.draw_dispositions`), the
controls' labels (:data:`asnsim.labels.PARAM_LABELS`) and the effect table of docs/model.md
(:func:`markdown_table`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import numpy as np
from pydantic import Field

#: Every registered rater effect, in registration order (the built-ins first; see :mod:`asnsim.effects`).
RATER_EFFECTS: list[RaterEffect] = []

#: Set once :class:`asnsim.scenario.RaterParams` has been built: later effects may not declare parameters.
_PARAMS_BUILT: list[bool] = [False]


@dataclass
class RatingRound:
    """What every term of one :func:`asnsim.raters.simulate_ratings` call can read.

    ``disp``: the dispositions table's columns (``rater_id`` indexes them); ``panels``: ``role -> (ratee_pos,
    rater_id)``; ``ids``: employee ids by position; ``general``: true performance (float32); ``rng``: the
    ``ratings`` stream; ``prepared``: each effect's :attr:`RaterEffect.prepare` result, by name.
    """

    employees: Any
    policy: Any
    params: Any
    disp: dict[str, np.ndarray]
    panels: dict[str, tuple[np.ndarray, np.ndarray]]
    rng: np.random.Generator
    ids: np.ndarray
    general: np.ndarray
    prepared: dict[str, Any] = field(default_factory=dict)


@dataclass
class RatingBlock:
    """One block of ratings: one rater role on one component in one period, ``P`` (ratee, rater) pairs by
    ``k`` items.

    ``pos``/``rater``: ratee positions and rater ids (length ``P``); ``every``: the panel is every ratee in
    order (``pos`` is ``arange(n)``); ``base``: true (ratee, item) levels of all ratees (n, k), without the
    period deviation; ``t``: the block's true scores (P, k); ``x``: the latent rating so far (P, k), the
    truth plus every term applied before this one (read it, do not write it); ``center``: the latent middle
    of the scale (:func:`asnsim.raters.scale_center`); ``tau``: end of the period in years; ``dev`` and
    ``dev_last``: the ratees' mean result deviation in the period and in the last quarter (None without
    monthly deviations); ``y_atasan``: the atasan's final latent rating of the same component and period
    (all ratees), when the atasan rates it.
    """

    round: RatingRound
    role: str
    comp: Any
    period: str
    tau: float
    pos: np.ndarray
    rater: np.ndarray
    every: bool
    base: np.ndarray
    t: np.ndarray
    x: np.ndarray
    center: float
    dev: np.ndarray | None
    dev_last: np.ndarray | None
    y_atasan: np.ndarray | None

    def of_ratees(self, values: np.ndarray) -> np.ndarray:
        """``values`` (one row per employee) at the block's ratees."""
        return values if self.every else values[self.pos]


#: A term: ``term(block, out) -> array | None``.  Return None where the effect is absent (its column stays
#: exactly 0), else the term as a (P, k) array (best computed into ``out``, the block's view of the effect's
#: column, to save a temporary) or a (P, 1) column broadcast over items.  Draw random numbers only from
#: ``block.round.rng`` and only when the term is present, so that an absent effect leaves every stream alone.
Term = Callable[[RatingBlock, np.ndarray], "np.ndarray | None"]


@dataclass(frozen=True)
class RaterEffect:
    """One rater effect.

    Parameters
    ----------
    name : str
        The effect; its term is the ratings column ``fx_<name>``.
    order : float
        Where the term is applied in the ratings stage (lower first; ties in registration order).  The
        built-ins: halo 10, leniency 20, favouritism 30, ingroup 40, drift 50, self_inflation 60, recency 70
        (terms of the impression), scale_use 80, fatigue 90 (pull toward the middle of the impression so far),
        noise 100, reciprocity 110, conformity 120.
    term : callable
        ``term(block, out)``, see :data:`Term`.
    params : mapping
        ``[rater]`` key -> ``(annotation, default)`` as for ``pydantic.create_model`` (a bounded type of
        :mod:`asnsim.bounds` and a default at which the effect is absent).
    labels : mapping
        ``[rater]`` key -> ``{"en": ..., "id": ...}``, the controls' labels.
    disposition : str, optional
        Name of the per-rater disposition column, drawn once per rater by ``draw``.
    draw : callable, optional
        ``draw(params, z) -> float32 array``: the disposition from its own standard normal row ``z`` (one
        value per potential rater), drawn whatever the magnitudes.
    rater_attributes : callable, optional
        ``rater_attributes(employees, params, n_raters) -> {column: array}``: further columns of the
        dispositions table (not random).
    prepare : callable, optional
        ``prepare(round) -> state``, once per ratings call; the term reads it in ``block.round.prepared``.
    formula, roles, source : str
        Docs: the term's formula (markdown), the roles it applies to, its source or assumption.
    params_first : bool
        List the parameters before every other effect's (rating noise: the one term every rating has).
    settings : tuple of str
        The parameters that are settings (a threshold, an attribute), not magnitudes; every other parameter is
        a magnitude whose default makes the effect absent.
    behaviour : (name, en, id), optional
        The behaviour its magnitudes form in a sensitivity analysis (:mod:`asnsim.why.behaviour`) with its
        names in English and Bahasa Indonesia; required when the effect has magnitudes.
    low_factor : float
        The sensitivity range's lower end as a multiple of the documented value (0: from absent; rating
        noise: 0.5, since a world without noise is not a world of raters).
    """

    name: str
    order: float
    term: Term
    params: Mapping[str, tuple[Any, Any]] = field(default_factory=dict)
    labels: Mapping[str, Mapping[str, str]] = field(default_factory=dict)
    disposition: str | None = None
    draw: Callable[[Any, np.ndarray], np.ndarray] | None = None
    rater_attributes: Callable[[Any, Any, int], dict[str, np.ndarray]] | None = None
    prepare: Callable[[RatingRound], Any] | None = None
    formula: str = ""
    roles: str = ""
    source: str = ""
    params_first: bool = False
    settings: tuple[str, ...] = ()
    behaviour: tuple[str, str, str] | None = None
    low_factor: float = 0.0

    def __post_init__(self) -> None:
        if not self.name.isidentifier():
            raise ValueError(f"a rater effect's name must be an identifier, got {self.name!r}")
        if (self.disposition is None) != (self.draw is None):
            raise ValueError(f"rater effect {self.name!r}: give both disposition and draw, or neither")
        if not callable(self.term):
            raise TypeError(f"rater effect {self.name!r}: term must be callable")
        unlabelled = set(self.params) - set(self.labels)
        if unlabelled:
            raise ValueError(f"rater effect {self.name!r}: no label for {', '.join(sorted(unlabelled))}")
        if set(self.settings) - set(self.params):
            raise ValueError(f"rater effect {self.name!r}: settings must be among its parameters")
        if self.magnitudes and (self.behaviour is None or len(self.behaviour) != 3):
            raise ValueError(f"rater effect {self.name!r}: give behaviour=(name, English, Indonesian) for its "
                             "magnitudes")

    @property
    def magnitudes(self) -> tuple[str, ...]:
        """The parameters that say how strong the effect is (every parameter but the settings)."""
        return tuple(k for k in self.params if k not in self.settings)

    @property
    def column(self) -> str:
        """The ratings column of the term."""
        return f"fx_{self.name}"


def register_rater_effect(effect: RaterEffect) -> RaterEffect:
    """Add a rater effect after the registered ones; its name, disposition and parameters must be new.

    An effect with parameters must be registered by a module of :mod:`asnsim.effects` (loaded before the
    scenario model is built from the registry); one registered later (a test, a notebook) carries its
    magnitudes itself.  A registration made in one process does not reach worker processes.

    Examples
    --------
    >>> def strict_stakeholders(block, out):  # stakeholders rate 0.3 SD lower
    ...     return None if block.role != "stakeholder" else np.full((len(block.pos), 1), -0.3, np.float32)
    >>> strict = register_rater_effect(RaterEffect("strict", 130, strict_stakeholders))
    >>> fx_columns()[-1], applied()[-1].name
    ('fx_strict', 'strict')
    >>> unregister_rater_effect(strict)
    """
    if not isinstance(effect, RaterEffect):
        raise TypeError("register a RaterEffect")
    if any(e.name == effect.name for e in RATER_EFFECTS):
        raise ValueError(f"rater effect {effect.name!r} is registered already")
    if effect.disposition and effect.disposition in {e.disposition for e in RATER_EFFECTS}:
        raise ValueError(f"disposition {effect.disposition!r} is drawn by another rater effect")
    taken = {k for e in RATER_EFFECTS for k in e.params} | set(PANEL_PARAMS)
    if set(effect.params) & taken:
        raise ValueError(f"rater effect {effect.name!r}: parameter(s) {', '.join(sorted(set(effect.params) & taken))}"
                         " belong to another effect")
    if effect.params and _PARAMS_BUILT[0]:
        raise ValueError(f"rater effect {effect.name!r} declares parameters after the scenario model was built: "
                         "put it in a module of asnsim/effects/ (or give it no parameters)")
    RATER_EFFECTS.append(effect)
    return effect


def unregister_rater_effect(effect: RaterEffect | str) -> None:
    """Remove a rater effect registered with :func:`register_rater_effect` (tests, notebooks)."""
    name = effect.name if isinstance(effect, RaterEffect) else effect
    RATER_EFFECTS[:] = [e for e in RATER_EFFECTS if e.name != name]


def rater_effect(name: str) -> RaterEffect | None:
    """The registered effect called ``name``, or None."""
    return next((e for e in RATER_EFFECTS if e.name == name), None)


def applied() -> tuple[RaterEffect, ...]:
    """The effects in the order the ratings stage applies their terms."""
    return tuple(sorted(RATER_EFFECTS, key=lambda e: e.order))


def effect_names() -> tuple[str, ...]:
    """Names of the registered effects, in registration (``fx_`` column) order."""
    return tuple(e.name for e in RATER_EFFECTS)


def fx_columns() -> tuple[str, ...]:
    """The ``fx_<effect>`` columns of the ratings, in order."""
    return tuple(e.column for e in RATER_EFFECTS)


def dispositions() -> tuple[RaterEffect, ...]:
    """The effects with a per-rater disposition, in the order of their standard normal rows."""
    return tuple(e for e in RATER_EFFECTS if e.disposition)


#: ``[rater]`` keys that belong to no effect: panel sizes (:func:`asnsim.raters.panel`).
PANEL_PARAMS: dict[str, tuple[Any, Any]] = {"peers": (int, Field(4, ge=0, le=40)),
                                            "stakeholders": (int, Field(2, ge=0, le=20))}


def param_fields(*, final: bool = False) -> dict[str, tuple[Any, Any]]:
    """The fields of :class:`asnsim.scenario.RaterParams`: the effects' parameters (those listed first, then
    registration order), then the panel sizes.  ``final``: the scenario model is being built from them, so
    no effect registered later may declare parameters."""
    first = [e for e in RATER_EFFECTS if e.params_first] + [e for e in RATER_EFFECTS if not e.params_first]
    out: dict[str, tuple[Any, Any]] = {}
    for e in first:
        out.update(e.params)
    out.update(PANEL_PARAMS)
    _PARAMS_BUILT[0] = _PARAMS_BUILT[0] or final
    return out


def listed() -> tuple[RaterEffect, ...]:
    """The effects in listing order: those listed first (rating noise), then the order of application."""
    return tuple(e for e in RATER_EFFECTS if e.params_first) + tuple(e for e in applied() if not e.params_first)


def param_labels() -> dict[str, dict[str, str]]:
    """``[rater]`` key -> ``{"en", "id"}`` labels of every effect parameter."""
    return {k: dict(v) for e in RATER_EFFECTS for k, v in e.labels.items()}


def markdown_table(defaults: Any, scenario: Any) -> str:
    """The effect table of docs/model.md, in the order terms are applied (a test keeps the page equal to this).

    ``defaults``: a :class:`~asnsim.scenario.RaterParams` with every default; ``scenario``: the ``default``
    scenario's, whose values that differ are shown in parentheses.
    """
    lines = ["| effect | term | roles | key(s) | default (`default`) | source or assumption |",
             "|---|---|---|---|---|---|"]
    for e in applied():
        keys = list(e.params)
        base = ", ".join(_show(getattr(defaults, k)) for k in keys)
        diff = [_show(getattr(scenario, k)) for k in keys if getattr(scenario, k) != getattr(defaults, k)]
        shown = base + (f" ({', '.join(diff)})" if diff else "")
        lines.append(f"| {e.name} | {e.formula} | {e.roles} | {', '.join(f'`{k}`' for k in keys) or '-'} | "
                     f"{shown or '-'} | {e.source} |")
    return "\n".join(lines) + "\n"


def _show(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)



def affine(mean: float, sd: float, z: np.ndarray) -> np.ndarray:
    """``mean + sd * z`` in float32, exactly ``mean`` (no -0.0) when ``sd`` is 0 (a disposition draw)."""
    if sd == 0:
        return np.full(z.shape, mean + 0.0, np.float32)
    return (np.float32(mean) + np.float32(sd) * z).astype(np.float32)


def times_centred(x: np.ndarray, center: float, factor: np.ndarray, out: np.ndarray) -> np.ndarray:
    """``factor[:, None] * (x - center)`` in float32, computed into ``out`` (a pull toward the middle)."""
    np.subtract(x, np.float32(center), out=out)
    return np.multiply(factor[:, None], out, out=out)
