"""Encode clean rows as Eloqua upload bodies: UTF-8 JSON arrays or RFC 4180 CSV, in parts.

Pure functions, no file I/O: frames in, bytes out. Every record is encoded once, with
polars expressions, into its text; the parts are then cut from a cumulative sum of the
records' byte lengths, so no Python code runs per record (docs/eloqua.md section 3).

Layout of a body (``sep`` between records, so a part's size is known before it is built)::

    JSON  b"[\\n" + b",\\n".join(records) + b"\\n]\\n"     one object per line
    CSV   header + b"\\r\\n" + b"\\r\\n".join(records) + b"\\r\\n"

JSON objects have the fields as keys in schema order and the values as JSON strings;
empty values (null or ``""``) are omitted, never written as ``null`` or ``"null"``
(Eloqua stores the string "null" as a value, docs/eloqua.md section 2). Non-ASCII text is
written as UTF-8, not as ``\\u`` escapes; control characters are escaped as JSON requires.
CSV uses a comma, quotes a cell only when it holds a comma, a quote, CR or LF (quotes
doubled), writes empty cells for empty values, and ends lines with CRLF as RFC 4180 says.
Neither format has a byte-order mark.
"""

from __future__ import annotations

import functools
import hashlib
import json
from collections.abc import Collection, Iterator, Sequence
from dataclasses import dataclass
from typing import Final, Literal

import numpy as np
import polars as pl

from ..defaults import DEFAULT_MAX_BYTES
from ..errors import UsageError
from ..readers.table import FILE, LINE, ROW
from .manifest import CONTENT_TYPES

__all__ = [
    "CONTENT_TYPES",
    "FORMATS",
    "Chunk",
    "Framing",
    "OutputFormat",
    "RecordSizes",
    "check_limits",
    "cut_parts",
    "encode_chunks",
    "encode_document",
    "encode_records",
    "json_escaped",
    "oversized_records",
    "part_framing",
    "part_overhead",
    "part_ranges",
    "record_sizes",
]

OutputFormat = Literal["json", "csv"]

#: The output formats, in the order the CLI lists them.
FORMATS: Final = ("json", "csv")

#: The columns that say where each record came from.
_SOURCE_COLUMNS: Final = (FILE, ROW, LINE)
#: Characters that make RFC 4180 quote a cell.
_CSV_SPECIAL: Final = [",", '"', "\r", "\n"]
#: Records per piece when a whole document is streamed.
_STREAM_BATCH_ROWS: Final = 50_000


@dataclass(frozen=True, eq=False)
class Chunk:
    """One upload body: a complete JSON array or CSV document.

    Attributes:
        index: The 1-based part number.
        body: The encoded bytes (at most the ``max_bytes`` it was cut for).
        rows: The number of records in it.
        sources: ``_file``, ``_row`` and ``_line`` of each record, in body order, so that
            record ``i`` of the body (Eloqua's ``recordIndex`` is ``i + 1`` within one
            POST) maps back to its source line.
        content_type: ``application/json`` or ``text/csv``.
    """

    index: int
    body: bytes
    rows: int
    sources: pl.DataFrame
    content_type: str

    @property
    def size(self) -> int:
        """Return the body's length in bytes."""
        return len(self.body)

    @functools.cached_property
    def sha256(self) -> str:
        """Return the hex SHA-256 of ``body``, taken when first asked for.

        The writers hash a part while writing it
        (:class:`~activity_schema.output.write.HashingWriter`) and never ask: a second pass
        over every part's bytes would be wasted there.
        """
        return hashlib.sha256(self.body).hexdigest()


@dataclass(frozen=True)
class Framing:
    """How a part frames its records: ``prefix + sep.join(records) + suffix``.

    Attributes:
        prefix: Before the first record (``[`` and a line end, or the CSV header line).
        sep: Between two records (``,`` and LF, or CRLF).
        suffix: After the last record.
        empty: The whole document when there is no record.
    """

    prefix: bytes
    sep: bytes
    suffix: bytes
    empty: bytes

    @property
    def overhead(self) -> int:
        # n records cost prefix + suffix + sum(len + sep) - one sep (none after the last).
        return len(self.prefix) + len(self.suffix) - len(self.sep)


def _check_format(to: str) -> None:
    if to not in FORMATS:
        raise UsageError(f"unknown output format {to!r}", hint=f"use one of {', '.join(FORMATS)}")


def _csv_cell(text: str) -> str:
    if any(c in text for c in _CSV_SPECIAL):
        return '"' + text.replace('"', '""') + '"'
    return text


