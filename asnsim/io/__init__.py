"""Real data: reading, validating and anonymizing appraisal exports.

Public entry points: :func:`read_table` (read + validate + ledger),
:func:`anonymize_table`, :func:`k_anonymity`, :func:`population_from_table`.
"""

from __future__ import annotations

from .ledger import RowLedger
from .readers import RawTable, apply_column_map, parse_column_map, read_raw
from .schemas import EMPLOYEES, INDICATORS, RATINGS, SPECS, TableSpec, Validated, read_table, validate

__all__ = ["EMPLOYEES", "INDICATORS", "RATINGS", "SPECS", "RawTable", "RowLedger", "TableSpec", "Validated",
           "apply_column_map", "parse_column_map", "read_raw", "read_table", "validate"]
