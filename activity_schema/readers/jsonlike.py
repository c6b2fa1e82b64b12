"""Read a JSON array of objects, or NDJSON, into text columns with positions.

Records may have different keys (the Eloqua reference page's own example does): the
columns are the union of keys in order of first appearance, and a missing key is a
missing value. Numbers keep their literal text (``1e5`` stays ``1e5``, ``00123`` cannot
occur in JSON but ``123.0`` stays ``123.0``); ``true``/``false`` become text; nested
objects and arrays are reported as ``nested-value`` and their row is rejected. A value
nested deeper than Python's parser can follow (thousands of levels) is kept as its raw
text and reported the same way; only its brackets are matched, not parsed.

Lines end at LF, CRLF or a lone CR, as in the other readers.
"""

from __future__ import annotations

import bisect
import json
import re
from dataclasses import replace
from typing import Any

import polars as pl

from ..errors import InputError
from ..issues.codes import IssueCode, Severity
from ..issues.records import ISSUE_SCHEMA, empty_issues, file_issue
from .bounds import check_column_count
from .table import LINE, ROW, SourceTable, unique_names

__all__ = ["read_json", "read_ndjson"]

_WHITESPACE = " \t\n\r"


class _Number(str):
    """A JSON number kept as its literal text; the type still says it was a number."""

    __slots__ = ()


class _Deep(str):
    """The raw text of a value nested too deeply to parse (its brackets balance)."""

    __slots__ = ()


class _Record(dict[str, Any]):
    """A JSON object that remembers the keys it holds more than once.

    Python's parser keeps the last of two equal keys and says nothing; ``duplicates``
    keeps ``(key, first value, last value)`` for each repeat so that it can be reported.
    """

    __slots__ = ("duplicates",)

    def __init__(self) -> None:
        super().__init__()
        self.duplicates: list[tuple[str, Any, Any]] = []

    def put(self, key: str, value: Any) -> None:
        if key in self:
            self.duplicates.append((key, self[key], value))
        self[key] = value


def _object(pairs: list[tuple[str, Any]]) -> _Record:
    record = _Record()
    for key, value in pairs:
        record.put(key, value)
    return record


_DECODER = json.JSONDecoder(
    parse_float=_Number, parse_int=_Number, parse_constant=_Number, object_pairs_hook=_object
)
#: A UTF-16 surrogate left alone by a ``\\ud800`` escape: not a character, not UTF-8.
_SURROGATE = re.compile("[\ud800-\udfff]")
#: Eloqua's API wraps lists in ``{"items": [...], "totalResults": ..., ...}``.
_ENVELOPE_KEY = "items"
_LINE_END = re.compile(r"\r\n?|\n")
# A string (escapes included), a run of opening or of closing brackets, or anything else.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]+|[\]}]+|[^"\[\]{}]+|"')


def _kind(value: object) -> str:
    if isinstance(value, _Deep):
        return "a value nested too deeply"
    if isinstance(value, dict):
        return "an object"
    if isinstance(value, _Number):
        return "a number"
    return {list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if value is not None else "null"
    )


def _line_index(text: str) -> list[int]:
    """Return the offset where each line starts."""
    if "\r" in text:
        return [0, *(m.end() for m in _LINE_END.finditer(text))]
    # The common case, four times faster than the regular expression.
    index = [0]
    pos = text.find("\n")
    while pos != -1:
        index.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return index


def _decode_error(
    err: json.JSONDecodeError, name: str, lines: list[int] | None = None, first_line: int = 1
) -> InputError:
    index = lines if lines is not None else _line_index(err.doc)
    line = bisect.bisect_right(index, err.pos)
    column = err.pos - index[line - 1] + 1
    line += first_line - 1
    return InputError(
        f"invalid JSON at line {line}, column {column}: {err.msg}",
        path=name,
        line=line,
        offset=err.pos,
        hint="fix the JSON syntax there (a missing comma, quote or bracket)",
    )


def _skip_ws(text: str, pos: int) -> int:
    while pos < len(text) and text[pos] in _WHITESPACE:
        pos += 1
    return pos


