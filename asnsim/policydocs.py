"""Side-by-side documentation of the built-in policies, generated from the policy files.

``asnsim policies table`` prints :func:`policies_table`; ``asnsim policies
table --markdown`` prints :func:`policies_markdown`, which is committed as
``docs/policies.md`` (a test checks the committed file equals what this code
generates, so the docs cannot drift from the files).
"""

from __future__ import annotations

import pandas as pd

from .methods import SCORING_ENGINES
from .policy import Policy, builtin_names, load_policy

#: the national regimes: each has a scoring engine and a built-in policy of the same name
NATIONAL = tuple(SCORING_ENGINES)


def city_names() -> list[str]:
    """The built-in city models: every built-in policy that is not a national regime (a TOML file is enough)."""
    return [n for n in builtin_names() if n not in NATIONAL]


def seed_of(policy: Policy) -> str | None:
    """The seed a city model quotes (``shared/seeds/NNN_...``): ``NNN`` if its sources cite exactly one, else None."""
    import re

    seeds = {m.group(1) for s in policy.sources for m in re.finditer(r"seeds/(\d{3})_", s.source)}
    return seeds.pop() if len(seeds) == 1 else None


def _pct(w: float) -> str:
    return f"{100 * w:g}%"


def _scale(p: Policy) -> str:
    out = []
    for name, c in p.components.items():
        s = c.scale
        if c.measure == "indicators":
            cap = f", cap {c.capaian_cap:g}" if c.capaian_cap is not None else ""
            out.append(f"{name}: capaian ({', '.join(c.aspects)}{cap})")
        elif s.kind == "ordinal":
            out.append(f"{name}: {s.min:g}-{s.max:g} ordinal")
        else:
            out.append(f"{name}: {s.min:g}-{s.max:g} numeric")
    return "; ".join(out)


def _raters(p: Policy) -> str:
    out = []
    for name, c in p.components.items():
        if c.measure == "indicators":
            who = "indicators" + (f" (self-reported, {_pct(c.verified_share)} verified)" if c.self_reported else "")
        else:
            who = " + ".join(f"{r} {_pct(w)}" for r, w in c.raters.items())
        out.append(f"{name}: {who}")
    return "; ".join(out)


def _quota(p: Policy) -> str:
    if not p.quota.enabled:
        return "none"
    rows = {}
    for r in p.quota.rules:
        rows.setdefault(r.unit_predikat, []).append(r.label)
    return "; ".join(f"unit {k}: {', '.join(v)}" for k, v in rows.items())


def _mechanisms(p: Policy) -> str:
    out = []
    if any(c.self_reported for c in p.components.values()):
        out.append("self-reported achievements")
    if p.forum.enabled:
        out.append(f"{p.forum.frequency} evaluation forum" + (" + daily activity logs" if p.forum.activity_logs else ""))
    growth = [text for text, on in (("continuous feedback", p.feedback.enabled),
                                    ("training for those below expectation", p.feedback.training)) if on]
    if growth:
        out.append(" and ".join(growth) + " (true performance grows over the year)")
    if p.rating.weights_360 and len(p.components) == 2:
        out.append(f"{'/'.join(_pct(w) for w in p.rating.weights_360)} with peer or subordinate input")
    if any(b.requires_innovation for b in p.predikat.bands):
        out.append("Sangat Baik needs an innovation")
    return "; ".join(out) or "-"


def _predikat(p: Policy) -> str:
    if p.predikat.method == "matrix":
        return "3x3 matrix (hasil kerja x perilaku)"
    return ", ".join(f"{b.label or b.predikat} >= {b.min_score:g}" for b in p.predikat.bands[:-1]) + \
        f", else {p.predikat.bands[-1].label or p.predikat.bands[-1].predikat}"


