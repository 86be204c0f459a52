"""Running a design: serial, local processes or a Dask cluster, by one code path.

The unit of work is a *task*: one replicate of one scenario, in which every
policy of the design is simulated on the same population and raters (common
random numbers) and measured with :func:`asnsim.metrics.replicate_metrics`.
A task's result depends only on (seed, scenario, replicate), never on which
worker ran it or when, so the summaries are identical for any number of
workers; rows are put back into design order before anything is summarised.

Execution goes through a ``concurrent.futures.Executor``: an in-process one
(``workers=1``), a :class:`~concurrent.futures.ProcessPoolExecutor`
(``workers=K``), or a Dask cluster's executor (``scheduler=ADDRESS``;
``pip install 'asnsim[dist]'``; the workers need asnsim installed).  At most
two tasks per worker are in flight; each finished task is written to disk at
once (:class:`~asnsim.experiment.store.ChunkStore`), so an interrupted run
resumes where it stopped.  A tqdm bar shows progress and the time left.
"""

from __future__ import annotations

import concurrent.futures as cf
import contextlib
import multiprocessing
import platform
import sys
import time
from dataclasses import dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any, Callable, Iterator

import numpy as np
import pandas as pd

from .. import __version__
from ..errors import AsnsimError
from ..policy import Policy
from ..scenario import Scenario
from .design import Design
from .files import RESULT_FILES, write_results
from .store import REPLICATE_COLUMNS, ChunkStore, Results, order_replicates, partial_dir

MetricsFn = Callable[[Any], pd.DataFrame]


@dataclass(frozen=True)
class Task:
    """Everything one worker needs for one (scenario, replicate): picklable, self-contained."""

    scenario_index: int
    stream: int
    replicate: int
    scenario_label: str
    scenario: Scenario
    policies: tuple[tuple[str, Policy], ...]
    n: int | str
    seed: int
    population: Any = None  # employees table from --population, or None (synthetic)
    periods: str = "annual"


def default_metrics(sim) -> pd.DataFrame:
    """:func:`asnsim.metrics.replicate_metrics` (imported in the worker)."""
    from ..metrics import replicate_metrics
    return replicate_metrics(sim)


def run_task(task: Task, metrics: MetricsFn | None = None) -> pd.DataFrame:
    """Simulate and measure every policy of one (scenario, replicate); return its replicate rows.

    Parameters
    ----------
    task : Task
        The design cell.
    metrics : callable, optional
        ``sim -> DataFrame[metric, group, value]``; default
        :func:`asnsim.metrics.replicate_metrics`.  Must be picklable (a
        module-level function) for process and Dask execution.

    Returns
    -------
    DataFrame
        :data:`asnsim.experiment.store.REPLICATE_COLUMNS`.
    """
    from ..pipeline import simulate

    metrics = metrics or default_metrics
    parts = []
    for p_index, (label, policy) in enumerate(task.policies):
        sim = simulate(policy, n=task.n, seed=task.seed, scenario=task.scenario, replicate=task.replicate,
                       scenario_index=task.stream, population=task.population, periods=task.periods)
        m = metrics(sim)[["metric", "group", "value"]].copy()
        m.insert(0, "replicate", task.replicate)
        m.insert(0, "policy", label)
        m.insert(0, "policy_index", p_index)
        m.insert(0, "scenario", task.scenario_label)
        m.insert(0, "scenario_index", task.scenario_index)
        parts.append(m)
    out = pd.concat(parts, ignore_index=True)[REPLICATE_COLUMNS]
    out["group"] = out["group"].astype(str)
    out["value"] = out["value"].astype(float)
    return out


def make_tasks(design: Design) -> list[Task]:
    policies = tuple((v.label, v.model) for v in design.policies)
    return [Task(s, design.stream(s), r, design.scenarios[s].label, design.scenarios[s].model, policies,
                 design.n, design.seed, design.population, design.periods) for s, r in design.tasks()]


