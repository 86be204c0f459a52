"""Rater-effect analysis and bias correction.

Every method takes the long ratings table (column names as arguments) and
returns a :class:`RaterAnalysis` with the same tables: ``rater_effects``
(``rater_id, n, effect, se``), ``ratee_scores`` (``ratee_id, n, raw_mean,
adjusted, se``), the per-rating ``adjusted`` scores and, for the mixed models,
``variance_components``.  :func:`correct` applies a method to a ratings table
and returns it with an adjusted score column.

Methods: :func:`standardize` (per-rater centering / z-scores), :func:`crossed`
(REML crossed mixed model, lme4 parity), :func:`mfrm` (many-facet Rasch,
FACETS-style tables), :func:`mixedlm` (statsmodels cross-check), :func:`forum`
(forum calibration) and :func:`anchor` (anchoring on objective indicators).
All are deterministic.

:func:`analyze` (and so :func:`correct` and ``asnsim analyze``) first measures
the design (:func:`describe_design`) and takes the one decision of
:func:`asnsim.correction.design.decide`: fit, fit with a
:class:`~asnsim.errors.DesignWarning`, or refuse with a
:class:`~asnsim.errors.DesignError`.
"""

from __future__ import annotations

import warnings

import pandas as pd

from .. import columns as C
from ..errors import AsnsimWarning, DesignError, DesignWarning
from ..methods import CORRECTION_METHODS, correction_method, resolve
from ._data import encode
from .connectivity import check_connected, subsets
from .crossed import crossed
from .design import Decision, RatingDesign, decide, describe_design
from .mfrm import mfrm
from .mixedlm import mixedlm
from .result import RaterAnalysis
from .standardize import standardize
from .strategies import anchor, forum

__all__ = ["METHODS", "Decision", "RaterAnalysis", "RatingDesign", "SCORE_ADJUSTED", "SCORE_RAW", "analyze",
           "anchor", "apply_policy_correction", "check_connected", "correct", "crossed", "decide",
           "describe_design", "forum", "mfrm", "mixedlm", "standardize", "subsets"]

#: the built-in methods a policy's ``correction.method`` may name (besides ``none``); plug-ins join
#: :data:`asnsim.methods.CORRECTION_METHODS`, the table every lister reads
METHODS = tuple(CORRECTION_METHODS)
SCORE_ADJUSTED = "score_adjusted"
SCORE_RAW = "score_raw"


def analyze(ratings: pd.DataFrame, method: str, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
            score: str = C.SCORE, item: str | None = None, source: str = "ratings", require_connected: bool = False,
            **options) -> RaterAnalysis:
    """Run one rater-effect method by name, after deciding what the design supports.

    The design is measured (:func:`describe_design`) and :func:`asnsim.correction.design.decide` says
    whether to fit, to fit and warn (a :class:`~asnsim.errors.DesignWarning`, its message also in
    ``result.messages``), or to refuse (a :class:`~asnsim.errors.DesignError`); ``asnsim analyze`` goes
    through here too, so the CLI and the API give the same answer.  Other things the user should know
    (an iteration cap reached, say) are warned as :class:`~asnsim.errors.AsnsimWarning`.

    Parameters
    ----------
    require_connected : bool
        Refuse a disconnected design whatever the method.
    **options
        Passed to the method (``subsets=`` for mfrm, ``formula=`` for crossed, ...).
    """
    correction_method(method)  # a ValueError naming the methods
    enc = encode(ratings, ratee, rater, score, source, min_raters=1)
    design = describe_design(ratings.assign(**{ratee: enc.ratee, rater: enc.rater}), ratee, rater)
    decision = decide(design, method, require_connected, options.get("subsets"), source)
    if decision.action == "refuse":
        raise DesignError(decision.message)
    res = _run(ratings, method, ratee, rater, score, item, source, options)
    res.design = design
    if decision.action == "warn":
        res.messages.insert(0, decision.message)
        warnings.warn(decision.message, DesignWarning, stacklevel=2)
    for m in res.messages[1 if decision.action == "warn" else 0:]:
        warnings.warn(m, AsnsimWarning, stacklevel=2)
    return res


def _run(ratings, method, ratee, rater, score, item, source, options) -> RaterAnalysis:
    entry = correction_method(method)
    if entry.design != "fixed":
        options.pop("subsets", None)
    return resolve(entry.run)(ratings, ratee, rater, score, item, source, options)


