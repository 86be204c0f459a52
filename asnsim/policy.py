"""Appraisal policies as data: TOML files validated into frozen objects.

A policy describes *what is measured, by whom, how often, on which scale, and
how the pieces become a predikat*.  Built-in policies live in
``asnsim/policies/*.toml``; any file can ``extends = "<name or path>"`` another
one and override keys, so a city model reads as a diff of a national regime
(the OpenFisca/PolicyEngine "reform = baseline + overrides" habit).

Errors name the file and the dotted key and say what is allowed, e.g.::

    my.toml: components.hasil_kerja.wieght: unknown key; allowed: label, kind, ...

References
----------
PermenPAN-RB No. 6 Tahun 2022 tentang Pengelolaan Kinerja Pegawai ASN;
PP No. 30 Tahun 2019 tentang Penilaian Kinerja PNS;
PP No. 46 Tahun 2011 and Perka BKN No. 1 Tahun 2013.
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import Field, field_validator, model_validator

from . import columns as C
from .bounds import FrozenModel, Latent, LatentSD, Minutes, SafeName, ScorePoints, Share
from .policyfiles import MAX_EXTENDS, MAX_FILE_BYTES, MAX_NESTING, builtin_names, load_model  # noqa: F401

if TYPE_CHECKING:
    import numpy as np

Role = Literal["atasan", "rekan", "bawahan", "self", "stakeholder"]
ComponentKind = Literal["results", "behaviour", "competency_technical", "competency_nontechnical"]
Frequency = Literal["monthly", "quarterly", "semiannual", "annual"]
PERIODS_PER_YEAR = {"monthly": 12, "quarterly": 4, "semiannual": 2, "annual": 1}
#: the most levels an ordinal scale may have
MAX_LEVELS = 101


_Frozen = FrozenModel  # unknown keys refused, frozen, finite floats (asnsim.bounds)


class Source(_Frozen):
    """Where an element of a policy comes from (a regulation article or a seed paragraph).

    ``quote`` is a verbatim phrase of the cited seed document (``shared/seeds/``), so a reader can find
    the sentence; every source that cites a seed carries one (a test checks each is in its seed).
    ``note`` says how the model reads it.
    """

    element: str
    source: str
    quote: str = ""
    note: str = ""


class Assumption(_Frozen):
    """A number the sources do not give, with the reason for the value chosen."""

    key: str
    value: Any = None
    reason: str


class Scale(_Frozen):
    """An item's response scale and how a rater's latent impression maps onto it.

    A rater forms a latent impression on a standard-normal scale (0 = the
    average employee).  ``kind = "ordinal"`` cuts it at ``cutpoints`` into
    the levels ``min .. max``; ``kind = "numeric"`` maps it linearly to
    ``center + spread * latent``, rounded to ``step`` and clipped to
    ``[min, max]``.
    """

    kind: Literal["ordinal", "numeric"] = "ordinal"
    min: ScorePoints = 1
    max: ScorePoints = 3
    step: ScorePoints = 1
    cutpoints: tuple[Latent, ...] = ()
    center: ScorePoints = 0.0
    spread: ScorePoints = 1.0
    labels: tuple[str, ...] = ()

    @model_validator(mode="after")
    def _check(self) -> "Scale":
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if self.step <= 0:
            raise ValueError("step must be positive")
        if self.kind == "ordinal":
            if (self.max - self.min) / self.step > MAX_LEVELS - 1:
                raise ValueError(f"an ordinal scale has at most {MAX_LEVELS} levels; min {self.min:g}, max "
                                 f"{self.max:g} and step {self.step:g} give {(self.max - self.min) / self.step + 1:.3g}")
            n_levels = int(round((self.max - self.min) / self.step)) + 1
            if len(self.cutpoints) != n_levels - 1:
                raise ValueError(
                    f"an ordinal scale from {self.min:g} to {self.max:g} needs {n_levels - 1} cutpoints, "
                    f"got {len(self.cutpoints)}")
            if any(b <= a for a, b in zip(self.cutpoints, self.cutpoints[1:])):
                raise ValueError(f"cutpoints must be strictly increasing, got {list(self.cutpoints)}")
            if self.labels and len(self.labels) != n_levels:
                raise ValueError(f"labels must name all {n_levels} levels")
        elif self.spread <= 0:
            raise ValueError("spread must be positive")
        return self

    def quantize(self, latent: np.ndarray) -> np.ndarray:
        """Map latent impressions to scale scores (vectorized)."""
        import numpy as np  # here, not at module level: ``asnsim policies`` starts without numpy

        latent = np.asarray(latent, dtype=float)
        if self.kind == "ordinal":
            return self.min + self.step * np.searchsorted(np.asarray(self.cutpoints), latent, side="right")
        raw = self.center + self.spread * latent
        snapped = self.min + self.step * np.round((raw - self.min) / self.step)
        return np.clip(snapped, self.min, self.max)


class Component(_Frozen):
    """One part of the appraisal: results (hasil kerja), behaviour (perilaku), competencies."""

    label: str = ""
    kind: ComponentKind
    weight: float = Field(ge=0, le=1)
    measure: Literal["rating", "indicators"] = "rating"
    items: tuple[str, ...] = Field(min_length=1)
    scale: Scale = Scale(cutpoints=(-1.2816, 0.8416))
    raters: dict[Role, Share] = {"atasan": 1.0}
    # measure = "indicators": the component is scored from indicator realisations
    aspects: tuple[Literal["kuantitas", "kualitas", "waktu", "biaya"], ...] = ("kuantitas",)
    self_reported: bool = False
    verified_share: float = Field(1.0, ge=0, le=1)
    capaian_cap: ScorePoints | None = None
    source: str = ""

    @field_validator("raters")
    @classmethod
    def _rater_weights(cls, v: dict[str, float]) -> dict[str, float]:
        if not v:
            raise ValueError("at least one rater role is needed")
        if any(w < 0 for w in v.values()):
            raise ValueError("rater weights must be non-negative")
        total = sum(v.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            raise ValueError(f"rater weights must sum to 1, got {total:g}")
        return v


class Periods(_Frozen):
    frequency: Frequency = "annual"
    annual: bool = True
    source: str = ""

    @property
    def per_year(self) -> int:
        return PERIODS_PER_YEAR[self.frequency]


class RatingRules(_Frozen):
    """A regime's rules from item scores or indicators to ratings and scores.

    PermenPAN-RB 6/2022.  Hasil kerja: Di Atas if more than
    ``results_majority`` of the items are above expectation and no *utama*
    item is below; Di Bawah if more than ``results_majority`` are below;
    otherwise Sesuai.  Perilaku: the mean of the BerAKHLAK item scores, Di Atas
    at or above ``behaviour_above``, Sesuai at or above ``behaviour_meets``
    (an application's rule, UNCERTAIN).  When hasil kerja is measured by
    indicators, an RHK is above expectation at capaian >= ``capaian_above``
    and below it under ``capaian_meets``.

    PP 46/2011.  Waktu and biaya use the efficiency rule with
    ``waktu_factor`` (1.76) and ``efficiency_threshold`` (24 percent); items in
    ``structural_only_items`` (kepemimpinan) count only for employees whose
    ``position_class`` is in ``structural_classes``.

    PP 30/2019.  ``weights_360`` (results, behaviour) replaces the component
    weights for an employee whose behaviour ratings include peers (rekan) or
    subordinates (bawahan): 60/40 instead of 70/30.
    """

    results_majority: float = Field(0.5, ge=0, lt=1)
    utama_items: int = Field(1, ge=0)
    behaviour_above: ScorePoints = 2.5
    behaviour_meets: ScorePoints = 1.5
    capaian_above: ScorePoints = 110.0
    capaian_meets: ScorePoints = 90.0
    waktu_factor: float = Field(1.76, gt=1, le=10)
    efficiency_threshold: float = Field(24.0, ge=0, lt=100)
    structural_only_items: tuple[str, ...] = ()
    structural_classes: tuple[str, ...] = ("struktural",)
    weights_360: tuple[Share, Share] | None = None
    source: str = ""

    @model_validator(mode="after")
    def _order(self) -> "RatingRules":
        if not self.behaviour_meets < self.behaviour_above:
            raise ValueError("behaviour_meets must be below behaviour_above")
        if not self.capaian_meets < self.capaian_above:
            raise ValueError("capaian_meets must be below capaian_above")
        if self.weights_360 is not None:
            if min(self.weights_360) < 0 or not math.isclose(sum(self.weights_360), 1.0, abs_tol=1e-9):
                raise ValueError(f"weights_360 must be two non-negative weights summing to 1, "
                                 f"got {list(self.weights_360)}")
        return self


class Band(_Frozen):
    """A score band: ``predikat`` (the common PermenPAN ladder name), the regime's own ``label``.

    The lowest band also takes every score below its ``min_score``.  A band
    with ``requires_innovation`` is given only to employees whose
    ``innovation`` column is true; the others fall to the next band down.
    """

    predikat: str
    min_score: ScorePoints
    label: str = ""
    requires_innovation: bool = False

    @field_validator("predikat")
    @classmethod
    def _known(cls, v: str) -> str:
        if v not in C.PREDIKAT_ORDER:
            raise ValueError(f"unknown predikat {v!r}; allowed: {', '.join(C.PREDIKAT_ORDER)}")
        return v


class PredikatRules(_Frozen):
    """How ratings or a final score become a predikat.

    ``method = "matrix"``: the 3x3 matrix of PermenPAN-RB 6/2022; ``matrix``
    maps each hasil-kerja level to the predikat for perilaku (Di Bawah,
    Sesuai, Di Atas).  ``method = "bands"``: the first band, from the top,
    whose ``min_score`` the final score reaches.
    """

    method: Literal["matrix", "bands"] = "matrix"
    matrix: dict[str, tuple[str, str, str]] = {}
    bands: tuple[Band, ...] = ()
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> "PredikatRules":
        if self.method == "matrix":
            if set(self.matrix) != {"di_bawah", "sesuai", "di_atas"}:
                raise ValueError("matrix needs exactly the rows di_bawah, sesuai, di_atas")
            for row in self.matrix.values():
                for p in row:
                    if p not in C.PREDIKAT_ORDER:
                        raise ValueError(f"unknown predikat {p!r}; allowed: {', '.join(C.PREDIKAT_ORDER)}")
        else:
            if not self.bands:
                raise ValueError("bands are needed when method = 'bands'")
            mins = [b.min_score for b in self.bands]
            if any(b >= a for a, b in zip(mins, mins[1:])):
                raise ValueError(f"band min_score values must decrease strictly from the top band, got {mins}")
        return self


class QuotaRule(_Frozen):
    """One row of the kurva distribusi: in a unit with ``unit_predikat``, the
    employees whose predikat is in ``predikat`` number at least
    ``ceil(min_share * n)`` (and at least ``min_count``) and at most
    ``floor(max_share * n)``, where ``n`` counts the unit's employees under
    the quota."""

    unit_predikat: str
    predikat: tuple[str, ...] = Field(min_length=1)
    min_share: float | None = Field(None, ge=0, le=1)
    max_share: float | None = Field(None, ge=0, le=1)
    min_count: int = Field(0, ge=0)
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> "QuotaRule":
        if self.unit_predikat not in C.UNIT_PREDIKAT_ORDER:
            raise ValueError(f"unknown unit predikat {self.unit_predikat!r}; "
                             f"allowed: {', '.join(C.UNIT_PREDIKAT_ORDER)}")
        for p in self.predikat:
            if p not in C.PREDIKAT_ORDER:
                raise ValueError(f"unknown predikat {p!r}; allowed: {', '.join(C.PREDIKAT_ORDER)}")
        if self.min_share is None and self.max_share is None and not self.min_count:
            raise ValueError("a quota rule needs min_share, max_share or min_count")
        if self.min_share is not None and self.max_share is not None and self.min_share > self.max_share:
            raise ValueError(f"min_share {self.min_share:g} exceeds max_share {self.max_share:g}")
        return self

    @property
    def label(self) -> str:
        """Short text, e.g. ``Sangat Baik <= 70%`` or ``Butuh Perbaikan+Kurang/Misconduct >= 1``."""
        who = "+".join(self.predikat)
        parts = []
        if self.min_share is not None:
            parts.append(f"{who} >= {self.min_share:.0%}")
        if self.min_count:
            parts.append(f"{who} >= {self.min_count}")
        if self.max_share is not None:
            parts.append(f"{who} <= {self.max_share:.0%}")
        return ", ".join(parts)


class Quota(_Frozen):
    """Kurva distribusi (SE MenPAN-RB 03/2023): allowed employee predikat per unit predikat.

    ``unit_predikat`` is either one of :data:`asnsim.columns.UNIT_PREDIKAT_ORDER`
    (every unit gets it) or ``"draw"``: each unit's predikat is drawn from its
    mean true performance plus noise (``unit_noise_sd``), cut at
    ``unit_cutpoints`` (four increasing cuts on the standardized scale, from
    Sangat Kurang up to Istimewa).  ``leader_rating`` maps the unit predikat
    to the unit leader's hasil-kerja level; with ``exclude_leaders`` the
    leader is outside the unit's quota (rated by the next-higher leader).
    """

    enabled: bool = False
    unit_predikat: str = "Baik"
    rules: tuple[QuotaRule, ...] = ()
    unit_noise_sd: LatentSD = 0.5
    unit_cutpoints: tuple[Latent, ...] = (-1.6449, -1.2816, -0.5244, 0.8416)
    leader_rating: dict[str, Literal["di_bawah", "sesuai", "di_atas"]] = {}
    exclude_leaders: bool = True
    source: str = ""

    @model_validator(mode="after")
    def _check(self) -> "Quota":
        if self.unit_predikat != "draw" and self.unit_predikat not in C.UNIT_PREDIKAT_ORDER:
            raise ValueError(f"unit_predikat must be 'draw' or one of {', '.join(C.UNIT_PREDIKAT_ORDER)}, "
                             f"got {self.unit_predikat!r}")
        if len(self.unit_cutpoints) != len(C.UNIT_PREDIKAT_ORDER) - 1 or any(
                b <= a for a, b in zip(self.unit_cutpoints, self.unit_cutpoints[1:])):
            raise ValueError(f"unit_cutpoints must be {len(C.UNIT_PREDIKAT_ORDER) - 1} strictly increasing "
                             f"numbers, got {list(self.unit_cutpoints)}")
        unknown = set(self.leader_rating) - set(C.UNIT_PREDIKAT_ORDER)
        if unknown:
            raise ValueError(f"leader_rating: unknown unit predikat {sorted(unknown)}; "
                             f"allowed: {', '.join(C.UNIT_PREDIKAT_ORDER)}")
        if self.enabled and not self.rules:
            raise ValueError("quota.enabled needs at least one [[quota.rules]] entry")
        for up in C.UNIT_PREDIKAT_ORDER:
            rows = [r for r in self.rules if r.unit_predikat == up]
            seen: set[str] = set()
            for r in rows:
                if seen & set(r.predikat):
                    raise ValueError(f"rules for unit predikat {up!r} overlap on {sorted(seen & set(r.predikat))}; "
                                     "merge them into one rule (each employee predikat may sit in one rule per row)")
                seen |= set(r.predikat)
            floor_total = sum(r.min_share or 0.0 for r in rows)
            if floor_total > 1 + 1e-9:
                raise ValueError(f"minimum shares for unit predikat {up!r} sum to {floor_total:g} > 1: "
                                 "no unit can meet them")
        return self


class Burden(_Frozen):
    """Minutes of work a design costs (documented defaults; see docs/policies.md)."""

    minutes_per_rating: Minutes = 3.0
    minutes_per_report: Minutes = 30.0
    minutes_per_forum: Minutes = 0.0
    minutes_per_activity_log: Minutes = 0.0


class Forum(_Frozen):
    """An evaluation forum (Serang): ratees present results; the panel calibrates ratings."""

    enabled: bool = False
    frequency: Frequency = "semiannual"
    activity_logs: bool = False
    source: str = ""


class Feedback(_Frozen):
    """Continuous feedback (umpan balik) and training for weaknesses (Gayungan)."""

    enabled: bool = False
    training: bool = False
    source: str = ""


def _one_of(value: str, allowed) -> str:
    """``value`` if it is one of ``allowed``; else pydantic's own wording for a choice."""
    if value not in allowed:
        *head, last = (repr(a) for a in allowed)
        raise ValueError(f"got {value!r}; Input should be {', '.join(head)} or {last}" if head else
                         f"got {value!r}; Input should be {last}")
    return value


class Correction(_Frozen):
    """Rater-effect correction before scoring: ``none`` or a method of :data:`asnsim.methods.CORRECTION_METHODS`."""

    method: str = "none"

    @field_validator("method")
    @classmethod
    def _registered(cls, v: str) -> str:
        from .methods import correction_names
        return _one_of(v, correction_names())


class Policy(_Frozen):
    """A validated, frozen appraisal policy."""

    name: SafeName
    title: str
    extends: str | None = None
    description: str = ""
    regime: str
    periods: Periods = Periods()
    components: dict[str, Component] = Field(min_length=1)
    rating: RatingRules = RatingRules()
    predikat: PredikatRules
    quota: Quota = Quota()
    forum: Forum = Forum()
    feedback: Feedback = Feedback()
    correction: Correction = Correction()
    burden: Burden = Burden()
    sources: tuple[Source, ...] = ()
    assumptions: tuple[Assumption, ...] = ()

    @field_validator("regime")
    @classmethod
    def _engine_exists(cls, v: str) -> str:
        from .methods import SCORING_ENGINES
        return _one_of(v, tuple(SCORING_ENGINES))

    @field_validator("components")
    @classmethod
    def _weights_sum_to_one(cls, v: dict[str, Component]) -> dict[str, Component]:
        total = sum(c.weight for c in v.values())
        if not math.isclose(total, 1.0, abs_tol=1e-9):
            terms = " + ".join(f"{name}.weight {c.weight:g}" for name, c in v.items())
            raise ValueError(f"component weights must sum to 1, got {terms} = {total:g}")
        return v

    @model_validator(mode="after")
    def _consistency(self) -> "Policy":
        measured = [k for k, c in self.components.items() if c.measure == "indicators"]
        if len(measured) > 1:
            raise ValueError(f"at most one component may be measured by indicators, got {', '.join(measured)}")
        if self.regime == "permenpan-6-2022":
            if self.predikat.method != "matrix":
                raise ValueError("regime permenpan-6-2022 reads the predikat off the 3x3 matrix: "
                                 "predikat.method must be 'matrix'")
            kinds = {c.kind for c in self.components.values()}
            if not {"results", "behaviour"} <= kinds:
                raise ValueError("regime permenpan-6-2022 needs a 'results' and a 'behaviour' component")
        elif self.predikat.method != "bands":
            raise ValueError(f"regime {self.regime} scores with bands: predikat.method must be 'bands'")
        return self

    def component_of_kind(self, kind: str) -> str | None:
        for name, comp in self.components.items():
            if comp.kind == kind:
                return name
        return None


def load_policy(ref: str | Path) -> Policy:
    """Load and validate a policy by built-in name or file path.

    Parameters
    ----------
    ref : str or Path
        A built-in name (see :func:`builtin_names`) or a path to a TOML file.

    Raises
    ------
    PolicyError
        When the file is missing, is not TOML, or breaks a rule; the message
        names the file and the dotted key.

    Examples
    --------
    >>> p = load_policy("permenpan-6-2022")
    >>> p.regime
    'permenpan-6-2022'
    """
    return load_model(ref, Policy, "policies")