def _skip_nested(text: str, pos: int) -> int:
    """Return the end of the array or object at ``pos`` by matching its brackets.

    Iterative, so any depth works; runs of brackets are taken in one step.
    """
    depth = 0
    for match in _TOKENS.finditer(text, pos):
        token = match.group(0)
        if token[0] in "[{":
            depth += len(token)
        elif token[0] in "]}":
            if len(token) >= depth:
                return match.start() + depth
            depth -= len(token)
        elif token == '"':
            raise json.JSONDecodeError("Unterminated string starting at", text, match.start())
    raise json.JSONDecodeError("Expecting ']' or '}': the value never closes", text, len(text))


def _decode_value(text: str, pos: int) -> tuple[Any, int]:
    """Decode the JSON value at ``pos``; one too deep for the parser becomes :class:`_Deep`.

    An object's members are decoded one by one, so that only the too-deep member is lost
    to a ``nested-value`` report, not the whole record.
    """
    try:
        return _DECODER.raw_decode(text, pos)
    except RecursionError:
        pass
    if text.startswith("[", pos):
        end = _skip_nested(text, pos)
        return _Deep(text[pos:end]), end
    if not text.startswith("{", pos):
        raise json.JSONDecodeError("Expecting value", text, pos)
    record = _Record()
    pos = _skip_ws(text, pos + 1)
    if text.startswith("}", pos):
        return record, pos + 1
    while True:
        if not text.startswith('"', pos):
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, pos
            )
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if not text.startswith(":", pos):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
        pos = _skip_ws(text, pos + 1)
        if text.startswith(("[", "{"), pos):
            try:
                value, pos = _DECODER.raw_decode(text, pos)
            except RecursionError:
                end = _skip_nested(text, pos)
                value, pos = _Deep(text[pos:end]), end
        else:
            value, pos = _DECODER.raw_decode(text, pos)
        record.put(key, value)
        pos = _skip_ws(text, pos)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
            continue
        if text.startswith("}", pos):
            return record, pos + 1
        raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def _read_array(text: str, pos: int) -> tuple[list[Any], list[int], int]:
    """Read the array that opens at ``pos``: its values, where each starts, and its end."""
    records: list[Any] = []
    starts: list[int] = []
    pos += 1
    while True:
        pos = _skip_ws(text, pos)
        if text.startswith("]", pos) and not records:
            return records, starts, pos + 1
        value, end = _decode_value(text, pos)
        records.append(value)
        starts.append(pos)
        pos = _skip_ws(text, end)
        if text.startswith(",", pos):
            pos += 1
            continue
        if text.startswith("]", pos):
            return records, starts, pos + 1
        raise json.JSONDecodeError("expected ',' or ']'", text, pos)


