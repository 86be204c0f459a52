"""``asnsim explore``: search policy designs for the best trade-offs between objectives, robust across behaviours.

Writes ``trials.csv``, ``pareto.csv``, ``verdicts.csv``, ``designs/NAME.toml``
(each front design, ``extends`` the base), ``report.html`` and
``manifest.json`` (with ``--uncertainty`` or several scenarios also
``worlds.csv``, ``robustness.csv`` and, with ``--require``,
``discovery.csv``) to ``--out``; the study lives in ``OUT/explore.db`` or
``--storage``, and rerunning the same command resumes it.  See
:mod:`asnsim.explore` and docs/explore.md.
"""

from __future__ import annotations

#: one-line help in ``asnsim --help``
HELP = "search policy designs for the best trade-offs (multi-objective, raced, resumable)"


def register(sub) -> None:
    from .argtypes import MAX_REPS, count, scheduler, seed, size, workers

    p = sub.add_parser("explore", help=HELP, description=HELP)
    p.add_argument("--policy", required=True, help="base policy: a built-in name or a policy file")
    p.add_argument("--lever", action="append", required=True, metavar="KEY=LO:HI|KEY=A,B,C",
                   help="a dotted policy key to vary: a range (LO:HI, LO:HI:STEP; whole numbers for an integer "
                        "key) or choices; e.g. components.perilaku_kerja.raters.rekan=0:0.5 (adds peers), "
                        "correction.method=none,standardize; repeat for several")
    p.add_argument("--objectives", required=True, metavar="NAME,NAME,...",
                   help="at least two outcomes of the registry (docs/metrics.md), each with its direction, "
                        "e.g. spearman,rater_hours,sex_gap_conditional")
    p.add_argument("--budget", type=count(1, 100_000), default=48,
                   help="designs to evaluate in the study (default 48); a rerun with more extends it")
    p.add_argument("--reps", type=count(2, MAX_REPS), default=8,
                   help="replicates of a design that races to the end (default 8)")
    p.add_argument("--min-reps", type=count(2, MAX_REPS), default=2,
                   help="replicates every design gets before clearly dominated ones stop (default 2)")
    p.add_argument("--population-size", type=count(2, 10_000), default=None,
                   help="NSGA-II generation size (default max(8, min(50, budget/5)))")
    p.add_argument("--n", default="500", type=size,
                   help="employees per simulated organisation, or a size preset (default 500)")
    p.add_argument("--seed", type=seed, default=1, help="the one seed (default 1)")
    p.add_argument("--scenario", default="default",
                   help="behaviour scenario name or file; several comma-separated: the first is searched in, "
                        "all are worlds of the robustness check")
    p.add_argument("--uncertainty", action="append", default=[], metavar="KEY=LO:HI",
                   help="a dotted scenario key whose value nobody knows exactly, e.g. rater.favouritism=0:0.8; "
                        "the front is re-evaluated across a Latin hypercube of such worlds")
    p.add_argument("--worlds", type=count(2, 10_000), default=16,
                   help="worlds of the Latin hypercube (default 16)")
    p.add_argument("--world-reps", type=count(1, MAX_REPS), default=None,
                   help="replicates per design and world (default min(reps, 4))")
    p.add_argument("--require", action="append", default=[], metavar="NAME>=VALUE",
                   help="a threshold a design should meet in a world (>=, <=, >, <); the report gives the share "
                        "of worlds where each design meets them all")
    p.add_argument("--discover", default=None, metavar="DESIGN",
                   help="the design whose failures scenario discovery explains (default: the most robust)")
    p.add_argument("--periods", choices=("annual", "all"), default="annual",
                   help="rate the annual evaluation only (default) or every periodic one too")
    p.add_argument("--workers", type=workers, default=1, help="local worker processes (default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", type=scheduler,
                   help="Dask scheduler address (tcp://host:8786); needs asnsim[dist]")
    p.add_argument("--storage", default=None, metavar="URL",
                   help="where the study lives: an SQLite file or sqlite:/// URL, or postgresql://USER@HOST/DB "
                        "shared by several machines (default OUT/explore.db)")
    p.add_argument("--out", required=True, help="output directory")
    p.add_argument("--lang", choices=("en", "id"), default="en",
                   help="language of report.html, the verdicts and the console: en (default) or id")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.set_defaults(func=run)


