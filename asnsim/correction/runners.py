"""One runner per correction method, with the one signature :data:`asnsim.methods.CORRECTION_METHODS` names.

``run(ratings, ratee, rater, score, item, source, options) -> RaterAnalysis``:
each takes from ``options`` (a dict it may change) what its method needs, so
:func:`asnsim.correction.analyze` calls any method the same way.  Each method's
public function keeps its own signature for Python users.
"""

from __future__ import annotations

import pandas as pd

from .result import RaterAnalysis

__all__ = ["run_anchor", "run_crossed", "run_forum", "run_mfrm", "run_mixedlm", "run_standardize"]


def run_standardize(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None, source: str,
                    options: dict) -> RaterAnalysis:
    """:func:`asnsim.correction.standardize` (``scale=``, ``min_ratees=``)."""
    from .standardize import standardize

    return standardize(ratings, ratee, rater, score, source=source, **options)


def run_crossed(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None, source: str,
                options: dict) -> RaterAnalysis:
    """:func:`asnsim.correction.crossed`; ``item``, when it varies, is a fixed effect unless ``fixed=`` is given."""
    from .crossed import crossed

    fixed = options.pop("fixed", [item] if item is not None and ratings[item].nunique() > 1 else [])
    return crossed(ratings, ratee, rater, score, fixed=fixed, source=source, **options)


def run_mfrm(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None, source: str,
             options: dict) -> RaterAnalysis:
    """:func:`asnsim.correction.mfrm` with ``item`` as a facet (``model=``, ``group=``, ``subsets=``, ``cuts=``)."""
    from .mfrm import mfrm

    return mfrm(ratings, ratee, rater, score, item=item, source=source, **options)


def run_mixedlm(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None, source: str,
                options: dict) -> RaterAnalysis:
    """:func:`asnsim.correction.mixedlm` (takes no options)."""
    from .mixedlm import mixedlm

    return mixedlm(ratings, ratee, rater, score, source=source)


def run_forum(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None, source: str,
              options: dict) -> RaterAnalysis:
    """:func:`asnsim.correction.forum` (``weight=``, ``panel=``)."""
    from .strategies import forum

    return forum(ratings, ratee, rater, score, source=source, **options)


def run_anchor(ratings: pd.DataFrame, ratee: str, rater: str, score: str, item: str | None, source: str,
               options: dict) -> RaterAnalysis:
    """:func:`asnsim.correction.anchor`; needs ``objective=`` (indicator values by ratee id)."""
    from .strategies import anchor

    if "objective" not in options:
        raise ValueError("method 'anchor' needs objective=<Series of indicator values by ratee id>")
    return anchor(ratings, options.pop("objective"), ratee, rater, score, source=source, **options)
