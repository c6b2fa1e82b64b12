"""Tests for ``activity-schema inspect``: its text output and its JSON contract."""

from __future__ import annotations

import datetime as dt
import json
import shutil
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from click.testing import Result

from activity_schema.issues.records import ISSUE_SCHEMA

DATA = Path(__file__).parents[1] / "data"

Cli = Callable[..., Result]

INPUT_KEYS = {
    "path": str,
    "format": str,
    "encoding": (str, type(None)),
    "encoding_reason": (str, type(None)),
    "confidence": (float, type(None)),
    "dialect": (dict, type(None)),
    "sheet": (str, type(None)),
    "records": int,
    "blank_rows": int,
    "schema": str,
    "columns": list,
    "missing_fields": list,
    "issues": list,
}
COLUMN_KEYS = {
    "header": str,
    "field": (str, type(None)),
    "match": str,
    "suggestion": (str, type(None)),
    "samples": list,
}
ISSUE_TYPES: dict[str, Any] = {
    key: (int, type(None)) if key in ("row", "line") else (str, type(None)) for key in ISSUE_SCHEMA
}


def check_shape(obj: dict[str, Any], spec: dict[str, Any]) -> None:
    assert set(obj) == set(spec), sorted(set(obj) ^ set(spec))
    for key, types in spec.items():
        assert isinstance(obj[key], types), (key, obj[key])
        assert not isinstance(obj[key], bool), key


def inspect_json(cli: Cli, *args: str | Path) -> tuple[Result, dict[str, Any]]:
    result = cli("inspect", "--format", "json", *args)
    return result, json.loads(result.stdout)


@pytest.mark.parametrize(
    "name",
    ["utf8.csv", "cp1252.csv", "utf16le_bom.tsv", "eloqua_example.json", "records.ndjson"],
)
def test_json_shape(cli: Cli, name: str) -> None:
    result, payload = inspect_json(cli, DATA / name)
    assert result.exit_code == 0, result.stderr
    assert result.stderr == ""
    assert set(payload) == {"version", "inputs"}
    assert payload["version"] == 1
    (entry,) = payload["inputs"]
    check_shape(entry, INPUT_KEYS)
    assert entry["path"] == str(DATA / name)
    if entry["dialect"] is not None:
        assert set(entry["dialect"]) == {"delimiter", "quotechar", "evidence"}
        assert all(isinstance(v, str) for v in entry["dialect"].values())
    for column in entry["columns"]:
        check_shape(column, COLUMN_KEYS)
        assert column["match"] in {"exact", "loose", "alias", "explicit", "none"}
        assert all(isinstance(s, str) for s in column["samples"])
        assert len(column["samples"]) <= 3
    for issue in entry["issues"]:
        check_shape(issue, ISSUE_TYPES)
        assert list(issue) == list(ISSUE_SCHEMA)
    assert all(isinstance(f, str) for f in entry["missing_fields"])


def test_json_content_for_the_eloqua_example(cli: Cli) -> None:
    _, payload = inspect_json(cli, DATA / "eloqua_example.json")
    (entry,) = payload["inputs"]
    assert (entry["format"], entry["encoding"], entry["records"]) == ("json", "utf-8", 2)
    assert entry["dialect"] is None
    assert entry["schema"] == "ActivityImportDataItem"
    assert [(c["header"], c["field"], c["match"]) for c in entry["columns"]] == [
        ("activityId", "activityId", "exact"),
        ("email", "email", "exact"),
        ("type", "type", "exact"),
        ("FirstName", "FirstName", "exact"),
    ]
    assert entry["columns"][2]["samples"] == ["Registered"]
    assert entry["missing_fields"] == []
    assert entry["issues"] == []


def test_json_keeps_non_ascii_and_reports_the_guess(cli: Cli) -> None:
    result, payload = inspect_json(cli, DATA / "cp1252.csv")
    assert "“Très bien” – 10 €" in result.stdout  # not \\u escapes
    (entry,) = payload["inputs"]
    assert entry["encoding"] == "cp1252"
    assert isinstance(entry["confidence"], float)
    codes = [i["code"] for i in entry["issues"]]
    assert "encoding-guessed" in codes
    assert "missing-column" in codes


def test_text_output_shows_encoding_dialect_mapping_and_records(cli: Cli) -> None:
    result = cli("inspect", DATA / "utf8.csv")
    assert result.exit_code == 0
    out = result.stdout
    assert str(DATA / "utf8.csv") in out
    assert "encoding: utf-8 (strict UTF-8 decode of the whole input)" in out
    assert "format:   csv, delimiter ',', quote '\"'" in out
    assert "records:  3" in out
    lines = out.splitlines()
    row = next(line for line in lines if line.startswith("FirstName"))
    assert "FirstName" in row.split(maxsplit=1)[1]
    zip_row = next(line for line in lines if line.startswith("Zip"))
    assert "00123" in zip_row
    assert "unknown-column" in out


@pytest.mark.parametrize(
    ("name", "encoding", "fmt"),
    [
        ("cp1250.csv", "encoding: cp1250 (chardet", "format:   csv, delimiter ';'"),
        ("utf16le_bom.tsv", "encoding: utf-16-le (UTF-16LE byte-order mark)", "delimiter '\\t'"),
        ("single_quote.csv", "encoding: utf-8", 'quote "\'"'),
        ("records.ndjson", "encoding: utf-8", "format:   ndjson"),
    ],
)
def test_text_output_per_input(cli: Cli, name: str, encoding: str, fmt: str) -> None:
    result = cli("inspect", DATA / name)
    assert result.exit_code == 0
    assert encoding in result.stdout
    assert fmt in result.stdout


