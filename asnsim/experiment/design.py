"""Experiment designs: policies x scenarios x replicates, plus sweeps.

A :class:`Design` lists the policy variants and the scenario variants of an
experiment, the organisation size ``n``, the number of replicates and one
seed.  A *sweep* varies one dotted key of a policy (``components.hasil_kerja.weight``)
or of a scenario (``rater.favouritism``) over a list of values; each value
makes a variant, validated with the same pydantic models as a policy file
before anything runs (the OpenFisca habit: a reform is the baseline plus
overrides, every override checked first).

Randomness (ADEMP "data-generating mechanisms", Morris, White & Crowther 2019):
replicate ``r`` of scenario ``s`` draws from ``stage_rng(seed, stage, r, s)``,
so every policy of the design meets the same population and raters in that
replicate (common random numbers: policy differences are paired), and a result
never depends on how many workers ran it.  With ``common_scenario_streams``
every scenario uses stream 0, so scenario variants (a favouritism sweep) are
paired too.

Sweeping weights
    Every variant is made by :func:`asnsim.overrides.apply_overrides`, with its
    one weight rule: when a sweep point sets the weight of one component to
    ``w`` and leaves the others unset, the other weights are rescaled
    proportionally to share ``1 - w`` (equally, if they were all 0).  To choose
    every weight yourself, sweep all weight keys together with ``zip`` (paired
    values); the result is then validated as given.
"""

from __future__ import annotations

import hashlib
import json
import math
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Sequence

from ..bounds import content_hash
from ..errors import DesignError
from ..overrides import apply_overrides, target_of
from ..policy import Policy, builtin_names, load_policy
from ..scenario import Scenario, load_scenario

#: values one sweep may have, and variants (sweep points) a design may cross
MAX_SWEEP_POINTS = 10_000


@dataclass(frozen=True)
class Sweep:
    """Values for one dotted key, or for several keys varied together (``zip``).

    Parameters
    ----------
    keys : tuple of str
        Dotted keys, optionally prefixed ``policy.`` or ``scenario.``; without a
        prefix the first segment decides (``rater``, ``population``: scenario;
        ``components``, ``rating``, ``predikat``, ...: policy).
    values : tuple of tuples
        One tuple per sweep point, one value per key.

    Examples
    --------
    >>> Sweep.parse("rater.favouritism=0:0.5:0.25").values
    ((0.0,), (0.25,), (0.5,))
    """

    keys: tuple[str, ...]
    values: tuple[tuple[Any, ...], ...]

    @classmethod
    def one(cls, key: str, values: Sequence[Any]) -> "Sweep":
        return cls((key,), tuple((v,) for v in values))

    @classmethod
    def parse(cls, text: str) -> "Sweep":
        """Parse ``KEY=V1,V2,...`` or ``KEY=START:STOP:STEP`` (inclusive) from the command line."""
        if "=" not in text:
            raise DesignError(f"--sweep {text!r}: expected KEY=V1,V2,... or KEY=START:STOP:STEP")
        key, _, rhs = text.partition("=")
        key, rhs = key.strip(), rhs.strip()
        if not key or not rhs:
            raise DesignError(f"--sweep {text!r}: expected KEY=V1,V2,... or KEY=START:STOP:STEP")
        if rhs.count(":") == 2 and "," not in rhs:
            try:
                start, stop, step = (float(x) for x in rhs.split(":"))
            except ValueError:
                raise DesignError(f"--sweep {text!r}: START:STOP:STEP must be numbers") from None
            if not all(map(math.isfinite, (start, stop, step))) or step <= 0 or stop < start:
                raise DesignError(f"--sweep {text!r}: need finite numbers, STEP > 0 and STOP >= START")
            points = (stop - start) / step + 1
            if not points <= MAX_SWEEP_POINTS:
                raise DesignError(f"--sweep {text!r}: {points:,.4g} values; a sweep has at most "
                                  f"{MAX_SWEEP_POINTS:,} (use a larger STEP)")
            k = int(math.floor((stop - start) / step + 1e-9))
            values = [round(start + i * step, 12) for i in range(k + 1)]
        else:
            values = [_parse_value(v.strip()) for v in rhs.split(",") if v.strip()]
            if len(values) > MAX_SWEEP_POINTS:
                raise DesignError(f"--sweep {key}: {len(values):,} values; a sweep has at most {MAX_SWEEP_POINTS:,}")
        if not values:
            raise DesignError(f"--sweep {text!r}: no values")
        return cls.one(key, values)

    @staticmethod
    def zip(sweeps: Sequence["Sweep"]) -> "Sweep":
        """Vary several sweeps together, point by point (they must have equally many values)."""
        lengths = {len(s.values) for s in sweeps}
        if len(lengths) != 1:
            raise DesignError(f"zipped sweeps need equally many values, got {sorted(lengths)}")
        keys = tuple(k for s in sweeps for k in s.keys)
        values = tuple(tuple(v for s in sweeps for v in s.values[i]) for i in range(lengths.pop()))
        return Sweep(keys, values)