def _layout(fields: Sequence[str], to: str) -> Framing:
    _check_format(to)
    if to == "json":
        return Framing(prefix=b"[\n", sep=b",\n", suffix=b"\n]\n", empty=b"[]\n")
    header = (",".join(_csv_cell(f) for f in fields) + "\r\n").encode("utf-8")
    return Framing(prefix=header, sep=b"\r\n", suffix=b"\r\n", empty=header)


def part_framing(fields: Sequence[str], *, to: OutputFormat) -> Framing:
    """Return how a part of ``fields`` in format ``to`` frames its records.

    Example:
        >>> part_framing(["a"], to="json").sep
        b',\\n'
    """
    return _layout(fields, to)


def part_overhead(fields: Sequence[str], *, to: OutputFormat) -> int:
    """Return the bytes a part costs beyond its records and their separators.

    A part of records ``r1..rn`` is ``part_overhead + sum(len(ri) + separator)`` bytes,
    where the separator is 2 bytes (``,\\n`` or CRLF) in both formats.

    Example:
        >>> part_overhead(["a", "b"], to="csv")
        5
    """
    return _layout(fields, to).overhead


#: What JSON requires escaped in a string, and how polars' JSON writer escapes it
#: (``\\``, ``\"``, the short forms of five controls, ``\u00XX`` for the others).
_JSON_SPECIAL: Final = ["\\", '"', *(chr(c) for c in range(0x20))]
_JSON_SHORT: Final = {"\b": "\\b", "\t": "\\t", "\n": "\\n", "\f": "\\f", "\r": "\\r"}
_JSON_ESCAPED: Final = [
    "\\\\",
    '\\"',
    *(_JSON_SHORT.get(chr(c), f"\\u{c:04x}") for c in range(0x20)),
]


def json_escaped(col: pl.Expr) -> pl.Expr:
    r"""Return a ``String`` expression's text escaped for a JSON string (no quotes added).

    As ``json.dumps(text, ensure_ascii=False)`` escapes it, and polars' JSON writer:
    ``\\``, ``\"``, the short forms of five controls, ``\u00XX`` for the others.

    Example:
        >>> pl.select(json_escaped(pl.lit('say "hi"\n'))).item()
        'say \\"hi\\"\\n'
    """
    # One pass of Aho-Corasick finds the rare value that needs escaping; only those are
    # rewritten, all specials at once (so a backslash is never escaped twice).
    escaped = col.str.replace_many(_JSON_SPECIAL, _JSON_ESCAPED)
    return pl.when(col.str.contains_any(_JSON_SPECIAL)).then(escaped).otherwise(col)


def _json_record(fields: Sequence[str], plain: Collection[str] = ()) -> pl.Expr:
    # One flat concat_str over two pieces per field: the key (with the previous value's
    # closing quote and a comma when a value came before) and the escaped value, both
    # null when the value is null or "" (omitted); concat_str skips the nulls. Nested
    # concatenations (one per member, then the record) would build every member first.
    pieces: list[pl.Expr] = [pl.lit("{")]
    seen: pl.Expr | None = None  # some earlier field has a value (null when none has)
    for name in fields:
        col = pl.col(name).cast(pl.String)
        present = col.str.len_bytes() > 0  # null for null, false for ""
        key = json.dumps(name, ensure_ascii=False) + ':"'
        opening: pl.Expr
        if seen is None:
            opening = pl.when(present).then(pl.lit(key))
            seen = present
        else:
            opening = (
                pl.when(present & seen).then(pl.lit('",' + key)).when(present).then(pl.lit(key))
            )
            seen = seen | present
        value = col if name in plain else json_escaped(col)
        pieces += [opening, pl.when(present).then(value)]
    if seen is None:
        raise UsageError("no fields to write", hint="the schema needs at least one field")
    pieces.append(pl.when(seen).then(pl.lit('"}')).otherwise(pl.lit("}")))
    return pl.concat_str(pieces, ignore_nulls=True)


def _csv_value(name: str, *, alone: bool, plain: bool = False) -> pl.Expr:
    col = pl.col(name).cast(pl.String)
    quoted = pl.concat_str(pl.lit('"'), col.str.replace_all('"', '""', literal=True), pl.lit('"'))
    cell = col if plain else pl.when(col.str.contains_any(_CSV_SPECIAL)).then(quoted).otherwise(col)
    # A record of one empty cell would be a blank line, which readers skip; "" keeps it.
    return cell.fill_null('""').replace("", '""') if alone else cell.fill_null("")


