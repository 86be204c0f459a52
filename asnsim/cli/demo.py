"""``asnsim demo``: every built-in policy compared on the default synthetic city.

A small ``asnsim compare --policies all`` (the five city models and the three
national regimes): a city of 2,000 ASN, 30 replicates, 2 workers, paired
differences from permenpan-6-2022 (the regime in force).  Measured on the 2-core
development machine after setup: about 35 s (27 s of simulation, the rest start-up
and the report) when it is otherwise idle; several times longer when other jobs
share the cores.  It says so before it starts, shows a progress bar with the time
left, prints the headline table (best values marked), the predikat distribution
and the verdicts, and writes the full output, report.html included, to ``./out``.
"""

from __future__ import annotations

from .compare import add_arguments, run_compare

#: the reference of the demo's paired differences: the regime in force
REFERENCE = "permenpan-6-2022"


def _listed(policies: str) -> list[str]:
    from ..policy import builtin_names
    return builtin_names() if policies.strip() == "all" else [p.strip() for p in policies.split(",")]


#: one-line help in ``asnsim --help``
HELP = "compare every built-in policy on the default synthetic city (about 35 s on 2 idle cores)"


def register(sub) -> None:
    from .argtypes import MAX_REPS, count, seed, size

    p = sub.add_parser("demo", help=HELP)
    add_arguments(p, policies_required=False, workers=2)
    p.add_argument("--n", default="2000", type=size, help="employees in the synthetic city, or a size preset (default 2000)")
    p.add_argument("--reps", type=count(1, MAX_REPS), default=30, help="replicates (default 30)")
    p.add_argument("--seed", type=seed, default=1, help="the experiment's one seed (default 1)")
    p.add_argument("--out", default="out", help="output directory (default ./out)")
    p.set_defaults(func=run)


#: measured CPU seconds per policy-replicate of a 2,000-employee city, and the fixed cost (start-up, report)
SECONDS_PER_ROUND, FIXED_SECONDS = 0.22, 8.0


def eta_seconds(n_policies: int, reps: int, workers: int, n: int | str) -> float:
    """A rough wall time on idle cores, scaled from the measured 2,000-employee demo (linear in size)."""
    size = int(n) if str(n).isdigit() else 2000
    return FIXED_SECONDS + SECONDS_PER_ROUND * n_policies * reps * size / 2000 / max(1, min(workers, 2))


def run(args) -> int:
    import sys

    listed = _listed(args.policies)
    if args.reference is None and REFERENCE in listed:
        args.reference = REFERENCE  # differences from the regime in force, when it takes part
    from .. import labels as L

    if not args.quiet:
        print(L.text("demo_eta", args.lang, p=len(listed), reps=args.reps, n=args.n, workers=args.workers,
                     eta=f"{eta_seconds(len(listed), args.reps, args.workers, args.n):.0f}"), file=sys.stderr,
              flush=True)
    policies = L.text("all_policies", args.lang) if args.policies.strip() == "all" else args.policies
    return run_compare(args, headline_title=L.text("demo_title", args.lang, policies=policies, n=args.n,
                                                   scenario=args.scenario, reps=args.reps, seed=args.seed))
