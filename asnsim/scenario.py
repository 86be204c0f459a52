"""Behaviour scenarios: how the simulated world and its raters behave.

A scenario is independent of the policy, so one scenario can be crossed with
every policy.  Built-ins live in ``asnsim/scenarios/*.toml`` (``neutral``:
every effect off; ``default``: a realistic mix, each value with its source or
stated assumption; showcase scenarios that switch one mechanism on).  Files
may ``extends`` another scenario, as policies do.  Every effect has a
magnitude, and at zero it is exactly absent.  ``docs/model.md`` lists every
parameter with its default and its source or assumption.  The ``[rater]``
keys are the parameters of the registered rater effects
(:mod:`asnsim.effects`): :class:`RaterParams` is built from the registry.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

import numpy as np
from pydantic import Field, field_validator

from .bounds import COUNT_LIMIT, FrozenModel, LatentSD, LogShift, LogSD, Money, SafeName, Share
from .errors import PolicyError
from .policy import Assumption, Source, builtin_names, load_model

#: The true components, in the order of ``PopulationParams.component_corr``.
COMPONENT_NAMES = ("results", "behaviour", "technical", "nontechnical")

#: Default correlations between the true components (results, behaviour,
#: technical competency, non-technical competency).  Stated assumption, in the
#: range of meta-analytic estimates: task performance and citizenship behaviour
#: about .45 (Hoffman, Blair, Meriac & Woehr 2007, J. Appl. Psychol. 92:555,
#: uncorrected); competencies predict the matching performance facet about .5
#: and the other about .3.
DEFAULT_CORR: tuple[tuple[float, ...], ...] = (
    (1.00, 0.45, 0.50, 0.30),
    (0.45, 1.00, 0.30, 0.50),
    (0.50, 0.30, 1.00, 0.40),
    (0.30, 0.50, 0.40, 1.00),
)


_Frozen = FrozenModel  # unknown keys refused, frozen, finite floats (asnsim.bounds)


class PopulationParams(_Frozen):
    """The synthetic organisation and its true performance (see :mod:`asnsim.population`)."""

    unit_context_sd: LatentSD = 0.0
    share_female: Share = 0.54
    share_pppk: Share = 0.11
    share_close: Share = 0.2
    team_size: int = Field(8, ge=1, le=60)
    component_corr: float | tuple[tuple[float, ...], ...] = DEFAULT_CORR
    item_sd: LatentSD = 0.0
    period_sd: LatentSD = 0.0
    period_persistence: float = Field(0.7, ge=0, lt=1)
    innovation_base: float = Field(0.10, gt=0, lt=1)
    innovation_slope: LatentSD = 1.0
    feedback_growth: LatentSD = 0.0
    training_growth: LatentSD = 0.0

    @field_validator("component_corr")
    @classmethod
    def _corr(cls, v):
        m = correlation_matrix(v)
        if not np.allclose(m, m.T):
            raise ValueError("the correlation matrix must be symmetric")
        if not np.allclose(np.diag(m), 1.0):
            raise ValueError("the correlation matrix must have ones on its diagonal")
        if np.linalg.eigvalsh(m).min() <= 1e-9:
            raise ValueError("the correlation matrix must be positive definite")
        return v


def correlation_matrix(v: float | tuple[tuple[float, ...], ...]) -> np.ndarray:
    """The 4x4 correlation matrix of the true components from a scalar or a matrix."""
    k = len(COMPONENT_NAMES)
    if isinstance(v, (int, float)):
        if not -1 / (k - 1) < v < 1:
            raise ValueError(f"an equicorrelation must lie in ({-1 / (k - 1):.3f}, 1), got {v}")
        return np.full((k, k), float(v)) + (1 - float(v)) * np.eye(k)
    m = np.asarray(v, dtype=float)
    if m.shape != (k, k):
        raise ValueError(f"component_corr must be a number or a {k}x{k} matrix "
                         f"({', '.join(COMPONENT_NAMES)}), got shape {m.shape}")
    return m


def _rater_params() -> type[FrozenModel]:
    """The ``[rater]`` model, built from the rater-effect registry (:func:`asnsim.effects.param_fields`)."""
    from pydantic import create_model

    from . import effects

    return create_model("RaterParams", __base__=_Frozen, __module__=__name__, __doc__=(
        "Rater dispositions, drawn once per rater, rating noise and panel sizes (latent SD units).\n\n"
        "Its fields are the parameters of the registered rater effects (:mod:`asnsim.effects`), then the panel "
        "sizes ``peers`` and ``stakeholders``; see :mod:`asnsim.raters` for the formula of each effect."),
        **effects.param_fields(final=True))


#: Rater dispositions, rating noise and panel sizes: one field per parameter of a registered rater effect.
RaterParams = _rater_params()


class IndicatorParams(_Frozen):
    """How indicator realisations arise from true performance (see :mod:`asnsim.indicators`)."""

    loading: LogSD = 0.15
    noise_sd: LogSD = 0.10
    count_per_year: float = Field(24.0, gt=0, le=COUNT_LIMIT)
    workload_sd: LogSD = 0.3
    quality_level: LogSD = 0.10
    budget_per_year: Money = 50_000_000.0
    slack_mean: LogShift = 0.0
    slack_sd: LogSD = 0.0
    gaming: LogSD = 0.0
    gaming_sd: LogSD = 0.0
    self_report_inflation: LogSD = 0.0
    self_report_sd: LogSD = 0.0


#: How a unit that enforces the kurva distribusi chooses who moves (see :mod:`asnsim.quota`).
COMPLIANCE_MODES = ("down-first", "up-first", "nearest")


class ComplianceParams(_Frozen):
    """How organisations apply the kurva distribusi (practice; the rule itself is in the policy).

    ``share``: the share of units that enforce their quotas (each unit enforces
    with this probability, drawn once per unit from the ``quota_compliance``
    stream, so the same units enforce under every policy); 1 applies the rule
    to every unit (rules as written).  ``mode``: which employees move when a
    unit enforces: ``down-first`` (surpluses leave downward, the lowest
    scores first; deficits are filled from above), ``up-first`` (the mirror
    image: surpluses leave upward, the highest scores first; deficits are
    filled from below) or ``nearest`` (a surplus with room on both sides
    splits by score: each mover goes to the neighbouring level whose mean
    final score is nearer its own).  Every mode moves the fewest employees.
    """

    share: float = Field(1.0, ge=0, le=1)
    mode: Literal["down-first", "up-first", "nearest"] = "down-first"


class QuotaPractice(_Frozen):
    """The organisation-first step as practised: how leaders rate units, and who enforces the quotas.

    ``unit_shares``: the share of units the next-higher leaders rate with
    each unit predikat (Sangat Kurang, Kurang, Butuh Perbaikan, Baik,
    Istimewa; they must sum to 1 within 0.01 and are rescaled to 1).  The
    units' standardized judgement (:func:`asnsim.quota.draw_unit_predikat`) is
    then cut at the normal quantiles of these shares instead of the policy's
    ``quota.unit_cutpoints``; unset (the default), the policy's cutpoints
    apply (rules as written).  ``compliance``: see :class:`ComplianceParams`.
    """

    unit_shares: dict[str, float] | None = None
    compliance: ComplianceParams = ComplianceParams()

    @field_validator("unit_shares")
    @classmethod
    def _shares(cls, v):
        if v is None:
            return v
        from . import columns as C
        order = C.UNIT_PREDIKAT_ORDER
        if set(v) != set(order):
            raise ValueError(f"unit_shares needs one share for each unit predikat: {', '.join(order)}; "
                             f"got {', '.join(map(str, v))}")
        bad = {k: x for k, x in v.items() if not (np.isfinite(x) and 0 <= x <= 1)}
        if bad:
            raise ValueError(f"each share must be a number from 0 to 1, got {bad}")
        total = float(sum(v.values()))
        if abs(total - 1) > 0.01:
            raise ValueError(f"the shares must sum to 1 (within 0.01), they sum to {total:g}")
        return {k: float(v[k]) / total for k in order}

    def unit_cutpoints(self) -> tuple[float, ...] | None:
        """The four cuts on the standardized unit scale that give ``unit_shares`` (None when unset)."""
        if self.unit_shares is None:
            return None
        from scipy.stats import norm
        cum = np.cumsum(list(self.unit_shares.values()))[:-1]
        return tuple(float(x) for x in norm.ppf(np.clip(cum, 0.0, 1.0)))


class Fitted(_Frozen):
    """A scenario value fitted to an observed target (``[[fitted]]``; see docs/validation.md)."""

    key: str
    value: float
    target: str
    note: str = ""


class Scenario(_Frozen):
    name: SafeName
    title: str
    extends: str | None = None
    description: str = ""
    population: PopulationParams = PopulationParams()
    rater: RaterParams = RaterParams()
    indicators: IndicatorParams = IndicatorParams()
    quota: QuotaPractice = QuotaPractice()
    sources: tuple[Source, ...] = ()
    assumptions: tuple[Assumption, ...] = ()
    fitted: tuple[Fitted, ...] = ()

    def value_of(self, key: str):
        """The value of a dotted key, e.g. ``rater.leniency_mean``.

        Examples
        --------
        >>> load_scenario("neutral").value_of("quota.compliance.share")
        1.0
        """
        from .overrides import value_at

        return value_at(self, key)

    def fitted_mismatches(self) -> list[tuple[str, float, object]]:
        """``[[fitted]]`` entries whose value is no longer the scenario's (a file extending ``default`` that
        overrides a fitted key inherits the entry): ``(key, fitted value, value in use)``."""
        out = []
        for f in self.fitted:
            try:
                now = self.value_of(f.key)
            except PolicyError:
                out.append((f.key, f.value, None))
                continue
            if not isinstance(now, (int, float)) or abs(float(now) - f.value) > 1e-12:
                out.append((f.key, f.value, now))
        return out


def load_scenario(ref: str | Path | Scenario) -> Scenario:
    """Load a scenario by built-in name or file path.

    Errors name the file and the dotted key (:class:`asnsim.errors.PolicyError`).

    Examples
    --------
    >>> load_scenario("neutral").rater.leniency_sd
    0.0
    """
    return load_model(ref, Scenario, "scenarios")


def scenario_names() -> list[str]:
    """Names of the built-in scenarios, sorted."""
    return builtin_names("scenarios")
