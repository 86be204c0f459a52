"""``asnsim demo``: every built-in policy compared on the default synthetic city.

A small ``asnsim compare --policies all`` (the five city models and the three
national regimes): a city of 2,000 ASN, 30 replicates, 2 workers: 10-40 s on
two cores (measured 11-15 s idle, 36 s when the machine is shared).  It prints the
headline table and the predikat distribution of every policy, and writes the
full output, report.html included, to ``./out``.
"""

from __future__ import annotations

from .compare import add_arguments, run_compare

#: the reference of the demo's paired differences: the regime in force
REFERENCE = "permenpan-6-2022"


def _listed(policies: str) -> list[str]:
    from ..policy import builtin_names
    return builtin_names() if policies.strip() == "all" else [p.strip() for p in policies.split(",")]


#: one-line help in ``asnsim --help``
HELP = "compare every built-in policy on the default synthetic city (10-40 s on 2 cores)"


def register(sub) -> None:
    p = sub.add_parser("demo", help=HELP)
    add_arguments(p, policies_required=False, workers=2)
    p.add_argument("--n", default="2000", help="employees in the synthetic city, or a size preset (default 2000)")
    p.add_argument("--reps", type=int, default=30, help="replicates (default 30)")
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--out", default="out", help="output directory (default ./out)")
    p.set_defaults(func=run)


def run(args) -> int:
    if args.reference is None and REFERENCE in _listed(args.policies):
        args.reference = REFERENCE  # differences from the regime in force, when it takes part
    return run_compare(args, headline_title=(
        f"asnsim demo: {args.policies} policies on a synthetic city of {args.n} ASN, scenario '{args.scenario}', "
        f"{args.reps} replicates, seed {args.seed}"))
