"""``asnsim sensitivity``: which rater or indicator behaviour each outcome depends on (Sobol' indices).

Writes ``sobol.csv`` (``[policy,] parameter, metric, group, S1, S1_conf, ST, ST_conf``), ``top.csv`` (per
policy and outcome, the behaviour it depends on most), ``ranges.csv``, bar figures ``sobol_*.png``
(``compare_*.png`` heatmaps with several policies), ``manifest.json`` and ``report.html``; see
:mod:`asnsim.why` and docs/why.md.
"""

from __future__ import annotations

from ..outdir import locked_output

#: one-line help in ``asnsim --help``
HELP = "which rater or indicator behaviour each outcome depends on most (Sobol' indices)"


def register(sub) -> None:
    from .argtypes import count
    from .decompose import add_run_options

    p = sub.add_parser("sensitivity", help=HELP)
    p.add_argument("--policy", required=True, metavar="POLICY[,POLICY...]",
                   help="a policy (built-in name or file); several, comma-separated, compare which behaviour "
                        "each depends on (e.g. salatiga,gayungan,serang,sawahlunto,pontianak)")
    p.add_argument("--uncertainty", action="append", default=[], metavar="KEY=LO:HI",
                   help="a scenario key and its range (repeat); default: every documented behaviour, from absent "
                        "to twice its calibrated value (docs/why.md)")
    p.add_argument("--samples", type=count(4, 1 << 20), default=32,
                   help="SALib's base sample N, a power of 2 (default 32): about N x (behaviours + 2) simulations "
                        "per policy")
    p.add_argument("--no-screen", action="store_true",
                   help="keep behaviours that change no outcome in the design (default: screened out, reported as 0)")
    add_run_options(p, reps_default=1)
    p.set_defaults(func=run)


@locked_output
def run(args) -> int:
    import html
    import re

    from .. import labels as L
    from ..errors import AsnsimError
    from ..outdir import check_output_dir, refuse_users_files
    from ..policy import load_policy
    from ..population import resolve_size
    from ..scenario import load_scenario
    from ..why.behaviour import default_uncertainties
    from ..why.files import SENSITIVITY_FILES, write_sensitivity
    from ..why.report import comparison_answers, sensitivity_answers
    from ..why.runs import select_outcomes
    from ..why.sensitivity import behaviour_sensitivity, check_uncertainties
    from ..why.sobol import Uncertainty, check_samples
    from .decompose import check_memory

    refuse_users_files(check_output_dir(args.out), SENSITIVITY_FILES)
    n = int(args.n) if str(args.n).isdigit() else args.n
    resolve_size(n)
    check_samples(args.samples)
    names = [x.strip() for x in args.policy.split(",") if x.strip()]
    if not names or len(set(names)) < len(names):
        raise AsnsimError(f"--policy: name each policy once, got {args.policy!r}")
    policies = [load_policy(x) for x in names]
    scenario = load_scenario(args.scenario)
    select_outcomes(args.outcomes)
    ranges = [Uncertainty.parse(u) for u in args.uncertainty] or default_uncertainties()
    check_uncertainties(scenario, ranges)
    check_memory(policies, scenario, n, args.workers, args.scheduler)
    sens = behaviour_sensitivity(policies, ranges, samples=args.samples, n=n, reps=args.reps, seed=args.seed,
                                 scenario=scenario, outcomes=args.outcomes, workers=args.workers,
                                 scheduler=args.scheduler, progress=not args.quiet, screen=not args.no_screen)
    files = write_sensitivity(sens, args.out, args.lang, report=not args.no_report)
    several = len(policies) > 1
    for sentence in (comparison_answers if several else sensitivity_answers)(sens, args.lang):
        print("- " + html.unescape(re.sub(r"<[^>]+>", "", sentence)))
    print(f"\n{sum(sens.settings['runs'])} simulations, {L.number(sens.settings['seconds'], 1)} s; "
          f"files in {args.out}/: {', '.join(files)}")
    return 0
