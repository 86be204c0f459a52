"""The notebook check of notebooks/conftest.py fails a notebook whose figures reach the page only as text."""

from __future__ import annotations

import shutil
from pathlib import Path

import nbformat

pytest_plugins = ["pytester"]

ROOT = Path(__file__).resolve().parents[1]


def _notebook(path: Path, source: str) -> None:
    nb = nbformat.v4.new_notebook()
    nb.cells = [nbformat.v4.new_code_cell(source)]
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3", "language": "python"}
    nbformat.write(nb, path)


def test_a_figure_shown_only_as_text_fails_the_notebook(pytester):
    shutil.copy(ROOT / "notebooks" / "conftest.py", pytester.path / "conftest.py")
    _notebook(pytester.path / "text_only.ipynb",
              "from matplotlib.figure import Figure\nfig = Figure()\nfig.add_subplot().plot([1, 2])\nfig")
    _notebook(pytester.path / "with_image.ipynb",
              "from asnsim.plots import Figure\nfig = Figure()\nfig.add_subplot().plot([1, 2])\nfig")
    result = pytester.runpytest_subprocess("--nbval-lax", "-p", "no:cacheprovider", "-W", "ignore",
                                           "text_only.ipynb", "with_image.ipynb")
    result.assert_outcomes(passed=3, failed=1)
    result.stdout.fnmatch_lines(["E * text_only.ipynb: no cell displayed an image; figures reached the page as "
                                 "text only: *<Figure size 640x480 with 1 Axes>*",
                                 "FAILED text_only.ipynb::figures shown inline*"])
