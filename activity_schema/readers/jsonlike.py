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
from typing import Any

import polars as pl

from ..codes import IssueCode, Severity
from ..errors import InputError
from ..report import ISSUE_SCHEMA, empty_issues
from .table import LINE, ROW, SourceTable, unique_names

__all__ = ["read_json", "read_ndjson"]

_WHITESPACE = " \t\n\r"


class _Number(str):
    """A JSON number kept as its literal text; the type still says it was a number."""

    __slots__ = ()


class _Deep(str):
    """The raw text of a value nested too deeply to parse (its brackets balance)."""

    __slots__ = ()


_DECODER = json.JSONDecoder(parse_float=_Number, parse_int=_Number, parse_constant=_Number)
_LINE_END = re.compile(r"\r\n?|\n")
# A string (escapes included), a run of opening or of closing brackets, or anything else.
_TOKENS = re.compile(r'"[^"\\]*(?:\\.[^"\\]*)*"|[\[{]+|[\]}]+|[^"\[\]{}]+|"')


def _kind(value: object) -> str:
    if isinstance(value, _Deep):
        return "a value nested too deeply"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
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
    record: dict[str, Any] = {}
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
        record[key] = value
        pos = _skip_ws(text, pos)
        if text.startswith(",", pos):
            pos = _skip_ws(text, pos + 1)
            continue
        if text.startswith("}", pos):
            return record, pos + 1
        raise json.JSONDecodeError("Expecting ',' delimiter", text, pos)


def read_json(text: str, *, name: str) -> SourceTable:
    """Read a JSON array of objects.

    Args:
        text: The decoded text.
        name: The input's display name.

    Raises:
        InputError: The text is not valid JSON, or not an array of objects.

    Example:
        >>> read_json('[{"email": "a@b.co"}, {"type": "x"}]', name="x").headers
        ('email', 'type')
    """
    lines = _line_index(text)
    pos = len(text) - len(text.lstrip(_WHITESPACE))
    if pos == len(text):
        raise InputError("the file is empty", path=name, hint="export the data again")
    if text[pos] != "[":
        try:
            top, _ = _decode_value(text, pos)
        except json.JSONDecodeError as err:
            raise _decode_error(err, name, lines) from None
        raise InputError(
            f"the JSON top level is {_kind(top)}, expected an array of objects",
            path=name,
            line=1,
            hint="wrap the records in [ ... ] or use NDJSON (one object per line)",
        )
    records: list[Any] = []
    starts: list[int] = []
    pos += 1
    try:
        while True:
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            if pos < len(text) and text[pos] == "]" and not records:
                pos += 1
                break
            value, end = _decode_value(text, pos)
            records.append(value)
            starts.append(pos)
            pos = end
            while pos < len(text) and text[pos] in _WHITESPACE:
                pos += 1
            if pos < len(text) and text[pos] == ",":
                pos += 1
                continue
            if pos < len(text) and text[pos] == "]":
                pos += 1
                break
            raise json.JSONDecodeError("expected ',' or ']'", text, pos)
    except json.JSONDecodeError as err:
        raise _decode_error(err, name, lines) from None
    if text[pos:].strip(_WHITESPACE):
        extra = json.JSONDecodeError("extra data after the array", text, pos)
        raise _decode_error(extra, name, lines)
    line_numbers = [bisect.bisect_right(lines, s) for s in starts]
    return _to_table(records, line_numbers, name=name, fmt="json")


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
    header_list = [str(h) for h in headers]
    names = unique_names(header_list)
    columns: dict[str, list[str | None]] = {n: [] for n in names}
    nested: list[dict[str, object]] = []
    for index, record in enumerate(records):
        for key, col in zip(header_list, names, strict=True):
            value = record.get(key)
            if isinstance(value, _Deep | dict | list):
                text = (
                    str(value)
                    if isinstance(value, _Deep)
                    else json.dumps(value, ensure_ascii=False)
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
                        "column": key,
                        "value": text[:200],
                        "message": f"{key!r} holds {held}, expected text or a number",
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