def _envelope_items(text: str, pos: int) -> int | None:
    """Return where the ``items`` array of the object at ``pos`` opens, if it has one.

    The members are walked one by one (not parsed into a dict) so that the records keep
    their positions, for line numbers. The last ``items`` wins, as in a parser.
    """
    found: int | None = None
    pos = _skip_ws(text, pos + 1)
    if text.startswith("}", pos):
        return None
    while True:
        if not text.startswith('"', pos):
            raise json.JSONDecodeError(
                "Expecting property name enclosed in double quotes", text, pos
            )
        key, pos = _DECODER.raw_decode(text, pos)
        pos = _skip_ws(text, pos)
        if not text.startswith(":", pos):
            raise json.JSONDecodeError("Expecting ':' delimiter", text, pos)
        pos = _skip_ws(text, pos + 1)
        start = pos
        _, pos = _decode_value(text, pos)
        if key == _ENVELOPE_KEY:
            found = start if text.startswith("[", start) else None
        pos = _skip_ws(text, pos)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
            continue
        if text.startswith("}", pos):
            return found
        raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def read_json(text: str, *, name: str) -> SourceTable:
    """Read a JSON array of objects, or Eloqua's ``{"items": [...]}`` envelope of one.

    Args:
        text: The decoded text.
        name: The input's display name.

    Raises:
        InputError: The text is not valid JSON, not an array of objects, or an empty
            array.

    Example:
        >>> read_json('[{"email": "a@b.co"}, {"type": "x"}]', name="x").headers
        ('email', 'type')
    """
    lines = _line_index(text)
    pos = len(text) - len(text.lstrip(_WHITESPACE))
    if pos == len(text):
        raise InputError("the file is empty", path=name, hint="export the data again")
    envelope = False
    try:
        if text[pos] != "[":
            top, end = _decode_value(text, pos)
            if text[end:].strip(_WHITESPACE):
                raise json.JSONDecodeError("extra data after the value", text, _skip_ws(text, end))
            items = _envelope_items(text, pos) if isinstance(top, dict) else None
            if items is None:
                # An object without an "items" array: one record, or another API's shape.
                also = ' or an object with an "items" array' if isinstance(top, dict) else ""
                raise InputError(
                    f"the JSON top level is {_kind(top)}, expected an array of objects{also}: "
                    "no records",
                    path=name,
                    line=1,
                    hint="wrap the records in [ ... ] or use NDJSON (one object per line)",
                )
            envelope, pos = True, items
        records, starts, pos = _read_array(text, pos)
    except json.JSONDecodeError as err:
        raise _decode_error(err, name, lines) from None
    if text[pos:].strip(_WHITESPACE) and not envelope:
        extra = json.JSONDecodeError("extra data after the array", text, _skip_ws(text, pos))
        raise _decode_error(extra, name, lines)
    if not records:
        where = 'the "items" array is empty' if envelope else "the JSON file is an empty array"
        raise InputError(
            f"{where}: no records", path=name, hint="export the data again; nothing to upload"
        )
    line_numbers = [bisect.bisect_right(lines, s) for s in starts]
    table = _to_table(records, line_numbers, name=name, fmt="json")
    if envelope:
        note = file_issue(
            IssueCode.JSON_ENVELOPE,
            Severity.INFO,
            f'the records are the "items" array of an object ({len(records)} records); '
            "the envelope's other keys were not read",
            file=name,
            line=bisect.bisect_right(lines, starts[0]),
            fix="nothing to do; this is the shape of Eloqua's own exports",
        )
        table = replace(table, issues=pl.concat([table.issues, note]))
    return table


def read_ndjson(text: str, *, name: str) -> SourceTable:
    """Read newline-delimited JSON: one object per line, blank lines skipped.

    Raises:
        InputError: A line is not valid JSON or not an object.
    """
    records: list[Any] = []
    line_numbers: list[int] = []
    blank = 0
    lines = _LINE_END.split(text) if "\r" in text else text.split("\n")
    for number, line in enumerate(lines, start=1):
        if not line.strip(_WHITESPACE):
            blank += 1
            continue
        try:
            start = _skip_ws(line, 0)
            value, end = _decode_value(line, start)
            if line[end:].strip(_WHITESPACE):
                raise json.JSONDecodeError("Extra data", line, _skip_ws(line, end))
        except json.JSONDecodeError as err:
            raise InputError(
                f"invalid JSON at line {number}, column {err.pos + 1}: {err.msg}",
                path=name,
                line=number,
                hint="each line must hold one complete JSON object",
            ) from None
        records.append(value)
        line_numbers.append(number)
    if not records:
        raise InputError("the file is empty", path=name, hint="export the data again")
    # The final line end of a file is not a blank line.
    return _to_table(
        records,
        line_numbers,
        name=name,
        fmt="ndjson",
        blank=blank - text.endswith(("\n", "\r")),
    )


