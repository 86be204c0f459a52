"""``asnsim decompose``: which provisions of a reform moved each outcome (order-free Shapley decomposition).

Writes ``shapley.csv`` (``provision, metric, group, estimate, mcse, ci_low, ci_high, n_reps, mcse_orders``,
with a ``total`` row per outcome: B minus A), ``hybrids.csv`` (every hybrid: its outcomes, or why it is not a
valid policy), ``provisions.csv``, one ``waterfall_*.png`` per outcome, ``manifest.json`` and ``report.html``;
see :mod:`asnsim.why` and docs/why.md.
"""

from __future__ import annotations

from ..outdir import locked_output

#: one-line help in ``asnsim --help``
HELP = "which provisions of a policy change moved each outcome (Shapley decomposition)"


def add_run_options(p, reps_default: int) -> None:
    """Options shared by ``decompose`` and ``sensitivity``: size, replicates, seed, scenario, execution, output."""
    from .argtypes import MAX_REPS, count, scheduler, seed, size, workers

    p.add_argument("--outcomes", default=None, metavar="NAME,...",
                   help="outcomes to explain, e.g. spearman,favouritism_premium,share_predikat:Sangat Baik, or "
                        "'all' (default: the headline outcomes)")
    p.add_argument("--n", default="500", type=size,
                   help="employees per simulated organisation, or a size preset such as salatiga (default 500)")
    p.add_argument("--reps", type=count(1, MAX_REPS), default=reps_default,
                   help=f"replicates (default {reps_default})")
    p.add_argument("--seed", type=seed, default=1, help="the one seed (default 1)")
    p.add_argument("--scenario", default="default", help="behaviour scenario name or file (default: default)")
    p.add_argument("--workers", type=workers, default=1, help="local worker processes (default 1)")
    p.add_argument("--scheduler", default=None, metavar="ADDRESS", type=scheduler,
                   help="Dask scheduler address (tcp://host:8786); needs asnsim[dist]")
    p.add_argument("--lang", choices=("en", "id"), default="en",
                   help="language of report.html and the figures: en (default) or id (Bahasa Indonesia)")
    p.add_argument("--no-report", action="store_true", help="skip report.html")
    p.add_argument("--quiet", action="store_true", help="no progress bar")
    p.add_argument("--out", required=True, help="output directory")


def register(sub) -> None:
    from .argtypes import count

    p = sub.add_parser("decompose", help=HELP)
    p.add_argument("--from", dest="source", required=True, metavar="POLICY",
                   help="the starting policy A (built-in name or file)")
    p.add_argument("--to", dest="target", required=True, metavar="POLICY",
                   help="the target policy B (built-in name or file)")
    p.add_argument("--provision", action="append", default=[], metavar="NAME=KEY,KEY",
                   help="a provision: dotted policy keys applied together (repeat); default: one per section "
                        "in which A and B differ; differences no provision names form 'other'")
    p.add_argument("--method", choices=("auto", "exact", "permutation"), default="auto",
                   help="exact Shapley values over all hybrids (auto: up to 10 provisions) or permutation sampling")
    p.add_argument("--orders", type=count(2, 100_000), default=64,
                   help="orders per replicate for permutation sampling, even (default 64)")
    add_run_options(p, reps_default=10)
    p.set_defaults(func=run)


def _n(text: str):
    return int(text) if str(text).isdigit() else text


@locked_output
def run(args) -> int:
    from .. import labels as L
    from ..errors import AsnsimError
    from ..outdir import check_output_dir, refuse_users_files
    from ..policy import load_policy
    from ..population import resolve_size
    from ..scenario import load_scenario
    from ..why.files import DECOMPOSE_FILES, write_decomposition
    from ..why.policy_change import decompose_change, plan_change
    from ..why.provisions import Provision
    from ..why.runs import select_outcomes

    if args.orders % 2:
        raise AsnsimError(f"--orders must be even (orders come in antithetic pairs), got {args.orders}")
    refuse_users_files(check_output_dir(args.out), DECOMPOSE_FILES)
    resolve_size(_n(args.n))
    a, b = load_policy(args.source), load_policy(args.target)
    scenario = load_scenario(args.scenario)
    select_outcomes(args.outcomes)
    plan = plan_change(a, b, [Provision.parse(p) for p in args.provision])  # every hybrid validated first
    check_memory([a, b], scenario, _n(args.n), args.workers, args.scheduler)
    if plan.invalid:
        merged = [p.name for p in plan.players if len(p.provisions) > 1]
        print(f"{len(plan.invalid)} of {2 ** len(plan.provisions)} hybrids are not valid policies; decomposed with "
              f"{L.join_names(merged)} merged (reasons in hybrids.csv and the report)")
    change = decompose_change(a, b, plan, n=_n(args.n), reps=args.reps, seed=args.seed, scenario=scenario,
                              outcomes=args.outcomes, method=args.method, orders=args.orders, workers=args.workers,
                              scheduler=args.scheduler, progress=not args.quiet)
    files = write_decomposition(change, args.out, args.lang, report=not args.no_report)
    _print(change, args.lang)
    print(f"\n{change.settings['hybrids_simulated']} hybrid simulations, {L.number(change.settings['seconds'], 1)} s; "
          f"files in {args.out}/: {', '.join(files)}")
    return 0


def check_memory(policies, scenario, n, workers: int, scheduler: str | None) -> None:
    """Refuse, before any work, a size whose ``workers`` simultaneous simulations would not fit in memory."""
    from ..memory import require_memory, simulation_bytes

    if scheduler:
        return
    need = max(simulation_bytes(p, scenario, n) for p in policies) * max(1, workers)
    require_memory(need, f"{workers} simulation(s) of {n} employees at once", "use a smaller --n or fewer --workers")


def _print(change, lang: str) -> None:
    import html
    import re

    import pandas as pd

    from ..why.report import decomposition_answers

    print(f"{change.a.name} -> {change.b.name}: " + ", ".join(p.name for p in change.players))
    tab = change.shapley()
    with pd.option_context("display.width", 200, "display.max_columns", 12):
        print(tab.drop(columns=["mcse_orders"] if change.result.method == "exact" else []).round(4).to_string(index=False))
    print()
    for sentence in decomposition_answers(change, lang):
        print("- " + html.unescape(re.sub(r"<[^>]+>", "", sentence)))