def _record_expr(fields: Sequence[str], to: str, plain: Collection[str] = ()) -> pl.Expr:
    if to == "json":
        return _json_record(fields, plain)
    alone = len(fields) == 1
    cells = [_csv_value(f, alone=alone, plain=f in plain) for f in fields]
    return pl.concat_str(cells, separator=",")


def _require(frame: pl.DataFrame, columns: Sequence[str]) -> None:
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise UsageError(
            f"the frame has no column {', '.join(map(repr, missing))}",
            hint="pass Prepared.clean, which has _file, _row, _line and every field",
        )


def encode_records(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    to: OutputFormat,
    plain: Collection[str] = (),
) -> pl.Series:
    """Encode each row as its record text: a JSON object or a CSV line without line end.

    Args:
        frame: The rows; every name in ``fields`` must be a column (cast to text).
        fields: The output fields, in order.
        to: ``json`` or ``csv``.
        plain: Fields none of whose values in ``frame`` needs escaping (JSON) or
            quoting (CSV), as :func:`record_sizes` finds them: the check is skipped.
            A field named here wrongly is written unescaped: pass only what
            ``record_sizes`` returned for these rows (or for rows they are part of).

    Returns:
        A ``String`` series named ``record``, one value per row.

    Example:
        >>> rows = pl.DataFrame({"a": ["é", None], "b": ["x,y", "1"]})
        >>> encode_records(rows, ["a", "b"], to="json").to_list()
        ['{"a":"é","b":"x,y"}', '{"b":"1"}']
        >>> encode_records(rows, ["a", "b"], to="csv").to_list()
        ['é,"x,y"', ',1']
    """
    _check_format(to)
    _require(frame, fields)
    if not fields:
        raise UsageError("no fields to write", hint="the schema needs at least one field")
    # The streaming engine encodes morsels of rows on every core; in memory, one
    # concatenation of every field would run on one.
    record = _record_expr(fields, to, plain).alias("record")
    return frame.lazy().select(record).collect(engine="streaming").to_series()


#: What JSON escapes with one more byte (a backslash before it, or its short form).
_JSON_PLUS_ONE: Final = r'["\\\x08\t\n\x0c\r]'
#: The controls JSON writes as ``\u00XX``: five more bytes each.
_JSON_PLUS_FIVE: Final = r"[\x00-\x07\x0b\x0e-\x1f]"


@dataclass(frozen=True, eq=False)
class RecordSizes:
    """Each row's record size, known before any record is encoded.

    Attributes:
        lengths: The byte length of each row's :func:`encode_records` text (``int64``).
        plain: The fields none of whose values needs escaping (JSON) or quoting (CSV);
            :func:`encode_records` skips that work for them.
    """

    lengths: np.ndarray
    plain: frozenset[str]

    def __len__(self) -> int:
        return int(self.lengths.size)

    def slice(self, start: int, stop: int | None = None) -> RecordSizes:
        """Return the sizes of rows ``start:stop`` (what is plain in all is in some)."""
        return RecordSizes(self.lengths[start:stop], self.plain)

    def take(self, rows: np.ndarray) -> RecordSizes:
        """Return the sizes of ``rows`` (indices, or a boolean mask), in that order."""
        return RecordSizes(self.lengths[rows], self.plain)

    def then(self, other: RecordSizes) -> RecordSizes:
        """Return these rows' sizes followed by ``other``'s (plain: in both)."""
        return RecordSizes(np.concatenate([self.lengths, other.lengths]), self.plain & other.plain)


