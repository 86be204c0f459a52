"""Persistence of an experiment: resumable per-task Parquet chunks, final files, a loader.

While a run goes, every finished (scenario, replicate) task is written at once
to ``.<OUT>.partial/chunks/s<scenario>-r<replicate>.parquet`` beside the
output folder, next to a ``manifest.json`` that fixes the design (its hash,
the asnsim version and a hash of its code, the policy and scenario hashes,
the seed).  Running the same design again skips the tasks already on disk; a
different design, or other asnsim code, is refused rather than mixed in.  At the end the
chunks are consolidated, in design order, into ``OUT/replicates.parquet`` with
the summaries, and the partial folder is removed.

:func:`load_results` reads a finished output folder (or, for an interrupted
run, whatever chunks exist) for notebooks, without re-running anything.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from ..errors import AsnsimError, InputError
from .summary import check_reference, headline, paired_differences, paired_scenarios, rank_policies, summarize

REPLICATE_COLUMNS = ["scenario_index", "scenario", "policy_index", "policy", "replicate", "metric", "group",
                     "value"]
_WHAT = {"design_hash": "design", "asnsim_version": "asnsim version", "code_sha256": "asnsim code"}
_CHUNK = re.compile(r"^s(\d+)-r(\d+)\.parquet$")


def partial_dir(out: str | Path) -> Path:
    """The folder holding an unfinished run's chunks for output folder ``out``."""
    out = Path(out)
    return out.resolve().parent / f".{out.name}.partial"


def order_replicates(rep: pd.DataFrame) -> pd.DataFrame:
    """Sort replicate rows into design order (scenario, policy, replicate; metric rows keep their order)."""
    if rep.empty:
        return rep.reset_index(drop=True)
    return rep.sort_values(["scenario_index", "policy_index", "replicate"], kind="stable").reset_index(drop=True)


class ChunkStore:
    """The partial folder of one run: its manifest and one Parquet file per finished task."""

    def __init__(self, path: str | Path):
        self.path = Path(path)
        self.chunks = self.path / "chunks"

    def open(self, manifest: dict, restart: bool = False) -> set[tuple[int, int]]:
        """Create or reopen the folder for ``manifest``; return the tasks already done."""
        mpath = self.path / "manifest.json"
        if restart and self.path.exists():
            shutil.rmtree(self.path)
        if mpath.exists():
            old = json.loads(mpath.read_text(encoding="utf-8"))
            for key in ("design_hash", "asnsim_version", "code_sha256"):
                if old.get(key) != manifest.get(key):
                    raise AsnsimError(
                        f"{self.path}: an unfinished run with a different {_WHAT[key]} is stored "
                        f"here; run again with --restart to discard it, or use another --out")
        self.chunks.mkdir(parents=True, exist_ok=True)
        if not mpath.exists():
            _write_json_atomic(manifest, mpath)
        return self.done()

    def done(self) -> set[tuple[int, int]]:
        if not self.chunks.is_dir():
            return set()
        out = set()
        for f in self.chunks.iterdir():
            m = _CHUNK.match(f.name)
            if m:
                out.add((int(m.group(1)), int(m.group(2))))
        return out

    def write(self, scenario_index: int, replicate: int, table: pd.DataFrame) -> None:
        """Write one task's rows; the rename makes a half-written chunk impossible."""
        final = self.chunks / f"s{scenario_index:04d}-r{replicate:06d}.parquet"
        tmp = final.with_name(final.name + ".tmp")
        table.to_parquet(tmp, index=False)
        os.replace(tmp, final)

    def read(self) -> pd.DataFrame:
        files = sorted(f for f in self.chunks.glob("*.parquet") if _CHUNK.match(f.name)) \
            if self.chunks.is_dir() else []
        if not files:
            return pd.DataFrame(columns=REPLICATE_COLUMNS)
        return order_replicates(pd.concat([pd.read_parquet(f) for f in files], ignore_index=True))

    def manifest(self) -> dict:
        return json.loads((self.path / "manifest.json").read_text(encoding="utf-8"))

    def remove(self) -> None:
        shutil.rmtree(self.path, ignore_errors=True)


def _write_json_atomic(obj: dict, path: Path) -> None:
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(obj, indent=2, sort_keys=True, ensure_ascii=False) + "\n", encoding="utf-8")
    os.replace(tmp, path)