def correct(ratings: pd.DataFrame, method: str, ratee: str = C.RATEE_ID, rater: str = C.RATER_ID,
            score: str = C.SCORE, item: str | None = None, by: str | None = None, **options) -> pd.DataFrame:
    """Return ``ratings`` with ``score_adjusted``: each rating corrected for its rater's effect.

    Parameters
    ----------
    ratings : DataFrame
        Long ratings table.
    method : str
        A method of :data:`asnsim.methods.CORRECTION_METHODS` (``"none"`` returns a copy with ``score_adjusted = score``).
    ratee, rater, score, item : str
        Column names.
    by : str, optional
        Correct each group of this column separately (for example ``component``, whose items use
        different scales).
    **options
        Passed to the method (``scale=`` for standardize, ``weight=`` for forum, ``objective=`` for
        anchor, ...).

    Examples
    --------
    >>> import pandas as pd
    >>> df = pd.DataFrame({"ratee_id": [1, 2, 1, 2], "rater_id": ["a", "a", "b", "b"],
    ...                    "score": [3.0, 2.0, 4.0, 3.0]})
    >>> correct(df, "standardize")["score_adjusted"].tolist()
    [3.5, 2.5, 3.5, 2.5]
    """
    out = ratings.copy()
    if method == "none":
        out[SCORE_ADJUSTED] = out[score].astype(float)
        return out
    adjusted = pd.Series(float("nan"), index=out.index)
    groups = [(None, out)] if by is None else list(out.groupby(by, observed=True))
    for _, part in groups:
        it = item if item is not None and item in part.columns else None
        res = analyze(part.reset_index(drop=True), method, ratee, rater, score, item=it, **dict(options))
        adjusted.loc[part.index] = res.adjusted
    out[SCORE_ADJUSTED] = adjusted.to_numpy()
    return out


def apply_policy_correction(policy, ratings: pd.DataFrame, indicators: pd.DataFrame | None = None) -> pd.DataFrame:
    """Apply ``policy.correction.method`` before scoring: ``score`` becomes the adjusted score.

    The raw score is kept in ``score_raw``.  Each component (and period) is corrected separately, since
    components use different scales; ``item`` is a facet (mfrm) or fixed effect (crossed).  ``anchor``
    anchors on each employee's mean indicator ``capaian`` and needs the indicators table.
    """
    from ..errors import PolicyError

    method = policy.correction.method
    if method == "none":
        return ratings
    options = {}
    if method == "anchor":
        if indicators is None or C.CAPAIAN not in indicators.columns:
            raise PolicyError(policy.name, "correction.method",
                              "'anchor' needs indicator realizations (a component with measure = 'indicators')")
        options["objective"] = indicators.groupby(C.EMPLOYEE_ID)[C.CAPAIAN].mean()
    keys = [k for k in (C.COMPONENT, C.PERIOD) if k in ratings.columns]
    part_key = "__correction_part"
    work = ratings.assign(**{part_key: _joined(ratings, keys)}) if keys else ratings
    try:
        with warnings.catch_warnings():
            # a simulated design is known: the warnings would repeat for every replicate and component
            warnings.simplefilter("ignore", AsnsimWarning)
            out = correct(work, method, item=C.ITEM if C.ITEM in ratings.columns else None,
                          by=part_key if keys else None, **options)
    except DesignError as exc:
        raise PolicyError(policy.name, "correction.method",
                          f"{method!r} cannot be applied to this policy's rating design ({exc}); rater panels "
                          f"must overlap (for example peers or a forum panel), or choose 'crossed'") from None
    result = ratings.copy()
    result[SCORE_RAW] = ratings[C.SCORE]
    result[C.SCORE] = out[SCORE_ADJUSTED].to_numpy()
    return result


def _joined(table: pd.DataFrame, keys: list[str]) -> pd.Series:
    """``"a|b"`` per row of the columns ``keys``, by whole-column string concatenation (a row-wise
    ``agg("|".join, axis=1)`` took seconds per replicate on a few ten thousand ratings)."""
    out = table[keys[0]].astype(str)
    for key in keys[1:]:
        out = out + "|" + table[key].astype(str)
    return out