def options(args) -> dict:
    """The parsed arguments as :func:`asnsim.explore.command.prepare` takes them."""
    keys = ("policy", "lever", "objectives", "budget", "reps", "min_reps", "population_size", "n", "seed",
            "scenario", "uncertainty", "worlds", "world_reps", "require", "discover", "periods", "workers",
            "scheduler", "storage", "out", "lang")
    return {k: getattr(args, k) for k in keys}


def run(args) -> int:
    """Check everything, search, write the outputs all at once, print the front and the verdicts."""
    import contextlib
    import time

    from .. import __version__
    from ..explore.command import prepare, run_plan
    from ..explore.outputs import OWNED, check_study_file, replace_designs, write_results
    from ..explore.verdicts import front_verdicts
    from ..outdir import atomic_output_dir, check_output_dir, output_lock, refuse_users_files

    out = check_output_dir(args.out)
    opts = options(args)
    plan = prepare(opts)                          # every check, before any work
    started = time.strftime("%Y-%m-%dT%H:%M:%S")
    with output_lock(out):
        refuse_users_files(out, OWNED)
        check_study_file(out)
        made = not out.exists()
        try:
            result = run_plan(plan, out, progress=not args.quiet)
        except BaseException:
            if made and out.is_dir() and not any(out.iterdir()):
                with contextlib.suppress(OSError):
                    out.rmdir()
            raise
        res = result.exploration
        values = [res.design_values(d) for d in res.pareto["design"]]
        verdicts = front_verdicts(res.pareto, values, plan.objectives, z=res.settings.z, lang=args.lang)
        manifest = {"asnsim_version": __version__, "command": "explore", "started": started,
                    "options": {k: v for k, v in opts.items() if k not in ("out", "storage")},
                    "storage": res.storage, "study": res.study_name, "designs": len(res.trials),
                    "front": len(res.pareto), "evaluations_this_run": int(res.evaluations),
                    "evaluations_study": res.evaluations_total,
                    "robustness_evaluations": 0 if result.per_world is None else
                    int(len(result.per_world)) * int(opts["world_reps"] or min(int(opts["reps"]), 4)),
                    "seconds": round(result.seconds, 2)}
        with replace_designs(out) as move_aside:
            with atomic_output_dir(out, OWNED) as tmp:
                files = write_results(plan, result, tmp, out, verdicts, manifest)
                move_aside()
    _print(plan, result, verdicts, out, files, args.lang)
    return 0


def _print(plan, result, verdicts, out, files, lang: str) -> None:
    import pandas as pd

    res = result.exploration
    words = {"en": ("Pareto front: {n} of {t} designs ({e} replicate evaluations this run, study {s})",
                    "Verdicts", "Most robust: {d}, meets every requirement in {p:.0%} of {w} worlds",
                    "Written to {out}: {files}"),
             "id": ("Front Pareto: {n} dari {t} desain ({e} evaluasi replikasi pada jalannya ini, studi {s})",
                    "Kesimpulan", "Paling tangguh: {d}, memenuhi semua syarat di {p:.0%} dari {w} dunia",
                    "Ditulis ke {out}: {files}")}["id" if lang == "id" else "en"]
    print(words[0].format(n=len(res.pareto), t=len(res.trials), e=res.evaluations, s=res.study_name))
    cols = ["design", *plan.space.keys, *[c for o in plan.objectives for c in (o.name, f"{o.name}_mcse")],
            "separable"]
    with pd.option_context("display.width", 250, "display.max_columns", 40, "display.precision", 4):
        print(res.pareto[cols].to_string(index=False))
    print(f"\n{words[1]}:")
    for s in verdicts["sentence"]:
        print(f"- {s}")
    rob = result.robustness
    if rob is not None and "share_meeting" in rob:
        best = rob.sort_values("share_meeting", ascending=False, kind="stable").iloc[0]
        print(words[2].format(d=best["design"], p=best["share_meeting"], w=len(result.worlds)))
    print("\n" + words[3].format(out=out, files=", ".join(files)))
