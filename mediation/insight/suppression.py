"""Small cells left out of published tables, so that no one can be picked out of them.

A table of counts is published with its row and column totals. A cell counting fewer than
MIN_PUBLISHED people (but at least one) is hidden (primary suppression). Hiding it alone is not
enough: its row total minus the row's other cells gives it back. So more cells are hidden
(secondary suppression) until no hidden cell can be worked out from the published figures.

Which hidden cells can be worked out: think of the hidden cells as edges of a graph between
rows and columns. The published totals fix the sum of the hidden cells at each row and each
column. A hidden cell is determined by those sums exactly when its edge lies on no cycle (an
edge on a cycle can move up and down by the same amount as the cycle's other edges, alternately
added and taken away, without changing any total; an edge on no cycle is a bridge, and the
totals on one side of it give it back). So cells are hidden until every hidden cell lies on a
cycle: for a cell on none, the cheapest rectangle through it (one more column of its row, one
more row of its column, and their crossing) is hidden, least published count first.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping

MIN_PUBLISHED = 30

Cell = tuple[str, str]  # (row key, column key)


def suppress(table: Mapping[Cell, int], minimum: int = MIN_PUBLISHED) -> set[Cell]:
    """The cells of `table` ({(row, column): count}) to hide when it is published with its row
    and column totals. Cells missing from `table` count zero and are published as zero. The
    table needs two rows and two columns at least (a single line's totals are its cells)."""
    rows = sorted({r for r, _c in table})
    columns = sorted({c for _r, c in table})
    if len(rows) < 2 or len(columns) < 2:
        raise ValueError("a table published with both totals needs two rows and two columns")
    hidden = {cell for cell, n in table.items() if 0 < n < minimum}
    while True:
        exposed = next((cell for cell in sorted(hidden) if _bridge(hidden, cell)), None)
        if exposed is None:
            return hidden
        hidden |= _cheapest_rectangle(table, hidden, exposed, rows, columns)


def _bridge(hidden: set[Cell], cell: Cell) -> bool:
    """Whether `cell` lies on no cycle of hidden cells: without it, its row and its column are
    no longer joined through other hidden cells."""
    links: dict[tuple[str, str], list[tuple[str, str]]] = defaultdict(list)
    for r, c in hidden:
        if (r, c) != cell:
            links[("row", r)].append(("column", c))
            links[("column", c)].append(("row", r))
    start, goal = ("row", cell[0]), ("column", cell[1])
    seen, stack = {start}, [start]
    while stack:
        node = stack.pop()
        if node == goal:
            return False
        for nxt in links[node]:
            if nxt not in seen:
                seen.add(nxt)
                stack.append(nxt)
    return True


def _cheapest_rectangle(
    table: Mapping[Cell, int],
    hidden: set[Cell],
    cell: Cell,
    rows: list[str],
    columns: list[str],
) -> set[Cell]:
    """The other three corners of the rectangle through `cell` that hide the fewest people
    not hidden already (ties: the first row and column). Zero cells are used only when
    nothing else closes the rectangle: hiding a zero protects nobody's count."""
    row, column = cell
    best: tuple[tuple[int, int], set[Cell]] | None = None
    for other_row in rows:
        for other_column in columns:
            if other_row == row or other_column == column:
                continue
            corners = {(row, other_column), (other_row, column), (other_row, other_column)}
            added = corners - hidden
            zeros = sum(1 for c in added if not table.get(c, 0))
            cost = (zeros, sum(table.get(c, 0) for c in added))
            if best is None or cost < best[0]:
                best = (cost, corners)
    assert best is not None  # two rows and two columns at least
    # Not all three were hidden (the cell would lie on their cycle): each round hides more.
    return best[1]


def suppress_line(values: list[int], minimum: int = MIN_PUBLISHED) -> set[int]:
    """The positions to hide in a single line of counts published with its total (the months
    of a year): each count of 1 to `minimum` - 1, and if only one is, the next smallest count
    too, so that the total minus the printed counts gives back no single one. (A line with a
    single count above zero is its own total: nothing more can hide it.)"""
    hidden = {i for i, n in enumerate(values) if 0 < n < minimum}
    if len(hidden) == 1:
        others = sorted((n, i) for i, n in enumerate(values) if n > 0 and i not in hidden)
        if others:
            hidden.add(others[0][1])
    return hidden
