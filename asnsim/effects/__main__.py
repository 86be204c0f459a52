"""Rewrite the generated tables of the docs that list rater effects: ``python -m asnsim.effects [DOCS]``.

docs/model.md's effect table (:func:`asnsim.effects.markdown_table`) and docs/why.md's behaviour table
(:func:`asnsim.why.behaviour.markdown_table`), between their ``<!-- ...: begin -->`` and ``<!-- ...: end -->``
markers; run it from the repository (``DOCS`` defaults to ``docs``) after adding or changing an effect.
"""

from __future__ import annotations

import re
import sys
from pathlib import Path


def tables() -> dict[tuple[str, str], str]:
    """``(page, marker) -> table`` of every generated table."""
    from ..scenario import RaterParams, load_scenario
    from ..why.behaviour import markdown_table as behaviour_table
    from .registry import markdown_table

    return {("model.md", "rater effects"): markdown_table(RaterParams(), load_scenario("default").rater),
            ("why.md", "behaviours"): behaviour_table()}


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    docs = Path(args[0]) if args else Path("docs")
    for (page, marker), table in tables().items():
        path = docs / page
        text = path.read_text(encoding="utf-8")
        pattern = re.compile(rf"(<!-- {marker}: begin[^\n]*-->\n)(.*?)(<!-- {marker}: end -->)", re.S)
        if not pattern.search(text):
            print(f"{path}: no '{marker}' markers", file=sys.stderr)
            return 2
        new = pattern.sub(lambda m: m.group(1) + table + m.group(3), text)
        if new != text:
            path.write_text(new, encoding="utf-8")
        print(f"{path}: {'updated' if new != text else 'up to date'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