class InlineExecutor(cf.Executor):
    """Runs each task in the calling process when it is submitted (``workers=1``)."""

    def submit(self, fn, /, *args, **kwargs):  # noqa: D102
        fut: cf.Future = cf.Future()
        try:
            fut.set_result(fn(*args, **kwargs))
        except Exception as exc:  # handed to the caller through the future
            fut.set_exception(exc)
        return fut


#: seconds to reach a Dask scheduler
DASK_CONNECT_SECONDS = 10.0
#: how often (seconds) a run with nothing finished checks that its Dask cluster still has a worker
POLL_SECONDS = 2.0


def dask_wait_seconds() -> float:
    """How long a Dask run waits for a worker to join, or to come back (``ASNSIM_DASK_WAIT``, default 30 s)."""
    import os

    try:
        return max(0.1, float(os.environ.get("ASNSIM_DASK_WAIT", "30")))
    except ValueError:
        return 30.0


def _no_check() -> None:
    return None


@contextlib.contextmanager
def executor(workers: int = 1, scheduler: str | None = None) -> Iterator[tuple[cf.Executor, int, Callable]]:
    """Yield ``(executor, slots, check)`` for the requested execution, and shut it down afterwards.

    ``check()`` is called while no task finishes: on a Dask cluster it raises :class:`AsnsimError` once the
    cluster has had no worker for :func:`dask_wait_seconds` (a run never waits forever for a dead worker).
    """
    if scheduler:
        yield from _dask_executor(scheduler)
    elif workers > 1:
        if "forkserver" in multiprocessing.get_all_start_methods():
            ctx = multiprocessing.get_context("forkserver")
            ctx.set_forkserver_preload(["asnsim.experiment.runner", "asnsim.metrics"])  # workers start warm
        else:
            ctx = multiprocessing.get_context("spawn")
        with cf.ProcessPoolExecutor(workers, mp_context=ctx) as ex:
            yield ex, 2 * workers, _no_check
    elif workers == 1:
        yield InlineExecutor(), 1, _no_check
    else:
        raise AsnsimError(f"--workers must be at least 1, got {workers}")


def _dask_executor(scheduler: str):
    try:
        from distributed import Client
    except ImportError:
        raise AsnsimError("--scheduler needs Dask: pip install 'asnsim[dist]'") from None
    wait = dask_wait_seconds()
    try:
        client = Client(scheduler, set_as_default=False, timeout=f"{DASK_CONNECT_SECONDS}s")
    except (OSError, TimeoutError, ValueError, TypeError) as exc:
        raise AsnsimError(f"--scheduler {scheduler}: cannot connect within {DASK_CONNECT_SECONDS:g} s "
                          f"({type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else 'no answer'})") from None
    try:
        try:
            client.wait_for_workers(1, timeout=wait)
        except (TimeoutError, OSError):
            raise AsnsimError(f"--scheduler {scheduler}: no Dask worker joined the scheduler within {wait:g} s; start "
                              f"one (dask worker {scheduler}) and run the command again") from None
        n_workers = max(1, len(client.scheduler_info().get("workers", {})))
        lost_since: list[float] = []

        def check() -> None:
            if client.scheduler_info().get("workers"):
                lost_since.clear()
            elif not lost_since:
                lost_since.append(time.monotonic())
            elif time.monotonic() - lost_since[0] > wait:
                raise AsnsimError(f"--scheduler {scheduler}: the Dask cluster has had no worker for {wait:g} s and "
                                  "the unfinished tasks cannot run; finished ones are saved: start a worker "
                                  f"(dask worker {scheduler}) and run the same command again to resume")

        yield client.get_executor(pure=False), 2 * n_workers, check
    finally:
        client.close()


def code_hash() -> str:
    """SHA-256 over asnsim's own source and data files (.py, .toml), in path order.

    Part of the manifest: an unfinished run is resumed only by the same code,
    even in an editable install where the version number does not change.
    """
    import hashlib

    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha256()
    for f in sorted(p for ext in ("*.py", "*.toml") for p in root.rglob(ext)):
        h.update(str(f.relative_to(root)).encode())
        h.update(f.read_bytes())
    return h.hexdigest()


