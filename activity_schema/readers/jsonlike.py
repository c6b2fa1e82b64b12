"""Read a JSON array of objects, or NDJSON, into text columns with positions.

Records may have different keys (the Eloqua reference page's own example does): the
columns are the union of keys in order of first appearance, and a missing key is a
missing value. Numbers keep their literal text (``1e5`` stays ``1e5``, ``00123`` cannot
occur in JSON but ``123.0`` stays ``123.0``); ``true``/``false`` become text; nested
objects and arrays are reported as ``nested-value`` and their row is rejected.
"""

from __future__ import annotations

import bisect
import json
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


_DECODER = json.JSONDecoder(parse_float=_Number, parse_int=_Number, parse_constant=_Number)


def _kind(value: object) -> str:
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean"}.get(
        type(value), "a number" if value is not None else "null"
    )


def _line_index(text: str) -> list[int]:
    index = [0]
    pos = text.find("\n")
    while pos != -1:
        index.append(pos + 1)
        pos = text.find("\n", pos + 1)
    return index


def _decode_error(err: json.JSONDecodeError, name: str) -> InputError:
    return InputError(
        f"invalid JSON at line {err.lineno}, column {err.colno}: {err.msg}",
        path=name,
        line=err.lineno,
        offset=err.pos,
        hint="fix the JSON syntax there (a missing comma, quote or bracket)",
    )


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
            top, _ = _DECODER.raw_decode(text, pos)
        except json.JSONDecodeError as err:
            raise _decode_error(err, name) from None
        except RecursionError:
            raise InputError("JSON nested too deeply", path=name) from None
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
            value, end = _DECODER.raw_decode(text, pos)
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
        raise _decode_error(err, name) from None
    except RecursionError:
        raise InputError(
            f"JSON nested too deeply in record {len(records) + 1}", path=name
        ) from None
    if text[pos:].strip(_WHITESPACE):
        extra = json.JSONDecodeError("extra data after the array", text, pos)
        raise _decode_error(extra, name)
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
    for number, line in enumerate(text.split("\n"), start=1):
        if not line.strip(_WHITESPACE):
            blank += 1
            continue
        try:
            records.append(_DECODER.decode(line))
        except json.JSONDecodeError as err:
            raise InputError(
                f"invalid JSON at line {number}, column {err.colno}: {err.msg}",
                path=name,
                line=number,
                hint="each line must hold one complete JSON object",
            ) from None
        except RecursionError:
            raise InputError("JSON nested too deeply", path=name, line=number) from None
        line_numbers.append(number)
    if not records:
        raise InputError("the file is empty", path=name, hint="export the data again")
    # The final newline of a file is not a blank line.
    return _to_table(
        records, line_numbers, name=name, fmt="ndjson", blank=blank - text.endswith("\n")
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
            if isinstance(value, dict | list):
                nested.append(
                    {
                        "code": str(IssueCode.NESTED_VALUE),
                        "severity": str(Severity.ERROR),
                        "file": name,
                        "row": index + 1,
                        "line": line_numbers[index],
                        "field": None,
                        "column": key,
                        "value": json.dumps(value, ensure_ascii=False)[:200],
                        "message": f"{key!r} holds {_kind(value)}, expected text or a number",
                        "fix": "flatten the value into its own column before upload",
                    }
                )
                columns[col].append(json.dumps(value, ensure_ascii=False))
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
