"""Burden: the hours an appraisal design costs raters and ratees.

Appraisal adds workload, and every seed names that as a source of resistance
(DOMAIN.md s.3), so cost is an outcome next to objectivity and fairness.  The
minutes are policy parameters (``[burden]``: ``minutes_per_rating``,
``minutes_per_report``, ``minutes_per_forum``; defaults documented in
``docs/policies.md``), the counts come from the ratings table (or, without
one, from the policy: one rater per role and item).

Per employee per year:

- rounds per year R = ``periods.per_year``, plus one when ``periods.annual``
  adds an annual evaluation on top of shorter periods;
- rater minutes = R * (ratings per round by anyone other than the ratee)
  * minutes_per_rating, plus, with a forum, forums per year * (distinct
  rater-ratee pairs) * minutes_per_forum (each panel member sits through each
  of their ratees' presentations);
- ratee minutes = R * (minutes_per_report + self-ratings per round
  * minutes_per_rating), plus forums per year * minutes_per_forum (presenting),
  plus, with daily activity logs (``forum.activity_logs``, Serang),
  :data:`WORKING_DAYS_PER_YEAR` * ``minutes_per_activity_log``.

Both are divided by the number of employees (ratees), so a design that makes
few supervisors rate many people shows a small average with a heavy tail; the
``rater_hours_max`` row gives the busiest rater's hours.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .. import columns as C
from ..policy import PERIODS_PER_YEAR, Policy
from ._table import ALL, NAN, tidy


#: Working days a year on which an ASN logs activities (assumption: 5-day weeks, less about 16 public holidays,
#: 8 days of cuti bersama and 12 days of annual leave).
WORKING_DAYS_PER_YEAR = 224


def rounds_per_year(policy: Policy) -> int:
    """Appraisal rounds per year: the periodic evaluations plus the annual one (if separate).

    Examples
    --------
    >>> from asnsim.policy import load_policy
    >>> rounds_per_year(load_policy("permenpan-6-2022"))  # TW I-IV plus the annual evaluation
    5
    """
    r = policy.periods.per_year
    if policy.periods.annual and policy.periods.frequency != "annual":
        r += 1
    return r


def burden(policy: Policy, ratings: pd.DataFrame | None = None, n_employees: int | None = None) -> pd.DataFrame:
    """Rater and ratee hours per employee per year for a design.

    Parameters
    ----------
    policy : Policy
        Supplies the minutes (``policy.burden``), the periods and the forum.
    ratings : DataFrame, optional
        ``ratee_id, rater_id, rater_role[, period]``: one round's ratings (or
        several periods; counts are averaged per period).  Without it, each
        ratee gets one rating per item from one rater of every role the
        policy names.
    n_employees : int, optional
        Denominator; default the number of distinct ratees.

    Returns
    -------
    DataFrame
        Rows ``rater_hours``, ``ratee_hours``, ``total_hours`` (group
        ``all``), ``rater_hours`` per rater role (group = role, 0 when the
        design does not use the role) and ``rater_hours_max``.

    Examples
    --------
    Four quarterly rounds plus the annual one, 11 items from the atasan at
    2 minutes, a 20-minute report: rater 5 * 11 * 2 / 60 = 1.83 hours,
    ratee 5 * 20 / 60 = 1.67 hours per employee per year.

    >>> from asnsim.policy import load_policy
    >>> tab = burden(load_policy("permenpan-6-2022"))
    >>> tab.set_index(["metric", "group"]).value.round(2)[("rater_hours", "all")]
    np.float64(1.83)
    """
    b = policy.burden
    R = rounds_per_year(policy)
    forums = PERIODS_PER_YEAR[policy.forum.frequency] if policy.forum.enabled else 0
    per_role = dict.fromkeys(C.ROLES, 0.0)
    if ratings is None:
        n = 1.0
        for comp in policy.components.values():
            for role in comp.raters:
                per_role[role] += len(comp.items)
        pairs = sum(1 for r in {role for c in policy.components.values() for role in c.raters} if r != C.SELF)
        busiest = NAN
        n_emp = float(n_employees or 1)
        per_role = {k: v * n_emp for k, v in per_role.items()}
        pairs *= n_emp
    else:
        n_periods = max(1, ratings[C.PERIOD].nunique()) if C.PERIOD in ratings else 1
        n_emp = float(n_employees if n_employees is not None else ratings[C.RATEE_ID].nunique())
        roles = ratings[C.RATER_ROLE].astype(str)
        counts = roles.value_counts()
        for role, k in counts.items():
            per_role[role] = per_role.get(role, 0.0) + k / n_periods
        other = ratings[roles.to_numpy() != C.SELF]
        pairs = len(other[[C.RATER_ID, C.RATEE_ID]].drop_duplicates()) if len(other) else 0
        by_rater = other.groupby(C.RATER_ID).size() / n_periods if len(other) else pd.Series(dtype=float)
        busiest = float(by_rater.max() * R * b.minutes_per_rating / 60) if len(by_rater) else 0.0
    n_emp = max(n_emp, 1.0)
    rate_min = {k: R * v * b.minutes_per_rating / n_emp for k, v in per_role.items()}
    rater = sum(v for k, v in rate_min.items() if k != C.SELF) + forums * pairs * b.minutes_per_forum / n_emp
    ratee = R * b.minutes_per_report + rate_min.get(C.SELF, 0.0) + forums * b.minutes_per_forum
    if policy.forum.activity_logs:
        ratee += WORKING_DAYS_PER_YEAR * b.minutes_per_activity_log
    rows = [("rater_hours", ALL, rater / 60), ("ratee_hours", ALL, ratee / 60),
            ("total_hours", ALL, (rater + ratee) / 60)]
    rows += [("rater_hours", role, rate_min[role] / 60) for role in C.ROLES]
    rows.append(("rater_hours_max", ALL, busiest))
    return tidy(rows)