ROWS = {
    "title": lambda p: p.title,
    "regime": lambda p: p.regime + (f" (city model extending {p.extends})" if p.extends else ""),
    "components and weights": lambda p: "; ".join(f"{n} ({c.kind}) {_pct(c.weight)}" for n, c in p.components.items()),
    "who rates": _raters,
    "scales": _scale,
    "periods": lambda p: p.periods.frequency + (" + annual" if p.periods.annual and p.periods.frequency != "annual"
                                                else ""),
    "predikat": _predikat,
    "kurva distribusi quotas": _quota,
    "distinctive mechanisms": _mechanisms,
    "correction": lambda p: p.correction.method,
    "burden (min per rating / report / forum / log-day)": lambda p: (
        f"{p.burden.minutes_per_rating:g} / {p.burden.minutes_per_report:g} / {p.burden.minutes_per_forum:g} / "
        f"{p.burden.minutes_per_activity_log:g}"),
}


def _ordered_names() -> list[str]:
    names = builtin_names()
    return [n for n in NATIONAL if n in names] + [n for n in names if n not in NATIONAL]


def policies_table(names: list[str] | None = None) -> pd.DataFrame:
    """The built-in policies side by side: one column per policy, one row per aspect of the design."""
    names = names or _ordered_names()
    pols = [load_policy(n) for n in names]
    return pd.DataFrame({p.name: [f(p) for f in ROWS.values()] for p in pols}, index=list(ROWS))


def source_line(s) -> str:
    """One Markdown bullet for a :class:`asnsim.policy.Source`: element, where, the verbatim quote, the reading.

    Examples
    --------
    >>> from asnsim.policy import Source
    >>> source_line(Source(element="periods", source="seed 000", quote="setiap triwulan", note="Quarterly."))
    '- **periods** (seed 000): "setiap triwulan". Quarterly.'
    """
    quote = f' "{s.quote}".' if s.quote else ""
    note = f" {s.note}" if s.note else ""
    return f"- **{s.element}** ({s.source}):{quote}{note}".rstrip(":")


def _md_cell(text: str) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def policies_markdown() -> str:
    """``docs/policies.md``: the side-by-side table, then each policy's sources and assumptions."""
    names = _ordered_names()
    table = policies_table(names)
    lines = ["# Built-in policies", "",
             "Generated by `asnsim policies table --markdown` from the policy files in `asnsim/policies/`; "
             "do not edit by hand (a test checks this file equals the generated text).", "",
             "Rows are aspects of the design; columns are policies. Weights under PermenPAN-RB 6/2022 only "
             "order employees (the regulation has none). Predikat names are reported on the PermenPAN ladder "
             "(Sangat Kurang < Kurang/Misconduct < Butuh Perbaikan < Baik < Sangat Baik).", "",
             "A policy holds the rule as written. How organisations apply it in practice (rater leniency and "
             "central tendency, how leaders rate units, which units enforce the kurva distribusi and whom they "
             "move) is a scenario: see docs/model.md and docs/validation.md. Cutpoints and scale centres in a "
             "policy say how an accurate rater without leniency would apply the rule.", "",
             "| | " + " | ".join(f"`{n}`" for n in names) + " |",
             "|---" * (len(names) + 1) + "|"]
    for row, values in table.iterrows():
        lines.append(f"| {row} | " + " | ".join(_md_cell(v) for v in values) + " |")
    for n in names:
        p = load_policy(n)
        lines += ["", f"## `{n}`", "", _md_cell(p.description.strip()), ""]
        own = [s for s in p.sources if "seeds/" in s.source] if n not in NATIONAL else list(p.sources)
        if n not in NATIONAL:
            lines += ["Seed passages this model encodes (element, where, a verbatim quote, how it is read):", ""]
        else:
            lines += ["Sources:", ""]
        for s in own:
            lines.append(source_line(s))
        if n in NATIONAL:
            for k, c in p.components.items():
                if c.source:
                    lines.append(f"- **components.{k}**: {c.source}")
        lines += ["", "Assumptions (numbers the sources do not give):", ""]
        for a in p.assumptions:
            lines.append(f"- **{a.key}** = `{a.value}`: {a.reason}")
    return "\n".join(lines) + "\n"