def _parse_value(text: str) -> Any:
    """A TOML scalar (number, boolean, quoted string) or, failing that, the bare text."""
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


@dataclass(frozen=True)
class Variant:
    """One policy or scenario of a design: its label, the validated object and the overrides applied."""

    label: str
    model: Any
    overrides: dict[str, Any] = field(default_factory=dict)

    def describe(self) -> dict:
        return {"label": self.label, "name": self.model.name, "sha256": content_hash(self.model),
                "overrides": self.overrides}


@dataclass(frozen=True)
class Design:
    """A Monte Carlo experiment: policy variants x scenario variants x replicates.

    Build one with :func:`make_design`.  Tasks are (scenario index, replicate)
    pairs; each task runs every policy, so the policies of one task share
    their random numbers.
    """

    policies: tuple[Variant, ...]
    scenarios: tuple[Variant, ...]
    n: int | str
    reps: int
    seed: int
    sweeps: tuple[Sweep, ...] = ()
    common_scenario_streams: bool = False
    periods: str = "annual"
    #: an employees table read with ``--population`` (asnsim.io.population); None: synthetic organisations
    population: Any = field(default=None, compare=False, repr=False)
    population_info: dict | None = field(default=None, compare=False)

    def stream(self, scenario_index: int) -> int:
        """The scenario index used for random streams (0 for all when streams are common)."""
        return 0 if self.common_scenario_streams else scenario_index

    def tasks(self) -> list[tuple[int, int]]:
        """All (scenario index, replicate) pairs, in a fixed order."""
        return [(s, r) for s in range(len(self.scenarios)) for r in range(self.reps)]

    def describe(self) -> dict:
        """The design as JSON-ready data (for the manifest)."""
        return {
            "n": self.n, "reps": self.reps, "seed": self.seed,
            "policies": [v.describe() for v in self.policies],
            "scenarios": [v.describe() for v in self.scenarios],
            "sweeps": [{"keys": list(s.keys), "values": [list(v) for v in s.values]} for s in self.sweeps],
            "common_scenario_streams": self.common_scenario_streams,
            "periods": self.periods,
            **({"population": self.population_info} if self.population_info else {}),
            "streams": "numpy SeedSequence(seed, spawn_key=(scenario, replicate, stage)); "
                       "every policy shares the streams of its (scenario, replicate)",
        }

    def hash(self) -> str:
        """SHA-256 of :meth:`describe`: two runs with the same hash produce the same replicates."""
        blob = json.dumps(self.describe(), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(blob.encode()).hexdigest()


def _label(base: str, overrides: dict[str, Any]) -> str:
    if not overrides:
        return base
    return base + "[" + ", ".join(f"{k}={_fmt(v)}" for k, v in overrides.items()) + "]"


def _fmt(v: Any) -> str:
    return f"{v:g}" if isinstance(v, float) else str(v)


def expand_policies(policies: str | Sequence[str | Path | Policy]) -> list[Policy]:
    """Load the policies of a design; ``"all"`` (or ``["all"]``) means every built-in."""
    if isinstance(policies, str):
        policies = [p.strip() for p in policies.split(",") if p.strip()]
    refs = list(policies)
    if any(isinstance(r, str) and r == "all" for r in refs):
        refs = [r for r in refs if not (isinstance(r, str) and r == "all")]
        refs = builtin_names() + [r for r in refs if not (isinstance(r, str) and r in builtin_names())]
    if not refs:
        raise DesignError("--policies: name at least one policy (or 'all')")
    return [r if isinstance(r, Policy) else load_policy(r) for r in refs]


def make_design(policies: str | Sequence[str | Path | Policy], n: int | str = 500, reps: int = 20, seed: int = 1,
                scenarios: str | Path | Scenario | Sequence[str | Path | Scenario] = "default",
                sweeps: Sequence[Sweep | str] = (), zip_sweeps: bool = False,
                common_scenario_streams: bool = False, periods: str = "annual") -> Design:
    """Build and validate a design before anything runs.

    Parameters
    ----------
    policies : str or sequence
        Built-in names, files or :class:`~asnsim.policy.Policy` objects;
        ``"all"`` adds every built-in; a string may list several, comma-separated.
    n : int or str
        Employees in each simulated organisation, or a size preset
        (:data:`asnsim.population.PRESETS`).
    reps : int
        Replicates per scenario (Monte Carlo sample size, ``n_sim``).
    seed : int
        The one seed of the experiment.
    scenarios : str, Path, Scenario or sequence
        Behaviour scenarios (built-in names or files).
    sweeps : sequence of Sweep or str
        Sweeps over dotted policy or scenario keys (strings are parsed with
        :meth:`Sweep.parse`).  Several sweeps are crossed (full factorial)
        unless ``zip_sweeps``, which varies them together point by point.
    common_scenario_streams : bool
        Give every scenario the random streams of scenario 0, so scenario
        variants are paired as policies are.
    periods : {"annual", "all"}
        Rate the annual evaluation only (default), or every periodic
        evaluation too (needed by the stability metrics; slower).

    Returns
    -------
    Design

    Raises
    ------
    DesignError, PolicyError
        For a bad size, an unknown key, or a sweep value that breaks a rule;
        the message names the key.

    Examples
    --------
    >>> d = make_design("permenpan-6-2022", n=100, reps=2, scenarios="neutral",
    ...                 sweeps=["rater.favouritism=0,0.5"])
    >>> [v.label for v in d.scenarios]
    ['neutral[rater.favouritism=0]', 'neutral[rater.favouritism=0.5]']
    """
    from ..population import resolve_size

    resolve_size(n)  # a number >= 2 or a preset name; the error names --n
    n = int(n) if str(n).strip().lstrip("-").isdigit() else str(n)
    if periods not in ("annual", "all"):
        raise DesignError(f"--periods must be 'annual' or 'all', got {periods!r}")
    if int(reps) < 1:
        raise DesignError(f"--reps must be at least 1, got {reps}")
    if int(seed) < 0:
        raise DesignError(f"--seed must be a non-negative integer, got {seed}")
    sweeps = tuple(Sweep.parse(s) if isinstance(s, str) else s for s in sweeps)
    if zip_sweeps and len(sweeps) > 1:
        sweeps = (Sweep.zip(sweeps),)
    points = math.prod(len(s.values) for s in sweeps)
    if points > MAX_SWEEP_POINTS:
        raise DesignError(f"--sweep: the sweeps cross into {points:,} variants; a design has at most "
                          f"{MAX_SWEEP_POINTS:,} (use fewer values, or --zip-sweeps to vary them together)")
    pols = expand_policies(policies)
    if isinstance(scenarios, (str, Path, Scenario)):
        scenarios = [s.strip() for s in scenarios.split(",")] if isinstance(scenarios, str) else [scenarios]
    scens = [load_scenario(s) for s in scenarios]
    if not scens:
        raise DesignError("--scenario: name at least one scenario")

    # sweep points, split by target: each point is a dict of policy and of scenario overrides
    points: list[tuple[dict, dict]] = [({}, {})]
    for sw in sweeps:
        targets = [target_of(k) for k in sw.keys]
        new = []
        for pol_o, scen_o in points:
            for vals in sw.values:
                p, s = dict(pol_o), dict(scen_o)
                for (target, key), v in zip(targets, vals):
                    (p if target == "policy" else s)[key] = v
                new.append((p, s))
        points = new
    pol_points = _unique([p for p, _ in points])
    scen_points = _unique([s for _, s in points])
    if zip_sweeps and any(p for p in pol_points) and any(s for s in scen_points):
        raise DesignError("zipped sweeps must all be policy keys or all scenario keys")

    policy_variants = [Variant(_label(p.name, o), apply_overrides(p, o, _label(p.name, o)) if o else p, o)
                       for p in pols for o in pol_points]
    scenario_variants = [Variant(_label(s.name, o), apply_overrides(s, o, _label(s.name, o)) if o else s, o)
                         for s in scens for o in scen_points]
    for kind, variants in (("policies", policy_variants), ("scenarios", scenario_variants)):
        labels = [v.label for v in variants]
        dup = sorted({x for x in labels if labels.count(x) > 1})
        if dup:
            raise DesignError(f"--{kind}: {', '.join(dup)} listed more than once")
    return Design(tuple(policy_variants), tuple(scenario_variants), n, int(reps), int(seed), sweeps,
                  bool(common_scenario_streams), periods)


def _unique(dicts: list[dict]) -> list[dict]:
    out: list[dict] = []
    for d in dicts:
        if d not in out:
            out.append(d)
    return out


__all__ = ["Design", "Sweep", "Variant", "expand_policies", "make_design"]
