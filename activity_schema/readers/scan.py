"""The one quote rule of delimited text, and the record structure it gives, vectorized.

A quote character means something only where Python's ``csv`` module and Excel give it a
meaning: at the start of a cell it opens a quoted span, and inside a span a run of
quotes closes it when the run's length is odd (each pair is one literal quote). Anywhere
else a quote is text: the inch mark of ``Monitor 27"``, the quotes of ``x, "y"`` after a
space, the apostrophes of ``'Tis`` and ``Partners'``. After a span closes, a cell that
goes on (``"abc" ,``) goes on as unquoted text, as the csv module reads it.

The rule is a fold over the runs of consecutive quotes, and it reduces to two kinds of
run: an odd run at a cell's edge (after a delimiter, a line break or the start) *flips*
the state whether it was inside a span or not, and an odd run anywhere else *resets* it
to outside (it closes an open span, or is literal in an unquoted cell). Even runs change
nothing. The state after a run is therefore the parity of the flips since the last
reset, which numpy computes with a cumulative sum and a running maximum. Files that are
plain RFC 4180 (every quote pairs at a cell's edges) take a cheaper path to the same
answer: there, every quote toggles.

The structure scan (where records start, on which line, how many cells each has), the
streamed reader's record cutter and the dialect sniffer all call :func:`find_quotes`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

__all__ = ["NL", "NO_QUOTE", "Quotes", "Structure", "count_byte", "find_quotes", "scan"]

NL = 10
#: The quote character of a dialect that has no quoting (``--no-quote``).
NO_QUOTE = ""

_EMPTY = np.zeros(0, dtype=np.intp)


#: Bytes compared at a time by :func:`count_byte` (its mask stays small and warm).
_COUNT_PIECE = 256 * 1024


def count_byte(data: bytes, byte: int) -> int:
    """Return how many times ``byte`` occurs in ``data``.

    ``bytes.count`` compares one byte at a time (49 ms per 105 MB for line feeds); numpy
    compares a vector at a time (12 ms), a piece at a time into one small mask.

    Example:
        >>> count_byte(b"a\\nb\\n\\n", NL)
        3
    """
    values = np.frombuffer(data, dtype=np.uint8)
    mask = np.empty(min(values.size, _COUNT_PIECE), dtype=bool)
    found = 0
    for start in range(0, values.size, _COUNT_PIECE):
        piece = values[start : start + _COUNT_PIECE]
        found += int(np.count_nonzero(np.equal(piece, byte, out=mask[: piece.size])))
    return found


@dataclass(frozen=True)
class Quotes:
    """Where quoted spans open and close in a stretch of text.

    Attributes:
        toggles: Offsets of the quote runs that open or close a span, sorted; they
            alternate (opening, closing, ...) from the state the stretch starts in.
        inside: Whether the stretch ends inside a span.
        literal: Offsets of quote runs read as text where a strict RFC 4180 reader would
            refuse the file: a quote inside an unquoted cell, or a quoted span followed
            by more text in the same cell. Empty unless asked for.
    """

    toggles: np.ndarray
    inside: bool
    literal: np.ndarray


def _is_edge(values: np.ndarray, delimiter: int) -> np.ndarray:
    edge: np.ndarray = (values == NL) | (values == delimiter)
    return edge


def _plain_pairs(
    buf: np.ndarray, positions: np.ndarray, quote: int, delimiter: int, inside: bool
) -> bool:
    """Return whether every quote pairs RFC 4180's way, so that every quote toggles.

    With every quote toggling, openings are every other quote. The toggling is right
    when each opening sits at a cell's start (or right after the closing quote it is
    doubled with) and each closing is followed by a cell's end (or the quote it is
    doubled with).
    """
    opens = positions[int(inside) :: 2]
    closes = positions[1 - int(inside) :: 2]
    n = buf.size
    if opens.size:
        before = buf[opens[opens > 0] - 1]
        if not (_is_edge(before, delimiter) | (before == quote)).all():
            return False
    if closes.size:
        after = buf[closes[closes < n - 1] + 1]
        if not (_is_edge(after, delimiter) | (after == quote)).all():
            return False
    return True


def find_quotes(
    buf: np.ndarray,
    quote: int,
    delimiter: int,
    *,
    positions: np.ndarray | None = None,
    start: int = 0,
    stop: int | None = None,
    inside: bool = False,
    literals: bool = False,
) -> Quotes:
    """Apply the quote rule to ``buf[start:stop]``; the one place the rule lives.

    Args:
        buf: Newline-normalized UTF-8 bytes (only LF ends a line). The byte before
            ``start``, when there is one, tells whether the first quote is at a cell's
            edge; ``start`` 0 is the start of a record.
        quote: The quote byte.
        delimiter: The delimiter byte.
        positions: The offsets of every quote byte in the stretch, when known.
        start: Where the stretch starts.
        stop: Where it ends (default: the end of ``buf``). A run of quotes must not be
            cut by it: a caller that has more text to come stops before trailing quotes.
        inside: Whether the stretch starts inside a quoted span.
        literals: Whether to find the literal quotes (for a warning).

    Returns:
        The toggles, the state at the end, and (if asked) the literal quotes.
    """
    if positions is None:
        positions = np.flatnonzero(buf[start:stop] == quote)
        if start:
            positions += start
    if not positions.size:
        return Quotes(_EMPTY, inside, _EMPTY)
    if _plain_pairs(buf, positions, quote, delimiter, inside):
        return Quotes(positions, bool((positions.size + int(inside)) % 2), _EMPTY)
    # The runs of consecutive quotes: their first offsets and their lengths.
    if positions.size > 1:
        first = np.concatenate(([0], np.flatnonzero(np.diff(positions) != 1) + 1))
    else:
        first = np.zeros(1, dtype=np.intp)
    heads = positions[first]
    lengths = np.diff(first, append=positions.size)
    odd = (lengths & 1).astype(bool)
    edge = _is_edge(buf[np.maximum(heads - 1, 0)], delimiter)
    if heads[0] == 0:
        edge[0] = True  # the start of the buffer is the start of a record
    flip = odd & edge
    reset = odd & ~edge
    flips = np.cumsum(flip, dtype=np.int64)
    runs = np.arange(heads.size)
    last_reset = np.maximum.accumulate(np.where(reset, runs, -1))
    # Flips since the last reset (whose own flip count is 0), or since the start.
    since = np.where(last_reset >= 0, flips[np.maximum(last_reset, 0)], -int(inside))
    after = ((flips - since) & 1).astype(bool)
    before = np.concatenate(([inside], after[:-1]))
    toggles = heads[after != before]
    literal = _EMPTY
    if literals:
        ends = heads + lengths
        next_byte = buf[np.minimum(ends, buf.size - 1)]
        at_cell_end = (ends >= buf.size) | _is_edge(next_byte, delimiter)
        in_text = ~before & ~edge  # a quote inside an unquoted cell
        runs_on = ~after & (before | edge) & ~at_cell_end  # a span closes, the cell goes on
        literal = heads[in_text | runs_on]
    return Quotes(toggles, bool(after[-1]), literal)


@dataclass(frozen=True)
class Structure:
    """The records of delimited text, as the quote rule cuts them.

    Attributes:
        starts: Byte offset of each non-blank record (header included).
        ends: Byte offset one past each record (before its newline).
        lines: 1-based physical line of each record.
        cells: Cells per record.
        blank: Blank records skipped.
        literal_lines: The lines (sorted, unique) holding a quote read as text.
        open_line: The line of a quote that opens a span never closed (0: none); the
            last record then runs to the end of the text.
    """

    starts: np.ndarray
    ends: np.ndarray
    lines: np.ndarray
    cells: np.ndarray
    blank: int
    literal_lines: np.ndarray
    open_line: int

    def drop_leading(self, count: int) -> Structure:
        """Return the structure without its first ``count`` records."""
        return Structure(
            starts=self.starts[count:],
            ends=self.ends[count:],
            lines=self.lines[count:],
            cells=self.cells[count:],
            blank=self.blank,
            literal_lines=self.literal_lines,
            open_line=self.open_line,
        )


def scan(data: bytes, delimiter: str, quotechar: str) -> Structure:
    """Cut newline-normalized UTF-8 text into records and count each one's cells.

    Args:
        data: The text; only LF ends a line.
        delimiter: The delimiter (one ASCII character).
        quotechar: The quote character, or :data:`NO_QUOTE`.

    Returns:
        The records, without blank ones.

    Example:
        >>> s = scan(b'a,b\\n"x,y",27"\\n', ",", '"')
        >>> s.cells.tolist(), s.literal_lines.tolist()
        ([2, 2], [2])
    """
    buf = np.frombuffer(data, dtype=np.uint8)
    n = buf.size
    db = ord(delimiter)
    # One mask, filled for each byte looked for: a fresh array each time would cost a
    # page fault per 4 KB of input, three times over.
    mask = np.empty(n, dtype=bool)
    found = Quotes(_EMPTY, False, _EMPTY)
    # bytes.find is a memchr: files without any quote skip the quote pass entirely.
    if quotechar != NO_QUOTE and data.find(quotechar.encode()) != -1:
        qb = ord(quotechar)
        positions = np.flatnonzero(np.equal(buf, qb, out=mask))
        found = find_quotes(buf, qb, db, positions=positions, literals=True)
    quotes = found.toggles
    newlines = np.flatnonzero(np.equal(buf, NL, out=mask))
    open_line = int(np.searchsorted(newlines, _last_opening(quotes))) + 1 if found.inside else 0
    # A newline ends a record when an even number of toggles comes before it.
    quotes_before = np.searchsorted(quotes, newlines)
    outside = quotes_before % 2 == 0
    record_ends = newlines[outside]
    starts = np.concatenate(([0], record_ends + 1))
    ends = np.concatenate((record_ends, [n]))
    # Where each record's toggles begin in `quotes` (it may hold none).
    first_quote = np.concatenate(([0], quotes_before[outside]))
    if starts[-1] >= n:  # the text ends with a newline: no record after it
        starts, ends, first_quote = starts[:-1], ends[:-1], first_quote[:-1]
    blank_mask = starts == ends
    if record_ends.size == newlines.size:  # no quoted line breaks: record i is on line i + 1
        lines = np.arange(1, starts.size + 1)
    else:
        lines = np.searchsorted(newlines, starts) + 1
    cells = count_cells(np.equal(buf, db, out=mask), starts, quotes, first_quote)
    blank = int(blank_mask.sum())
    if blank:
        keep = ~blank_mask
        starts, ends, lines, cells = starts[keep], ends[keep], lines[keep], cells[keep]
    literal_lines = (
        np.unique(np.searchsorted(newlines, found.literal) + 1) if found.literal.size else _EMPTY
    )
    return Structure(
        starts=starts,
        ends=ends,
        lines=lines,
        cells=cells,
        blank=blank,
        literal_lines=literal_lines,
        open_line=open_line,
    )


def _last_opening(toggles: np.ndarray) -> int:
    """Return where the span left open at the end was opened.

    The toggles alternate from an opening; a doubled quote inside a span is a closing
    and an opening side by side, which do not end the span.
    """
    opens, closes = toggles[0::2], toggles[1::2]
    # Opening k follows closing k - 1; side by side, they are one doubled quote.
    doubled = np.concatenate(([False], closes[: opens.size - 1] + 1 == opens[1:]))
    return int(opens[~doubled][-1])


def count_cells(
    is_delimiter: np.ndarray, starts: np.ndarray, quotes: np.ndarray, first_quote: np.ndarray
) -> np.ndarray:
    """Return each record's cells: one more than its delimiters outside quoted spans.

    The record starts and the toggles (paired: opening, closing) cut the bytes into
    segments, each wholly inside or wholly outside a quoted span. One ``reduceat`` over
    the delimiter mask counts every segment's delimiters, and a record's count is the
    sum of its outside segments. No list of delimiter positions is built: a CSV has
    several delimiters per record, and listing and binary-searching them is slower.
    """
    n = is_delimiter.size
    if quotes.size:
        # The sorted bounds hold each record's start, then that record's toggles.
        start_at = np.arange(starts.size) + first_quote
        is_quote = np.ones(starts.size + quotes.size, dtype=bool)
        is_quote[start_at] = False
        quote_at = np.flatnonzero(is_quote)
        bounds = np.empty(is_quote.size, dtype=np.intp)
        bounds[start_at] = starts
        bounds[quote_at] = quotes
    else:
        bounds = starts
    lengths = np.diff(bounds, append=n)
    # reduceat sums in the dtype it is given, the narrower the faster (8 bits twice as fast
    # as 16, 16 bits several times as fast as 64): take the narrowest that cannot overflow,
    # a segment of k bytes holding at most k delimiters.
    longest = int(lengths.max(initial=0))
    dtype = np.uint8 if longest < 2**8 else np.uint16 if longest < 2**16 else np.int64
    counts = np.add.reduceat(is_delimiter.view(np.uint8), bounds, dtype=dtype)
    # reduceat gives an empty segment (a quote at a record's start) the byte at its bound.
    counts[lengths == 0] = 0
    if not quotes.size:
        return counts.astype(np.int64) + 1
    counts[quote_at[0::2]] = 0  # a segment that an opening quote starts is quoted text
    return np.add.reduceat(counts, start_at, dtype=np.int64) + 1
