"""The lokakarya dashboard (notebook 05): two sliders, two pictures, one report card, one story.

The story (seed 004, Pontianak: "bukan atas dasar kedekatan personal dengan
atasan"): Bu Sari and Pak Budi do the same work.  With no favouritism they get
the same simulated score and the same predikat; as favouritism grows, Bu Sari,
who is close to her superior, moves up a predikat and Pak Budi does not.  The
sentence above the report card is written from the card's own numbers, so the
text and the numbers agree at every slider position and for every way of
rating.

PermenPAN-RB 6/2022 gives no numeric final score, only ratings and a predikat:
the number on the card is the model's *skor simulasi*, and the predikat is the
outcome.  The page is in Bahasa Indonesia (decimal commas, slider positions in
words, no timer).
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd

from . import columns as C
from . import labels as L
from . import plots
from .errors import AsnsimError
from .widgets import Control, Lang, LiveView, Rendered, _simulate, apply_controls

FAVOURITISM, LENIENCY, POLICY = "scenario.rater.favouritism", "scenario.rater.leniency_sd", "run.policy"

#: slider positions, in words: (value, labels)
FAVOURITISM_LEVELS = ((0.0, {"id": "tidak ada", "en": "none"}), (0.5, {"id": "sedang", "en": "moderate"}),
                      (1.0, {"id": "kuat", "en": "strong"}))
LENIENCY_LEVELS = ((0.0, {"id": "tidak ada", "en": "none"}), (0.5, {"id": "sedang", "en": "moderate"}),
                   (1.0, {"id": "besar", "en": "large"}))

WORKSHOP_CONTROLS = (
    Control(FAVOURITISM, "level", 0.0, {"id": "Kedekatan personal dengan atasan", "en": "Favouritism toward close ratees"},
            options=FAVOURITISM_LEVELS,
            help={"id": "Tidak ada: atasan menilai semua pegawai dengan ukuran yang sama. Sedang atau kuat: pegawai "
                        "yang dekat dengan atasannya dinilai lebih tinggi daripada kinerjanya yang sebenarnya.",
                  "en": "None: the superior treats everyone alike. Moderate or strong: staff close to their superior "
                        "are rated above their real work."}),
    Control(LENIENCY, "level", 0.0, {"id": "Perbedaan antar-penilai", "en": "Differences between raters"},
            options=LENIENCY_LEVELS,
            help={"id": "Ada atasan yang murah nilai, ada yang pelit. Makin besar perbedaannya, makin besar pengaruh "
                        "siapa atasan Anda terhadap nilai Anda.",
                  "en": "Some superiors are lenient, some severe: the larger the difference, the more your score "
                        "depends on who your superior is."}),
)

#: The workshop's "Cara menilai" choices: regimes whose story the seeds tell.
WORKSHOP_POLICIES: dict[str, dict[str, str]] = {
    "permenpan-6-2022": {"id": "Atasan menilai (PermenPAN-RB 6/2022)", "en": "The superior rates (PermenPAN-RB 6/2022)"},
    "pontianak": {"id": "Indikator objektif dulu (Pontianak)", "en": "Objective indicators first (Pontianak)"},
    "gayungan": {"id": "Umpan balik dan pelatihan (Gayungan)", "en": "Feedback and training (Gayungan)"},
}
NAMES = {"sari": "Bu Sari", "budi": "Pak Budi"}

def text(key: str, lang: str = "id", **fmt) -> str:
    """A workshop text (``ws_<key>`` of :data:`asnsim.labels.TEXT`)."""
    return L.text(f"ws_{key}", lang, **fmt)


def runnable_policies(names: list[str] | None = None, n: int = 30) -> list[str]:
    """The policies among ``names`` (default: all built-ins) the engine can simulate now.

    Each is tried on a tiny ``n``-employee round; a policy whose parts are
    not simulated yet (the engine raises an :class:`~asnsim.errors.AsnsimError`
    or ``NotImplementedError``) is left out, so menus grow with the engine.
    """
    from .policy import builtin_names

    out = []
    for name in names if names is not None else builtin_names():
        try:
            _simulate(name, "neutral", n, 0)
        except (AsnsimError, NotImplementedError):
            continue
        out.append(name)
    return out


def _levels(sim, ids: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predikat level (0 = Sangat Kurang) and final score of ``ids`` in a simulation."""
    sc = sim.scores.set_index(C.EMPLOYEE_ID).reindex(ids)
    lev = {p: i for i, p in enumerate(C.PREDIKAT_ORDER)}
    score = sc[C.FINAL_SCORE].to_numpy(float) if C.FINAL_SCORE in sc else np.full(len(ids), np.nan)
    return sc[C.PREDIKAT].map(lev).to_numpy(), score