def record_sizes(frame: pl.DataFrame, fields: Sequence[str], *, to: OutputFormat) -> RecordSizes:
    """Return each row's record size in bytes, without encoding the records.

    Equal to ``encode_records(frame, fields, to=to).str.len_bytes()``, from the values'
    lengths and, for the rare values that need escaping or quoting, their special
    characters counted. A writer can then cut parts first and encode each part's
    records as it writes them, instead of holding every record of the run at once.

    Example:
        >>> rows = pl.DataFrame({"a": ["é", None, 'say "hi"'], "b": ["x,y", "1", ""]})
        >>> record_sizes(rows, ["a", "b"], to="json").lengths.tolist()
        [20, 9, 18]
        >>> encode_records(rows, ["a", "b"], to="json").str.len_bytes().to_list()
        [20, 9, 18]
        >>> sorted(record_sizes(rows, ["a", "b"], to="json").plain)
        ['b']
    """
    _check_format(to)
    _require(frame, fields)
    if not fields:
        raise UsageError("no fields to write", hint="the schema needs at least one field")
    special = _JSON_SPECIAL if to == "json" else _CSV_SPECIAL
    texts = [pl.col(f).cast(pl.String) for f in fields]
    lengths = [t.str.len_bytes().fill_null(0).cast(pl.Int64) for t in texts]
    if to == "json":
        # '"key":"value"' per present value, commas between them, and the braces.
        keys = [len(json.dumps(f, ensure_ascii=False).encode("utf-8")) + 3 for f in fields]
        present = [n > 0 for n in lengths]
        members = [
            pl.when(p).then(n + k).otherwise(0)
            for p, n, k in zip(present, lengths, keys, strict=True)
        ]
        commas = (pl.sum_horizontal(present).cast(pl.Int64) - 1).clip(lower_bound=0)
        total = 2 + pl.sum_horizontal(members) + commas
    else:
        # Cells joined by commas; a lone empty cell is written "" (see _csv_value).
        alone = [pl.when(lengths[0] > 0).then(lengths[0]).otherwise(2)]
        cells = lengths if len(fields) > 1 else alone
        total = pl.sum_horizontal(cells) + (len(fields) - 1)
    flags = [
        t.str.contains_any(special).fill_null(False).alias(f"__s{i}") for i, t in enumerate(texts)
    ]
    found = frame.lazy().select(total.alias("__size"), *flags).collect(engine="streaming")
    sizes = found.get_column("__size").to_numpy().astype(np.int64, copy=True)
    plain = set()
    for i, name in enumerate(fields):
        rows = found.get_column(f"__s{i}").arg_true()
        if rows.len() == 0:
            plain.add(name)
            continue
        values = frame.get_column(name).cast(pl.String).gather(rows)
        if to == "json":
            extra = values.str.count_matches(_JSON_PLUS_ONE) + 5 * values.str.count_matches(
                _JSON_PLUS_FIVE
            )
        else:  # quoted: two quotes, and each quote doubled
            extra = 2 + values.str.count_matches('"', literal=True)
        np.add.at(sizes, rows.to_numpy(), extra.cast(pl.Int64).to_numpy())
    return RecordSizes(sizes, frozenset(plain))


def check_limits(
    fields: Sequence[str], *, to: OutputFormat, max_bytes: int, max_rows: int | None = None
) -> None:
    """Refuse limits no part can meet: fewer bytes than a part's framing, or no rows.

    Raises:
        UsageError: The limits are impossible.

    Example:
        >>> check_limits(["email"], to="json", max_bytes=4)
        Traceback (most recent call last):
        ...
        activity_schema.errors.UsageError: a byte limit of 4 is too small: ...
    """
    layout = _layout(fields, to)
    # The smallest possible part holds one record of two bytes ({} or "").
    smallest = layout.overhead + len(layout.sep) + 2
    if max_bytes < smallest:
        raise UsageError(
            f"a byte limit of {max_bytes} is too small: a part needs {smallest} bytes for "
            "its framing alone",
            hint="raise --max-bytes (Eloqua accepts 32,000,000)",
        )
    if max_rows is not None and max_rows < 1:
        raise UsageError(f"the row limit must be at least 1, got {max_rows}")


def oversized_records(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    to: OutputFormat,
    max_bytes: int = DEFAULT_MAX_BYTES,
    records: pl.Series | None = None,
    sizes: RecordSizes | None = None,
) -> pl.DataFrame:
    """Find the records too large to fit in any part, to reject before chunking.

    Args:
        frame: The rows, with ``_file``, ``_row``, ``_line`` and the fields.
        fields: The output fields, in order.
        to: ``json`` or ``csv``.
        max_bytes: The largest body allowed.
        records: The frame's :func:`encode_records`, when already computed.
        sizes: The frame's :func:`record_sizes`, when already computed.

    Returns:
        ``_file``, ``_row``, ``_line`` and ``bytes`` (the size of a part holding only
        that record) of each such record, in frame order; empty when all fit.

    Example:
        >>> rows = pl.DataFrame({"_file": ["f", "f"], "_row": [1, 2], "_line": [2, 3],
        ...                      "a": ["x", "y" * 50]})
        >>> oversized_records(rows, ["a"], to="json", max_bytes=40).get_column("_row").to_list()
        [2]
    """
    layout = _layout(fields, to)
    check_limits(fields, to=to, max_bytes=max_bytes)
    _require(frame, [*_SOURCE_COLUMNS, *fields])
    lengths = _lengths(frame, fields, to, records, sizes)
    alone = pl.Series(lengths + (len(layout.sep) + layout.overhead))
    return (
        frame.select(*_SOURCE_COLUMNS)
        .with_columns(alone.alias("bytes"))
        .filter(pl.col("bytes") > max_bytes)
    )


