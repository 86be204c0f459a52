"""Every executed notebook must show at least one figure.

nbval runs each notebook once (``make test`` passes ``--nbval-lax``) and keeps
each cell's outputs on its test item.  After the last cell of a notebook this
plugin adds one more item, ``<notebook>::figures shown inline``, that fails
when none of the notebook's cells produced an image output (``image/png`` or
``image/svg+xml``): a figure that reaches the page only as its text
representation (``<Figure size 1200x752 with 4 Axes>``) does not count.  No
notebook runs twice.
"""

from __future__ import annotations

import pytest

IMAGE_TYPES = ("image/png", "image/svg+xml")


def _has_image(outputs) -> bool:
    return any(any(t in out.get("data", {}) for t in IMAGE_TYPES) for out in outputs or ())


class FiguresShown(pytest.Item):
    """Fails when the cells of its notebook that ran displayed no image."""

    def __init__(self, *, cells, **kwargs):
        super().__init__(**kwargs)
        self.cells = cells

    def runtest(self) -> None:
        ran = [c for c in self.cells if getattr(c, "test_outputs", None) is not None]
        if not ran:
            pytest.skip("no cell of this notebook ran")
        if not any(_has_image(c.test_outputs) for c in ran):
            texts = [o.get("data", {}).get("text/plain", "") for c in ran for o in c.test_outputs or ()
                     if "Figure size" in str(o.get("data", {}).get("text/plain", ""))]
            raise AssertionError(f"{self.parent.name}: no cell displayed an image"
                                 + (f"; figures reached the page as text only: {texts[:3]}" if texts else ""))

    def reportinfo(self):
        return self.path, None, f"{self.parent.name}::{self.name}"


def pytest_collection_modifyitems(session, config, items):
    try:
        from nbval.plugin import IPyNbCell
    except ImportError:  # nbval not installed: nothing to check
        return
    out, cells = [], []
    for i, item in enumerate(items):
        out.append(item)
        if isinstance(item, IPyNbCell):
            cells.append(item)
            nxt = items[i + 1] if i + 1 < len(items) else None
            if not isinstance(nxt, IPyNbCell) or nxt.parent is not item.parent:
                out.append(FiguresShown.from_parent(item.parent, name="figures shown inline", cells=cells))
                cells = []
    items[:] = out