def story_pair(employees: pd.DataFrame, plain, favoured, medium=None, alternatives=()) -> tuple[int, int]:
    """Pick the workshop's two colleagues: Sari (close to her superior) and Budi (not close).

    Wanted: the same displayed true performance (percentile; else within two
    points, and the story says "almost the same"), and at no
    favouritism (``plain``) the same simulated score and predikat; with strong
    favouritism (``favoured``) Sari's predikat rises, and at every level
    (``medium`` too) Budi's score and predikat do not move.  Among such pairs
    the one that tells the typical story wins: both Baik, Sari rising to
    Sangat Baik; then the pair that agrees best under the ``alternatives``
    (other ways of rating, at no favouritism: same predikat first, then the
    closest scores); then a typical good worker (near the 65th percentile).  When no pair meets the wishes the
    conditions relax in that order (fallback: Sari a close employee whose
    predikat rises, or any close employee, and Budi the not-close colleague of
    the same predikat closest in truth, at least hers when possible).
    """
    ids = employees[C.EMPLOYEE_ID].to_numpy()
    truth = employees[C.TRUE_PERFORMANCE].to_numpy(float)
    pct = np.round(100 * pd.Series(truth).rank(pct=True).to_numpy())
    close = employees[C.CLOSENESS].to_numpy() == 1
    p0, s0 = _levels(plain, ids)
    p1, s1 = _levels(favoured, ids)
    steady = (p1 == p0) & (s1 == s0)
    if medium is not None:
        pm, sm = _levels(medium, ids)
        steady &= (pm == p0) & (sm == s0)
    sari = np.flatnonzero(close & (p1 > p0))
    budi = np.flatnonzero(~close & steady)
    for slack in (0, 2):  # the same displayed percentile; else within two points ("hampir sama")
        if not (len(sari) and len(budi)):
            break
        ok = (np.abs(pct[sari, None] - pct[None, budi]) <= slack) & (s0[sari, None] == s0[None, budi]) & \
             (p0[sari, None] == p0[None, budi])
        if ok.any():
            baik, sb = C.PREDIKAT_ORDER.index(C.BAIK), C.PREDIKAT_ORDER.index(C.SANGAT_BAIK)
            # a typical story first: both Baik, Sari rising to Sangat Baik; then agreement under the other ways
            # of rating (same predikat, close scores); then a typical good worker (65th percentile)
            cost = 1e6 * ((p0[sari] != baik) | (p1[sari] != sb))[:, None] + 0.01 * np.abs(pct[sari] - 65)[:, None]
            for alt in alternatives:
                pa, sa = _levels(alt, ids)
                cost = cost + 1e3 * (pa[sari, None] != pa[None, budi]) + np.abs(sa[sari, None] - sa[None, budi])
            cost = cost + 10 * np.abs(pct[sari, None] - pct[None, budi])
            i, j = np.unravel_index(np.argmin(np.where(ok, cost, np.inf)), ok.shape)
            return int(ids[sari[i]]), int(ids[budi[j]])
    return _fallback_pair(ids, truth, close, p0, p1)


def _fallback_pair(ids, truth, close, p0, p1) -> tuple[int, int]:
    cand = np.flatnonzero(close & (p1 > p0))
    if len(cand) == 0:
        cand = np.flatnonzero(close)
    sari = cand[np.argmin(np.abs(truth[cand] - np.median(truth[cand])))]
    others = np.flatnonzero(~close & (p0 == p0[sari]) & (p1 == p0[sari]))
    if len(others) == 0:
        others = np.flatnonzero(~close)
    better = others[truth[others] >= truth[sari]]
    pool = better if len(better) else others
    budi = pool[np.argmin(np.abs(truth[pool] - truth[sari]))]
    return int(ids[sari]), int(ids[budi])


def story(card: pd.DataFrame, values: dict, lang: str = "id") -> str:
    """The sentence above the report card, written from the card itself (HTML).

    ``card`` has the rows Bu Sari and Pak Budi and the columns of
    :func:`report_card` in numbers (``pct``, ``score``, ``predikat``).
    """
    sari, budi = card.loc[NAMES["sari"]], card.loc[NAMES["budi"]]
    s1, s2 = L.number(sari["score"], 1, lang), L.number(budi["score"], 1, lang)
    parts = [text("same_work", lang, pct=int(sari["pct"])) if sari["pct"] == budi["pct"] else
             text("similar_work", lang, p1=int(sari["pct"]), p2=int(budi["pct"]))]
    if s1 == s2 and sari["predikat"] == budi["predikat"]:
        parts.append(text("treated_alike", lang, s=s1, p=html.escape(sari["predikat"])))
    else:
        key = "same_predikat" if sari["predikat"] == budi["predikat"] else "different"
        parts.append(text(key, lang, s1=s1, s2=s2, p=html.escape(sari["predikat"]),
                          p1=html.escape(sari["predikat"]), p2=html.escape(budi["predikat"])))
        fav, len_ = values.get(FAVOURITISM, 0.0) > 0, values.get(LENIENCY, 0.0) > 0
        parts.append(text("why_both" if fav and len_ else "why_closeness" if fav else "why_raters" if len_
                          else "why_measurement", lang))
    return "<p style='font-size:1.15em;max-width:46em'>" + " ".join(parts) + "</p>"


