"""``asnsim compare``: a replicated policy comparison with Monte Carlo error.

Writes ``summary.csv`` (``scenario, policy, metric, group, estimate, mcse,
ci_low, ci_high, emp_se, emp_se_mcse, n_reps``), ``paired.csv``,
``ranking.csv``, ``replicates.parquet``, ``manifest.json`` and a
self-contained ``report.html`` to ``--out``; see :mod:`asnsim.experiment`.
"""

from __future__ import annotations


def add_arguments(p, *, policies_required: bool = True, workers: int = 1) -> None:
    """The experiment options shared by ``compare`` and ``demo``."""
    from .argtypes import scheduler, workers as workers_type

    p.add_argument("--policies", required=policies_required, default=None if policies_required else "all",
                   help="comma-separated built-in names or policy files, or 'all'")
    p.add_argument("--scenario", default="default",
                   help="behaviour scenario name or file; several comma-separated (default: default)")
    p.add_argument("--sweep", action="append", default=[], metavar="KEY=V1,V2|START:STOP:STEP",
                   help="vary a dotted policy or scenario key, e.g. rater.favouritism=0:0.5:0.25 or "
                        "components.hasil_kerja.weight=0.3,0.5,0.7 (other weights rescale to sum to 1); "
                        "repeat to cross several sweeps")
    p.add_argument("--zip-sweeps", action="store_true", help="vary the sweeps together instead of crossing them")
    p.add_argument("--paired-scenarios", action="store_true",
                   help="give every scenario the same random streams, so scenario variants are paired too")
    p.add_argument("--periods", choices=("annual", "all"), default="annual",
                   help="rate the annual evaluation only (default) or every periodic one too (stability metrics)")
    p.add_argument("--workers", type=workers_type, default=workers,
                   help=f"local worker processes (default {workers})")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", type=scheduler,
                   help="Dask scheduler address (tcp://host:8786); needs asnsim[dist]")
    p.add_argument("--restart", action="store_true", help="discard an unfinished run for --out instead of resuming")
    p.add_argument("--reference", default=None, metavar="POLICY",
                   help="the policy paired differences are taken from: paired.csv holds each policy minus it "
                        "(default: the first policy listed)")
    p.add_argument("--lang", choices=("en", "id"), default="en",
                   help="language of report.html, verdicts.csv, summary.xlsx and the console tables: en (default) "
                        "or id (Bahasa Indonesia, decimal comma)")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--quiet", action="store_true", help="no progress bar")


#: one-line help in ``asnsim --help``
HELP = "compare policies over replicated simulations (MCSE, paired differences)"


def register(sub) -> None:
    from .argtypes import MAX_REPS, count, seed, size

    p = sub.add_parser("compare", help=HELP)
    add_arguments(p)
    p.add_argument("--n", default="500", type=size,
                   help="employees per simulated organisation, or a size preset such as salatiga (default 500)")
    p.add_argument("--population", default=None,
                   help="anonymized employees file to use instead of synthetic organisations (--n is then ignored)")
    p.add_argument("--column-map", default=None, help="column names of the --population file: asnsim=yours,...")
    p.add_argument("--skip-invalid", action="store_true", help="leave out invalid --population rows")
    p.add_argument("--allow-personal-data", action="store_true",
                   help="accept a --population file that still holds raw NIPs or names")
    p.add_argument("--reps", type=count(1, MAX_REPS), default=20, help="replicates per scenario (default 20)")
    p.add_argument("--seed", type=seed, default=1, help="the experiment's one seed (default 1)")
    p.add_argument("--out", required=True, help="output directory")
    p.set_defaults(func=run)


def run_compare(args, headline_title: str | None = None) -> int:
    """Build the design from parsed arguments, run it, print the headline table and the verdicts."""
    from ..experiment import make_design, run_experiment
    from ..outdir import check_output_dir

    check_output_dir(args.out)
    design = make_design(args.policies, n=args.n, reps=args.reps, seed=args.seed, scenarios=args.scenario,
                         sweeps=args.sweep, zip_sweeps=args.zip_sweeps,
                         common_scenario_streams=args.paired_scenarios, periods=args.periods)
    if getattr(args, "population", None):
        import dataclasses

        from ..io.population import load_population_option
        pop = load_population_option(args)
        design = dataclasses.replace(design, n=len(pop.data), population=pop.data, population_info=pop.info)
    res = run_experiment(design, out=args.out, workers=args.workers, scheduler=args.scheduler,
                         progress=not args.quiet, restart=args.restart, report=not args.no_report,
                         reference=args.reference, lang=args.lang)
    from .. import labels as L

    print(headline_title or L.text("compare_title", args.lang, p=len(design.policies), s=len(design.scenarios),
                                   r=design.reps, size=_size(design.n, args.lang), seed=design.seed))
    print_results(res, args.out, args.lang)
    return 0


def print_results(res, out, lang: str = "en") -> None:
    """The console view of an experiment: headline (best marked), predikat distribution, verdicts, files."""
    from pathlib import Path

    import pandas as pd

    from .. import labels as L
    from ..experiment.files import RESULT_FILES
    from ..experiment.summary import predikat_table

    several = len(res.policies) > 1
    scenarios = list(dict.fromkeys(res.summary["scenario"]))
    with pd.option_context("display.width", 250, "display.max_columns", 30, "display.max_colwidth", 60):
        for scen in scenarios:
            if len(scenarios) > 1:
                print(f"\n{L.text('scenario_is', lang, name=scen)}")
            print(res.headline(scenario=scen, lang=lang, mark=" *" if several else "").to_string())
            print(f"\n{L.text('predikat_console', lang)}")
            print(predikat_table(res.summary, scenario=scen, lang=lang).to_string())
    print(L.text("console_legend", lang))
    if several:
        print(f"\n{L.text('verdicts_console', lang)}:")
        verdicts = res.verdicts(lang)
        for scen in scenarios:
            rows = verdicts[verdicts["scenario"] == scen]
            if len(scenarios) > 1:
                print(f"  {L.text('scenario_is', lang, name=scen)}")
            for sentence in rows["sentence"]:
                print(f"- {sentence}")
        if len(res.paired):
            print(L.text("reference_note", lang, ref=res.reference).replace("<b>", "").replace("</b>", ""))
    files = [f for f in RESULT_FILES if (Path(out) / f).exists()]
    seconds = res.manifest.get("execution", {}).get("seconds", float("nan"))
    print("\n" + L.text("seconds_files", lang, seconds=L.number(seconds, 1, lang), out=out, files=", ".join(files)))


def _size(n: int | str, lang: str = "en") -> str:
    from .. import labels as L
    from ..population import resolve_size

    if isinstance(n, int):
        return L.text("n_employees", lang, n=L.number(n, 0, lang))
    return L.text("preset_employees", lang, name=n, n=L.number(resolve_size(n)[0], 0, lang))


def run(args) -> int:
    return run_compare(args)
