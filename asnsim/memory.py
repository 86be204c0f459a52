"""How much memory a run needs, measured before it starts, against what the machine has.

A simulation's tables grow linearly with the number of employees, at a rate
that depends on the policy (raters, items, indicators) and on ``periods``.
:func:`simulation_bytes` measures that rate on a pilot organisation of
:data:`PILOT_N` employees and scales it up: the result is a *lower bound* of
what the run holds in memory (its tables; the peak is 1.1-3.6 times that,
measured on the built-in policies), so a run refused by :func:`require_memory`
could not have finished, and no feasible run is refused.

Only sizes above :data:`PILOT_ABOVE` are measured: below it every built-in
policy needs well under 1 GiB.
"""

from __future__ import annotations

import os
from pathlib import Path

from .errors import AsnsimError

#: employees in the pilot organisation
PILOT_N = 2_000
#: sizes up to this are not measured (a few hundred MiB at most)
PILOT_ABOVE = 200_000
#: bytes one (scenario, policy, replicate) adds to an experiment's replicate table (26 metric rows of ~150 B)
REPLICATE_ROW_BYTES = 26 * 150


def available_memory() -> int:
    """Bytes this process can still use: ``MemAvailable`` (Linux), capped by a cgroup limit if one is set."""
    avail = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemAvailable:"):
                avail = int(line.split()[1]) * 1024
                break
    except OSError:
        pass
    if avail is None:
        try:
            avail = os.sysconf("SC_AVPHYS_PAGES") * os.sysconf("SC_PAGE_SIZE")
        except (ValueError, OSError, AttributeError):
            return 2**62   # unknown: do not refuse
    for limit_file in ("/sys/fs/cgroup/memory.max", "/sys/fs/cgroup/memory/memory.limit_in_bytes"):
        try:
            text = Path(limit_file).read_text().strip()
        except OSError:
            continue
        if text.isdigit():
            avail = min(avail, int(text))
    return avail


def gib(n_bytes: float) -> str:
    """``12.3 GiB`` (or MiB below one GiB)."""
    return f"{n_bytes / 2**30:,.1f} GiB" if n_bytes >= 2**30 else f"{n_bytes / 2**20:,.0f} MiB"


def require_memory(need: int, what: str, advice: str = "") -> None:
    """Refuse a run whose estimated memory ``need`` exceeds the memory available now.

    Raises
    ------
    AsnsimError
        Naming what needs the memory, the estimate and what the machine has.
    """
    avail = available_memory()
    if need > avail:
        raise AsnsimError(f"{what} needs at least {gib(need)} of memory; this machine has {gib(avail)} available"
                          + (f": {advice}" if advice else ""))


def simulation_bytes(policy, scenario, n: int | str, periods: str = "annual") -> int:
    """Bytes the tables of one simulation of ``n`` employees hold (a lower bound of its memory).

    Sizes up to :data:`PILOT_ABOVE` return 0 (not measured).  Larger ones are
    measured on a pilot of :data:`PILOT_N` employees (same policy, scenario and
    periods, seed 0) and scaled linearly.
    """
    from .population import resolve_size

    size, _ = resolve_size(n)
    if size <= PILOT_ABOVE:
        return 0
    from .pipeline import simulate

    pilot = simulate(policy, n=PILOT_N, seed=0, scenario=scenario, periods=periods)
    per_employee = sum(t.memory_usage(deep=True).sum() for t in pilot.tables().values()) / len(pilot.employees)
    return int(per_employee * size)


def experiment_bytes(design, workers: int = 1, remote: bool = False) -> int:
    """Bytes an experiment holds at least: ``workers`` simulations at once (the largest policy variant's
    tables, measured on up to ten distinct policy variants; none when the work runs on a remote cluster)
    plus its replicate table (:data:`REPLICATE_ROW_BYTES` per scenario, policy and replicate)."""
    table = design.reps * len(design.scenarios) * len(design.policies) * REPLICATE_ROW_BYTES
    if remote or design.population is not None:
        return table
    seen, per_sim = set(), 0
    for v in design.policies:
        key = v.model.content_hash()
        if key in seen or len(seen) >= 10:
            continue
        seen.add(key)
        per_sim = max(per_sim, simulation_bytes(v.model, design.scenarios[0].model, design.n, design.periods))
        if per_sim == 0:
            break   # below the pilot threshold: nothing to measure
    return table + max(1, workers) * per_sim


__all__ = ["PILOT_ABOVE", "PILOT_N", "available_memory", "experiment_bytes", "gib", "require_memory", "simulation_bytes"]
