"""What an experiment writes: the result files of :func:`asnsim.experiment.run_experiment`, all at once.

The runner (:mod:`asnsim.experiment.runner`) computes :class:`~asnsim.experiment.store.Results`; this
module turns them into files through the one writer (:mod:`asnsim.output`): the tables, the Excel
workbook (:mod:`asnsim.experiment.workbook`) and the HTML report (:mod:`asnsim.experiment.report`),
which are imported only here, when the files are written, so the runner and its worker processes never
import the presentation.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from .store import Results

#: every file an experiment may write; one left from an earlier run into the same folder is removed
RESULT_FILES = ("replicates.parquet", "summary.csv", "paired.csv", "ranking.csv", "paired_scenarios.csv",
                "verdicts.csv", "summary.xlsx", "manifest.json", "report.html")


def write_results(results: Results, out: str | Path, report: bool = True, lang: str = "en") -> None:
    """Write the final files of an experiment into ``out``, all or nothing.

    ``verdicts.csv`` (:func:`asnsim.experiment.verdict.verdict_table`), ``summary.xlsx``
    (:mod:`asnsim.experiment.workbook`) and ``report.html`` are in ``lang``.

    Result files of an earlier experiment in ``out`` that this one does not write (``report.html`` after
    ``--no-report``, ``paired_scenarios.csv``) are removed, so the folder never mixes two runs; other files in
    ``out`` are left alone.
    """
    from ..output import atomic_output_dir, write_json, write_table

    with atomic_output_dir(out, owned=RESULT_FILES) as tmp:
        results.replicates.to_parquet(tmp / "replicates.parquet", index=False)
        write_table(results.summary, tmp, "summary")
        write_table(results.paired, tmp, "paired")
        write_table(results.ranking, tmp, "ranking")
        if results.paired_scenarios is not None:
            write_table(results.paired_scenarios, tmp, "paired_scenarios")
        write_table(results.verdicts(lang), tmp, "verdicts")
        from .workbook import write_summary_workbook
        write_summary_workbook(results, tmp / "summary.xlsx", lang)
        write_json(results.manifest, tmp / "manifest.json")
        if report:
            from .report import write_report
            write_report(results, tmp / "report.html", lang=lang)


__all__ = ["RESULT_FILES", "write_results"]