def test_text_output_shows_the_mapping_decisions(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "export.csv"
    path.write_text("E-mail,Activity Type,Emial,EMAIL\na@b.co,Registered,x,y\n", encoding="utf-8")
    result = cli("inspect", path)
    out = result.stdout
    assert "email (loose)" in out
    assert "type (alias)" in out
    assert "did you mean email?" in out
    assert "duplicate-column" in out
    assert "'E-mail' and 'EMAIL'" in out
    assert "missing required fields: activityId" in out
    assert "records:  1" in out
    assert "blank skipped" not in out


def test_several_files_one_unreadable(cli: Cli, tmp_path: Path) -> None:
    missing = tmp_path / "missing.csv"
    result, payload = inspect_json(cli, DATA / "utf8.csv", missing, DATA / "tab.tsv")
    assert result.exit_code == 3
    first, error, third = payload["inputs"]
    assert first["records"] == 3
    assert third["format"] == "tsv"
    assert error == {"path": str(missing), "error": f"{missing}: no such file (check the path)"}
    assert result.stderr.strip() == f"activity-schema: error: {error['error']}"


@pytest.mark.parametrize("tab", ["\\t", "tab", "\t"])
def test_delimiter_flag(cli: Cli, tab: str) -> None:
    _, payload = inspect_json(cli, "--delimiter", tab, DATA / "tab.tsv")
    entry = payload["inputs"][0]
    assert entry["dialect"]["delimiter"] == "\t"
    assert entry["dialect"]["evidence"] == "given with --delimiter"


def test_encoding_flag(cli: Cli) -> None:
    _, payload = inspect_json(cli, "--encoding", "cp1250", DATA / "cp1250.csv")
    entry = payload["inputs"][0]
    assert entry["encoding"] == "cp1250"
    assert entry["encoding_reason"] == "given with --encoding cp1250"
    assert entry["confidence"] is None
    assert entry["columns"][3]["samples"][0] == "Łódź"


def test_input_format_flag(cli: Cli, tmp_path: Path) -> None:
    path = tmp_path / "export.txt"
    shutil.copy(DATA / "records.ndjson", path)
    _, payload = inspect_json(cli, "--input-format", "ndjson", path)
    assert payload["inputs"][0]["format"] == "ndjson"


def test_sheet_flag(cli: Cli, make_xlsx: Callable[..., Path]) -> None:
    book = make_xlsx(
        {
            "Summary": [["Total"], [2]],
            "Registrations": [
                ["email", "type", "activityId", "Zip", "ActivityDate"],
                ["a@b.co", "Registered", 1001, "00123", dt.datetime(2024, 3, 5, 14, 30)],
                ["c@d.co", "Attended", 1002, "00042", dt.datetime(2024, 3, 6, 9, 0)],
            ],
        }
    )
    _, payload = inspect_json(cli, book)
    assert payload["inputs"][0]["sheet"] == "Summary"
    _, payload = inspect_json(cli, "--sheet", "Registrations", book)
    entry = payload["inputs"][0]
    assert (entry["format"], entry["sheet"], entry["records"]) == ("xlsx", "Registrations", 2)
    samples = {c["header"]: c["samples"] for c in entry["columns"]}
    assert samples["activityId"] == ["1001", "1002"]
    assert samples["Zip"] == ["00123", "00042"]
    assert samples["ActivityDate"] == ["2024-03-05 14:30:00", "2024-03-06 09:00:00"]
    text = cli("inspect", "--sheet", "Registrations", book).stdout
    assert "format:   xlsx, sheet 'Registrations'" in text


def test_definition_flag(cli: Cli, tmp_path: Path) -> None:
    definition = tmp_path / "definition.json"
    definition.write_text(
        json.dumps(
            {
                "name": "Webinar attendance",
                "fields": {
                    "EmailAddress": "{{Activity.Contact.Field(C_EmailAddress)}}",
                    "ActivityType": "{{Activity.Type}}",
                    "AssetName": "{{Activity.Asset.Name}}",
                },
            }
        ),
        encoding="utf-8",
    )
    _, payload = inspect_json(cli, "--definition", definition, DATA / "utf16le_bom.tsv")
    entry = payload["inputs"][0]
    assert entry["schema"] == "Webinar attendance"
    assert [c["field"] for c in entry["columns"]] == ["EmailAddress", None, "ActivityType"]
    assert entry["missing_fields"] == ["AssetName"]


def test_config_is_discovered_from_the_current_folder(cli: Cli, tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.activity-schema]\n[tool.activity-schema.aliases]\n"Note" = "AssetName"\n',
        encoding="utf-8",
    )
    _, payload = inspect_json(cli, DATA / "tab.tsv")
    note = payload["inputs"][0]["columns"][2]
    assert (note["header"], note["field"], note["match"]) == ("Note", "AssetName", "explicit")


def test_inspect_through_python_m(tmp_path: Path) -> None:
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "activity_schema",
            "inspect",
            "--format",
            "json",
            str(DATA / "shift_jis.csv"),
        ],
        capture_output=True,
        text=True,
        encoding="utf-8",
        cwd=tmp_path,
        check=False,
    )
    assert result.returncode == 0, result.stderr
    entry = json.loads(result.stdout)["inputs"][0]
    assert entry["encoding"] == "cp932"
    assert entry["columns"][3]["samples"][0] == "株式会社サンプル"