def base_manifest(design: Design) -> dict:
    """Provenance that fixes the replicates: version, code hash, design (with hashes) and seed."""
    return {
        "asnsim_version": __version__,
        "code_sha256": code_hash(),
        "design_hash": design.hash(),
        "seed": design.seed,
        "design": design.describe(),
        "metrics": "asnsim.metrics.replicate_metrics",
        "summary": "Morris, White & Crowther (2019): estimate, empirical SE, MCSE = SD/sqrt(n_sim), "
                   "t interval; paired differences over common random numbers",
    }


def run_experiment(design: Design, out: str | Path | None = None, workers: int = 1, scheduler: str | None = None,
                   progress: bool = True, restart: bool = False, report: bool = True,
                   metrics: MetricsFn | None = None, reference: str | None = None, lang: str = "en") -> Results:
    """Run a design and summarise it; with ``out``, persist as it goes and write the final files.

    Parameters
    ----------
    design : Design
        From :func:`asnsim.experiment.design.make_design`.
    out : str or Path, optional
        Output folder: ``summary.csv``, ``paired.csv``, ``ranking.csv``,
        ``replicates.parquet``, ``manifest.json`` and ``report.html`` (and
        ``paired_scenarios.csv`` with common scenario streams), written all at
        once at the end.  Finished tasks are kept meanwhile in
        ``.<out>.partial/`` beside it, so re-running the same design resumes.
    workers : int
        Local worker processes (1: run in this process).
    scheduler : str, optional
        Address of a Dask scheduler (``tcp://host:8786``); overrides ``workers``.
    progress : bool
        Show a tqdm progress bar with the time left (on stderr).
    restart : bool
        Discard an unfinished run stored for ``out`` instead of resuming it.
    report : bool
        Also write ``report.html``.
    metrics : callable, optional
        Replaces :func:`asnsim.metrics.replicate_metrics`; with ``workers > 1``
        or a scheduler it must be a function of an importable module.
    reference : str, optional
        The policy every other one is compared with in ``paired.csv``
        (``difference = policy - reference``); default the first policy.
        Checked before anything runs.
    lang : {"en", "id"}
        Language of ``report.html``, ``verdicts.csv`` and the first sheets of ``summary.xlsx``.

    Returns
    -------
    Results

    Raises
    ------
    AsnsimError
        Before any replicate runs: ``out`` is not a usable folder, holds files with result names that asnsim
        did not write, or another run holds its lock (:mod:`asnsim.outdir`); the design needs more memory than
        the machine has (:func:`asnsim.memory.experiment_bytes`).  While it runs: a Dask cluster without a
        worker for :func:`dask_wait_seconds` (finished tasks stay saved for a resume).

    Notes
    -----
    Worker processes start with ``forkserver`` (``spawn`` where that is
    missing), so a script that calls this with ``workers > 1`` needs the usual
    ``if __name__ == "__main__":`` guard.

    Examples
    --------
    >>> from asnsim.experiment import make_design
    >>> res = run_experiment(make_design("permenpan-6-2022", n=100, reps=3), progress=False)
    >>> int(res.summary.query("metric == 'spearman'").n_reps.iloc[0])
    3
    """
    if out is None:
        return _run(design, None, workers, scheduler, progress, restart, report, metrics, reference, lang)
    from ..outdir import output_lock, refuse_users_files

    with output_lock(out) as folder:   # one run per output folder, for the whole run
        refuse_users_files(folder, RESULT_FILES)   # before the first replicate, not after the last
        return _run(design, out, workers, scheduler, progress, restart, report, metrics, reference, lang)