def _to_table(
    records: list[Any], line_numbers: list[int], *, name: str, fmt: str, blank: int = 0
) -> SourceTable:
    headers: dict[str, None] = {}
    for index, record in enumerate(records):
        if not isinstance(record, dict):
            raise InputError(
                f"record {index + 1} is {_kind(record)}, expected an object",
                path=name,
                line=line_numbers[index],
                hint='every record must be an object such as {"email": "..."}',
            )
        headers.update(dict.fromkeys(record))
    # A key with a lone surrogate cannot be a column name as it is (polars holds UTF-8).
    header_list = [_SURROGATE.sub("\ufffd", str(h)) for h in headers]
    check_column_count(len(header_list), name)
    names = unique_names(header_list)
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    nested: list[dict[str, object]] = []
    keys = list(headers)
    for index, record in enumerate(records):
        for duplicate in getattr(record, "duplicates", ()):
            nested.append(_duplicate_issue(duplicate, name, index + 1, line_numbers[index]))
        for key, col in zip(keys, names, strict=True):
            value = record.get(key)
            if isinstance(value, str) and not isinstance(value, _Deep) and _SURROGATE.search(value):
                nested.append(_surrogate_issue(key, value, name, index + 1, line_numbers[index]))
                value = _SURROGATE.sub("\ufffd", value)
            elif _SURROGATE.search(key) and key in record:
                nested.append(_surrogate_issue(key, None, name, index + 1, line_numbers[index]))
            if isinstance(value, _Deep | dict | list):
                text = _SURROGATE.sub(
                    "\ufffd",
                    str(value)
                    if isinstance(value, _Deep)
                    else json.dumps(value, ensure_ascii=False),
                )
                held = (
                    "a value nested too deeply to read"
                    if isinstance(value, _Deep)
                    else _kind(value)
                )
                nested.append(
                    {
                        "code": str(IssueCode.NESTED_VALUE),
                        "severity": str(Severity.ERROR),
                        "file": name,
                        "row": index + 1,
                        "line": line_numbers[index],
                        "field": None,
                        "column": _SURROGATE.sub("\ufffd", key),
                        "value": text[:200],
                        "message": f"{_SURROGATE.sub(chr(0xFFFD), key)!r} holds {held}, "
                        "expected text or a number",
                        "fix": "flatten the value into its own column before upload",
                    }
                )
                columns[col].append(text)
            elif value is None:
                columns[col].append(None)
            elif isinstance(value, bool):
                columns[col].append("true" if value else "false")
            else:
                columns[col].append(str(value) if value != "" else None)
    frame = pl.DataFrame(columns, schema=dict.fromkeys(names, pl.String)).with_columns(
        pl.int_range(1, len(records) + 1, dtype=pl.Int64).alias(ROW),
        pl.Series(LINE, line_numbers, dtype=pl.Int64),
    )
    issues = pl.DataFrame(nested, schema=ISSUE_SCHEMA) if nested else empty_issues()
    return SourceTable(
        name=name,
        frame=frame.select(ROW, LINE, *names),
        headers=tuple(header_list),
        format=fmt,
        issues=issues,
        blank_rows=blank,
    )


def _shown(value: Any) -> str:
    """Return a JSON value as quoted in a message: JSON text, lone surrogates escaped."""
    text = value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)
    return _SURROGATE.sub(lambda m: f"\\u{ord(m.group(0)):04x}", text)[:200]


def _duplicate_issue(
    duplicate: tuple[str, Any, Any], name: str, row: int, line: int
) -> dict[str, object]:
    key, first, last = duplicate
    same = _shown(first) == _shown(last)
    return {
        "code": str(IssueCode.DUPLICATE_KEY),
        "severity": str(Severity.WARNING),
        "file": name,
        "row": row,
        "line": line,
        "field": None,
        "column": _SURROGATE.sub("\ufffd", key),
        "value": _shown(last),
        "message": f"key {_shown(key)!r} appears twice in the record"
        + (
            " (with the same value)"
            if same
            else f": {_shown(first)!r}, then {_shown(last)!r}; the last one was read"
        ),
        "fix": "keep one of the two keys in the source record",
    }


def _surrogate_issue(
    key: str, value: str | None, name: str, row: int, line: int
) -> dict[str, object]:
    where = "value" if value is not None else "key"
    return {
        "code": str(IssueCode.UNDECODABLE_BYTES),
        "severity": str(Severity.ERROR),
        "file": name,
        "row": row,
        "line": line,
        "field": None,
        "column": _SURROGATE.sub("\ufffd", key),
        "value": _shown(value if value is not None else key),
        "message": f"the {where} holds a lone UTF-16 surrogate escape (such as \\ud800), "
        "which is not a character and cannot be written as UTF-8",
        "fix": "fix the escape at the source: a surrogate needs its pair (\\ud83d\\ude00)",
    }