@dataclass
class Results:
    """The outcome of an experiment: replicate rows, summaries and the manifest.

    Attributes
    ----------
    replicates : DataFrame
        :data:`REPLICATE_COLUMNS`, one row per scenario, policy, replicate, metric and group.
    summary, paired, ranking : DataFrame
        See :mod:`asnsim.experiment.summary`.
    manifest : dict
        Provenance: asnsim version, seed, design (policy and scenario hashes), timings.
    complete : bool
        False when read from an interrupted run's chunks.
    paired_scenarios : DataFrame or None
        Scenario contrasts per policy (:func:`~asnsim.experiment.summary.paired_scenarios`),
        only when the design gave every scenario the same random streams.
    """

    replicates: pd.DataFrame
    summary: pd.DataFrame
    paired: pd.DataFrame
    ranking: pd.DataFrame
    manifest: dict = field(default_factory=dict)
    complete: bool = True
    paired_scenarios: pd.DataFrame | None = None

    @classmethod
    def from_replicates(cls, replicates: pd.DataFrame, manifest: dict | None = None,
                        complete: bool = True, reference: str | None = None) -> "Results":
        """Compute every summary from the replicate rows.

        ``reference`` (default: ``manifest["reference"]``, else the first policy)
        is the policy every other one is compared with in ``paired``.
        """
        rep = order_replicates(replicates)
        manifest = manifest or {}
        common = manifest.get("design", {}).get("common_scenario_streams", False)
        scen = paired_scenarios(rep) if common and rep["scenario"].nunique() > 1 else None
        reference = reference or manifest.get("reference")
        if len(rep):
            reference = check_reference(reference, list(dict.fromkeys(rep["policy"])))
        return cls(rep, summarize(rep), paired_differences(rep, reference), rank_policies(rep), manifest, complete,
                   scen)

    @property
    def policies(self) -> list[str]:
        """Policy labels in design order."""
        return list(dict.fromkeys(self.summary["policy"])) if len(self.summary) else []

    @property
    def reference(self) -> str | None:
        """The reference policy of :attr:`paired` (``difference = policy - reference``)."""
        if len(self.paired):
            return str(self.paired["reference"].iloc[0])
        return self.manifest.get("reference") or (self.policies[0] if self.policies else None)

    def verdicts(self, lang: str = "en") -> pd.DataFrame:
        """The verdicts of :func:`asnsim.experiment.verdict.verdict_table`, per scenario and outcome (cached)."""
        cache = self.__dict__.setdefault("_verdicts", {})
        if lang not in cache:
            from .verdict import verdicts_from_replicates
            cache[lang] = verdicts_from_replicates(self.replicates, self.summary, lang)
        return cache[lang]

    def headline(self, scenario: str | None = None, lang: str = "en", mark: str = "") -> pd.DataFrame:
        """Policy x headline-metric table of ``estimate (MCSE)``; see :func:`~asnsim.experiment.summary.headline`.

        With ``mark`` (e.g. ``" *"``), the cells of each outcome's best set (:meth:`verdicts`) end with it.
        """
        best = None
        if mark:
            from .verdict import best_sets
            best = best_sets(self.verdicts(lang))
        return headline(self.summary, scenario=scenario, lang=lang, best=best, mark=mark)


def load_results(path: str | Path) -> Results:
    """Read an experiment's results without re-running it.

    Parameters
    ----------
    path : str or Path
        The ``--out`` folder of ``asnsim compare``.  If it holds no finished
        results but an interrupted run's chunks exist beside it, those are read
        and summarised (``Results.complete`` is False).

    Raises
    ------
    InputError
        When neither finished results nor chunks are found.

    Examples
    --------
    >>> res = load_results("out")          # doctest: +SKIP
    >>> res.summary.query("metric == 'spearman'")  # doctest: +SKIP
    """
    path = Path(path)
    rep_file = path / "replicates.parquet"
    if rep_file.is_file():
        rep = pd.read_parquet(rep_file)
        manifest = json.loads((path / "manifest.json").read_text(encoding="utf-8")) \
            if (path / "manifest.json").is_file() else {}

        def csv(name: str, builder):
            f = path / name
            return pd.read_csv(f, keep_default_na=False, na_values=[""]) if f.is_file() else builder(rep)

        scen = path / "paired_scenarios.csv"
        return Results(rep, csv("summary.csv", summarize), csv("paired.csv", paired_differences),
                       csv("ranking.csv", rank_policies), manifest, True,
                       pd.read_csv(scen, keep_default_na=False, na_values=[""]) if scen.is_file() else None)
    store = ChunkStore(partial_dir(path))
    if (store.path / "manifest.json").is_file():
        return Results.from_replicates(store.read(), store.manifest(), complete=False)
    raise InputError(str(path), "no replicates.parquet here and no unfinished run beside it")


__all__ = ["ChunkStore", "REPLICATE_COLUMNS", "Results", "load_results", "order_replicates", "partial_dir"]