def report_card(sim, pair: dict[str, int], truth_pct: pd.Series) -> pd.DataFrame:
    """Bu Sari's and Pak Budi's numbers in one simulated round: closeness, percentile, score, predikat."""
    sc = sim.scores.set_index(C.EMPLOYEE_ID)
    emp = sim.employees.set_index(C.EMPLOYEE_ID)
    rows = {NAMES[k]: {"close": bool(emp.at[eid, C.CLOSENESS]), "pct": int(round(100 * truth_pct[eid])),
                       "score": float(sc.at[eid, C.FINAL_SCORE]), "predikat": sc.at[eid, C.PREDIKAT]}
            for k, eid in pair.items()}
    return pd.DataFrame.from_dict(rows, orient="index")


def card_table(card: pd.DataFrame, lang: str = "id") -> pd.DataFrame:
    """The report card as shown: words and numbers in the language's format."""
    out = pd.DataFrame({
        text("close", lang): [text("yes" if c else "no", lang) for c in card["close"]],
        text("truth", lang): [text("of_staff", lang, pct=p) for p in card["pct"]],
        text("score", lang): [L.number(s, 1, lang) for s in card["score"]],
        "Predikat": card["predikat"].tolist()}, index=pd.Index(card.index, name=text("employee", lang)))
    return out


def workshop(n: int = 2000, seed: int = 7, policy: str = "permenpan-6-2022", lang: Lang = "id") -> LiveView:
    """Notebook 05, the lokakarya dashboard (see the module docstring).

    A third control, "Cara menilai", switches among the :data:`WORKSHOP_POLICIES`
    the engine can simulate.  Every simulated round is kept, so returning to
    an earlier slider position is instant.
    """
    cache: dict[tuple, object] = {}

    def sim_at(pol: str, fav: float, len_: float = 0.0):
        key = (pol, fav, len_)
        if key not in cache:
            p, s, _ = apply_controls({FAVOURITISM: fav, LENIENCY: len_}, pol, "neutral")
            cache[key] = _simulate(p, s, n, seed)
        return cache[key]

    choices = [policy] + runnable_policies([p for p in WORKSHOP_POLICIES if p != policy])
    plain = sim_at(policy, 0.0)
    pair_ids = story_pair(plain.employees, plain, sim_at(policy, 1.0), sim_at(policy, 0.5),
                          [sim_at(p, 0.0) for p in choices[1:]])
    pair = dict(zip(("sari", "budi"), pair_ids))
    truth_pct = plain.employees[C.TRUE_PERFORMANCE].rank(pct=True).set_axis(plain.employees[C.EMPLOYEE_ID])
    controls = WORKSHOP_CONTROLS
    if len(choices) > 1:
        options = tuple((p, WORKSHOP_POLICIES.get(p, {"id": p, "en": p})) for p in choices)
        controls += (Control(POLICY, "choice", policy, L.TEXT["ws_policy"], options=options),)

    def render(values: dict) -> Rendered:
        sim = sim_at(values.get(POLICY, policy), values[FAVOURITISM], values[LENIENCY])
        card = report_card(sim, pair, truth_pct)
        highlight = {pair["sari"]: NAMES["sari"], pair["budi"]: NAMES["budi"]}
        return {"cerita": story(card, values, lang), "rapor": card_table(card, lang),
                "fairness": plots.fairness_by_group(sim.scores, sim.employees, C.CLOSENESS, lang),
                "truth": plots.score_vs_truth(sim.scores, sim.employees, lang, highlight=highlight)}

    view = LiveView(controls, render, lang, title=text("title", lang), show_time=False)
    view.story_ids = {NAMES[k]: v for k, v in pair.items()}
    return view


__all__ = ["FAVOURITISM_LEVELS", "LENIENCY_LEVELS", "NAMES", "WORKSHOP_CONTROLS", "WORKSHOP_POLICIES",
           "card_table", "report_card", "runnable_policies", "story", "story_pair", "workshop"]
