"""``inspect --format json`` validates against ``inspect.schema.json``."""

from __future__ import annotations

import contextlib
import json
from pathlib import Path

import jsonschema
from click.testing import CliRunner
from conftest import RULES

from activity_schema import schemas
from activity_schema.cli import main


def test_inspect_json_validates(inputs_folder: Path) -> None:
    names = sorted(p.name for p in inputs_folder.iterdir())
    with contextlib.chdir(inputs_folder):
        result = CliRunner().invoke(
            main, ["inspect", *names, "--config", str(RULES), "--format", "json"]
        )
    assert result.exit_code == 3  # the damaged workbook
    payload = json.loads(result.stdout)
    validator = jsonschema.Draft202012Validator(schemas.load("inspect"))
    errors = [f"{list(e.absolute_path)}: {e.message[:300]}" for e in validator.iter_errors(payload)]
    assert errors == []
    assert [item["path"] for item in payload["inputs"]] == names
    read = [item for item in payload["inputs"] if "columns" in item]
    assert {item["format"] for item in read} == {"csv", "tsv", "json", "ndjson"}
    assert {c["match"] for item in read for c in item["columns"]} >= {"exact", "loose", "none"}


def test_inspect_and_report_describe_an_issue_alike() -> None:
    report, inspect = schemas.load("report"), schemas.load("inspect")
    for name in ("issue", "code", "severity", "dialect", "format"):
        assert inspect["$defs"][name] == report["$defs"][name], name
