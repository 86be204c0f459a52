"""What a rating design supports: its connectivity and nesting, and the one decision (fit, warn or refuse).

Real appraisal data is nested (each ASN rated by one atasan, sometimes with a
few peers) and disconnected (raters who share no ratee).  :func:`describe_design`
measures that; :func:`decide` turns it into the decision every entry point uses
(:func:`asnsim.correction.analyze`, :func:`asnsim.correction.correct` and
``asnsim analyze``), so the same data gets the same answer everywhere:

- random-effects models (``crossed``, ``mixedlm``) fit disconnected and nested
  designs, as lme4 does: the random-effect distributions tie the subsets
  together.  They warn, saying what the design does to the comparisons;
- fixed-effect models whose measures are comparable only within a connected
  subset (``mfrm``) refuse a disconnected design unless asked to analyse the
  largest subset or each subset separately (FACETS' subset rule);
- ``standardize`` centres each rater, which assumes raters see comparable
  ratees whatever the connectivity: it warns on a nested or disconnected design;
- ``require_connected=True`` refuses any disconnected design.

References
----------
Bates, D. et al. (2015). Fitting linear mixed-effects models using lme4. J. Stat. Softw. 67(1).
Linacre, J. M. (2023). A User's Guide to FACETS, "Subsets" (connectivity). Winsteps.com.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import pandas as pd

from .. import columns as C
from ..methods import CORRECTION_METHODS
from .connectivity import subsets as subset_labels

Action = Literal["fit", "warn", "refuse"]


@dataclass(frozen=True)
class RatingDesign:
    """Connectivity and nesting of a ratings table (see :func:`describe_design`)."""

    n_ratings: int
    n_ratees: int
    n_raters: int
    n_subsets: int
    largest_subset_ratings_share: float
    largest_subset_ratees: int
    largest_subset_raters: int
    one_rater_subsets: int
    ratees_per_rater: float
    raters_per_ratee: float
    share_ratees_multi_rated: float
    ratings_per_ratee: float
    nested: bool
    one_rating_per_ratee: bool
    one_rating_per_rater: bool

    @property
    def connected(self) -> bool:
        return self.n_subsets <= 1

    def table(self) -> pd.DataFrame:
        """``quantity, value`` rows, for reports."""
        return pd.DataFrame({"quantity": list(asdict(self)), "value": list(asdict(self).values())})

    def connectivity_sentence(self) -> str:
        """One sentence on the subsets and what they mean for comparing raters."""
        if self.connected:
            return (f"The design is connected: every rater is linked to every other through shared ratees "
                    f"({self.raters_per_ratee:.2f} raters per ratee, {self.ratees_per_rater:.1f} ratees per rater), "
                    f"so all raters are compared on one scale.")
        return (f"The design is disconnected into {self.n_subsets} subsets that share no ratee (the largest holds "
                f"{self.largest_subset_ratings_share:.0%} of the ratings, {self.largest_subset_raters} raters and "
                f"{self.largest_subset_ratees} ratees; {self.one_rater_subsets} subsets have a single rater): "
                f"raters in different subsets never rate the same people, so comparing them rests on the "
                f"assumption that every subset's raters come from one population of raters.")

    def nesting_sentence(self) -> str:
        """What a nested design lets a crossed model estimate ('' when ratees have several raters)."""
        if not self.nested:
            return ""
        if self.one_rating_per_ratee:
            return ("Each ratee has a single rating from a single rater (nested design): the rater variance comes "
                    "from differences between raters' mean ratings, which also hold real differences between the "
                    "groups they rate; ratee and residual variance cannot be told apart, so their sum is reported "
                    "as the residual and the ratee variance is not estimated.")
        return ("Each ratee has a single rater (nested design): the rater variance comes from differences between "
                "raters' mean ratings, which also hold real differences between the groups they rate; the ratee "
                "variance (from repeated ratings of a ratee) includes each rater's particular view of that ratee.")


def describe_design(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID) -> RatingDesign:
    """Measure the connectivity (subsets of raters linked by shared ratees) and nesting of a ratings table.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ratee_id": [1, 2, 3, 4], "rater_id": ["a", "a", "b", "b"]})
    >>> d = describe_design(df)
    >>> d.n_subsets, d.nested, d.largest_subset_ratings_share
    (2, True, 0.5)
    """
    e, _ = pd.factorize(ratings[ratee], sort=True)
    r, _ = pd.factorize(ratings[rater], sort=True)
    ne, nr = int(e.max()) + 1 if len(e) else 0, int(r.max()) + 1 if len(r) else 0
    sub = subset_labels(ratings, ratee, rater)
    ratee_subset = sub.loc[sub["facet"] == "ratee", "subset"].to_numpy()
    rater_subset = sub.loc[sub["facet"] == "rater", "subset"].to_numpy()
    k = int(sub["subset"].max()) if len(sub) else 0
    per_subset_ratings = np.bincount(ratee_subset[e], minlength=k + 1)[1:]
    raters_in = np.bincount(rater_subset, minlength=k + 1)[1:]
    pair = np.unique(e.astype(np.int64) * max(nr, 1) + r)
    raters_of = np.bincount(pair // max(nr, 1), minlength=ne)
    ratees_of = np.bincount(pair % max(nr, 1), minlength=nr)
    n_e, n_r = np.bincount(e, minlength=ne), np.bincount(r, minlength=nr)
    return RatingDesign(
        n_ratings=len(e), n_ratees=ne, n_raters=nr, n_subsets=k,
        largest_subset_ratings_share=float(per_subset_ratings[0] / len(e)) if k else float("nan"),
        largest_subset_ratees=int((ratee_subset == 1).sum()), largest_subset_raters=int(raters_in[0]) if k else 0,
        one_rater_subsets=int((raters_in == 1).sum()),
        ratees_per_rater=float(ratees_of.mean()) if nr else float("nan"),
        raters_per_ratee=float(raters_of.mean()) if ne else float("nan"),
        share_ratees_multi_rated=float((raters_of >= 2).mean()) if ne else float("nan"),
        ratings_per_ratee=float(n_e.mean()) if ne else float("nan"),
        nested=bool(ne) and bool((raters_of == 1).all()),
        one_rating_per_ratee=bool(ne) and bool((n_e == 1).all()),
        one_rating_per_rater=bool(nr) and bool((n_r == 1).all()))


@dataclass(frozen=True)
class Decision:
    """What to do with a design: ``fit``, ``warn`` (fit, and say ``message``) or ``refuse`` (``message``)."""

    action: Action
    message: str = ""


def decide(design: RatingDesign, method: str, require_connected: bool = False,
           subsets: str | None = None, source: str = "ratings") -> Decision:
    """The one decision on fitting ``method`` to ``design``; used by the API and the CLI alike.

    Parameters
    ----------
    design : RatingDesign
    method : str
        A method of :data:`asnsim.methods.CORRECTION_METHODS`; its ``design`` kind decides.
    require_connected : bool
        Refuse any disconnected design (``--require-connected``).
    subsets : {None, "largest", "each"}
        For ``mfrm``: analyse the largest connected subset, or each subset separately, instead of refusing.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ratee_id": [1, 2, 3, 4], "rater_id": ["a", "a", "b", "b"]})
    >>> decide(describe_design(df), "crossed").action
    'warn'
    >>> decide(describe_design(df), "mfrm").action
    'refuse'
    """
    notes = []
    entry = CORRECTION_METHODS.get(method)
    kind = entry.design if entry is not None else "centring"  # the table's kind: fixed, random, centring, ...
    if not design.connected:
        where = (f"{source}: the rating design is disconnected into {design.n_subsets} subsets (the largest holds "
                 f"{design.largest_subset_ratings_share:.0%} of the ratings)")
        if require_connected:
            return Decision("refuse", f"{where}; --require-connected (require_connected=True) refuses it")
        if kind == "fixed" and subsets is None:
            return Decision("refuse", f"{where}, so {method} measures cannot be compared across subsets; analyse "
                                      f"the largest subset or each subset separately (--subsets largest|each, "
                                      f"subsets='largest'|'each' in Python), or use --method crossed, which fits "
                                      f"disconnected designs")
        if kind == "fixed":
            notes.append(f"{where}; {method} analyses {'the largest subset' if subsets == 'largest' else 'each subset separately'}, "
                         f"and measures are comparable only within a subset.")
        else:
            notes.append(f"{source}: {design.connectivity_sentence()}")
    if design.nested and kind in ("random", "centring"):
        notes.append(design.nesting_sentence() if kind == "random" else
                     "Each ratee has a single rater (nested design): centring each rater removes real differences "
                     "between the groups raters rate along with their leniency.")
    return Decision("warn", " ".join(notes)) if notes else Decision("fit")