def _cuts(costs: np.ndarray, capacity: int, max_rows: int | None) -> Iterator[tuple[int, int]]:
    # Greedy packing: each part takes as many records as fit. One binary search per part
    # (not per record) finds where the running total passes the part's capacity.
    ends = np.cumsum(costs, dtype=np.int64)
    start, n = 0, len(costs)
    while start < n:
        base = int(ends[start - 1]) if start else 0
        stop = int(np.searchsorted(ends, base + capacity, side="right"))
        if max_rows is not None:
            stop = min(stop, start + max_rows)
        if stop <= start:
            raise UsageError(
                f"record {start + 1} does not fit in a part",
                hint="reject oversized records first with oversized_records()",
            )
        yield start, stop
        start = stop


def part_ranges(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    to: OutputFormat,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    records: pl.Series | None = None,
) -> tuple[pl.Series, list[tuple[int, int]]]:
    """Cut rows into parts: the records and each part's ``(start, stop)`` row range.

    Records are packed greedily in frame order, each part taking as many as fit in
    ``max_bytes`` (and ``max_rows``). The arguments are those of :func:`encode_chunks`,
    which builds each part's body from these ranges; a writer can instead write
    ``records[start:stop]`` framed by :func:`part_framing` straight into a file.

    Raises:
        UsageError: A bad format or limit, a missing column, or a record that cannot fit.

    Example:
        >>> rows = pl.DataFrame({"_file": ["f"] * 3, "_row": [1, 2, 3], "_line": [2, 3, 4],
        ...                      "email": ["a@b.co", "c@d.co", "e@f.co"]})
        >>> part_ranges(rows, ["email"], to="json", max_bytes=50)[1]
        [(0, 2), (2, 3)]
    """
    check_limits(fields, to=to, max_bytes=max_bytes, max_rows=max_rows)
    if records is None:
        records = encode_records(frame, fields, to=to)
    ranges = cut_parts(
        frame, fields, to=to, max_bytes=max_bytes, max_rows=max_rows, records=records
    )
    return records, ranges


def cut_parts(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    to: OutputFormat,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    records: pl.Series | None = None,
    sizes: RecordSizes | None = None,
) -> list[tuple[int, int]]:
    """Cut rows into parts without encoding them: each part's ``(start, stop)`` row range.

    The ranges :func:`part_ranges` gives, from the records' sizes alone
    (:func:`record_sizes`, or ``records`` when already encoded), so that a writer can
    encode each part's records only when it writes that part.

    Raises:
        UsageError: A bad format or limit, a missing column, or a record that cannot fit.

    Example:
        >>> rows = pl.DataFrame({"_file": ["f"] * 3, "_row": [1, 2, 3], "_line": [2, 3, 4],
        ...                      "email": ["a@b.co", "c@d.co", "e@f.co"]})
        >>> cut_parts(rows, ["email"], to="json", max_bytes=50)
        [(0, 2), (2, 3)]
    """
    layout = _layout(fields, to)
    check_limits(fields, to=to, max_bytes=max_bytes, max_rows=max_rows)
    _require(frame, [*_SOURCE_COLUMNS, *fields])
    if frame.height == 0:
        return []
    costs = _lengths(frame, fields, to, records, sizes) + len(layout.sep)
    too_large = int(np.argmax(costs + layout.overhead > max_bytes))
    if costs[too_large] + layout.overhead > max_bytes:
        where = frame.row(too_large, named=True)
        raise UsageError(
            f"record {where[ROW]} of {where[FILE]} (line {where[LINE]}) needs "
            f"{int(costs[too_large]) + layout.overhead} bytes, over the {max_bytes}-byte limit",
            hint="reject oversized records first with oversized_records()",
        )
    return list(_cuts(costs, max_bytes - layout.overhead, max_rows))


def _lengths(
    frame: pl.DataFrame,
    fields: Sequence[str],
    to: OutputFormat,
    records: pl.Series | None,
    sizes: RecordSizes | None,
) -> np.ndarray:
    """Return each record's byte length: from ``sizes``, from ``records``, or measured."""
    if records is not None and sizes is None:
        lengths = records.str.len_bytes().cast(pl.Int64).to_numpy()
    else:
        lengths = (sizes or record_sizes(frame, fields, to=to)).lengths
    if lengths.size != frame.height:
        raise UsageError(f"{lengths.size} record sizes given for a frame of {frame.height} rows")
    return lengths.astype(np.int64, copy=False)


