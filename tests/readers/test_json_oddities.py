"""JSON and NDJSON inputs nobody here wrote: duplicate keys, lone surrogates, envelopes.

Issue 12: each of these was read silently wrong, crashed (exit 70), or was refused with a
message that did not say what the file is. Every case runs through the real CLI.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from activity_schema.readers import read_bytes

ROW = '"activityId": "{n}", "email": "p{n}@example.com", "type": "Registered"'


def _lint(cli: Callable[..., Result], path: Path) -> tuple[int, list[dict[str, Any]]]:
    result = cli("lint", path, "--format", "json")
    assert "Traceback" not in result.output
    assert result.exit_code != 70, result.output
    issues = json.loads(result.stdout)["issues"] if result.stdout.strip() else []
    return result.exit_code, issues


def _write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_bytes(text.encode("utf-8"))
    return path


@pytest.mark.parametrize("ext", ["json", "ndjson"])
def test_duplicate_key_is_a_warning_quoting_both_values(
    cli: Callable[..., Result], tmp_path: Path, ext: str
) -> None:
    record = "{" + ROW.format(n=1) + ', "type": "Attended"}'
    text = f"[{record}]" if ext == "json" else record + "\n"
    code, issues = _lint(cli, _write(tmp_path, f"in.{ext}", text))
    found = [i for i in issues if i["code"] == "duplicate-key"]
    assert len(found) == 1
    assert found[0]["severity"] == "warning"
    assert found[0]["column"] == "type"
    assert "'Registered'" in found[0]["message"] and "'Attended'" in found[0]["message"]
    assert code == 0


def test_duplicate_key_with_the_same_value_says_so(tmp_path: Path) -> None:
    table = read_bytes(b'[{"a": "1", "a": "1"}]', name="in.json")
    assert table.issues["message"].to_list() == [
        "key 'a' appears twice in the record (with the same value)"
    ]


@pytest.mark.parametrize(
    ("ext", "text"),
    [
        ("json", '[{"activityId": "1", "email": "a@example.com", "type": "A\\ud800b"}]'),
        ("ndjson", '{"activityId": "1", "email": "a@example.com", "type": "\\udfff"}\n'),
        ("json", '[{"activityId": "1", "email": "a@example.com", "type": {"x": "\\ud800"}}]'),
        ("json", '[{"activityId": "1", "email": "a@example.com", "t\\ud800": "x"}]'),
    ],
    ids=["value", "ndjson-value", "nested", "key"],
)
def test_lone_surrogate_is_a_row_error_not_a_crash(
    cli: Callable[..., Result], tmp_path: Path, ext: str, text: str
) -> None:
    code, issues = _lint(cli, _write(tmp_path, f"in.{ext}", text))
    assert code == 1
    errors = {i["code"] for i in issues if i["severity"] == "error" and i["row"] == 1}
    assert errors & {"undecodable-bytes", "nested-value"}


def test_convert_rejects_the_surrogate_row_and_keeps_the_others(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    text = (
        '[{"activityId": "1", "email": "a@example.com", "type": "\\ud800"},\n'
        ' {"activityId": "2", "email": "b@example.com", "type": "Registered"}]'
    )
    out = tmp_path / "out"
    result = cli("convert", _write(tmp_path, "in.json", text), "--output", out)
    assert result.exit_code != 70, result.output
    rejects = (out / "rejects.csv").read_text(encoding="utf-8")
    assert "undecodable-bytes" in rejects
    parts = [p for p in out.iterdir() if p.suffix == ".json" and p.name != "manifest.json"]
    records = [r for p in parts for r in json.loads(p.read_text(encoding="utf-8"))]
    assert [r["email"] for r in records] == ["b@example.com"]


def test_eloqua_items_envelope_is_read_and_noted(
    cli: Callable[..., Result], tmp_path: Path
) -> None:
    text = (
        '{\n "items": [\n  {' + ROW.format(n=1) + "},\n  {" + ROW.format(n=2) + "}\n ],\n"
        ' "page": 1, "pageSize": 1000, "total": 2, "hasMore": false\n}\n'
    )
    code, issues = _lint(cli, _write(tmp_path, "export.json", text))
    assert code == 0
    notes = [i for i in issues if i["code"] == "json-envelope"]
    assert len(notes) == 1 and notes[0]["severity"] == "info"
    table = read_bytes(text.encode(), name="export.json")
    assert table.frame["email"].to_list() == ["p1@example.com", "p2@example.com"]
    assert table.frame["_line"].to_list() == [3, 4]


@pytest.mark.parametrize(
    ("name", "text", "message"),
    [
        ("in.json", "[]", "the JSON file is an empty array: no records"),
        ("in.json", " [ ]\n", "the JSON file is an empty array: no records"),
        (
            "in.json",
            "42",
            "the JSON top level is a number, expected an array of objects: no records",
        ),
        (
            "in.json",
            '"x"',
            "the JSON top level is a string, expected an array of objects: no records",
        ),
        ("in.json", "null", "the JSON top level is null, expected an array of objects: no records"),
        (
            "in.json",
            "true",
            "the JSON top level is a boolean, expected an array of objects: no records",
        ),
        (
            "in.json",
            '{"a": 1}',
            'is an object, expected an array of objects or an object with an "items" array',
        ),
        ("in.json", '{"items": []}', 'the "items" array is empty: no records'),
        ("in.ndjson", '{"a": "1"}\n42\n', "record 2 is a number, expected an object"),
        ("in.ndjson", '{"a": "1"}\n[1]\n', "record 2 is an array, expected an object"),
        ("in.json", '[{"a": "1"}, "x"]', "record 2 is a string, expected an object"),
    ],
)
def test_files_without_records_say_what_they_are(
    cli: Callable[..., Result], tmp_path: Path, name: str, text: str, message: str
) -> None:
    result = cli("lint", _write(tmp_path, name, text))
    assert result.exit_code == 3, result.output
    assert message in result.stderr
    assert "header but no records" not in result.output + result.stderr


# --- the corpus: tests/data/corpus/json/ (written by make_json.py) -------------------------

CORPUS = Path(__file__).parents[1] / "data" / "corpus"
TRUTHS = sorted((CORPUS / "json").glob("*.truth.json"))


def _input(truth: Path) -> Path:
    return truth.with_name(truth.name.removesuffix(".truth.json"))


def test_the_generator_reproduces_the_committed_files() -> None:
    spec = importlib.util.spec_from_file_location("make_json", CORPUS / "make_json.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    committed = {p.name: p.read_bytes() for p in (CORPUS / "json").iterdir()}
    assert module.files() == committed


@pytest.mark.parametrize("truth", TRUTHS, ids=lambda p: _input(p).name)
def test_corpus_file_is_read_exactly_and_reported(cli: Callable[..., Result], truth: Path) -> None:
    expected = json.loads(truth.read_text(encoding="utf-8"))
    path = _input(truth)
    if expected.get("refuse"):
        result = cli("lint", path)
        assert result.exit_code == 3, result.output
        assert "header but no records" not in result.output + result.stderr
        return
    table = read_bytes(path.read_bytes(), name=path.name)
    assert list(table.headers) == expected["header"]
    assert [list(r) for r in table.frame.drop("_row", "_line").rows()] == expected["records"]
    _, issues = _lint(cli, path)
    loud = {i["code"] for i in issues if i["severity"] in ("warning", "error")}
    assert loud & {"duplicate-key", "undecodable-bytes"} == set(expected.get("loud", ()))