def _run(design: Design, out, workers: int, scheduler: str | None, progress: bool, restart: bool, report: bool,
         metrics: MetricsFn | None, reference: str | None, lang: str) -> Results:
    from tqdm.auto import tqdm

    from .. import labels as L
    from ..memory import experiment_bytes, require_memory
    from .summary import check_reference

    L.check_lang(lang)
    reference = check_reference(reference, [v.label for v in design.policies])
    require_memory(experiment_bytes(design, workers, remote=bool(scheduler)),
                   f"{len(design.policies)} policies x {len(design.scenarios)} scenarios x {design.reps} replicates "
                   f"of {design.n} employees", "use a smaller --n, fewer --reps or fewer variants")
    tasks = make_tasks(design)
    manifest = base_manifest(design)
    store = ChunkStore(partial_dir(out)) if out is not None else None
    done = store.open(manifest, restart=restart) if store else set()
    todo = [t for t in tasks if (t.scenario_index, t.replicate) not in done]
    kept: list[pd.DataFrame] = []
    started = time.perf_counter()
    t0 = datetime.now(timezone.utc)
    running: set[cf.Future] = set()
    bar = tqdm(total=len(tasks), initial=len(tasks) - len(todo), unit="task", disable=not progress,
               desc=f"{len(design.policies)} policies x {len(design.scenarios)} scenarios", file=sys.stderr)
    try:
        with executor(workers, scheduler) as (ex, slots, check):
            queue = iter(todo)
            while True:
                while len(running) < slots:
                    task = next(queue, None)
                    if task is None:
                        break
                    running.add(ex.submit(run_task, task, metrics))
                if not running:
                    break
                finished, running = cf.wait(running, timeout=POLL_SECONDS, return_when=cf.FIRST_COMPLETED)
                if not finished:
                    check()
                for fut in finished:
                    table = fut.result()
                    s, r = int(table["scenario_index"].iloc[0]), int(table["replicate"].iloc[0])
                    if store:
                        store.write(s, r, table)
                    else:
                        kept.append(table)
                    bar.update(1)
    except BaseException:
        for fut in running:
            fut.cancel()
        if store and not store.done():
            store.remove()  # nothing finished: leave no trace
        elif store:
            print(f"asnsim: {len(store.done())} of {len(tasks)} tasks are saved in {store.path}; "
                  f"run the same command again to resume", file=sys.stderr)
        raise
    finally:
        bar.close()
    seconds = time.perf_counter() - started
    rep = store.read() if store else order_replicates(pd.concat(kept, ignore_index=True) if kept else
                                                       pd.DataFrame(columns=REPLICATE_COLUMNS))
    manifest["execution"] = {
        "workers": int(workers) if not scheduler else None, "scheduler": scheduler,
        "started_utc": t0.isoformat(timespec="seconds"), "seconds": round(seconds, 3),
        "tasks": len(tasks), "tasks_run": len(todo), "tasks_resumed": len(tasks) - len(todo),
        "python": platform.python_version(), "numpy": np.__version__, "pandas": pd.__version__,
    }
    manifest["reference"] = reference
    results = Results.from_replicates(rep, manifest)
    if out is not None:
        write_results(results, out, report=report, lang=lang)
        store.remove()
    return results


def saved_results(design: Design, out: str | Path | None) -> Results | None:
    """The results an earlier run of the same design and the same asnsim code saved in ``out``, else None.

    For notebooks: run once, then read the results back instead of running again
    (``saved_results(d, out) or run_experiment(d, out=out)``).
    """
    import json

    from .store import load_results

    if out is None or not (Path(out) / "manifest.json").is_file() or not (Path(out) / "replicates.parquet").is_file():
        return None
    manifest = json.loads((Path(out) / "manifest.json").read_text(encoding="utf-8"))
    if manifest.get("design_hash") != design.hash() or manifest.get("code_sha256") != code_hash():
        return None
    return load_results(out)


__all__ = ["RESULT_FILES", "InlineExecutor", "Task", "default_metrics", "executor", "make_tasks", "run_experiment",
           "run_task", "saved_results", "write_results"]
