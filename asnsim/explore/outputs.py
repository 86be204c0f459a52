"""The files of ``asnsim explore``, written all at once into ``--out`` through the one writer.

==================  =====================================================================
``trials.csv``      every design tried: lever values, each objective's estimate and MCSE,
                    replicates used (``n_reps``), ``raced_out``, ``evaluations``, ``status``
``pareto.csv``      the non-dominated designs, ``separable`` and ``not_separable_from``
``verdicts.csv``    per objective, the best front design(s) and one sentence
``designs/*.toml``  each front design as a policy file that ``extends`` the base
                    (``asnsim compare --policies OUT/designs/D007.toml`` reads it)
``worlds.csv``      the ensemble of worlds (with ``--uncertainty`` or several scenarios)
``robustness.csv``  per front design: mean, worst, regret, share of worlds meeting ``--require``
``discovery.csv``   the PRIM box where the chosen design fails (with ``--require``)
``report.html``     the answer, the front's figures, robustness and discovery
``manifest.json``   the command's settings, the study, replicate evaluations, time
==================  =====================================================================

The study itself (``explore.db``, or the ``--storage`` URL) is not among
these files: it is written while the search runs, so that an interrupted run
resumes, and the folder guard leaves it alone.
"""

from __future__ import annotations

import contextlib
import os
import shutil
from pathlib import Path
from typing import Iterator

import pandas as pd

from ..output import write_csv, write_json
from .command import Plan, RunResult
from .storage import DEFAULT_FILE

#: every file (pattern) ``asnsim explore`` may write into ``--out``
OWNED = ("trials.csv", "pareto.csv", "verdicts.csv", "worlds.csv", "robustness.csv", "discovery.csv",
         "report.html", "manifest.json", "designs")
DESIGNS = "designs"


def design_files(plan: Plan, pareto: pd.DataFrame, folder: Path, out: Path) -> list[str]:
    """Write ``designs/NAME.toml`` for each front design; return the names."""
    from ..overrides import apply_design
    from .simulator import design_toml

    target = folder / DESIGNS
    target.mkdir()
    extends = plan.base_ref
    if Path(extends).suffix == ".toml" and Path(extends).is_file():   # a file base: found beside the design file
        extends = os.path.relpath(Path(extends).resolve(), (out / DESIGNS).resolve())
    names = []
    for _, row in pareto.iterrows():
        design = {k: _plain(row[k]) for k in plan.space.keys}
        policy, _ = apply_design(plan.policy, plan.evaluator.scenario, design, f"design {row['design']}")
        header = [f"Design {row['design']} of asnsim explore (seed {plan.options['seed']}): "
                  + ", ".join(f"{o.name} {row[o.name]:.4g} +- {row[o.name + '_mcse']:.2g}" for o in plan.objectives)]
        text = design_toml(row["design"], extends, plan.policy, policy, header)
        (target / f"{row['design']}.toml").write_text(text, encoding="utf-8")
        names.append(row["design"])
    return names


def _plain(v):
    return v.item() if hasattr(v, "item") else v


def write_results(plan: Plan, result: RunResult, folder: Path, out: Path, verdicts: pd.DataFrame,
                  manifest: dict) -> list[str]:
    """Write every output into ``folder`` (the temporary folder of the output guard); return the file names."""
    from .report import ReportInputs, write_report

    res = result.exploration
    write_csv(res.trials, folder / "trials.csv")
    write_csv(res.pareto, folder / "pareto.csv")
    write_csv(verdicts, folder / "verdicts.csv")
    design_files(plan, res.pareto, folder, out)
    if result.robustness is not None:
        write_csv(result.worlds, folder / "worlds.csv")
        write_csv(result.robustness, folder / "robustness.csv")
    disc = result.discovery
    if disc is not None and disc["prim"] is not None:
        write_csv(disc["prim"].box_table().assign(design=disc["design"]), folder / "discovery.csv")
    o = plan.options
    meta = {"policy": plan.base_ref, "scenario": ", ".join(plan.scenarios), "n": o["n"], "reps": o["reps"],
            "seed": o["seed"], "budget": o["budget"], "study": res.study_name, "storage": res.storage}
    inputs = ReportInputs(res.trials, res.pareto, plan.objectives, plan.space.describe(), int(o["reps"]), meta,
                          result.robustness, [str(r) for r in plan.requirements],
                          0 if result.worlds is None else len(result.worlds), disc,
                          verdicts=verdicts["sentence"].tolist())
    write_report(inputs, folder / "report.html", o.get("lang", "en"))
    write_json(manifest, folder / "manifest.json")
    return sorted(p.name for p in folder.iterdir())


@contextlib.contextmanager
def replace_designs(out: Path) -> Iterator:
    """Yield ``move_aside()``, which moves an earlier run's ``designs/`` aside so the new one can move in; on
    success the old folder is removed, on failure put back.  Call it just before the output guard commits.

    The output guard moves files in with ``os.replace``, which cannot replace a folder that holds files; only a
    ``designs/`` asnsim wrote is moved (a user's is refused by the guard before any work).
    """
    from ..outdir import written_by_asnsim

    old = out / DESIGNS
    aside = out / f".{DESIGNS}.old-{os.getpid()}"
    moved = []

    def move_aside() -> None:
        if old.is_dir() and DESIGNS in (written_by_asnsim(out) or set()):
            os.replace(old, aside)
            moved.append(True)

    try:
        yield move_aside
    except BaseException:
        if moved and not old.exists():
            os.replace(aside, old)
        raise
    if moved:
        shutil.rmtree(aside, ignore_errors=True)


def check_study_file(out: Path) -> None:
    """Refuse an ``explore.db`` in ``--out`` that is not an asnsim study (a user's own file of that name)."""
    import sqlite3

    from ..errors import AsnsimError

    path = out / DEFAULT_FILE
    if not path.exists():
        return
    try:
        con = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
        try:
            names = [r[0] for r in con.execute("SELECT study_name FROM studies")]
        finally:
            con.close()
    except sqlite3.Error:
        names = None
    if names is None or not all(str(n).startswith("explore-") for n in names):
        raise AsnsimError(f"--out {out}: holds {DEFAULT_FILE}, which is not a study of asnsim explore; asnsim "
                          "never overwrites a file it did not write: move it, or choose another --out")


__all__ = ["DESIGNS", "OWNED", "check_study_file", "design_files", "replace_designs", "write_results"]