def encode_chunks(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    to: OutputFormat,
    max_bytes: int = DEFAULT_MAX_BYTES,
    max_rows: int | None = None,
    records: pl.Series | None = None,
    sizes: RecordSizes | None = None,
) -> Iterator[Chunk]:
    """Encode rows as upload bodies of at most ``max_bytes`` each, split between records.

    Records are packed greedily in frame order. A record too large for any part is not
    truncated: find and reject such records first with :func:`oversized_records`; one
    left in ``frame`` raises :class:`~activity_schema.errors.UsageError`.

    Args:
        frame: The rows, with ``_file``, ``_row``, ``_line`` and the fields (e.g.
            ``Prepared.clean``); null or empty values are left out of JSON objects.
        fields: The output fields, in order (the schema's ``names``).
        to: ``json`` or ``csv``.
        max_bytes: The largest body (default: Eloqua's 32 MB limit).
        max_rows: The most records per body (default: no limit).
        records: The frame's :func:`encode_records`, when already computed.
        sizes: The frame's :func:`record_sizes`, when already computed. Without
            ``records``, each part's records are encoded as that part is built, so that
            no more than one part's records are held at once.

    Yields:
        The parts, numbered from 1; none when ``frame`` is empty.

    Raises:
        UsageError: A bad format or limit, a missing column, or a record that cannot fit.

    Example:
        >>> rows = pl.DataFrame({"_file": ["f"] * 3, "_row": [1, 2, 3], "_line": [2, 3, 4],
        ...                      "email": ["a@b.co", "c@d.co", "e@f.co"]})
        >>> [c.rows for c in encode_chunks(rows, ["email"], to="json", max_bytes=50)]
        [2, 1]
    """
    layout = _layout(fields, to)
    if records is None:
        sizes = sizes or record_sizes(frame, fields, to=to)
    ranges = cut_parts(
        frame, fields, to=to, max_bytes=max_bytes, max_rows=max_rows, records=records, sizes=sizes
    )
    sources = frame.select(*_SOURCE_COLUMNS)
    separator = layout.sep.decode()
    for index, (start, stop) in enumerate(ranges, start=1):
        if records is not None:
            part = records.slice(start, stop - start)
        else:
            rows = frame.slice(start, stop - start)
            part = encode_records(rows, fields, to=to, plain=sizes.plain if sizes else ())
        # Joined by polars and taken as bytes, never as a Python str; then framed. Framing
        # in polars (concat_str around the joined value) took 5x as long as this copy.
        joined = part.str.join(separator).cast(pl.Binary).item()
        yield Chunk(
            index=index,
            body=b"".join((layout.prefix, joined, layout.suffix)),
            rows=stop - start,
            sources=sources.slice(start, stop - start),
            content_type=CONTENT_TYPES[to],
        )


def encode_document(
    frame: pl.DataFrame,
    fields: Sequence[str],
    *,
    to: OutputFormat,
    batch_rows: int = _STREAM_BATCH_ROWS,
) -> Iterator[bytes]:
    """Encode rows as one JSON array or CSV document, in pieces, with no size limit.

    The pieces joined are one document laid out as a part is; an empty frame gives
    ``[]`` or the header line alone. For streaming to stdout (``-o -``) and for rejects.

    Args:
        frame: The rows; every name in ``fields`` must be a column.
        fields: The columns to write, in order.
        to: ``json`` or ``csv``.
        batch_rows: Records encoded per piece (bounds memory, not the output).

    Yields:
        Consecutive pieces of the document.

    Example:
        >>> rows = pl.DataFrame({"a": ["1", "2"]})
        >>> b"".join(encode_document(rows, ["a"], to="csv"))
        b'a\\r\\n1\\r\\n2\\r\\n'
    """
    layout = _layout(fields, to)
    if frame.height == 0:
        _require(frame, fields)
        yield layout.empty
        return
    sep = layout.sep.decode()
    yield layout.prefix
    for start in range(0, frame.height, batch_rows):
        records = encode_records(frame.slice(start, batch_rows), fields, to=to)
        text = records.str.join(sep).cast(pl.Binary).item()
        yield layout.sep + text if start else text
    yield layout.suffix
