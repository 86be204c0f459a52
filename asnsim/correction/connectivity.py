"""Connectivity (subset) detection for rating designs.

Measures of raters and ratees are comparable only within a connected set:
two raters can be compared when a chain of shared ratees links them (Linacre,
FACETS manual, "Subsets"; Eckes 2015, ch. 5).  We build the bipartite graph of
each pair of facets (ratee-rater and, when items are given, ratee-item and
rater-item) and find its connected components with
``scipy.sparse.csgraph.connected_components``.  For two facets this is exactly
the condition for the additive model ``y = a_ratee + b_rater`` to be
identified up to one constant; with a third facet the pairwise conditions are
necessary (Engelhard 1997).

References
----------
Eckes, T. (2015). Introduction to Many-Facet Rasch Measurement, 2nd ed. Peter Lang.
Engelhard, G. (1997). Constructing rater and task banks for performance assessments.
Journal of Outcome Measurement 1(1), 19-33.
Linacre, J. M. (2023). A User's Guide to FACETS. Winsteps.com.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import scipy.sparse as sp
from scipy.sparse.csgraph import connected_components

from .. import columns as C
from ..errors import DesignError


def _bipartite_components(a: np.ndarray, b: np.ndarray, na: int, nb: int) -> tuple[int, np.ndarray]:
    g = sp.coo_matrix((np.ones(len(a)), (a, na + b)), shape=(na + nb, na + nb))
    return connected_components(g, directed=False)


def subsets(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
            item: str | None = None) -> pd.DataFrame:
    """Label every element with its connected subset.

    Returns
    -------
    DataFrame
        ``facet, element, subset`` for every ratee and rater (and item), with
        ``subset`` numbered 1.. in order of decreasing size; ``subset`` is the
        component of the ratee-rater graph (items are put in the subset of their ratees'
        largest subset, or flagged by :func:`check_connected`).
    """
    e_codes, e_ids = pd.factorize(ratings[ratee], sort=True)
    r_codes, r_ids = pd.factorize(ratings[rater], sort=True)
    k, lab = _bipartite_components(e_codes, r_codes, len(e_ids), len(r_ids))
    sizes = np.bincount(lab, minlength=k)
    order = np.argsort(-sizes, kind="stable")
    rank = np.empty(k, int)
    rank[order] = np.arange(1, k + 1)
    out = [pd.DataFrame({"facet": "ratee", "element": e_ids, "subset": rank[lab[:len(e_ids)]]}),
           pd.DataFrame({"facet": "rater", "element": r_ids, "subset": rank[lab[len(e_ids):]]})]
    return pd.concat(out, ignore_index=True)


def _describe(sub: pd.DataFrame, max_subsets: int = 4, max_names: int = 3) -> str:
    parts = []
    for s, grp in list(sub.groupby("subset"))[:max_subsets]:
        ne = int((grp["facet"] == "ratee").sum())
        rat = grp.loc[grp["facet"] == "rater", "element"].tolist()
        names = ", ".join(map(str, rat[:max_names])) + (", ..." if len(rat) > max_names else "")
        parts.append(f"subset {s}: {ne} ratees, {len(rat)} raters ({names})")
    more = sub["subset"].max() - max_subsets
    if more > 0:
        parts.append(f"and {more} more")
    return "; ".join(parts)


def check_connected(ratings: pd.DataFrame, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
                    item: str | None = None, source: str = "ratings") -> None:
    """Raise :class:`DesignError` naming the subsets when the design is disconnected.

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ratee_id": [1, 2, 3, 4], "rater_id": ["a", "a", "b", "b"], "score": [1, 2, 3, 4]})
    >>> check_connected(df)
    Traceback (most recent call last):
    ...
    asnsim.errors.DesignError: ratings: the rating design is disconnected into 2 subsets ...
    """
    sub = subsets(ratings, ratee, rater)
    k = int(sub["subset"].max())
    if k > 1:
        raise DesignError(f"{source}: the rating design is disconnected into {k} subsets (no shared ratees link "
                          f"them), so rater and ratee measures cannot be compared across subsets: "
                          f"{_describe(sub)}")
    if item is not None:
        e = pd.factorize(ratings[ratee], sort=True)[0]
        r = pd.factorize(ratings[rater], sort=True)[0]
        i, i_ids = pd.factorize(ratings[item], sort=True)
        for name, a, na in (("ratee", e, e.max() + 1), ("rater", r, r.max() + 1)):
            kk, lab = _bipartite_components(a, i, na, len(i_ids))
            if kk > 1:
                item_lab = lab[na:]
                groups = [", ".join(map(str, i_ids[item_lab == c][:3])) for c in np.unique(item_lab)[:4]]
                raise DesignError(f"{source}: items and {name}s are disconnected into {kk} subsets "
                                  f"(item groups: {' | '.join(groups)}), so item and {name} measures are "
                                  f"confounded")
