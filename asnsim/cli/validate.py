"""``asnsim validate``: the simulated default world beside the observed national record.

Simulates each national regime (PermenPAN-RB 6/2022, PP 30/2019, PP 46/2011)
in a scenario (default: ``default``), prints observed vs simulated predikat
shares with their Monte Carlo SE, and writes ``validation.csv`` (``regime,
predikat, observed, simulated, mcse``; percent; ``observed`` empty where no
source gives a number), ``validation.png`` and ``manifest.json`` to
``--out``.  With ``--fit`` it first re-runs the fit of the default world
(:mod:`asnsim.validation.fit`) and also writes ``fitted.toml`` (the
``[[fitted]]`` entries) and ``fit_profile.csv``.
"""

from __future__ import annotations

from ..outdir import locked_output

#: one-line help in ``asnsim --help``
HELP = "compare the simulated default world with the observed national record"

#: every file ``validate`` may write (a stale one from an earlier run into the same folder is removed)
VALIDATE_FILES = ("validation.csv", "validation.png", "manifest.json", "fitted.toml", "fit_profile.csv")


def register(sub) -> None:
    from .argtypes import MAX_REPS, count, seed

    p = sub.add_parser("validate", help=HELP)
    p.add_argument("--n", type=count(100, 10**9), default=None,
                   help="employees per simulated organisation (default 10000; with --fit 20000)")
    p.add_argument("--reps", type=count(2, MAX_REPS), default=None,
                   help="replicates per regime, at least 2 (default 4; with --fit 2)")
    p.add_argument("--seed", type=seed, default=None, help="random seed (default 1; with --fit 2024)")
    p.add_argument("--scenario", default="default", help="behaviour scenario name or file (default: default)")
    p.add_argument("--lang", choices=("en", "id"), default="en", help="language of the figure (default en)")
    p.add_argument("--fit", action="store_true",
                   help="re-run the fit of the practice parameters first (a few minutes); writes fitted.toml")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=run)


def _options(args) -> tuple[int, int, int]:
    from ..errors import AsnsimError

    n = args.n if args.n is not None else (20_000 if args.fit else 10_000)
    reps = args.reps if args.reps is not None else (2 if args.fit else 4)
    seed = args.seed if args.seed is not None else (2024 if args.fit else 1)
    if n < 100:
        raise AsnsimError(f"--n must be at least 100 employees, got {n}")
    if reps < 2:
        raise AsnsimError(f"--reps must be at least 2 (the Monte Carlo SE needs two replicates), got {reps}")
    if seed < 0:
        raise AsnsimError(f"--seed must be a non-negative integer, got {seed}")
    from ..outdir import check_output_dir, refuse_users_files
    refuse_users_files(check_output_dir(args.out), VALIDATE_FILES)   # before minutes of simulation, not after
    return n, reps, seed


@locked_output
def run(args) -> int:
    import time

    import pandas as pd
    from tqdm.auto import tqdm

    from .. import __version__
    from ..output import atomic_output_dir, write_json, write_png, write_table, write_text
    from ..scenario import load_scenario
    from ..validation import REGIMES, baik_or_better, read_reference, reference_path, validation_table, worst_gap
    from ..validation.figure import validation_figure

    n, reps, seed = _options(args)
    scenario = load_scenario(args.scenario)
    from ..memory import require_memory, simulation_bytes
    require_memory(simulation_bytes("permenpan-6-2022", scenario, n), f"validate --n {n}", "use a smaller --n")
    reference = read_reference()
    t0 = time.perf_counter()
    fit = None
    if args.fit:
        from ..validation.fit import fit_default
        say = None if args.quiet else (lambda msg: print(msg, flush=True))
        fit = fit_default(scenario, n=n, reps=reps, seed=seed, progress=say)
        from ..validation.fit import with_values
        scenario = with_values(scenario, fit.values)
    bar = tqdm(total=len(REGIMES) * reps, desc="validate", unit="round", disable=args.quiet, leave=False)
    with bar:
        table = validation_table(scenario, n=n, reps=reps, seed=seed, progress=bar, reference=reference)
    seconds = time.perf_counter() - t0
    with atomic_output_dir(args.out, owned=VALIDATE_FILES) as tmp:
        write_table(table, tmp, "validation", "csv")
        write_png(validation_figure(table, lang=args.lang, scenario=scenario.name), tmp / "validation.png", dpi=110)
        manifest = {"asnsim_version": __version__, "command": "validate", "n": n, "reps": reps, "seed": seed,
                    "scenario": {"name": scenario.name, "sha256": scenario.content_hash()},
                    "regimes": list(REGIMES), "reference": reference_path().name,
                    "fitted": {f.key: f.value for f in scenario.fitted}, "seconds": round(seconds, 1)}
        if fit is not None:
            write_text(fit.fitted_toml(), tmp / "fitted.toml")
            write_table(fit.profile, tmp, "fit_profile", "csv")
            manifest["fit"] = {"values": fit.values, "national_loss": fit.national_loss,
                               "evaluations": fit.evaluations}
        write_json(manifest, tmp / "manifest.json")
    _print(table, baik_or_better(table), worst_gap(table), scenario, n, reps, seed, seconds, args.out, fit)
    return 0


def _print(table, top, gap, scenario, n, reps, seed, seconds, out, fit) -> None:
    import pandas as pd

    show = table.assign(difference=table["simulated"] - table["observed"])
    fmt = {"observed": lambda v: "" if pd.isna(v) else f"{v:.2f}", "simulated": "{:.2f}".format,
           "mcse": "{:.2f}".format, "difference": lambda v: "" if pd.isna(v) else f"{v:+.2f}"}
    print(f"scenario {scenario.name}: {len(set(table['regime']))} regimes x {reps} replicates of {n} employees, "
          f"seed {seed} ({seconds:.1f} s); percent of employees, Monte Carlo SE")
    with pd.option_context("display.width", 120):
        print(show.to_string(index=False, formatters=fmt, na_rep=""))
    print("\nBaik or better (percent): " + "; ".join(
        f"{r} {row.simulated:.1f}" + ("" if pd.isna(row.observed) else f" (observed {row.observed:.1f})")
        for r, row in top.iterrows()))
    if pd.notna(gap):
        print(f"largest gap to the observed record: {gap:.2f} percentage points (tolerance 2)")
    if scenario.fitted:
        print("fitted: " + ", ".join(f"{f.key} = {f.value:g}" for f in scenario.fitted))
    for key, was, now in scenario.fitted_mismatches():
        print(f"note: {key} was fitted as {was:g} but this scenario uses {now}; the fit no longer describes it")
    if fit is not None:
        print(f"\nfit: {fit.evaluations} simulations, KL loss {fit.national_loss:.5f}; paste {out}/fitted.toml into "
              "asnsim/scenarios/default.toml")
    print(f"files in {out}/: validation.csv, validation.png, manifest.json"
          + (", fitted.toml, fit_profile.csv" if fit is not None else ""))
